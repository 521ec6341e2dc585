"""Exports with the import templates' columns; always through the scope gate."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q

from . import audit
from .tabular import write_table


def subtree_q(model, org, descendants: bool) -> Q:
    """Rows of `model` that belong to `org` (and below it): by the org tree, by the org's area, or — for a model
    that hangs off both trees (a unit: its party org, and where it is located) — by either."""
    parts = []
    if model.scope_org_field is not None:
        p = f"{model.scope_org_field}__" if model.scope_org_field else ""
        parts.append(Q(**{f"{p}path__startswith": org.path}) if descendants else Q(**{f"{p}pk": org.pk}))
    if model.scope_area_field is not None and org.area_id:
        p = f"{model.scope_area_field}__" if model.scope_area_field else ""
        parts.append(Q(**{f"{p}path__startswith": org.area.path}) if descendants else Q(**{f"{p}pk": org.area_id}))
    return reduce(or_, parts) if parts else Q(pk__in=[])


def subtree_queryset(importer, user, org, descendants: bool):
    """The rows an export of `org` (found within the user's scope) may contain for `user` (None: the operator at
    the shell, to whom no scope applies)."""
    qs = importer.model.objects.filter(subtree_q(importer.model, org, descendants))
    return qs if user is None else qs.restrict(user, "view")


def export_queryset(importer, queryset, fmt: str) -> tuple[bytes, int]:
    rows = list(importer.export_rows(queryset))
    data = write_table(importer.headers, rows, fmt)
    audit_export(importer, len(rows), fmt)
    return data, len(rows)


def audit_export(importer, rows: int, fmt: str) -> None:
    """The audit event of an export file just produced: what, how many rows, whether with full numbers."""
    detail = {"rows": rows, "format": fmt, "full_numbers": bool(getattr(importer, "reveal_reason", ""))}
    audit.record(audit.Event.EXPORT, object_type=importer.kind, detail=detail)
