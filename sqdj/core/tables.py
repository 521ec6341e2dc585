from __future__ import annotations

import django_tables2 as tables
import django_tables2.utils as tables_utils
from django.utils.translation import gettext_lazy as _

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


class BaseTable(tables.Table):
    """Tables link their first column to the object; the same table serves the page and its sort order."""

    class Meta:
        attrs = {"class": "table table-hover align-middle sqdj-table"}
        per_page = 50
        empty_text = _("Nothing here yet.")

    def paginate(self, paginator_class=ScopedPaginator, per_page=None, page=1, *args, **kwargs):
        """Pages count cheaply and read along the order's index (core.paging), whoever paginates the table."""
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)


class DateColumn(tables.Column):
    """YYYY-MM-DD without a template render per cell (django-tables2's DateColumn renders a template)."""

    def render(self, value):
        return value.isoformat()
