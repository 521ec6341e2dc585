"""Data scope: which rows of a model a user may act on.

A user holds role assignments on nodes of the party organization tree, each covering the node only
or the node and its descendants. The union of the assignments whose role allows the action is the
user's scope; with none, nothing (deny by default). A scoped model declares how it hangs off the
trees (`scope_org_field`, `scope_area_field`); the territory a user sees is the area in which each
assigned org is located (and that area's descendants for a descendants assignment).
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q

ACTIONS = ("view", "add", "change", "delete", "reveal")  # reveal: see unmasked personal data
NOTHING = Q(pk__in=[])

# role -> the actions it allows within its scope; registered by the app that defines the roles (accounts),
# so that the gate knows no app above it
_ROLE_ACTIONS: dict[str, frozenset[str]] = {}


def register_roles(table: dict[str, frozenset[str]]) -> None:
    """Declare roles and the actions each allows (called from an app's `ready()`)."""
    for role, actions in table.items():
        unknown = set(actions) - set(ACTIONS)
        if unknown:
            raise ValueError(f"role {role!r}: unknown actions {sorted(unknown)}")
        _ROLE_ACTIONS[str(role)] = frozenset(actions)


_TREE: dict[str, type] = {}


def register_org_tree(model: type) -> None:
    """Declare the model of the party organization tree (the orgs app, from its `ready()`): role assignments hang
    on its nodes, and generic code (exports, the CLI's --org) finds an org by code through it."""
    _TREE["org"] = model


def org_tree() -> type:
    try:
        return _TREE["org"]
    except KeyError:
        raise LookupError("no org tree registered (is the orgs app installed?)") from None


def actions_for(role: str) -> frozenset[str]:
    return _ROLE_ACTIONS.get(role, frozenset())


def roles_allowing(action: str) -> list[str]:
    return [role for role, actions in _ROLE_ACTIONS.items() if action in actions]


def _prefix(field: str) -> str:
    return f"{field}__" if field else ""


def anchors(user, action: str):
    """The (org, descendants) pairs that give `user` the right to `action`; cached per user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache = user.__dict__.setdefault("_sqdj_anchor_cache", {})
    if action not in cache:
        cache[action] = [
            (a.org, a.descendants)
            for a in user.role_assignments.select_related("org", "org__area").order_by("pk")
            if action in actions_for(a.role)
        ]
    return cache[action]


def is_unrestricted(user) -> bool:
    return bool(user is not None and getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


def scope_q(user, model, action: str = "view") -> Q | None:
    """A Q selecting what `user` may `action` on `model`; None means no restriction (superuser)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if is_unrestricted(user):
        return None
    org_field = getattr(model, "scope_org_field", None)
    area_field = getattr(model, "scope_area_field", None)
    area_hook = getattr(model, "scope_area_q", None)  # a model may express its area scope itself (a subquery)
    org_hook = getattr(model, "scope_org_q", None)  # … and its org scope (e.g. two orgs, each under a condition)
    area_actions = getattr(model, "scope_area_actions", None)  # None: every action
    if area_actions is not None and action not in area_actions:
        area_field = area_hook = None
    if org_field is None and org_hook is None and area_field is None and area_hook is None:
        return NOTHING  # unscoped models are only for superusers
    parts = []
    for org, descendants in anchors(user, action):
        if org_hook is not None:
            parts.append(org_hook(org, descendants))
        elif org_field is not None:
            p = _prefix(org_field)
            parts.append(Q(**{f"{p}path__startswith": org.path}) if descendants else Q(**{f"{p}pk": org.pk}))
        if org.area_id and area_hook is not None:
            parts.append(area_hook(org.area, descendants))
        elif org.area_id and area_field is not None:
            p = _prefix(area_field)
            area = org.area
            parts.append(Q(**{f"{p}path__startswith": area.path}) if descendants else Q(**{f"{p}pk": area.pk}))
    if not parts:
        return NOTHING
    return reduce(or_, parts)


def can(user, action: str, obj) -> bool:
    """Whether `user` may `action` this saved object (one indexed query)."""
    return type(obj).objects.restrict(user, action).filter(pk=obj.pk).exists()


class _Everything:
    """The operator at the shell (`sqdj stats`/`check` without --user, like `sqdj export`): no scope applies."""

    def __repr__(self):
        return "EVERYTHING"


EVERYTHING = _Everything()


def visible(queryset, user):
    """What `user` may see of `queryset` (`EVERYTHING`: all of it)."""
    return queryset if user is EVERYTHING else queryset.restrict(user, "view")
