"""The list tables of councils, meetings, decisions and agreements."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from sqdj.core.tables import BaseTable, DateColumn

from .models import Agreement, Council, CouncilMeeting, Decision


class CouncilTable(BaseTable):
    name = tables.Column(linkify=True, verbose_name=_("council name"))
    org = tables.Column(verbose_name=_("convening organization"), order_by=("org__path",))
    kind = tables.Column()
    term_started_on = DateColumn()
    term_ends_on = DateColumn()

    class Meta(BaseTable.Meta):
        model = Council
        fields = ("name", "org", "kind", "term_started_on", "term_ends_on")
        order_by = ("org", "name")


class CouncilMeetingTable(BaseTable):
    held_on = DateColumn(linkify=True, verbose_name=_("meeting held on"))
    council = tables.Column(order_by=("council__name",))
    place = tables.Column()

    class Meta(BaseTable.Meta):
        model = CouncilMeeting
        fields = ("held_on", "council", "place")
        order_by = ("-held_on",)


class DecisionTable(BaseTable):
    title = tables.Column(linkify=True)
    council = tables.Column(order_by=("council__name",))
    owner = tables.Column(order_by=("owner__name",))
    due_on = DateColumn()
    status = tables.Column()
    closed_on = DateColumn()

    class Meta(BaseTable.Meta):
        model = Decision
        fields = ("title", "council", "owner", "due_on", "status", "closed_on")
        order_by = ("due_on",)


class AgreementTable(BaseTable):
    title = tables.Column(linkify=True, verbose_name=_("agreement title"))
    number = tables.Column()
    org = tables.Column(verbose_name=_("party organization"), order_by=("org__path",))
    kind = tables.Column()
    starts_on = DateColumn()
    ends_on = DateColumn()
    ended_on = DateColumn()

    class Meta(BaseTable.Meta):
        model = Agreement
        fields = ("title", "number", "org", "kind", "starts_on", "ends_on", "ended_on")
        order_by = ("-starts_on",)
