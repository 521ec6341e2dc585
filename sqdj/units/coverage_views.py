"""The coverage page (两新组织覆盖): an org's territory — a subdistrict's, say — in tables by unit category, industry
section, head-count band and child area, every count a link to the unit list behind it, each child area a drill-down
to its own tables (`?org=CODE&area=CODE`)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.areas.models import Area
from sqdj.core import dates
from sqdj.core.scope import visible
from sqdj.core.views import may
from sqdj.orgs.forms import OrgOnDayForm
from sqdj.orgs.services import find_org, top_orgs

from . import coverage

# the unit list's filters (filtersets.UnitFilterSet) that select each figure's units, within a row's own filters
FIGURE_FILTERS = {
    "total": {},
    "org_coverage": {"org_coverage": "true"},
    "work_coverage": {"work_coverage": "true"},
    "neither": {"org_coverage": "false", "work_coverage": "false"},
}


FIGURE_LABELS = {
    "total": gettext_lazy("Number of units"),
    "org_coverage": gettext_lazy("Party organization coverage"),
    "work_coverage": gettext_lazy("Party work coverage"),
    "neither": gettext_lazy("Neither covered"),
}


class CoverageForm(OrgOnDayForm):
    """The statistics' form (an org by the tree picker, a day), and a part of the org's territory (area code)."""

    area = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)


def _unit_list_url(where: dict, row: coverage.Row, figure: str) -> str | None:
    if row.filters is None:
        return None
    return f"{reverse('units:unit_list')}?{urlencode({**where, **row.filters, **FIGURE_FILTERS[figure]})}"


def _cells(where: dict, row: coverage.Row) -> list[tuple[object, int, str | None]]:
    """(heading, number, URL of the units behind it) for each figure of the row."""
    return [(FIGURE_LABELS[k], row.figures[k], _unit_list_url(where, row, k)) for k in coverage.FIGURES]


def _where(org, area) -> dict:
    """The unit list's filters for the tables' territory: the area's units (all levels below it), or, for an org
    without an area, those its subtree holds."""
    base = area or (org.area if org.area_id else None)
    if base is not None:
        return {"area": base.code, "descendants": "true"}
    return {"org": org.code, "descendants": "true"}


@login_required
def coverage_page(request):
    user = request.user
    if not may(user, "view"):
        raise PermissionDenied(_("You have no role that lets you see the coverage of units."))
    form = CoverageForm(request.GET)
    if not form.is_valid():
        return render(request, "units/coverage/coverage.html", {"form": form, "tables": None}, status=400)
    code = form.cleaned_data["org"]
    org = find_org(code, user) if code else next(iter(top_orgs(user)), None)
    if org is None:
        if code:
            raise Http404(_("Not found."))
        return render(request, "units/coverage/coverage.html", {"form": form, "tables": None})
    area = None
    if form.cleaned_data["area"]:
        # a part of the org's territory the user sees; anything else looks like nothing at all
        if not org.area_id:
            raise Http404(_("Not found."))
        area = (
            visible(Area.objects.all(), user)
            .filter(code=form.cleaned_data["area"], path__startswith=org.area.path)
            .first()
        )
        if area is None:
            raise Http404(_("Not found."))
    day = form.cleaned_data["as_of"] or dates.today()
    found = coverage.tables(org, user, day, area=area)
    where = {**_where(org, area), "as_of": day.isoformat()}  # the list counts as the tables do, on that day
    page = reverse("units:coverage")

    def rows(table: list[coverage.Row]) -> list[dict]:
        out = []
        for row in table:
            drill = None
            if row.area is not None:
                drill = f"{page}?{urlencode({'org': org.code, 'area': row.area.code, 'as_of': day.isoformat()})}"
            out.append({"label": row.label, "cells": _cells(where, row), "drill": drill})
        return out

    sections = [
        ("category", gettext_lazy("By unit category"), rows(found.by_category)),
        ("industry", gettext_lazy("By industry"), rows(found.by_industry)),
        ("band", gettext_lazy("By number of employees"), rows(found.by_band)),
    ]
    if found.by_area:
        sections.insert(0, ("area", gettext_lazy("By area"), rows(found.by_area)))
    up = None
    if area is not None:
        parent = area.depth - 1 > org.area.depth and area.path[: -Area.steplen]
        parent_area = visible(Area.objects.all(), user).filter(path=parent).first() if parent else None
        params = {"org": org.code, "as_of": day.isoformat(), **({"area": parent_area.code} if parent_area else {})}
        up = f"{page}?{urlencode(params)}"
    ctx = {
        "form": form,
        "org": org,
        "area": area,
        "place": area or (org.area if org.area_id else None),
        "day": day,
        "tables": found,
        "summary": [("total", rows([found.total])[0]), ("neworgs", rows([found.neworgs])[0])],
        "sections": sections,
        "headings": list(FIGURE_LABELS.values()),
        "up": up,
    }
    return render(request, "units/coverage/coverage.html", ctx)
