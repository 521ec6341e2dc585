"""The statistics page: count tiles, charts (Apache ECharts, served locally) and the same figures as tables."""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.scope import anchors, is_unrestricted
from sqdj.core.views import may
from sqdj.orgs.choices import TEMPLATE_LABELS as ORG_TYPE_LABELS
from sqdj.orgs.models import Org
from sqdj.orgs.services import find_org

from . import services
from .exporting import report_sections, workbook


class StatsForm(forms.Form):
    org = forms.CharField(required=False, strip=False)
    as_of = forms.DateField(
        required=False,
        error_messages={"invalid": gettext_lazy("Not a date: write it as YYYY-MM-DD, e.g. 2021-07-01.")},
    )


def default_org(user):
    """The user's first assigned organization, or the first top organization for a superuser."""
    if is_unrestricted(user):
        return Org.objects.filter(depth=1).select_related("area").order_by("path").first()
    assigned = anchors(user, "view")
    return assigned[0][0] if assigned else None


def picker_orgs(user, org) -> list[dict]:
    """The organizations offered by the picker, all within the user's scope: the user's own top organizations,
    the path down to `org`, `org` itself and its direct subordinates (drill down), in tree order."""
    visible = Org.objects.restrict(user, "view")
    tops = (
        Org.objects.filter(depth=1)
        if is_unrestricted(user)
        else Org.objects.filter(pk__in=[o.pk for o, _d in anchors(user, "view")])
    )
    steplen = Org.steplen
    ancestors = [org.path[: i * steplen] for i in range(1, org.depth)]
    chosen = visible.filter(
        Q(path__in=ancestors)
        | Q(pk=org.pk)
        | Q(path__startswith=org.path, depth=org.depth + 1)
        | Q(pk__in=tops.values("pk"))
    ).order_by("path")
    nodes = list(chosen.only("pk", "code", "name", "type", "depth", "path"))
    top = min((n.depth for n in nodes), default=1)
    return [
        {
            "code": n.code,
            "label": "\u3000" * (n.depth - top) + f"{n.name}（{ORG_TYPE_LABELS.get(n.type, n.type)}）",
            "selected": n.pk == org.pk,
        }
        for n in nodes
    ]


def _panels(stats: dict) -> tuple[list[dict], list[dict]]:
    """The report's sections as tables, four of them with a bar chart of the same figures; and the charts' data."""
    chart_data = {
        "organizations": stats["organizations"]["by_type"],
        **{key: stats["members"][key] for key in ("by_category", "by_work_status", "by_age_band", "by_education")},
    }
    panels, charts = [], []
    for key, heading, rows in report_sections(stats):
        chart_id = f"stats-chart-{key}" if key in chart_data else None
        if chart_id:
            data = chart_data[key]
            charts.append({"id": chart_id, "title": heading, "labels": list(data), "values": list(data.values())})
        panels.append({"key": key, "title": heading, "rows": rows, "chart_id": chart_id})
    return panels, charts


# ECharts' SVG renderer writes style="…" attributes into the charts it draws: this page alone allows inline style
# attributes (not <style> elements, not scripts) under the Content-Security-Policy (docs/security.md).
@csp_update({"style-src-attr": [UNSAFE_INLINE]})
@login_required
def stats_page(request):
    user = request.user
    if not may(user, "view"):
        raise PermissionDenied(_("You have no role that lets you see statistics."))
    form = StatsForm(request.GET)
    if not form.is_valid():
        return render(request, "stats/stats.html", {"form": form, "stats": None}, status=400)
    code = form.cleaned_data["org"]
    org = find_org(code, user) if code else default_org(user)
    if org is None:
        if code:
            raise Http404(_("Not found."))
        return render(request, "stats/stats.html", {"form": form, "stats": None})
    stats = services.compute(org, user=user, as_of=form.cleaned_data["as_of"])
    if request.GET.get("export") == "xlsx":
        response = HttpResponse(
            workbook(stats), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="stats-{stats["as_of"]}.xlsx"'
        return response
    members = stats["members"]
    tiles = [
        (services.ORGANIZATION_TOTAL_LABEL, stats["organizations"]["total"]),
        *((label, members[key]) for key, label in services.MEMBER_LABELS.items()),
        (services.COVERAGE_LABELS["communities"], stats["coverage"]["communities"]),
        (services.COVERAGE_LABELS["communities_with_org"], stats["coverage"]["communities_with_org"]),
    ]
    panels, charts = _panels(stats)
    ctx = {
        "form": form,
        "org": org,
        "stats": stats,
        "tiles": tiles,
        "panels": panels,
        "charts": charts,
        "picker": picker_orgs(user, org),
    }
    return render(request, "stats/stats.html", ctx)
