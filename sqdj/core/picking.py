"""The search picker's answers (core.widgets.SearchSelect; the `pick/` page of a `ModelViews` with `pick_fields`).

One page answers three questions, each an htmx fragment (templates/generic/_pick_results.html):

* `?q=words` — what the words match: a name or code in part, or a name's pinyin, full or initials ("hpsq" finds
  和平社区), shallowest first, a few at a time;
* `?browse=1` — the top of the tree the user may see (their own top nodes; the roots when the model is public);
* `?parent=<pk>` — the children of one node (expanding the tree one level at a time: a picker never renders a
  whole city's worth of options).

The rows are read through the scope gate (`restrict(user, action)`, `?action=add` for a parent the user may add
under), unless the model is public (the administrative divisions) or the named choice set (`?set=`) is. What may
be chosen is narrowed by the model's `pick_filters` (`?type=a&type=b`) and the set's condition; a node that may not
be chosen is shown when browsing only as a way down to those that may (never a leaf that leads nowhere).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q
from django.shortcuts import get_object_or_404, render

from .models import TreeNode
from .scope import anchors, guided, is_unrestricted

ACTIONS = ("view", "add", "change")
CHILDREN_LIMIT = 200


@dataclass(frozen=True)
class PickSet:
    """A named choice set of a model's picker (`?set=<name>`): the rows that may be chosen, and whether anyone
    signed in may search all of them regardless of scope (e.g. the orgs that can receive a membership: the sender
    rarely sees the receiving side, and org names are no personal data)."""

    selectable: Q = field(default_factory=Q)
    public: bool = False


def _pinyin_words(words: str) -> str:
    """What a pinyin column is compared with: lower case, without blanks and apostrophes ("He Ping" → "heping")."""
    return re.sub(r"[\s'’]+", "", words.lower())


def _tops(model, user, action: str) -> list:
    """The user's own top nodes of the tree `model` (the org tree: the orgs of their roles and the orgs they guide;
    the territory: those orgs' areas), without one under another."""
    found = []
    if getattr(model, "scope_org_field", None) == "":
        found = [org for org, _below in anchors(user, action)]
        if action == "view" and getattr(model, "scope_guidance", False):
            found += list(guided(user))
    elif getattr(model, "scope_area_field", None) == "":
        found = [org.area for org, _below in anchors(user, action) if org.area_id]
    paths = sorted({n.path for n in found})
    return [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]


class Picker:
    def __init__(self, request, views):
        self.request, self.views, self.model = request, views, views.model
        get = request.GET
        self.action = get.get("action") if get.get("action") in ACTIONS else "view"
        self.pick_set = views.pick_sets.get(get.get("set", ""))
        # a public model or set is searched whole, unless the field takes only what the user may see or change
        # (`?scoped=1`, or an action other than view: e.g. a parent to add under)
        scoped = self.action != "view" or get.get("scoped") == "1"
        self.public = not scoped and (views.pick_public or bool(self.pick_set and self.pick_set.public))
        base = views.queryset if views.queryset is not None else self.model.objects.all()
        # what may be seen (and walked through); what may be chosen is narrower
        self.nav = base.all() if self.public else base.all().restrict(request.user, self.action)
        works_on_orgs = is_unrestricted(request.user) or bool(anchors(request.user, "view"))
        if self.public and not views.pick_public and not works_on_orgs:
            # a public set is for those who work on orgs (e.g. send a member): no role or a self-only one gets nothing
            self.nav = base.none()
        chosen = self.pick_set.selectable if self.pick_set else Q()
        for key in views.pick_filters:
            values = [v for v in get.getlist(key) if v]
            if values:
                chosen &= Q(**{f"{key}__in": values})
        self.selectable = chosen
        self.tree = issubclass(self.model, TreeNode)
        # the parameters an expand button repeats (the set, the filters, the action): never the words
        kept = ("set", "action", "scoped", "links", *views.pick_filters)
        keep = [(k, v) for k, values in get.lists() if k in kept for v in values]
        self.base_url = f"{request.path}?{urlencode(keep)}" if keep else f"{request.path}?"

    # -- the three questions ----------------------------------------------------------------------------------------

    def search(self, words: str) -> list:
        match = Q()
        for name in self.views.pick_fields:
            match |= Q(**{f"{name}__icontains": words})
        spelled = _pinyin_words(words)
        if spelled.isascii() and spelled.isalnum():  # pinyin is letters: no need to ask with 和平 or 12-3
            for name in self.views.pick_pinyin_fields:
                match |= Q(**{f"{name}__icontains": spelled})
        qs = self.nav.filter(match).filter(self.selectable)
        if self.tree:
            qs = qs.order_by("depth", "path")
        found = list(qs[: self.views.pick_limit])
        return self._items(found, chosen={o.pk for o in found}, context=True)

    def browse(self) -> list:
        if not self.tree:
            return []
        user = self.request.user
        if self.public or is_unrestricted(user):
            tops = self.nav.filter(depth=1)
        else:
            tops = self.nav.filter(path__in=_tops(self.model, user, self.action))
        return self._walkable(list(tops.order_by("path")[:CHILDREN_LIMIT]))

    def children(self, pk) -> list:
        if not self.tree:
            return []
        parent = get_object_or_404(self.nav, pk=pk)
        kids = self.nav.filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("code")
        return self._walkable(list(kids[:CHILDREN_LIMIT]))

    # -- rows -------------------------------------------------------------------------------------------------------

    def _walkable(self, nodes: list) -> list:
        """Nodes to browse: those that may be chosen, and the others that lead further down."""
        chosen = set(self.nav.filter(pk__in=[n.pk for n in nodes]).filter(self.selectable).values_list("pk", flat=True))
        return self._items([n for n in nodes if n.pk in chosen or n.numchild > 0], chosen=chosen, context=False)

    def _items(self, objs: list, *, chosen: set, context: bool) -> list:
        parents: dict[str, str] = {}
        if context and self.tree and objs:
            # the parent's name tells apart the many 第一党支部 of a city (read through the same gate)
            paths = {o.path[: -o.steplen] for o in objs if o.depth > 1}
            parents = dict(self.nav.filter(path__in=paths).values_list("path", "name"))
        rows = []
        for obj in objs:
            rows.append(
                {
                    "pk": obj.pk,
                    "code": getattr(obj, "code", ""),
                    "label": self.views.pick_label(obj),
                    "context": parents.get(obj.path[: -obj.steplen], "") if context and self.tree else "",
                    "selectable": obj.pk in chosen,
                    "expandable": self.tree and obj.numchild > 0,
                    "url": obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else "",
                }
            )
        return rows


def pick_response(request, views):
    picker = Picker(request, views)
    words = request.GET.get("q", "").strip()[:50]
    mode = ""
    items: list = []
    if request.GET.get("parent", "").isdigit():
        mode, items = "children", picker.children(int(request.GET["parent"]))
    elif words:
        mode, items = "search", picker.search(words)
    elif request.GET.get("browse"):
        mode, items = "browse", picker.browse()
    ctx = {
        "items": items,
        "q": words,
        "mode": mode,
        "base_url": picker.base_url,
        "links": bool(request.GET.get("links")),
    }
    return render(request, "generic/_pick_results.html", ctx)
