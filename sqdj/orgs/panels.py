from sqdj.core.plugins import Panel

from .models import Org


def _located(area, user):
    return {"located_orgs": Org.objects.filter(area=area).restrict(user, "view").order_by("code")}


panels = [Panel("areas.Area", _located, row="orgs/_area_row.html", order=10)]
