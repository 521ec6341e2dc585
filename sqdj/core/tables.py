from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import django_tables2 as tables
import django_tables2.utils as tables_utils
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.formats import localize
from django.utils.hashable import make_hashable
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # public, not in the stubs
from django.utils.translation import gettext_lazy as _
from django_tables2.columns.base import LinkTransform
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.rows import BoundRow, BoundRows
from django_tables2.utils import A

from .models import BaseModel, choice_labels
from .paging import ScopedPaginator

_signature = tables_utils.signature
_signatures: dict = {}


def _cached_signature(fn):
    """django-tables2 inspects the signature of a column's render function for every cell (a quarter of a 50-row
    page's rendering); a function's signature does not change, so it is read once per function."""
    key = getattr(fn, "__func__", fn)  # a bound method: the same for every table and row
    try:
        return _signatures[key]
    except (KeyError, TypeError):
        out = _signature(fn)
        try:
            _signatures[key] = out
        except TypeError:  # unhashable callable
            pass
        return out


tables_utils.signature = _cached_signature

_NO_PLAN = object()
_ARGUMENTS = ("value", "record", "column", "bound_column", "bound_row", "table")


@dataclass(frozen=True)
class _Plan:
    """How one column's cells are made, decided once per table (django-tables2 decides it again for every cell:
    the column looked up by name, the accessor's model field and its choices, the render function's signature)."""

    display: str | None  # the record's get_FOO_display to call, or None: resolve the accessor
    labels: dict | None  # for a display on one of our models: its labels in this table's language, by value
    attname: str
    accessor: A
    render: Any
    wants: tuple[str, ...] | None  # the render function's arguments (None: it takes **kwargs, i.e. all)
    plain: bool  # the render function is the library's own `Column.render`: the value as it is
    empty: tuple
    default: Any
    link: Any
    href: Any  # for `linkify=True` (no attributes, no reverse): record -> the URL, without the library's machinery


def _plain_href(bound_column):
    """What django-tables2's LinkTransform.compose_url returns for a column declared `linkify=True`: the
    get_absolute_url of the value at the column's accessor (or name), or of the record when that value has none."""
    link = bound_column.link
    if type(link) is not LinkTransform or link.url or link.attrs or link.reverse_args:
        return None
    accessor = A(link.accessor if link.accessor is not None else bound_column.name)

    def href(record):
        target = accessor.resolve(record)
        return (target if hasattr(target, "get_absolute_url") else record).get_absolute_url()

    return href


def _td(cell) -> str:
    """One cell as `<td>{{ cell }}</td>` renders it; a plain string (most cells: labels, names, masks) goes
    straight to the escaping that `conditional_escape` would reach after `localize` and `template_localtime` had
    returned it unchanged."""
    if type(cell) is str:
        return f"<td>{html.escape(cell)}</td>"
    return f"<td>{conditional_escape(localize(template_localtime(cell)))}</td>"


class _Row(BoundRow):
    """django-tables2's row, its cells made by a plan per column (`_Plan`) with the library's semantics: the
    `get_FOO_display` of a field with choices, the value, the empty values' default, the render function with the
    arguments it asks for, the link. Columns the plan does not cover (links without a field, many-to-many, an
    accessor through a relation to a field with choices) go the library's general way."""

    def items(self):
        plans = self._table._row_plans
        for column in self.table.columns:
            column.current_value = self._cell(column, plans)
            column.current_record = self.record
            yield (column, column.current_value)

    def get_cell(self, name):
        return self._cell(self.table.columns[name], self._table._row_plans)

    def cells_html(self):
        """The row's `<td>`s as the template's `{% for cell in row %}<td>{{ cell }}</td>{% endfor %}` writes them
        (the same time zone, localization and escaping: django.template.base.render_value_in_context), without
        a template node per cell."""
        return mark_safe("".join(map(_td, self)))  # noqa: S308 (every cell escaped by _td)

    def _cell(self, bound_column, plans):
        plan = plans.get(bound_column.name, _NO_PLAN)
        if plan is _NO_PLAN:
            plan = plans[bound_column.name] = self._plan(bound_column)
        if plan is None:
            return self._get_and_render_with(bound_column, render_func=self._call_render, default=bound_column.default)
        record = self.record
        if plan.labels is not None:  # what BaseModel.get_FOO_display returns, the language looked up once
            raw = getattr(record, plan.attname)
            value = plan.labels.get(make_hashable(raw), raw)
        elif plan.display is not None:
            value = getattr(record, plan.display)()
        else:
            try:
                value = plan.accessor.resolve(record)
            except Exception:  # as the library: a value that cannot be read is empty
                value = None
        if value in plan.empty:
            return plan.default
        if plan.plain:
            content = value
        elif plan.wants is None:
            content = plan.render(**self._arguments(bound_column, value, _ARGUMENTS))
        else:
            content = plan.render(**self._arguments(bound_column, value, plan.wants))
        if plan.link is None:
            return content
        if plan.href is not None:
            href = plan.href(record)
            return content if href is None else format_html('<a href="{}">{}</a>', href, content)
        return plan.link(content, **self._arguments(bound_column, value, _ARGUMENTS))

    def _arguments(self, bound_column, value, names) -> dict:
        every = {
            "value": value,
            "record": self.record,
            "column": bound_column.column,
            "bound_column": bound_column,
            "bound_row": self,
            "table": self._table,
        }
        return {n: every[n] for n in names}

    def _plan(self, bound_column) -> _Plan | None:
        """Decided on this row's record: every row of a table holds the same model."""
        column = bound_column.column
        if isinstance(column, (tables.ManyToManyColumn, BaseLinkColumn)):
            return None
        accessor = A(bound_column.accessor)
        args, catch_all = tables_utils.signature(bound_column.render)
        if not catch_all and any(a not in _ARGUMENTS for a in args):
            return None  # the library would not call it (it returns None): leave such a column to the library
        display, labels, attname = None, None, ""
        penultimate, remainder = accessor.penultimate(self.record)
        if isinstance(penultimate, models.Model) and remainder:
            try:
                field = accessor.get_field(self.record)
            except FieldDoesNotExist:
                field = None
            name = f"get_{remainder}_display"
            if field is not None and getattr(field, "choices", None) and hasattr(penultimate, name):
                if penultimate is not self.record:
                    return None  # a field with choices behind a relation: per row, the library's way
                display = name
                if isinstance(penultimate, BaseModel):
                    labels, attname = choice_labels(field), field.attname
        return _Plan(
            display=display,
            labels=labels,
            attname=attname,
            accessor=accessor,
            render=bound_column.render,
            wants=None if catch_all else tuple(args),
            plain=getattr(bound_column.render, "__func__", None) is tables.Column.render,
            empty=tuple(column.empty_values),
            default=bound_column.default,
            link=bound_column.link or None,
            href=_plain_href(bound_column),
        )


class _Rows(BoundRows):
    def __iter__(self):
        yield from self.generator_pinned_row(self.pinned_data.get("top"))
        for record in self.data:
            yield _Row(record, table=self.table)
        yield from self.generator_pinned_row(self.pinned_data.get("bottom"))

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _Rows(data=self.data[key], table=self.table, pinned_data=self.pinned_data)
        return _Row(record=self.data[key], table=self.table)


class BaseTable(tables.Table):
    """Tables link their first column to the object; the same table serves the page and its sort order."""

    class Meta:
        attrs = {"class": "table table-hover align-middle sqdj-table"}
        per_page = 50
        empty_text = _("Nothing here yet.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = _Rows(data=self.data, table=self, pinned_data=self.pinned_data)
        self._row_plans: dict = {}

    def paginate(self, paginator_class=ScopedPaginator, per_page=None, page=1, *args, **kwargs):
        """Pages count cheaply and read along the order's index (core.paging), whoever paginates the table."""
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)


class DateColumn(tables.Column):
    """YYYY-MM-DD without a template render per cell (django-tables2's DateColumn renders a template)."""

    def render(self, value):
        return value.isoformat()
