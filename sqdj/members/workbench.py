from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import Tile
from sqdj.core.scope import may

from .choices import Standing
from .models import Member


def _count(request):
    if not may(request.user, "view", Member):
        return None  # no tile for a page the user cannot open (a member sees their own record)
    n = Member.objects.restrict(request.user, "view").filter(standing=Standing.ACTIVE).count()
    return {"label": _("Party members in my scope"), "count": n, "url": reverse("members:member_list")}


tiles = [Tile("members", "generic/_count_tile.html", _count, order=20)]
