"""The statistics page: count tiles, charts (Apache ECharts, served locally) and the same figures as tables."""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from sqdj.core.pdf import pdf_response
from sqdj.core.scope import anchors, is_unrestricted, sees_by_guidance
from sqdj.core.views import may
from sqdj.orgs.forms import OrgOnDayForm
from sqdj.orgs.models import Org
from sqdj.orgs.services import find_org

from . import drilldown, services
from .exporting import pdf, report_sections, workbook


def default_org(user):
    """The user's first assigned organization, or the first top organization for a superuser."""
    if is_unrestricted(user):
        return Org.objects.filter(depth=1).select_related("area").order_by("path").first()
    assigned = anchors(user, "view")
    return assigned[0][0] if assigned else None


def _panels(stats: dict, links: dict) -> tuple[list[dict], list[dict]]:
    """The report's sections as tables, four of them with a bar chart of the same figures; and the charts' data.
    Each row is (label, number, the URL of the list behind it or None)."""
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
        linked = [(label, number, links.get(key, {}).get(label)) for label, number in rows]
        panels.append({"key": key, "title": heading, "rows": linked, "chart_id": chart_id})
    return panels, charts


# ECharts' SVG renderer writes style="…" attributes into the charts it draws: this page alone allows inline style
# attributes (not <style> elements, not scripts) under the Content-Security-Policy (docs/security.md).
@csp_update({"style-src-attr": [UNSAFE_INLINE]})
@login_required
def stats_page(request):
    user = request.user
    if not may(user, "view"):
        raise PermissionDenied(_("You have no role that lets you see statistics."))
    form = OrgOnDayForm(request.GET)
    if not form.is_valid():
        return render(request, "stats/stats.html", {"form": form, "stats": None}, status=400)
    code = form.cleaned_data["org"]
    org = find_org(code, user) if code else default_org(user)
    if org is None:
        if code:
            raise Http404(_("Not found."))
        return render(request, "stats/stats.html", {"form": form, "stats": None})
    as_of = form.cleaned_data["as_of"]
    stats = services.compute(org, user=user, as_of=as_of)
    children = services.table_shown(services.children_table(org, user=user, as_of=as_of))
    export = request.GET.get("export")
    if export == "xlsx":
        response = HttpResponse(
            workbook(stats, children), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="stats-{stats["as_of"]}.xlsx"'
        return response
    if export == "pdf":
        return pdf_response(lambda: pdf(stats, children), f"stats-{stats['as_of']}.pdf", attachment=True)
    # an org seen through a guidance link: its figures whole, no list of its members (nor of its territory)
    guided = sees_by_guidance(user, org)
    links = drilldown.figure_links(org, stats["as_of"], members=not guided, areas=not guided)
    members = stats["members"]
    tile_rows = [
        ("organizations", services.ORGANIZATION_TOTAL_LABEL, stats["organizations"]["total"]),
        *(("members", label, members[key]) for key, label in services.MEMBER_LABELS.items()),
        ("coverage", services.COVERAGE_LABELS["communities"], stats["coverage"]["communities"]),
        ("coverage", services.COVERAGE_LABELS["communities_with_org"], stats["coverage"]["communities_with_org"]),
    ]
    tiles = [(label, number, links.get(key, {}).get(label)) for key, label, number in tile_rows]
    panels, charts = _panels(stats, links)
    labels = services.child_figure_labels()
    child_rows = [
        {
            **row,
            "cells": [
                (row["figures"][k], drilldown.child_links(row, stats["as_of"], members=not guided).get(k))
                for k in services.CHILD_FIGURES
            ],
        }
        for row in (children["rows"] if children else [])
    ]
    ctx = {
        "form": form,
        "org": org,
        "stats": stats,
        "tiles": tiles,
        "panels": panels,
        "charts": charts,
        "child_heading": services.CHILD_HEADING,
        "child_columns": [labels[k] for k in services.CHILD_FIGURES],
        "child_rows": child_rows,
        "child_total": [children["total"][k] for k in services.CHILD_FIGURES] if children else [],
        "total_label": services.TOTAL_ROW_LABEL,
    }
    return render(request, "stats/stats.html", ctx)
