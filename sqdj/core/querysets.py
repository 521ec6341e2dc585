"""The scope gate: every scoped queryset answers `restrict(user, action)`."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models.expressions import RawSQL
from treebeard.mp_tree import MP_NodeManager, MP_NodeQuerySet

from .scope import NOTHING, scope_parts


class RestrictedQuerySet(models.QuerySet):
    # the paths of the scope this queryset was restricted by (core.scope.scope_parts), carried through the
    # filters and orderings applied afterwards, so that core.paging can read a page path by path
    scope_paths: list | None = None
    scope_term: int | None = None

    def restrict(self, user, action: str = "view"):
        """Only the rows `user` may `action` (view/add/change/delete); deny by default."""
        parts = scope_parts(user, self.model, action)
        if parts is None:
            return self
        if not parts:
            return self.filter(NOTHING)
        qs = self.filter(reduce(or_, parts))
        qs.scope_paths = parts  # every row of qs is on one of them (after a second restrict() too)
        # where the union stands among the WHERE's terms (later filters are appended after it): a path read alone
        # leaves the union out, lest the planner count the same condition twice and misjudge the rows
        qs.scope_term = len(qs.query.where.children) - 1 if len(parts) > 1 else None
        return qs

    def without_scope_union(self):
        """This queryset without the union of the scope's paths (core.paging filters by one path instead); None
        when the union cannot be told apart from the other terms."""
        term = self.scope_term
        if term is None:
            return None
        qs = self.all()  # a clone, with a copy of the WHERE to cut from
        where = qs.query.where
        node: Any = where.children[term] if where.connector == "AND" and term < len(where.children) else None
        if (
            node is None
            or getattr(node, "connector", None) != "OR"
            or node.negated
            or len(node.children) != len(self.scope_paths or ())
        ):
            return None
        del where.children[term]
        qs.scope_paths = qs.scope_term = None
        return qs

    def _clone(self):  # Django's own copying method (not in the type stubs)
        clone = super()._clone()  # type: ignore[misc]
        clone.scope_paths = self.scope_paths
        clone.scope_term = self.scope_term
        return clone


class RestrictedTreeQuerySet(RestrictedQuerySet, MP_NodeQuerySet):
    pass


class RestrictedTreeManager(MP_NodeManager.from_queryset(RestrictedTreeQuerySet)):  # type: ignore[misc]
    def get_queryset(self):
        return RestrictedTreeQuerySet(self.model, using=self._db).order_by("path")

    def bulk_create(self, objs, *args, **kwargs):
        """A node whose name is searched by its pinyin (core.models.TreeNode.fill_pinyin) gets it on bulk writes
        too, which do not run `save()` (the synthetic city writes its trees with bulk_create)."""
        objs = list(objs)
        for obj in objs:
            obj.fill_pinyin()
        return super().bulk_create(objs, *args, **kwargs)


class InList(models.Func):
    """`column IN (subquery)` written so that PostgreSQL reads the subquery first and looks the column up along its
    index: `column = ANY(ARRAY(subquery))`. As a join or a semi-join the planner may drive the other way round
    (a territory's 1,191 communities hash-joined against every registration of the city: a sequential scan; a list
    page's 50 keys semi-joined last, after its nine joins over every row — past join_collapse_limit the planner keeps
    the written order)."""

    output_field = models.BooleanField()
    conditional = True

    def __init__(self, column: str, subquery):
        # a queryset, or a RawSQL statement of one column (core.paging's page keys)
        source = subquery if isinstance(subquery, RawSQL) else models.Subquery(subquery)
        super().__init__(models.F(column), source)

    def as_sql(self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context):
        column, subquery = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        sub_sql, sub_params = compiler.compile(subquery)
        if connection.vendor == "postgresql":
            return f"{column_sql} = ANY(ARRAY{sub_sql})", (*column_params, *sub_params)
        return f"{column_sql} IN {sub_sql}", (*column_params, *sub_params)


class AnyOf(models.Func):
    """`column IN (values)` for a long list of values (an import's thousands of keys): on PostgreSQL
    `column = ANY(%s)` with the list as one array parameter — two thousand parameters cost more to bind and plan
    than the index lookups themselves (12 → 6 ms for 2,000 keys) — elsewhere `IN (…)`. Keep lists within
    `core.bulk.chunks` on SQLite (its parameter limit)."""

    output_field = models.BooleanField()
    conditional = True

    def __init__(self, column: str, values):
        super().__init__(models.F(column))
        self.values = list(values)

    def as_sql(self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context):
        (column,) = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        if not self.values:
            return "1 = 0", ()
        if connection.vendor == "postgresql":
            return f"{column_sql} = ANY(%s)", (*column_params, self.values)
        return f"{column_sql} IN ({', '.join(['%s'] * len(self.values))})", (*column_params, *self.values)


def outside_subtree(field: str, path: str, alphabet: str) -> models.Q:
    """`field` (a tree path) not within the subtree of `path`, as a range instead of `NOT LIKE 'path%'`: the planner
    estimates a range from the path's histogram (a city's subtree leaves no org outside it: it then starts from
    those none), and an index serves it. The paths of a subtree are those from `path` up to the next path of the
    same length in the tree's alphabet (whose order is the collation's: digits, then capital letters)."""
    head = path.rstrip(alphabet[-1])
    if not head:  # "ZZZZ": nothing comes after it
        return ~models.Q(**{f"{field}__gte": path})
    following = head[:-1] + alphabet[alphabet.index(head[-1]) + 1]
    return ~models.Q(**{f"{field}__gte": path, f"{field}__lt": following})


def sql_of(queryset) -> tuple[str, tuple]:
    """The SQL and parameters of a queryset, to be read with others in one round trip (("", ()): a scope of nothing,
    no statement to run)."""
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:
        return "", ()


class CompiledStatements:
    """The SQL of a statement the ORM builds, compiled once per shape and then filled with each call's values: a
    statistic asked for one org after another spends no time recompiling the same query (at a community, the
    compile cost as much as the database's work).

    `build(**values)` returns (sql, params) and must derive nothing from its values (pass every day and every path
    it needs). On the first call of a shape the statement is built twice, with marker values and with the real
    ones; the markers say which parameter is which value, and the real build proves the recipe — a shape whose
    parameters do not follow from the values (e.g. a scope condition holding a user's anchors) is built every time.
    Values are dates and plain codes or paths (letters and digits: a LIKE pattern needs no escaping then)."""

    _PLAIN = re.compile(r"^[0-9A-Za-z]*$")

    def __init__(self, build: Callable[..., tuple[str, tuple]]):
        self.build = build
        self.recipes: dict[Any, Any] = {}

    @staticmethod
    def _markers(values: dict) -> dict[str, Any]:
        markers: dict[str, Any] = {}
        for n, (name, value) in enumerate(values.items()):
            if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
                markers[name] = datetime.date(1001 + n, 1, 1)  # no statement holds such a day itself
            elif isinstance(value, str):
                markers[name] = f"Q{n}x9Zmark"
            else:
                raise TypeError(f"{name}: only dates and codes are filled in ({type(value).__name__})")
        return markers

    def _fill(self, slots, values: dict) -> tuple:
        params = []
        for slot in slots:
            if slot[0] == "value":
                params.append(values[slot[1]])
            elif slot[0] == "text":
                params.append(slot[2] + values[slot[1]] + slot[3])
            else:
                params.append(slot[1])
        return tuple(params)

    def _learn(self, values: dict):
        markers = self._markers(values)
        sql, params = self.build(**markers)
        slots: list[tuple] = []
        by_marker = {marker: name for name, marker in markers.items()}
        for param in params:
            if isinstance(param, datetime.date | str) and param in by_marker:
                slots.append(("value", by_marker[param]))
            elif isinstance(param, str) and any(m in param for m in by_marker if isinstance(m, str)):
                marker = next(m for m in by_marker if isinstance(m, str) and m in param)
                before, _, after = param.partition(marker)
                if any(isinstance(m, str) and m in after for m in by_marker):
                    return None  # two values in one parameter: not a recipe
                slots.append(("text", by_marker[marker], before, after))
            else:
                slots.append(("const", param))
        real_sql, real_params = self.build(**values)
        if real_sql != sql or self._fill(slots, values) != tuple(real_params):
            return None
        return sql, slots

    def __call__(self, shape, **values) -> tuple[str, tuple]:
        if not all(self._PLAIN.match(v) for v in values.values() if isinstance(v, str)):
            return self.build(**values)
        if shape not in self.recipes:
            self.recipes[shape] = self._learn(values)
        recipe = self.recipes[shape]
        if recipe is None:
            return self.build(**values)
        sql, slots = recipe
        return sql, self._fill(slots, values)
