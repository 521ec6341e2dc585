"""The wish list's table and export."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sqdj.core.importing import Importer
from sqdj.core.tables import BaseTable

from .choices import OPEN_STATES
from .models import Request
from .request_tables import verbatim, when


def by_when(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d}" if value else "—"


class WishTable(BaseTable):
    number = tables.Column(linkify=lambda record: reverse_wish(record))
    summary = tables.Column(verbose_name=_("the wish"))
    beneficiary = tables.Column()
    area = tables.Column(accessor="area__name", verbose_name=_("area"), order_by=("area__path",))
    state = tables.Column()
    due_at = tables.Column(verbose_name=_("wanted by"))

    class Meta(BaseTable.Meta):
        model = Request
        fields = ("number", "summary", "beneficiary", "area", "state", "due_at")
        order_by = ("-received_at",)

    def render_number(self, value):
        return verbatim(value)

    def render_due_at(self, value, record):
        if record.state in OPEN_STATES and value < timezone.now():  # late: said in words, not by colour alone
            return format_html('{} <span class="badge text-bg-danger">{}</span>', by_when(value), _("late"))
        return by_when(value)


def reverse_wish(record) -> str:
    return reverse("services:wish", args=[record.pk])


class WishExport(Importer):
    """The wish list's export (the list's own filters, through the scope gate). Export only: wishes are posted by
    their service. No person in it: the beneficiary is an anonymous label."""

    kind = "wishes"
    verbose_name = _("small wishes")
    model = Request
    headers = ["心愿编号", "心愿", "服务对象", "区域编码", "区域", "状态", "期望完成日期", "发布时间", "完成时间",
               "关闭时间", "完成情况"]  # fmt: skip
    key_header = "心愿编号"

    def export_rows(self, queryset):
        for r in queryset.select_related("area").order_by("-received_at", "-pk"):
            yield [r.number, r.summary, r.beneficiary, r.area.code, r.area.name, r.get_state_display(),
                   by_when(r.due_at), when(r.received_at), when(r.resolved_at), when(r.closed_at),
                   r.resolution]  # fmt: skip
