"""How an app plugs in: by declarations in its own files, found at start-up. Nothing central is edited.

An app under `INSTALLED_APPS` may have, each optional:

- ``urls.py`` with ``app_name`` and ``urlpatterns``: mounted at ``<AppConfig.url_prefix>`` (default: the app label
  followed by a slash; ``url_prefix = None`` mounts nothing);
- ``api/urls.py`` with ``routes`` — ``[(prefix, viewset, basename), …]`` registered on the ``/api/v1/`` router —
  and/or ``urlpatterns`` (other endpoints, mounted under ``/api/v1/``);
- ``navigation.py`` with ``menu``: a list of :class:`MenuGroup` (groups with the same key are merged);
- ``workbench.py`` with ``tiles`` (:class:`Tile`) and ``todos`` (:class:`TodoSource`) for the home page;
- ``panels.py`` with ``panels`` (:class:`Panel`) and ``actions`` (:class:`Action`): sections and buttons on
  another app's detail pages (e.g. the members count on an org's page), so that a lower app never names a higher one;
- ``mine.py`` with ``sections`` (:class:`MineSection`): the parts of 我的 (``/me/``), the member's own phone page;
- ``stats.py`` with ``sections`` (:class:`StatsSection`): figures added to the statistics (additive keys of §3);
- ``checks.py``: registers rulebook checks (``core.rules.register``) when imported;
- ``tasks.py``: its daily jobs (``core.tasks.daily_job``);
- rulebook rows in one of its own data migrations (``core.rulebook_seed.seed_rulebook``), frozen there.

Declarations are read once, when first asked for (after the app registry is ready).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from importlib import import_module
from types import ModuleType
from typing import Any

from django.apps import apps
from django.dispatch import Signal
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import module_has_submodule


def declarations(module: str) -> list[tuple[Any, ModuleType]]:
    """(app config, module) for every installed app that has the submodule `module` (e.g. "navigation")."""
    found = []
    for config in apps.get_app_configs():
        if not (config.name.startswith("sqdj.") or getattr(config, "sqdj_plugin", False)):
            continue  # third-party apps (e.g. django.contrib.auth's urls) are not plug-ins
        head, _sep, _rest = module.partition(".")
        if module_has_submodule(config.module, head) and (
            head == module or module_has_submodule(import_module(f"{config.name}.{head}"), _rest)
        ):
            found.append((config, import_module(f"{config.name}.{module}")))
    return found


def autodiscover(module: str) -> None:
    """Import `module` of every app that has one (for modules that register themselves, e.g. checks)."""
    declarations(module)


# ---- navigation ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MenuItem:
    url_name: str
    label: Any
    icon: str
    action: str = "view"  # shown to users whose scope allows this action somewhere
    order: int = 100  # within its group (groups declared by several apps are merged)
    duty: str = ""  # shown only to holders of this duty (三员), whatever their scope: e.g. the auditor's pages
    # shown only to users for whom this returns True, instead of the action and duty tests (e.g. the user
    # administration: some duties and some roles)
    visible: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class MenuGroup:
    key: str
    label: Any
    items: tuple[MenuItem, ...]
    order: int = 100


@cache
def menu() -> tuple[MenuGroup, ...]:
    groups: dict[str, MenuGroup] = {}
    for _config, module in declarations("navigation"):
        for group in getattr(module, "menu", ()):
            have = groups.get(group.key)
            if have is None:
                groups[group.key] = group
            else:
                groups[group.key] = MenuGroup(
                    have.key, have.label, have.items + group.items, min(have.order, group.order)
                )
    merged = [
        MenuGroup(g.key, g.label, tuple(sorted(g.items, key=lambda i: i.order)), g.order) for g in groups.values()
    ]
    return tuple(sorted(merged, key=lambda g: (g.order, g.key)))


# ---- the workbench (home) -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    """A card on the workbench. `context(request)` returns what the template needs, or None to leave it out."""

    key: str
    template: str
    context: Callable[[Any], dict | None]
    order: int = 100


# How urgent a to-do is: past its due date, due within the rulebook's warning window, or simply waiting. The home
# lists the overdue ones first, then by due date.
OVERDUE, DUE_SOON, WAITING = "overdue", "soon", "waiting"
SEVERITY_RANK = {OVERDUE: 0, DUE_SOON: 1, WAITING: 2}


@dataclass(frozen=True)
class Todo:
    """One thing waiting for the user (a row of a to-do: a case, an org, a member), with the page where it is done."""

    label: str
    url: str
    due: datetime.date | None = None
    overdue: bool = False


@dataclass(frozen=True)
class TodoCount:
    """A to-do of the home page: how many things wait for the user, the most urgent due date, a severity and the
    URL of the list of exactly those rows (its row count equals `count`: tests/…/test_todos.py checks it).

    `items` are the first few rows (the home shows at most five and links to the rest); `overdue` how many of
    `count` are past due; `label` overrides the source's label (a source with two to-dos, e.g. terms expired and
    terms ending)."""

    count: int
    url: str
    due: datetime.date | None = None
    severity: str = WAITING
    items: tuple[Todo, ...] = ()
    overdue: int = 0
    label: Any = None
    key: str = ""


def counted_todo(qs, *, url: str, key: str, severity: str, order: tuple[str, ...], label: Callable[[Any], str],
                 item_url: Callable[[Any], str] | None = None, due: Callable[[Any], datetime.date | None] | None = None,
                 shown: int = 5) -> list[TodoCount]:  # fmt: skip
    """The to-do of `qs`'s rows (none when there are none): their count (one query), the first `shown` in `order`
    as its items (`label(row)`, `item_url(row)` — default the row's page —, `due(row)`), overdue all of them when the
    severity is OVERDUE. `url` opens the list of exactly these rows."""
    n = qs.count()
    if not n:
        return []
    first = list(qs.order_by(*order)[:shown])
    due_of = due or (lambda row: None)
    page_of = item_url or (lambda row: row.get_absolute_url())
    late = severity == OVERDUE
    items = tuple(Todo(label=label(r), url=page_of(r), due=due_of(r), overdue=late) for r in first)
    return [TodoCount(count=n, url=url, due=due_of(first[0]), severity=severity, overdue=n if late else 0,
                      items=items, key=key)]  # fmt: skip


@dataclass(frozen=True)
class TodoSource:
    """Things waiting for the user. Declare either `counts(user)` — the :class:`TodoCount`s of the user (none when
    nothing waits), each one or two queries — or, for a small source, `items(user)` (the :class:`Todo` rows, all
    of them), summed up here with `url` as the list of them."""

    key: str
    label: Any
    items: Callable[[Any], list[Todo]] | None = None
    order: int = 100
    counts: Callable[[Any], list[TodoCount]] | None = None
    url: str = ""
    # for a to-do whose rows no list page of the app shows (e.g. terms ending: orgs judged by the rulebook):
    # rows(user, key) gives all of them (None: not this source's key) and the workbench lists them at
    # reverse("todo_list") + "?list=<key>" — the source's TodoCount links there
    rows: Callable[[Any, str], list[Todo] | None] | None = None

    def collect(self, user) -> list[TodoCount]:
        """The to-dos of `user` from this source, labelled and keyed (empty ones left out)."""
        if self.counts is not None:
            found = self.counts(user)
        else:
            rows = list(self.items(user)) if self.items is not None else []
            dues = [t.due for t in rows if t.due is not None]
            overdue = sum(1 for t in rows if t.overdue)
            found = [
                TodoCount(
                    count=len(rows),
                    url=self.url or (rows[0].url if rows else ""),
                    due=min(dues) if dues else None,
                    severity=OVERDUE if overdue else WAITING,
                    items=tuple(rows),
                    overdue=overdue,
                )
            ]
        out = []
        for i, todo in enumerate(found):
            if todo.count:
                key = todo.key or (self.key if i == 0 else f"{self.key}-{i}")
                out.append(replace(todo, label=todo.label or self.label, key=key))
        return out


def by_urgency(todos: list[TodoCount]) -> list[TodoCount]:
    """Overdue first, then due soon, then waiting; within each, the earliest due date first (none last)."""
    return sorted(todos, key=lambda t: (SEVERITY_RANK.get(t.severity, 9), t.due or datetime.date.max))


@cache
def tiles() -> tuple[Tile, ...]:
    found = [t for _c, m in declarations("workbench") for t in getattr(m, "tiles", ())]
    return tuple(sorted(found, key=lambda t: (t.order, t.key)))


@cache
def todo_sources() -> tuple[TodoSource, ...]:
    found = [t for _c, m in declarations("workbench") for t in getattr(m, "todos", ())]
    return tuple(sorted(found, key=lambda t: (t.order, t.key)))


# ---- detail pages ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    """A section of the detail page of `model` ("app_label.ModelName"), declared by another app."""

    model: str
    context: Callable[[Any, Any], dict | None]  # (object, user) -> the template's context, or None to leave it out
    template: str = ""  # a section below the page's own
    row: str = ""  # or a row of the page's own facts table (where the page has one)
    order: int = 100


@dataclass(frozen=True)
class Action:
    """A button on the detail page of `model`: `url(object)`; shown if `allowed(object, user)`."""

    model: str
    label: Any
    icon: str
    url: Callable[[Any], str]
    allowed: Callable[[Any, Any], bool] = lambda obj, user: True
    key: str = ""
    order: int = 100


@cache
def _panels() -> tuple[Panel, ...]:
    found = [p for _c, m in declarations("panels") for p in getattr(m, "panels", ())]
    return tuple(sorted(found, key=lambda p: p.order))


@cache
def _actions() -> tuple[Action, ...]:
    found = [a for _c, m in declarations("panels") for a in getattr(m, "actions", ())]
    return tuple(sorted(found, key=lambda a: a.order))


def panels_for(obj, user) -> list[dict]:
    """The rendered-to-be panels of `obj`'s page: [{"template", **context}]."""
    label = obj._meta.label
    shown = []
    for panel in _panels():
        if panel.model == label:
            ctx = panel.context(obj, user)
            if ctx is not None:
                shown.append({"template": panel.template, "row": panel.row, **ctx})
    return shown


def actions_for(obj, user) -> list[dict]:
    label = obj._meta.label
    return [
        {"label": a.label, "icon": a.icon, "url": a.url(obj), "id": a.key}
        for a in _actions()
        if a.model == label and a.allowed(obj, user)
    ]


# ---- 我的 (the member's own page) ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MineSection:
    """A card of 我的, the member's own page (phone first). `context(request)` returns what the template needs, or
    None to leave the card out; it is called only for a user with a member record and reads a constant number of
    queries, on the member's own indexed columns (the page is benchmarked at city scale)."""

    key: str
    label: Any
    template: str
    context: Callable[[Any], dict | None]
    order: int = 100


def mine_link(url_name: str, *args) -> str | None:
    """The URL of `url_name`, or None while no app defines it (a card leaves that link out): the cards link to
    pages that other parts add, one by one."""
    try:
        return reverse(url_name, args=args)
    except NoReverseMatch:
        return None


@cache
def mine_sections() -> tuple[MineSection, ...]:
    found = [s for _c, m in declarations("mine") for s in getattr(m, "sections", ())]
    return tuple(sorted(found, key=lambda s: (s.order, s.key)))


# ---- API -----------------------------------------------------------------------------------------------------------


def api_declarations() -> tuple[list[tuple[str, Any, str]], list]:
    """(router routes, other url patterns) declared by the apps' api/urls.py."""
    routes, patterns = [], []
    for _config, module in declarations("api.urls"):
        routes += list(getattr(module, "routes", ()))
        patterns += list(getattr(module, "urlpatterns", ()))
    return routes, patterns


def app_urls() -> list[tuple[str, str]]:
    """(prefix, urls module) of every app with pages."""
    found = []
    for config, module in declarations("urls"):
        prefix = getattr(config, "url_prefix", f"{config.label}/")
        if prefix is not None and hasattr(module, "urlpatterns"):
            found.append((prefix, module.__name__))
    return found


# ---- statistics ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatsSection:
    """Figures an app adds to the statistics (interfaces.md §3: additive keys), declared in its ``stats.py`` as
    ``sections``. `statements(org, *, user, as_of)` gives the SQL of its aggregates — [(sql, params, many), …], an
    empty sql for none — read in one round trip with the others; `figures(rows, *, as_of)` turns their rows into the
    keys it adds (a dict under a key the statistics have already, e.g. "coverage", is merged into it);
    `report(stats)` its sections of the page and the exports as [(key, heading, [(row heading, number), …])];
    `links(org, as_of, stats)` {section key → {row heading → URL of the list behind it}}."""

    key: str
    statements: Callable[..., list]
    figures: Callable[..., dict]
    report: Callable[[dict], list] | None = None
    links: Callable[..., dict] | None = None
    order: int = 100


@cache
def stats_sections() -> tuple[StatsSection, ...]:
    found = [s for _c, m in declarations("stats") for s in getattr(m, "sections", ())]
    return tuple(sorted(found, key=lambda s: (s.order, s.key)))


# ---- a member's service done in one app, counted where service records are kept --------------------------------

# Sent (inside the business transaction) when a party member's service is done through another app — a 微心愿
# fulfilled (services). The app that keeps service records (volunteers) receives it and records the hours, so
# neither app imports the other. Keyword arguments: member, org (the recording org), community (an Area), served_on,
# hours (Decimal), content, place, acting_user. A receiver that refuses raises a ValidationError: nothing is saved.
service_rendered = Signal()
