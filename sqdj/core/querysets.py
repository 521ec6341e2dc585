"""The scope gate: every scoped queryset answers `restrict(user, action)`."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db import models
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
    (a territory's 1,191 communities hash-joined against every registration of the city: a sequential scan)."""

    output_field = models.BooleanField()
    conditional = True

    def __init__(self, column: str, subquery):
        super().__init__(models.F(column), models.Subquery(subquery))

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
