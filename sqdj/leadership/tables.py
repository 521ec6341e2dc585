import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from sqdj.core.tables import BaseTable, DateColumn

from .models import Election, Position, ResidentsCommittee, ResidentsSeat


def _link(record):
    return record.get_absolute_url()


class PositionTable(BaseTable):
    member = tables.Column(linkify=_link, verbose_name=_("party member"), order_by=("member__name",))
    org = tables.Column(verbose_name=_("party organization"), order_by=("org__path",))
    role = tables.Column()
    portfolio = tables.Column()
    started_on = DateColumn()
    ended_on = DateColumn()

    class Meta(BaseTable.Meta):
        model = Position
        fields = ("member", "org", "role", "portfolio", "started_on", "ended_on")
        order_by = ("org", "-started_on")


class ElectionTable(BaseTable):
    held_on = DateColumn(linkify=_link)
    org = tables.Column(verbose_name=_("party organization"), order_by=("org__path",))
    kind = tables.Column()
    seats = tables.Column()
    candidate_count = tables.Column(verbose_name=_("candidates"), orderable=False)
    office = tables.Column()
    eligible_voters = tables.Column()
    voters_present = tables.Column()
    approved_on = tables.Column(verbose_name=_("result"), empty_values=(), orderable=False)

    class Meta(BaseTable.Meta):
        model = Election
        fields = ("held_on", "org", "kind", "office", "seats", "candidate_count", "eligible_voters", "voters_present",
                  "approved_on")  # fmt: skip
        order_by = ("-held_on",)

    def render_eligible_voters(self, record):
        # a figure typed in (a delegates' congress, or recorded before it was counted) is marked as such
        if record.voters_derived:
            return record.eligible_voters
        typed = _("typed in")
        return f"{record.eligible_voters}（{typed}）"

    def value_eligible_voters(self, record):
        return record.eligible_voters  # exports keep the number

    def render_approved_on(self, record):
        return _("Pending approval") if record.pending_approval else "—"


class ResidentsCommitteeTable(BaseTable):
    name = tables.Column(linkify=True)
    area = tables.Column(verbose_name=_("community"), order_by=("area__path",))
    term_started_on = DateColumn()

    class Meta(BaseTable.Meta):
        model = ResidentsCommittee
        fields = ("name", "area", "term_started_on")
        order_by = ("area",)


class ResidentsSeatTable(BaseTable):
    holder = tables.Column(
        linkify=_link, accessor="holder_name", verbose_name=_("name"), order_by=("member__name", "person_name")
    )
    committee = tables.Column(order_by=("committee__area__path",))
    role = tables.Column()
    started_on = DateColumn()
    ended_on = DateColumn()

    class Meta(BaseTable.Meta):
        model = ResidentsSeat
        fields = ("holder", "committee", "role", "started_on", "ended_on")
        order_by = ("committee", "role")
