import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates
from sqdj.core.tables import BaseTable, DateColumn

from .choices import RegistrationStatus
from .models import Member, Registration
from .validation import age_on


class MemberTable(BaseTable):
    """Personal numbers appear only masked here, whoever looks (a reveal is per member, with a reason)."""

    name = tables.Column(linkify=True)
    sex = tables.Column()
    age = tables.Column(verbose_name=_("Age"), accessor="birth_date", order_by=("-birth_date",))
    org = tables.Column(verbose_name=_("party organization"), accessor="org__name", order_by=("org__path",))
    category = tables.Column()  # derived (services.derive_category)
    work_status = tables.Column()
    member_type = tables.Column()
    education = tables.Column()
    id_number = tables.Column(verbose_name=_("citizen ID number"), orderable=False, empty_values=())
    phone = tables.Column(verbose_name=_("phone number"), orderable=False, empty_values=())

    class Meta(BaseTable.Meta):
        model = Member
        fields = ("name", "sex", "age", "org", "category", "work_status", "member_type", "education", "id_number",
                  "phone")  # fmt: skip
        order_by = ("org", "name")

    def render_age(self, value):
        return age_on(value, dates.today())

    def render_id_number(self, record):
        return record.id_number_masked

    def render_phone(self, record):
        return record.phone_masked or "—"


class RegistrationTable(BaseTable):
    member = tables.Column(linkify=lambda record: record.get_absolute_url(), order_by=("member__name_pinyin",))
    org = tables.Column(accessor="member__org", verbose_name=_("the member's organization"),
                        order_by=("member__org__path",))  # fmt: skip
    community = tables.Column(order_by=("community__path",))
    registered_on = DateColumn()
    status = tables.Column(empty_values=(), orderable=False, verbose_name=_("status"))
    ended_on = DateColumn()

    class Meta(BaseTable.Meta):
        model = Registration
        fields = ("member", "org", "community", "registered_on", "status", "ended_on")
        order_by = ("-registered_on",)

    def render_status(self, record):
        status = record.status_on(dates.today())
        if status == "confirmed" and record.confirmed_automatically:
            return _("Confirmed automatically")
        return dict(RegistrationStatus.choices)[status]
