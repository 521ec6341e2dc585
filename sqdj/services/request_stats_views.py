"""The page of the statistics of serving residents (issue 17 item 7), and the same figures as JSON (`?format=json`,
the shape in request_stats' docstring): an org of the user's scope (default: the user's first) and a period."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.scope import anchors, is_unrestricted
from sqdj.core.views import may
from sqdj.orgs.filtersets import org_picker
from sqdj.orgs.models import Org
from sqdj.orgs.services import find_org

from . import request_stats
from .choices import Satisfaction

DATE = forms.DateInput(attrs={"type": "date"})
NOT_A_DATE = gettext_lazy("Not a date: write it as YYYY-MM-DD, e.g. 2021-07-01.")


class RequestStatsForm(forms.Form):
    org = forms.CharField(label=gettext_lazy("Organization"), required=False, strip=False, widget=org_picker())
    date_from = forms.DateField(label=gettext_lazy("from"), required=False, widget=DATE,
                                error_messages={"invalid": NOT_A_DATE})  # fmt: skip
    date_to = forms.DateField(label=gettext_lazy("to"), required=False, widget=DATE,
                              error_messages={"invalid": NOT_A_DATE})  # fmt: skip

    def clean(self):
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end cannot be before the start."))
        return data


def default_org(user):
    """The user's first organization (a superuser: the first top one)."""
    if is_unrestricted(user):
        return Org.objects.filter(depth=1).select_related("area").order_by("path").first()
    assigned = anchors(user, "view")
    return assigned[0][0] if assigned else None


def _list_url(**params) -> str:
    return f"{reverse('services:request_list')}?{urlencode(params)}"


def _tables(found: dict, org) -> list[dict]:
    """The page's tables: (label, count, the request list filtered to match, or None where it cannot filter)."""
    area = org.area.code
    req = found["requests"]
    totals = [
        (_("Requests received"), req["total"], _list_url(area=area)),
        (_("Still open"), req["open"], None),
        (_("Requests closed"), req["closed"], _list_url(area=area, state="closed")),
        (_("Closed on time"), req["closed_on_time"], None),
        (_("Share closed on time (%)"), req["on_time_share"], None),
        (_("Median days to close"), "—" if req["median_days_to_close"] is None else req["median_days_to_close"],
         None),
    ]  # fmt: skip
    by_category = [(r["name"] or _("No category"), r["count"],
                    _list_url(area=area, category=r["code"]) if r["code"] else None)
                   for r in found["by_category"]]  # fmt: skip
    by_state = [(r["label"], r["count"], _list_url(area=area, state=r["state"])) for r in found["by_state"]]
    by_source = [(r["label"], r["count"], _list_url(area=area, source=r["source"])) for r in found["by_source"]]
    by_area = [(r["name"], r["count"], _list_url(area=r["code"]) if r["code"] != area else None)
               for r in found["by_area"]]  # fmt: skip
    satisfaction = [(label, found["satisfaction"][value], None) for value, label in Satisfaction.choices]
    wishes = [(_("Wishes posted"), found["wishes"]["posted"], None),
              (_("Wishes claimed"), found["wishes"]["claimed"], None),
              (_("Wishes fulfilled"), found["wishes"]["fulfilled"], None)]  # fmt: skip
    households = [(_("Households helped"), found["households"]["helped"], None),
                  (_("Support given"), found["households"]["supports"], None),
                  (_("Money given (yuan)"), found["households"]["money"], None)]  # fmt: skip
    return [
        {"title": _("Requests"), "rows": totals},
        {"title": _("By category"), "rows": by_category},
        {"title": _("By state"), "rows": by_state},
        {"title": _("By source"), "rows": by_source},
        {"title": _("By area"), "rows": by_area},
        {"title": _("Residents' satisfaction"), "rows": satisfaction},
        {"title": _("Small wishes"), "rows": wishes},
        {"title": _("Households in hardship"), "rows": households},
    ]


@login_required
def request_stats_page(request):
    user = request.user
    if not may(user, "view"):
        raise PermissionDenied(_("You have no role that lets you see statistics."))
    as_json = request.GET.get("format") == "json"
    form = RequestStatsForm(request.GET)
    if not form.is_valid():
        if as_json:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return render(request, "services/stats/requests.html", {"form": form, "tables": None})
    code = form.cleaned_data["org"]
    org = find_org(code, user) if code else default_org(user)
    if org is None or org.area_id is None:
        if code:
            raise Http404(_("Not found."))
        return render(request, "services/stats/requests.html", {"form": form, "tables": None})
    found = request_stats.figures(org, user, form.cleaned_data["date_from"], form.cleaned_data["date_to"])
    if as_json:
        return JsonResponse(found, json_dumps_params={"ensure_ascii": False})
    context = {"form": form, "org": org, "found": found, "tables": _tables(found, org)}
    return render(request, "services/stats/requests.html", context)
