from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import Tile
from sqdj.core.scope import may

from .models import Area


def _count(request):
    if not may(request.user, "view", Area):
        return None  # no tile for a page the user cannot open
    n = Area.objects.restrict(request.user, "view").count()
    url = reverse("areas:area_list") + "?descendants=true"  # explicit: not the remembered filters
    return {"label": _("Areas in my scope"), "count": n, "url": url}


tiles = [Tile("areas", "generic/_count_tile.html", _count, order=30)]
