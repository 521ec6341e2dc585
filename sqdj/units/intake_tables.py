"""The tables of the authority entries' and the instructors' lists."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from sqdj.core.tables import BaseTable, DateColumn

from .models import AuthorityEntry, Instructor


class AuthorityEntryTable(BaseTable):
    name = tables.Column(linkify=True)
    credit_code = tables.Column()
    authority = tables.Column()
    kind = tables.Column(verbose_name=_("type of change"))
    changed_on = DateColumn()
    area = tables.Column(verbose_name=_("located in area"), order_by=("area__path",))
    status = tables.Column()
    due_on = DateColumn()
    contacted_on = DateColumn()

    class Meta(BaseTable.Meta):
        model = AuthorityEntry
        fields = ("name", "credit_code", "authority", "kind", "changed_on", "area", "status", "due_on", "contacted_on")
        order_by = ("-changed_on",)


class InstructorTable(BaseTable):
    name = tables.Column(linkify=True)
    kind = tables.Column()
    unit = tables.Column(verbose_name=_("unit"), order_by=("unit__name",))
    sent_by = tables.Column()
    started_on = DateColumn()
    ended_on = DateColumn()

    class Meta(BaseTable.Meta):
        model = Instructor
        fields = ("name", "kind", "unit", "sent_by", "started_on", "ended_on")
        order_by = ("unit", "-started_on")
