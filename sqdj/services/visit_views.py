"""The visit part's pages: the list, the detail (with one step to a request or a household's help opened from it,
and what was opened from it), add / edit / delete (through the scope gate), and the coverage of a community."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.areas.models import Area
from sqdj.core.views import ModelViews, may
from sqdj.members.models import Member
from sqdj.orgs.filtersets import org_picker
from sqdj.orgs.services import find_org

from . import visits
from .models import Household, Request, Visit
from .request_stats_views import default_org
from .visit_filtersets import VisitFilterSet
from .visit_forms import VisitForm
from .visit_tables import VisitTable


def _opening_url(name: str, visit: Visit) -> str | None:
    """The add page of a request or a household's help opened from `visit` (None: that page does not exist)."""
    try:
        return f"{reverse(name)}?{urlencode({'visit': visit.pk})}"
    except NoReverseMatch:
        return None


class VisitViews(ModelViews):
    """走访 of the user's territory."""

    model = Visit
    queryset = Visit.objects.select_related("area", "org", "household")
    table = VisitTable
    filterset = VisitFilterSet
    form = VisitForm
    create_service = staticmethod(visits.do_record_visit)
    update_service = staticmethod(visits.do_update_visit)
    delete_service = staticmethod(visits.do_delete_visit)
    detail_template = "services/visits/visit.html"

    @classmethod
    def detail_context(cls, obj, user):
        members = Member.objects.restrict(user, "view").values_list("pk", flat=True)
        seen = set(obj.visitors.filter(pk__in=members).values_list("pk", flat=True))
        visitors = [(m.name, m.get_absolute_url() if m.pk in seen else None) for m in obj.visitors.order_by("name")]
        household = None
        if obj.household_id:
            shown = Household.objects.restrict(user, "view").filter(pk=obj.household_id).exists()
            household = (str(obj.household), obj.household.get_absolute_url() if shown else None)
        rows = [
            (_("visited on"), obj.visited_on.isoformat(), None),
            (_("area"), obj.area.name, None),
            (_("party organization"), obj.org.name, None),
        ]
        if household:
            rows.append((_("household in hardship"), *household))
        rows += [
            (_("other visitors"), obj.other_visitors or "—", None),
            (_("what was heard"), obj.heard, None),
        ]
        may_add = Area.objects.restrict(user, "add").filter(pk=obj.area_id).exists()
        return {
            "rows": rows,
            "visitors": visitors,
            "requests": Request.objects.restrict(user, "view").filter(visit=obj).order_by("received_at", "pk"),
            "households": Household.objects.restrict(user, "view").filter(visit=obj).order_by("number"),
            "request_url": _opening_url("services:request_add", obj) if may_add else None,
            "household_url": _opening_url("services:household_add", obj) if may_add else None,
        }


class CoverageForm(forms.Form):
    org = forms.CharField(label=gettext_lazy("Organization"), required=False, strip=False, widget=org_picker())
    as_of = forms.DateField(label=gettext_lazy("as of"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": gettext_lazy("Not a date: write it as YYYY-MM-DD, e.g. "
                                                                    "2021-07-01.")})  # fmt: skip


@login_required
def coverage_page(request):
    """The visit coverage of a community (the user's own org by default): per grid, the buildings visited within the
    rulebook's months, and those not visited."""
    user = request.user
    if not may(user, "view", Visit):
        raise PermissionDenied(_("You have no role that lets you see this list."))
    form = CoverageForm(request.GET)
    context: dict = {"form": form, "coverage": None}
    if not form.is_valid():
        return render(request, "services/visits/coverage.html", context)
    code = form.cleaned_data["org"]
    org = find_org(code, user) if code else default_org(user)
    if code and org is None:
        raise Http404(_("Not found."))
    as_of: datetime.date = form.cleaned_data["as_of"] or timezone.localdate()
    found = visits.coverage(org, as_of, user) if org is not None and org.area_id else None
    context.update({"org": org, "coverage": found, "as_of": as_of})
    if found is not None:
        context["list_url"] = reverse("services:visit_list")
    return render(request, "services/visits/coverage.html", context)
