import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates
from sqdj.core.tables import BaseTable

from .models import Member
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
