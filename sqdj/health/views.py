"""组织体检 pages: the findings for an org subtree, its Excel export, and the workbench tiles per tree level."""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core import dates
from sqdj.core.rules import SEVERITIES, summary
from sqdj.leadership.terms import COMMUNITY_LEVEL
from sqdj.orgs.choices import OrgType
from sqdj.orgs.models import Org
from sqdj.orgs.services import top_orgs

from . import services
from .exporting import workbook

# Colour is never the only carrier: every severity has a label and an icon too (ux.md §6).
SEVERITY_STYLE = {
    "error": {"label": gettext_lazy("Error"), "icon": "x-octagon-fill", "css": "danger"},
    "warning": {"label": gettext_lazy("Warning"), "icon": "exclamation-triangle-fill", "css": "warning"},
    "reminder": {"label": gettext_lazy("Reminder"), "icon": "bell-fill", "css": "info"},
}
OBJECT_TYPES = {
    "org": gettext_lazy("party organization"),
    "area": gettext_lazy("area"),
    "unit": gettext_lazy("unit"),
    "member": gettext_lazy("party member"),
}
# the objects whose code people know and use (orgs', areas' and units' codes); a member's is only an internal key
CODED_TYPES = ("org", "area", "unit")
# The dates the rulebook can judge: the party's founding onwards, and not so far ahead that date arithmetic
# (a term end, six months before it) leaves the calendar.
# A city has tens of thousands of findings: a page shows this many per severity (the rest a page at a time, one
# severity at a time, or in the export) — all of them at once took seconds and 16 MB of HTML.
ROWS_PER_SECTION = 50
EARLIEST = datetime.date(1921, 7, 1)
LATEST = datetime.date(2100, 12, 31)


class HealthForm(forms.Form):
    on = forms.DateField(
        required=False,
        error_messages={"invalid": gettext_lazy("Not a date: write it as YYYY-MM-DD, e.g. 2021-07-01.")},
    )
    level = forms.IntegerField(required=False, min_value=1, max_value=64)
    severity = forms.ChoiceField(required=False, choices=[(s, s) for s in SEVERITIES])
    page = forms.IntegerField(required=False, min_value=1)

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on is not None and not EARLIEST <= on <= LATEST:
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s.") % {"first": EARLIEST, "last": LATEST}
            )
        return on


# ---- tree levels ------------------------------------------------------------------------------------------------
def org_levels(top, user) -> tuple[list[dict], int | None]:
    """The levels of `top`'s subtree that `user` sees, top down: depth, label and number of orgs; and the depth
    of the community level (the shallowest level whose orgs mostly sit in a community or below), or None.

    One aggregate query. Levels made only of 党小组 are left out: groups are not organizations that the
    rulebook judges."""
    rows = (
        Org.objects.restrict(user, "view")
        .filter(path__startswith=top.path)
        .order_by()
        .values("depth", "type", "area__type")
        .annotate(n=Count("pk"))
    )
    types: dict[int, Counter] = defaultdict(Counter)
    in_community: Counter = Counter()
    for row in rows:
        types[row["depth"]][row["type"]] += row["n"]
        if row["area__type"] in COMMUNITY_LEVEL:
            in_community[row["depth"]] += row["n"]
    community = next((d for d in sorted(types) if in_community[d] * 2 > sum(types[d].values())), None)
    levels = []
    for depth in sorted(types):
        counts = types[depth]
        if set(counts) == {OrgType.GROUP}:
            continue
        if depth == community:
            label = _("Community party organizations")
        else:
            label = "、".join(str(OrgType(t).label) for t, _n in counts.most_common(2))
            if len(counts) > 2:
                label += "…"
        levels.append({"depth": depth, "label": label, "orgs": sum(counts.values())})
    return levels, community


def finding_depths(findings, top, community: int | None) -> list[int]:
    """The tree level of each finding's object: an org's own depth; an area, a unit or a member counts at the
    community level (or at `top` where there is none)."""
    ids = {f.object_id for f in findings if f.object_type == "org" and f.object_id is not None}
    codes = {f.object_code for f in findings if f.object_type == "org" and f.object_id is None}
    by_id, by_code = {}, {}
    if ids or codes:
        rows = Org.objects.filter(Q(pk__in=ids) | Q(code__in=codes)).values_list("pk", "code", "depth")
        for pk, code, depth in rows:
            by_id[pk], by_code[code] = depth, depth
    fallback = community or top.depth
    out = []
    for f in findings:
        if f.object_type == "org":
            out.append(by_id.get(f.object_id) or by_code.get(f.object_code) or fallback)
        else:
            out.append(fallback)
    return out


def level_counts(top, user, findings) -> tuple[list[dict], list[int]]:
    """`org_levels` with the counts per severity of the findings at each level; and each finding's depth."""
    levels, community = org_levels(top, user)
    depths = finding_depths(findings, top, community)
    per: dict[int, Counter] = defaultdict(Counter)
    for f, d in zip(findings, depths, strict=True):
        per[d][f.severity] += 1
    url = reverse("health:org_health", args=[top.pk])
    for level in levels:
        level["counts"] = [{"severity": s, **SEVERITY_STYLE[s], "n": per[level["depth"]][s]} for s in SEVERITIES]
        level["url"] = f"{url}?level={level['depth']}"
    return levels, depths


def dashboard_tiles(user, on: datetime.date | None = None) -> list[dict]:
    """For the workbench: per top org, one tile per tree level with its error/warning/reminder counts — one run
    of the rulebook per top org, the findings grouped by the level of their object."""
    tiles = []
    for top in top_orgs(user):
        try:
            findings = services.findings_for(top, user=user, on=on)
        except ImproperlyConfigured:  # no rule version in force: the tile stays out rather than break the home
            continue
        levels, _depths = level_counts(top, user, findings)
        tiles.append(
            {"org": top, "url": reverse("health:org_health", args=[top.pk]), "levels": levels, **summary_of(findings)}
        )
    return tiles


def summary_of(findings) -> dict:
    counts = summary(findings)
    return {"counts": [{"severity": s, **SEVERITY_STYLE[s], "n": counts[s]} for s in SEVERITIES]}


# ---- views ------------------------------------------------------------------------------------------------------
@login_required
def workbench_tiles(request):
    """The workbench's health tiles, loaded after the page (htmx): a whole city's checks take a second or two,
    the rest of the workbench should not wait for them."""
    return render(request, "health/_workbench_tiles.html", {"health_tiles": dashboard_tiles(request.user)})


def _checked(request, pk):
    """The org (404 outside the view scope), the validated form, and the findings with their levels — the same
    for the page and the export. Findings are None when the input is bad."""
    org = get_object_or_404(Org.objects.restrict(request.user, "view").select_related("area"), pk=pk)
    form = HealthForm(request.GET)
    ctx = {"org": org, "form": form, "on": dates.today(), "findings": None, "error": None}
    if not form.is_valid():
        ctx["error"] = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return ctx
    on = ctx["on"] = form.cleaned_data["on"] or ctx["on"]
    try:
        findings = services.findings_for(org, user=request.user, on=on)
    except ImproperlyConfigured:
        ctx["error"] = _("The rulebook has no rules in force on %(date)s: choose a later date.") % {"date": on}
        return ctx
    levels, depths = level_counts(org, request.user, findings)
    level = form.cleaned_data["level"]
    if level is not None:
        findings = [f for f, d in zip(findings, depths, strict=True) if d == level]
    ctx.update(findings=findings, levels=levels, level=level)
    ctx["level_label"] = next((lv["label"] for lv in levels if lv["depth"] == level), None)
    return ctx


def _query(ctx) -> str:
    parts = [f"on={ctx['on'].isoformat()}"]
    if ctx.get("level") is not None:
        parts.append(f"level={ctx['level']}")
    return "&".join(parts)


@login_required
def org_health(request, pk):
    ctx = _checked(request, pk)
    org = ctx["org"]
    visible = set(
        Org.objects.restrict(request.user, "view")
        .filter(path__in=[org.path[:i] for i in range(org.steplen, len(org.path), org.steplen)])
        .values_list("pk", flat=True)
    )
    ctx["ancestors"] = [(a, a.pk in visible) for a in org.ancestors()]
    if ctx["findings"] is None:
        return render(request, "health/org_health.html", ctx, status=400)
    grouped = services.grouped(ctx["findings"])
    only = ctx["form"].cleaned_data["severity"] or None
    ctx["sections"] = []
    for s in SEVERITIES:
        found = grouped["groups"][s]
        section = {"severity": s, **SEVERITY_STYLE[s], "findings": found[:ROWS_PER_SECTION], "n": len(found)}
        if only is not None and s != only:
            section["findings"] = []
        elif only is not None:
            page = Paginator(found, ROWS_PER_SECTION).get_page(ctx["form"].cleaned_data["page"])
            section.update(findings=page.object_list, page=page)
        elif len(found) > ROWS_PER_SECTION:
            section["more_url"] = f"?{_query(ctx)}&severity={s}"
        ctx["sections"].append(section)
    ctx["severity"] = only
    ctx["query"] = _query(ctx)
    ctx["object_types"] = OBJECT_TYPES
    ctx["coded_types"] = CODED_TYPES
    ctx["export_url"] = reverse("health:org_health_export", args=[org.pk]) + "?" + _query(ctx)
    return render(request, "health/org_health.html", ctx)


@login_required
def org_health_export(request, pk):
    ctx = _checked(request, pk)
    if ctx["findings"] is None:
        return HttpResponse(ctx["error"], status=400, content_type="text/plain; charset=utf-8")
    org, on = ctx["org"], ctx["on"]
    data = workbook(org, ctx["findings"], on, level_label=ctx["level_label"])
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    code = re.sub(r"[^A-Za-z0-9_-]", "_", org.code)  # a plain-ASCII name every browser keeps as given
    response["Content-Disposition"] = f'attachment; filename="health-{code}-{on.isoformat()}.xlsx"'
    return response
