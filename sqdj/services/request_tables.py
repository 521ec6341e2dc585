import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sqdj.core.importing import Importer
from sqdj.core.tables import BaseTable

from .choices import OPEN_STATES
from .models import Category, Request


def when(value) -> str:
    """Local date and time to the minute ("—" when none)."""
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "—"


def verbatim(code: str):
    """A number or code is read as it is: not a word to translate (the crawl and browsers' translation)."""
    return format_html('<code translate="no">{}</code>', code)


class RequestTable(BaseTable):
    number = tables.Column(linkify=lambda record: record.get_absolute_url())
    summary = tables.Column()
    category = tables.Column(accessor="category__name", verbose_name=_("category"), default="—",
                             order_by=("category__position",))  # fmt: skip
    area = tables.Column(accessor="area__name", verbose_name=_("area"), order_by=("area__path",))
    state = tables.Column()
    urgency = tables.Column()
    received_at = tables.Column()
    due_at = tables.Column()

    class Meta(BaseTable.Meta):
        model = Request
        fields = ("number", "summary", "category", "area", "state", "urgency", "received_at", "due_at")
        order_by = ("-received_at",)

    def render_number(self, value):
        return verbatim(value)

    def render_received_at(self, value):
        return when(value)

    def render_due_at(self, value, record):
        if record.state in OPEN_STATES and value < timezone.now():  # overdue: said in words, not by colour alone
            return format_html('{} <span class="badge text-bg-danger">{}</span>', when(value), _("overdue"))
        return when(value)


class CategoryTable(BaseTable):
    code = tables.Column(linkify=lambda record: record.get_absolute_url())
    name = tables.Column()
    org = tables.Column(verbose_name=_("party organization"), default="—", order_by=("org__path",))
    position = tables.Column()
    active = tables.BooleanColumn()

    class Meta(BaseTable.Meta):
        model = Category
        fields = ("code", "name", "org", "position", "active")
        order_by = ("position",)

    def render_code(self, value):
        return verbatim(value)


class RequestExport(Importer):
    """The request list's export (the list's own filters, through the scope gate): what a spreadsheet of the cases
    needs, the resident's contact masked as on every page. Export only: requests enter by their services."""

    kind = "requests"
    verbose_name = _("resident requests")
    model = Request
    headers = ["诉求编号", "类别", "摘要", "区域编码", "区域", "地点", "紧急程度", "来源", "状态", "受理时间",
               "办理时限", "办结时间", "关闭时间", "督办时间", "办理结果", "满意度", "联系人", "联系电话"]  # fmt: skip
    key_header = "诉求编号"

    def export_rows(self, queryset):
        for r in queryset.select_related("category", "area").order_by("-received_at", "-pk"):
            yield [r.number, r.category.name if r.category else "", r.summary, r.area.code, r.area.name, r.location,
                   r.get_urgency_display(), r.get_source_display(), r.get_state_display(), when(r.received_at),
                   when(r.due_at), when(r.resolved_at), when(r.closed_at), when(r.escalated_at), r.resolution,
                   r.get_satisfaction_display(), r.contact_name_masked, r.contact_phone_masked]  # fmt: skip
