"""Pages of large scoped lists: a count that stays cheap, and rows read along an index, scope path by scope path.

A city admin's member list has 1,000,000 rows in scope; its page must not cost what the scope costs.

**Counting** (`cheap_count`): one statement per list, whatever the data (the function `sqdj_count` of migration
core 0002/0005, one call per scope path), so that the queries of a page on small test data are those at city scale.
Per path: when PostgreSQL estimates more than `settings.SQDJ_LIST_TRUST_ESTIMATE` rows, the estimate; otherwise an
exact count of the query cut off after `settings.SQDJ_LIST_EXACT_COUNT` rows (its cost bounded by the limit, not by
the scope). An estimated total is marked as approximate (the page says "约 N 个", the API `count_approximate: true`).
The estimate is good because the statistics of the trees' paths are fine enough to tell a subtree's share (migration
orgs 0002); where the planner expected no more than the threshold and more rows than the limit are there, its guess
has proved low and the path is counted exactly (migration core 0005: two path conditions on one column, a subtree
within the scope, were estimated at a tenth of the truth). Other databases (SQLite, for one community or
subdistrict) count exactly.

**Rows** (`page_rows`): a scope is a union of paths (`core.scope.scope_parts`: the org subtree, the territory's
registrations, one's own records …). An OR of them keeps PostgreSQL from walking an index in the list's order,
so every row in scope is read and sorted. Here each path is read on its own, ordered and cut at offset + limit
(an index walk: orgs along their path, each org's members by name), and the database merges them
(`UNION ALL … ORDER BY … LIMIT`); each path excludes the rows of the paths before it, so no row appears twice.
The page's rows are read by those primary keys with the list's joins, in the same statement. A page past the
middle of an exactly counted list is read backwards from the end (the last page costs what the first does); the
"last" page of an estimated list is read backwards without knowing its number, and an offset past the middle of an
estimated list (the API's) is counted exactly first (that count is cached for a minute), then read backwards.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

from .querysets import InList
from .scope import FewRows

LAST = "last"


@dataclass(frozen=True)
class Count:
    value: int
    exact: bool
    # per scope path (see below): its exact count, or None where it was estimated
    paths: tuple[int | None, ...] = ()


def _paths(qs) -> list:
    """The scope paths to read separately (none: read the queryset as it is)."""
    paths = getattr(qs, "scope_paths", None) or []
    if len(paths) < 2 or not connections[qs.db].features.supports_slicing_ordering_in_compound:
        return []
    return paths


def _branches(qs) -> list:
    """The querysets to count and read: one per scope path (or `qs` itself), without those that match nothing
    (`.none()`, `pk__in=[]`: Django cannot write their SQL, and there is nothing to read)."""
    return [b for b, _few in _paths_read(qs)]


def _paths_read(qs) -> list[tuple[Any, bool]]:
    """(queryset, few) per scope path as `_branches` says; `few`: the path is a `core.scope.FewRows`. The paths of
    few rows come last: each path excludes those before it, and a large path read along its index must not carry
    the exclusion of another (the planner cannot estimate `NOT (…)` of a join and stops walking the index)."""
    paths = _paths(qs)
    paths = [p for p in paths if not isinstance(p, FewRows)] + [p for p in paths if isinstance(p, FewRows)]
    base = qs.without_scope_union() if paths else None
    if base is None:
        found = [(qs, False)]
    else:
        found = [
            (base.filter(p) if i == 0 else base.filter(p).exclude(reduce(or_, paths[:i])), isinstance(p, FewRows))
            for i, p in enumerate(paths)
        ]
    return [(b, few) for b, few in found if _may_match(b)]


def _may_match(qs) -> bool:
    if qs.query.is_empty():
        return False
    try:
        qs.query.get_compiler(qs.db).as_sql()
    except EmptyResultSet:
        return False
    return True


def estimate_rows(qs) -> int:
    """PostgreSQL's estimate of the number of rows `qs` returns (EXPLAIN, nothing is read)."""
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _count_sql(branch) -> str:
    """The branch's rows as one SQL text with its parameters quoted by the driver (for `sqdj_count`)."""
    ops: Any = connections[branch.db].ops  # PostgreSQL's operations (the only caller)
    sql, params = branch.order_by().values("pk").query.sql_with_params()
    return ops.compose_sql(sql, params)


def cheap_count(qs) -> Count:
    """The number of rows of `qs`: exact up to the limit, else PostgreSQL's estimate (see the module's doc) —
    one statement whatever the data, so that a list's queries can be pinned by a test on small data."""
    connection = connections[qs.db]
    if connection.vendor != "postgresql":
        return Count(qs.count(), True)
    read = _paths_read(qs)
    if not read:
        return Count(0, True, ())
    limit, trust = settings.SQDJ_LIST_EXACT_COUNT, settings.SQDJ_LIST_TRUST_ESTIMATE
    texts = [_count_sql(branch) for branch, _few in read]
    key = _count_key("estimate", qs.db, "\n".join(texts) + f"\n{limit}\n{trust}")
    if key is not None and (kept := cache.get(key)) is not None:
        return Count(kept[0], False, tuple(kept[1]))
    calls = ", ".join(["sqdj_count(%s, %s, %s)"] * len(read))
    params: list[Any] = []
    for text, (_branch, few) in zip(texts, read, strict=True):
        params += [text, limit, _NEVER_ESTIMATED if few else trust]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {calls}", params)
        results = cursor.fetchone()
    counts = tuple(int(n) if exact else None for n, exact in results)
    total = sum(int(n) for n, _exact in results)
    if key is not None and None in counts:
        # An estimate is kept for a while (a user pages, sorts, comes back): it is shown as "约 N" anyway, and a
        # minute's writes do not move it. An exact count is never kept: after a write the list must show it.
        cache.set(key, (total, counts), settings.SQDJ_LIST_COUNT_CACHE_SECONDS)
    return Count(total, None not in counts, counts)


_NEVER_ESTIMATED = 2**62  # sqdj_count's threshold for a path of few rows: above any estimate, so always counted


def _count_key(kind: str, db: str, text: str) -> str | None:
    """The cache key of a count: its statements hold the scope and the filters (None: counts are not kept)."""
    if settings.SQDJ_LIST_COUNT_CACHE_SECONDS <= 0:
        return None
    return f"sqdj.paging.{kind}." + hashlib.sha256(f"{db}\n{text}".encode()).hexdigest()


def exact_count(qs, *, cached: bool = False) -> Count:
    """The exact number of rows of `qs`, path by path (each counted along its index). With `cached`, a count is
    kept for `settings.SQDJ_LIST_COUNT_CACHE_SECONDS` under its statement's text (which holds the scope and the
    filters): a deep offset of an estimated list needs it, and a client paging there asks again and again."""
    branches = _branches(qs)
    key = None
    if cached:
        texts = (repr(b.order_by().values("pk").query.sql_with_params()) for b in branches)
        key = _count_key("count", qs.db, "\n".join(texts))
    if key is not None:
        counts = cache.get(key)
        if counts is not None:
            return Count(sum(counts), True, tuple(counts))
    counts = _count_each(qs.db, branches)
    if key is not None:
        cache.set(key, counts, settings.SQDJ_LIST_COUNT_CACHE_SECONDS)
    return Count(sum(counts), True, counts)


def _count_each(db: str, branches: list) -> tuple[int, ...]:
    """The exact number of rows of each branch, in one statement."""
    if not branches:
        return ()
    if len(branches) == 1:
        return (branches[0].order_by().count(),)
    parts, params = [], []
    for branch in branches:
        sql, branch_params = branch.order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT count(*) FROM ({sql}) AS counted)")
        params += list(branch_params)
    with connections[db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return tuple(int(n) for n in cursor.fetchone())


def _ordering(qs) -> list[tuple[str, bool]] | None:
    """The queryset's order as (lookup, descending) pairs, ending with the primary key so that the order is total;
    None when it is not a list of plain field names (read the queryset as it is)."""
    query = qs.query
    names = list(query.order_by) if query.order_by else list(qs.model._meta.ordering or [])
    if not query.default_ordering and not query.order_by:
        names = []
    out = []
    for name in names:
        if not isinstance(name, str) or name == "?":
            return None
        out.append((name.lstrip("-"), name.startswith("-")))
    pk_names = {"pk", qs.model._meta.pk.name}
    if not any(lookup in pk_names for lookup, _desc in out):
        out.append(("pk", False))
    return out


def _read(qs, ordering, offset: int, limit: int, counts: tuple[int | None, ...] = ()) -> list:
    """Rows offset … offset + limit of `qs` in `ordering`, path by path where there are several. A path known to be
    small (`counts`: counted exactly, within the exact-count limit) is read whole and sorted with the rest: asked
    for its first rows in order, the planner may walk a large index looking for rows that are not there."""
    order = [f"{'-' if desc else ''}{lookup}" for lookup, desc in ordering]
    read = _paths_read(qs)
    branches, few = [b for b, _f in read], [f for _b, f in read]
    if len(branches) > 1 and counts:  # a path counted empty is not read again
        kept = [(b, n, f) for b, n, f in zip(branches, counts, few, strict=False) if n != 0]
        branches, counts, few = [b for b, _n, _f in kept], tuple(n for _b, n, _f in kept), [f for *_r, f in kept]
    if not branches:
        return []
    base = qs.without_scope_union()  # (never `or`: a queryset's truth value reads it all)
    rows_of = qs if base is None else base  # the page's rows by primary key: every one is in scope
    if len(branches) == 1:
        if offset < limit or qs.query.distinct:  # the first page: the rows along the index, as they come
            return list(branches[0].order_by(*order)[offset : offset + limit])
        # deeper: the keys along the index (no row read for the rows skipped), then the page's rows with the list's
        # joins, in the same statement
        keys = branches[0].order_by(*order).values("pk")[offset : offset + limit]
        return list(rows_of.filter(InList("pk", keys)).order_by(*order))
    keys = {f"_page_k{i}": F(lookup) for i, (lookup, _desc) in enumerate(ordering)}
    key_order = [f"{'-' if desc else ''}_page_k{i}" for i, (_lookup, desc) in enumerate(ordering)]
    small = settings.SQDJ_LIST_EXACT_COUNT
    parts = []
    for i, b in enumerate(branches):
        part = b.annotate(_page_pk=F("pk"), **keys).values_list("_page_pk", *keys)
        known = counts[i] if i < len(counts) else None
        whole = few[i] or (known is not None and known <= small)
        parts.append(part.order_by() if whole else part.order_by(*key_order)[: offset + limit])
    merged = parts[0].union(*parts[1:], all=True).order_by(*key_order)[offset : offset + limit]
    sql, params = merged.query.sql_with_params()
    # the page's rows by primary key, with the list's joins, in the same statement
    page = rows_of.filter(InList("pk", RawSQL(f"SELECT _page_pk FROM ({sql}) AS page_keys", params)))
    return list(page.order_by(*order))


def page_rows(qs, offset: int, limit: int, total: Count | None = None, *, from_end: bool = False) -> list:
    """The rows offset … offset + limit of `qs` in its order (with `from_end`, counted from the last row), read as
    the module's doc says: a page past the middle of an exactly counted list is read backwards."""
    ordering = _ordering(qs)
    if ordering is None:
        if from_end:
            qs = qs.reverse()
        rows = list(qs[offset : offset + limit])
        return rows[::-1] if from_end else rows
    if not from_end and total is not None and not total.exact and offset > total.value / 2:
        # deep in an estimated list: counting it costs less than walking to the offset
        total = exact_count(qs, cached=True)
    if not from_end and total is not None and total.exact and offset > total.value / 2:
        end = total.value - offset  # rows after the page's first
        if end <= 0:
            return []
        offset, limit, from_end = max(0, end - limit), min(limit, end), True
    if from_end:
        ordering = [(lookup, not desc) for lookup, desc in ordering]
    rows = _read(qs, ordering, offset, limit, total.paths if total is not None else ())
    return rows[::-1] if from_end else rows


class ScopedPaginator(Paginator):
    """django's Paginator (what django-tables2 pages with) counting and reading as this module says.

    Takes a queryset or django-tables2's rows over one; page `"last"` is the end of the list, whatever its number.
    """

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        super().__init__(object_list, per_page, orphans=0, allow_empty_first_page=allow_empty_first_page)

    @property
    def queryset(self):
        data = getattr(self.object_list, "data", None)  # django-tables2: BoundRows → TableQuerysetData → queryset
        return getattr(data, "data", self.object_list)

    @property
    def reads_queryset(self) -> bool:
        return isinstance(self.queryset, QuerySet)

    @cached_property
    def counted(self) -> Count:
        if not self.reads_queryset:  # a list: Django's way
            return Count(len(self.object_list), True)
        return cheap_count(self.queryset)

    @cached_property
    def count(self):
        return self.counted.value

    def _wrap(self, rows):
        if self.queryset is self.object_list:
            return rows
        bound_rows: Any = self.object_list  # django-tables2's BoundRows: the page's rows wrapped the same way
        return type(bound_rows)(rows, table=bound_rows.table)

    def page(self, number):
        if not self.reads_queryset:
            return super().page(self.num_pages if number == LAST else number)
        if number == LAST or (not self.counted.exact and str(number).isdigit() and int(number) >= self.num_pages):
            number = self.num_pages  # past an estimate's end there is only "the last rows", read from the end
            if self.counted.exact:
                offset = (number - 1) * self.per_page
                rows = page_rows(self.queryset, offset, self.per_page, self.counted)
            else:
                rows = page_rows(self.queryset, 0, self.per_page, self.counted, from_end=True)
            return Page(self._wrap(rows), number, self)
        number = self.validate_number(number)
        offset = (number - 1) * self.per_page
        rows = page_rows(self.queryset, offset, self.per_page, self.counted)
        return Page(self._wrap(rows), number, self)

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if number > self.num_pages and not (number == 1 and self.allow_empty_first_page):
            raise EmptyPage(self.error_messages["no_results"])
        return number

    @cached_property
    def num_pages(self):
        if self.count == 0:
            return 1 if self.allow_empty_first_page else 0
        return math.ceil(self.count / self.per_page)
