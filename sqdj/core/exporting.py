"""Exports with the import templates' columns; always through the scope gate."""

from __future__ import annotations

from django.db.models import Q


from .scope import org_tree
from .tabular import write_table


def subtree_q(model, org, descendants: bool) -> Q:
    """Rows of `model` that belong to `org` (and below it): by the org tree or by the org's area."""
    if model.scope_org_field is not None:
        p = f"{model.scope_org_field}__" if model.scope_org_field else ""
        return Q(**{f"{p}path__startswith": org.path}) if descendants else Q(**{f"{p}pk": org.pk})
    if model.scope_area_field is not None and org.area_id:
        p = f"{model.scope_area_field}__" if model.scope_area_field else ""
        return Q(**{f"{p}path__startswith": org.area.path}) if descendants else Q(**{f"{p}pk": org.area_id})
    return Q(pk__in=[])


def scoped_queryset_for(importer, user, org_code: str, descendants: bool):
    """The rows an export of `org_code` may contain for `user` (None if the org is unknown or out of scope)."""
    orgs = org_tree().objects.select_related("area")
    if user is not None:
        orgs = orgs.restrict(user, "view")
    org = orgs.filter(code=org_code).first()
    if org is None:
        return None
    qs = importer.model.objects.filter(subtree_q(importer.model, org, descendants))
    if user is not None:
        qs = qs.restrict(user, "view")
    return qs


def export_queryset(importer, queryset, fmt: str) -> tuple[bytes, int]:
    rows = list(importer.export_rows(queryset))
    return write_table(importer.headers, rows, fmt), len(rows)
