from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _


class BaseTable(tables.Table):
    """Tables link their first column to the object; the same table serves the page and its sort order."""

    class Meta:
        attrs = {"class": "table table-hover align-middle sqdj-table"}
        per_page = 50
        empty_text = _("Nothing here yet.")


class DateColumn(tables.Column):
    """YYYY-MM-DD without a template render per cell (django-tables2's DateColumn renders a template)."""

    def render(self, value):
        return value.isoformat()
