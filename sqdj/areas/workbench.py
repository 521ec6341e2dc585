from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import Tile

from .models import Area


def _count(request):
    n = Area.objects.restrict(request.user, "view").count()
    return {"label": _("Areas in my scope"), "count": n, "url": reverse("areas:area_list")}


tiles = [Tile("areas", "generic/_count_tile.html", _count, order=30)]
