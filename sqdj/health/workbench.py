from sqdj.core.plugins import Tile


def _lazy(request):
    return {}  # the tiles load after the page (health:workbench_tiles): a city's checks take a second


tiles = [Tile("health", "health/_workbench_tiles_placeholder.html", _lazy, order=500)]
