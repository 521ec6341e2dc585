from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import Tile
from sqdj.core.scope import may

from .models import Area


def _count(request):
    if not may(request.user, "view", Area):
        return None  # no tile for a page the user cannot open
    n = Area.objects.restrict(request.user, "view").count()
    return {"label": _("Areas in my scope"), "count": n, "url": reverse("areas:area_list")}


tiles = [Tile("areas", "generic/_count_tile.html", _count, order=30)]
