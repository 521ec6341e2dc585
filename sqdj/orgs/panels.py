from sqdj.core import dates
from sqdj.core.plugins import Panel

from .forms import GuidanceLinkForm
from .models import GuidanceLink, Org


def _located(area, user):
    return {"located_orgs": Org.objects.filter(area=area).restrict(user, "view").order_by("code")}


def _guidance(org, user):
    links = GuidanceLink.objects.restrict(user, "view").select_related("guide", "org").order_by("-started_on", "pk")
    can_change = Org.objects.restrict(user, "change").filter(pk=org.pk).exists()
    return {
        "guided_by": list(links.filter(org=org)),
        "guides": list(links.filter(guide=org, ended_on__isnull=True)),
        "can_change": can_change,
        "guidance_form": GuidanceLinkForm(user=user, auto_id="guidance_%s") if can_change else None,
        "today": dates.today(),
    }


panels = [
    Panel("areas.Area", _located, row="orgs/_area_row.html", order=10),
    Panel("orgs.Org", _guidance, template="orgs/_guidance.html", order=50),
]
