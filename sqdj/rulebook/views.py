"""The rulebook's pages: every figure with its source, one rule's versions on a timeline with its change log, and
the two writes a district may make (add a local variant, end one). Every signed-in user may read; the writes are
for the editors `RuleParameter.objects.restrict(user, "add")` admits, others get 403 (core.views does the same for
what a user may see but not change)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tables2 import RequestConfig

from sqdj.core import dates
from sqdj.core.changelog import readable_diff
from sqdj.core.models import RuleParameter
from sqdj.core.rules import title_of

from . import services
from .filtersets import RuleParameterFilterSet
from .forms import DATE_ERRORS, EndVariantForm, LocalVariantForm
from .tables import RuleParameterTable


def _visible(user):
    return RuleParameter.objects.restrict(user, "view")


def _require_editor(user):
    if not services.may_edit(user):
        raise PermissionDenied(_("Only city and district administrators may change the rulebook."))


@login_required
def parameter_list(request):
    qs = _visible(request.user)
    fs = RuleParameterFilterSet(request.GET or None, queryset=qs, request=request)
    if fs.is_bound and fs.is_valid():
        qs = fs.qs
    table = RuleParameterTable(qs, in_force=services.in_force_ids())  # configured once, below
    RequestConfig(request, paginate={"per_page": 100}).configure(table)
    return render(
        request,
        "rulebook/parameter_list.html",
        {"table": table, "filterset": fs, "total": table.paginator.count, "can_edit": services.may_edit(request.user)},
    )


class OnDateForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Date"), required=False, error_messages=DATE_ERRORS)


def _timeline(rows, today: datetime.date) -> tuple[list[dict], tuple[datetime.date, datetime.date]]:
    """Each version as a bar over the span from the first start to a year past today (or the last end); the span."""
    start = min(r.effective_from for r in rows)
    end = max([today, *(r.effective_to or r.effective_from for r in rows)]) + datetime.timedelta(days=365)
    span = max((end - start).days, 1)
    bars = []
    for r in rows:
        left = (r.effective_from - start).days / span * 100
        stop = (r.effective_to or end) - start
        bars.append({"row": r, "left": round(left, 2), "width": round(max(stop.days / span * 100 - left, 0.8), 2)})
    return bars, (start, end)


@login_required
def rule_detail(request, rule_id):
    today = dates.today()
    hist = services.history(rule_id, today)
    if hist is None or not _visible(request.user).filter(rule_id=rule_id).exists():
        raise Http404(_("Not found."))
    form = OnDateForm(request.GET or None)
    lookup = None
    if form.is_bound and form.is_valid() and form.cleaned_data["on"]:
        on = form.cleaned_data["on"]
        lookup = {"on": on, "row": services.version_in_force(hist.rows, on)}
    can_edit = services.may_edit(request.user)
    editable = set(
        RuleParameter.objects.restrict(request.user, "change").filter(rule_id=rule_id).values_list("pk", flat=True)
    )
    bars, axis = _timeline(hist.rows, today)
    unit = hist.rows[0].unit if hist.rows else ""
    for c in hist.changes:  # the change history in words (core.changelog.readable_diff), the values as shown above
        diff = c.diff()
        if "value" in diff:
            diff["value"] = tuple(None if v is None else services.format_value(v, unit) for v in diff["value"])
        c.shown = readable_diff(diff, RuleParameter)
    ctx = {
        "rule_id": rule_id,
        "history": hist,
        "bars": bars,
        "axis": axis,
        "today": today,
        "form": form,
        "lookup": lookup,
        "can_edit": can_edit,
        "editable": editable,
    }
    return render(request, "rulebook/rule.html", ctx)


@login_required
def add_variant(request, rule_id):
    _require_editor(request.user)
    if not _visible(request.user).filter(rule_id=rule_id, local=False).exists():
        raise Http404(_("Not found."))
    form = LocalVariantForm(request.POST or None, rule_id=rule_id)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.do_add_local_variant(acting_user=request.user, rule_id=rule_id, **form.service_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Added a local variant of %(rule)s.") % {"rule": title_of(rule_id)})
            return redirect(f"{reverse('rulebook:rule', args=[rule_id])}#version-{row.pk}")
    national = services.national_row(rule_id)
    return render(request, "rulebook/variant_add.html", {"rule_id": rule_id, "form": form, "national": national})


@login_required
def end_variant(request, pk):
    row = get_object_or_404(_visible(request.user), pk=pk)
    if not RuleParameter.objects.restrict(request.user, "change").filter(pk=pk).exists():
        raise PermissionDenied(
            _("National figures are read-only.") if not row.local else _("You may view this but not change it.")
        )
    initial = {"effective_to": row.effective_to or dates.today()}
    form = EndVariantForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_end_local_variant(row, acting_user=request.user, effective_to=form.cleaned_data["effective_to"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("The local variant now ends on %(date)s.") % {"date": form.cleaned_data["effective_to"].isoformat()},
            )
            return redirect(f"{reverse('rulebook:rule', args=[row.rule_id])}#version-{row.pk}")
    return render(request, "rulebook/variant_end.html", {"row": row, "form": form})
