import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from sqdj.core.tables import BaseTable

from .feedback import period_label
from .models import Feedback


class FeedbackTable(BaseTable):
    """Both sides' table; for the unit org (民主评议): member, community, period, posts, activities, hours,
    evaluation, number."""

    member = tables.Column(verbose_name=_("party member"), accessor="member__name", order_by=("member__name",),
                           linkify=lambda record: record.get_absolute_url())  # fmt: skip
    community = tables.Column(accessor="community__name", verbose_name=_("community"), order_by=("community__path",))
    unit_org = tables.Column(accessor="unit_org__name", verbose_name=_("the member's party organization"),
                             order_by=("unit_org__path",))  # fmt: skip
    period_start = tables.Column(verbose_name=_("period"), order_by=("period_start", "period_kind"))
    posts = tables.Column(verbose_name=_("posts held"))
    activities = tables.Column(verbose_name=_("activities taken part in"))
    hours = tables.Column(verbose_name=_("verified hours"))
    evaluation = tables.Column(verbose_name=_("evaluation"))
    state = tables.Column(verbose_name=_("state"))
    number = tables.Column(verbose_name=_("number"))

    class Meta(BaseTable.Meta):
        model = Feedback
        fields = ("member", "community", "unit_org", "period_start", "posts", "activities", "hours", "evaluation",
                  "state", "number")  # fmt: skip
        order_by = ("-period_start",)

    def render_period_start(self, record):
        return period_label(record)
