from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.paging import cheap_count
from sqdj.core.plugins import Tile
from sqdj.core.scope import may

from .choices import Standing
from .models import Member


def _count(request):
    if not may(request.user, "view", Member):
        return None  # no tile for a page the user cannot open (a member sees their own record)
    # counted as the member list counts (core.paging): a city's scope must not cost a full count on every visit
    n = cheap_count(Member.objects.restrict(request.user, "view").filter(standing=Standing.ACTIVE))
    return {
        "label": _("Party members in my scope"),
        "count": n.value,
        "count_exact": n.exact,
        "url": reverse("members:member_list"),
    }


tiles = [Tile("members", "generic/_count_tile.html", _count, order=20)]
