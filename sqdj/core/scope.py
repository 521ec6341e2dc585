"""Data scope: which rows of a model a user may act on.

A user holds role assignments on nodes of the party organization tree, each covering the node only
or the node and its descendants. The union of the assignments whose role allows the action is the
user's scope; with none, nothing (deny by default). A scoped model declares how it hangs off the
trees (`scope_org_field`, `scope_area_field`); the territory a user sees is the area in which each
assigned org is located (and that area's descendants for a descendants assignment).

A model may name further org paths that let their org line read a row but not change it
(`scope_view_org_fields`: a member's own org reads the member's service records, which the community keeps).

A self-only role (the member's self service) gives no org or area scope at all: its holder may act only on
what is theirs, and only where a model says what that is — `scope_self_q(user)`, a classmethod returning a Q
(a member: the record linked to the user), for the actions in `scope_self_actions` (default: view only).
A model without the hook gives a self-only role nothing; `scope_self_roles` names the self-only roles its hook
serves (a member's own record is not a unit liaison's own).

Guidance (属地管理, 双重管理, 指导协调): an org may be guided by an org other than its parent (a 街道党工委 guiding
the party organization of a unit in its territory whose membership line runs elsewhere). Whoever may view the
guiding org may view the guided org's subtree — read only, and only in the models that say so
(`scope_guidance = True`: the orgs, their leadership); members and their personal data stay with the line
of membership. The orgs app tells the gate which orgs its links guide (`register_guidance`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q

ACTIONS = ("view", "add", "change", "delete", "reveal")  # reveal: see unmasked personal data


class FewRows(Q):
    """A scope path that holds few rows whatever the planner estimates (a territory's registrations of members
    from elsewhere: the planner, taking a community and a member's org for independent, expects thousands where
    there are none). core.paging counts it exactly and reads it whole instead of walking an index for it."""


NOTHING = Q(pk__in=[])

# role -> the actions it allows within its scope; registered by the app that defines the roles (accounts),
# so that the gate knows no app above it
_ROLE_ACTIONS: dict[str, frozenset[str]] = {}


# roles whose holder acts only on their own records (see the module's docstring); never an org anchor
_SELF_ONLY: set[str] = set()


def register_roles(table: dict[str, frozenset[str]], *, self_only: Iterable[str] = ()) -> None:
    """Declare roles and the actions each allows (called from an app's `ready()`); `self_only` names those of
    them that reach only the holder's own records, wherever their assignment hangs in the org tree."""
    for role, actions in table.items():
        unknown = set(actions) - set(ACTIONS)
        if unknown:
            raise ValueError(f"role {role!r}: unknown actions {sorted(unknown)}")
        _ROLE_ACTIONS[str(role)] = frozenset(actions)
    for role in self_only:
        if str(role) not in _ROLE_ACTIONS:
            raise ValueError(f"self-only role {role!r} is not declared")
        _SELF_ONLY.add(str(role))


_TREE: dict[str, type] = {}


def register_org_tree(model: type) -> None:
    """Declare the model of the party organization tree (the orgs app, from its `ready()`): role assignments hang
    on its nodes, and generic code (exports, the CLI's --org) finds an org by code through it."""
    _TREE["org"] = model


_GUIDANCE: dict[str, Callable[..., list]] = {}


def register_guidance(guided_by: Callable[..., list]) -> None:
    """Declare how to find the orgs guided from a list of (org, descendants) anchors (the orgs app, from its
    `ready()`): `guided_by(anchors, beyond=True)` returns the guided orgs outside the anchors' reach, each
    standing for its subtree."""
    _GUIDANCE["guided_by"] = guided_by


def guided(user) -> list:
    """The orgs whose subtrees `user` may view through a guidance link (none outside the anchors' own subtrees
    is listed twice); read once per user object."""
    finder = _GUIDANCE.get("guided_by")
    pairs = anchors(user, "view")
    if finder is None or not pairs:
        return []
    cache = user.__dict__["_sqdj_anchor_cache"]
    if "guided" not in cache:
        found = {org.pk: org for org in finder(pairs, beyond=True)}
        cache["guided"] = [
            org
            for org in sorted(found.values(), key=lambda o: o.path)
            if not any((below and org.path.startswith(a.path)) or a.pk == org.pk for a, below in pairs)
        ]
    return cache["guided"]


def sees_by_guidance(user, org) -> bool:
    """Whether `user` views `org` only through a guidance link (its counts are then shown whole: the guiding
    org's admins see the guided org's figures, not its members)."""
    if is_unrestricted(user) or covers_subtree(user, "view", org):
        return False
    return any(org.path.startswith(g.path) for g in guided(user))


def org_tree() -> Any:
    try:
        return _TREE["org"]
    except KeyError:
        raise LookupError("no org tree registered (is the orgs app installed?)") from None


def actions_for(role: str) -> frozenset[str]:
    return _ROLE_ACTIONS.get(role, frozenset())


def roles_allowing(action: str) -> list[str]:
    """The roles that allow `action` on the org they are held on (self-only roles reach no org: not listed)."""
    return [role for role, actions in _ROLE_ACTIONS.items() if action in actions and role not in _SELF_ONLY]


def _prefix(field: str) -> str:
    return f"{field}__" if field else ""


def _assignments(user) -> list:
    """The user's role assignments with their orgs, read once per user object (the cache do_grant_role clears)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache = user.__dict__.setdefault("_sqdj_anchor_cache", {})
    if "assignments" not in cache:
        cache["assignments"] = list(user.role_assignments.select_related("org", "org__area").order_by("pk"))
    return cache["assignments"]


def assignments(user) -> list:
    """The user's role assignments (with their orgs), from the per-request cache every scope decision reads."""
    return _assignments(user)


def anchors(user, action: str):
    """The (org, descendants) pairs that give `user` the right to `action`; cached per user object. A self-only
    role gives none: whatever reads the anchors (menus, org pickers, the org tree, statistics) sees nothing of it."""
    assignments = _assignments(user)
    if not assignments:
        return []
    cache = user.__dict__["_sqdj_anchor_cache"]
    key = ("anchors", action)
    if key not in cache:
        cache[key] = [
            (a.org, a.descendants) for a in assignments if action in actions_for(a.role) and a.role not in _SELF_ONLY
        ]
    return cache[key]


def acts_for_self(user, action: str, model=None) -> bool:
    """Whether `user` holds a self-only role allowing `action` (on their own records) — for `model`, one of the
    roles its self scope serves (`scope_self_roles`: a member's record is not a unit liaison's own, nor the other
    way round; no such attribute: every self-only role)."""
    roles = getattr(model, "scope_self_roles", None) if model is not None else None
    return any(
        a.role in _SELF_ONLY and action in actions_for(a.role) and (roles is None or a.role in roles)
        for a in _assignments(user)
    )


def holds_role(user, action: str) -> bool:
    """Whether `user` holds any role allowing `action`, a self-only one included (or is a superuser)."""
    return is_unrestricted(user) or any(action in actions_for(a.role) for a in _assignments(user))


def self_hook(model, action: str):
    """The model's `scope_self_q` if it lets a self-only role `action` its rows (default: view only), else None."""
    hook = getattr(model, "scope_self_q", None)
    if hook is None or action not in getattr(model, "scope_self_actions", ("view",)):
        return None
    return hook


def may(user, action: str, model=None) -> bool:
    """Whether `user` may `action` somewhere — through an org anchor, or, for a `model` with a self scope, through
    a self-only role (a page or endpoint over orgs, without a model, is not for self-only roles)."""
    if is_unrestricted(user) or anchors(user, action):
        return True
    return model is not None and self_hook(model, action) is not None and acts_for_self(user, action, model)


def is_unrestricted(user) -> bool:
    """A superuser sees everything — unless they hold one of the three separated duties (三员, security.md R7),
    none of which reads business data: a duty holder has no role on an org either, hence no scope at all."""
    return bool(
        user is not None
        and getattr(user, "is_active", False)
        and getattr(user, "is_superuser", False)
        and not getattr(user, "duty", "")
    )


def scope_q(user, model, action: str = "view") -> Q | None:
    """A Q selecting what `user` may `action` on `model`; None means no restriction (superuser)."""
    parts = scope_parts(user, model, action)
    if parts is None:
        return None
    return reduce(or_, parts) if parts else NOTHING


def scope_parts(user, model, action: str = "view") -> list[Q] | None:
    """The scope as the separate paths that lead to rows (an org subtree, a territory, the user's own rows …):
    `scope_q` is their union. Kept apart so that a large list can be read path by path (core.paging: one
    indexed walk per path, merged), which an OR of them keeps the database from doing. [] is nothing; None
    means no restriction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if is_unrestricted(user):
        return None
    org_field = getattr(model, "scope_org_field", None)
    area_field = getattr(model, "scope_area_field", None)
    area_hook = getattr(model, "scope_area_q", None)  # a model may express its area scope itself (a subquery)
    org_hook = getattr(model, "scope_org_q", None)  # … and its org scope (e.g. two orgs, each under a condition)
    area_actions = getattr(model, "scope_area_actions", None)  # None: every action
    view_fields = getattr(model, "scope_view_org_fields", ()) if action == "view" else ()
    if area_actions is not None and action not in area_actions:
        area_field = area_hook = None
    parts = []
    own = self_hook(model, action)
    if own is not None and acts_for_self(user, action, model):
        parts.append(own(user))  # a self-only role: the user's own rows
    # a model hanging off neither tree is only for superusers (and for its self scope, if it has one)
    tree_scoped = not (
        org_field is None and org_hook is None and area_field is None and area_hook is None and not view_fields
    )
    for org, descendants in anchors(user, action) if tree_scoped else ():
        if org_hook is not None:
            parts.append(org_hook(org, descendants))
        elif org_field is not None:
            p = _prefix(org_field)
            parts.append(Q(**{f"{p}path__startswith": org.path}) if descendants else Q(**{f"{p}pk": org.pk}))
        for field in view_fields:
            p = _prefix(field)
            parts.append(Q(**{f"{p}path__startswith": org.path}) if descendants else Q(**{f"{p}pk": org.pk}))
        if org.area_id and area_hook is not None:
            # the anchor too: the hook may leave out the rows its org path above already gives (a smaller subquery)
            parts.append(area_hook(org.area, descendants, anchor=org))
        elif org.area_id and area_field is not None:
            p = _prefix(area_field)
            area = org.area
            parts.append(Q(**{f"{p}path__startswith": area.path}) if descendants else Q(**{f"{p}pk": area.pk}))
    if action == "view" and getattr(model, "scope_guidance", False) and org_field is not None:
        p = _prefix(org_field)
        parts.extend(Q(**{f"{p}path__startswith": org.path}) for org in guided(user))
    return parts


def covers_subtree(user, action: str, org) -> bool:
    """Whether one of `user`'s org anchors for `action` holds `org` with everything below it: then every row of
    that subtree is in scope, and a query over it needs no scope condition (statistics over a large subtree)."""
    if is_unrestricted(user):
        return True
    return any(below and org.path.startswith(anchor.path) for anchor, below in anchors(user, action))


def covers_territory(user, action: str, area) -> bool:
    """Whether `user`'s anchors for `action` reach all of `area` and below it (through an anchor org's area)."""
    if is_unrestricted(user):
        return True
    return any(
        below and anchor.area_id and area.path.startswith(anchor.area.path) for anchor, below in anchors(user, action)
    )


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
