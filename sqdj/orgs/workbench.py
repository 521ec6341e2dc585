from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import Tile
from sqdj.core.scope import may

from .choices import OrgType
from .models import Org


def _count(request):
    if not may(request.user, "view", Org):
        return None  # no tile for a page the user cannot open
    n = Org.objects.restrict(request.user, "view").count()
    return {
        "label": _("Party organizations in my scope"),
        "count": n,
        "url": reverse("orgs:org_list") + "?descendants=true",  # explicit: not the remembered filters
    }


def _by_type(request):
    if not may(request.user, "view", Org):
        return None
    rows = Org.objects.restrict(request.user, "view").order_by().values("type").annotate(n=Count("pk"))
    return {"by_type": {OrgType(row["type"]).label: row["n"] for row in rows}}


tiles = [
    Tile("orgs", "generic/_count_tile.html", _count, order=10),
    Tile("orgs-by-type", "orgs/_by_type_tile.html", _by_type, order=900),
]
