"""The household part's list and export: number, where (the area: community down to the building), the kinds of
hardship, the state, the pairing — never the contact, the room or the needs (those are the details, logged)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from sqdj.core.importing import Importer
from sqdj.core.tables import BaseTable

from .choices import Hardship
from .models import Household
from .request_tables import verbatim


def hardship_labels(codes) -> str:
    labels = dict(Hardship.choices)
    return "、".join(str(labels.get(c, c)) for c in codes or [])


def pairing_text(household: Household) -> str:
    """The helpers paired now (from the prefetched `active_pairings`)."""
    return "、".join(str(a.helper) for a in getattr(household, "active_pairings", [])) or "—"


class HouseholdTable(BaseTable):
    number = tables.Column(linkify=lambda record: record.get_absolute_url())
    area = tables.Column(accessor="area__name", verbose_name=_("area"), order_by=("area__path",))
    hardships = tables.Column(verbose_name=_("kinds of hardship"), orderable=False)
    state = tables.Column()
    pairing = tables.Column(accessor="pk", verbose_name=_("paired with"), orderable=False)
    opened_on = tables.Column()

    class Meta(BaseTable.Meta):
        model = Household
        fields = ("number", "area", "hardships", "state", "pairing", "opened_on")
        order_by = ("area",)

    def render_number(self, value):
        return verbatim(value)

    def render_hardships(self, value):
        return hardship_labels(value)

    def render_pairing(self, value, record):
        return pairing_text(record)


class HouseholdExport(Importer):
    """The household list's export (the list's own filters, through the scope gate): what the list shows, no
    contact. Export only: households enter by their service."""

    kind = "households"
    verbose_name = _("households in hardship")
    model = Household
    headers = ["帮扶编号", "区域编码", "区域", "困难类型", "家庭人数", "状态", "开始帮扶日期", "结束帮扶日期", "结对"]
    key_header = "帮扶编号"

    def export_rows(self, queryset):
        for h in queryset.order_by("area__path", "number"):
            yield [h.number, h.area.code, h.area.name, hardship_labels(h.hardships), h.size or "",
                   h.get_state_display(), h.opened_on, h.closed_on or "", pairing_text(h)]  # fmt: skip
