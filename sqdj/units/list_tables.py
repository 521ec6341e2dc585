import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from sqdj.core.tables import BaseTable, DateColumn

from .models import Need, Project, Resource


class NeedTable(BaseTable):
    title = tables.Column(linkify=True)
    org = tables.Column(verbose_name=_("party organization"), order_by=("org__path",))
    category = tables.Column()
    beneficiaries = tables.Column()
    wanted_from = DateColumn()
    wanted_until = DateColumn()
    people = tables.Column()
    status = tables.Column()

    class Meta(BaseTable.Meta):
        model = Need
        fields = ("title", "org", "category", "beneficiaries", "wanted_from", "wanted_until", "people", "status")
        order_by = ("-wanted_from",)


class ResourceTable(BaseTable):
    title = tables.Column(linkify=True)
    unit = tables.Column(verbose_name=_("unit"), order_by=("unit__name",))
    category = tables.Column()
    capacity = tables.Column()
    amount = tables.Column()
    people = tables.Column()
    available_from = DateColumn()
    available_until = DateColumn()
    active = tables.BooleanColumn()

    class Meta(BaseTable.Meta):
        model = Resource
        fields = ("title", "unit", "category", "capacity", "amount", "people", "available_from", "available_until",
                  "active")  # fmt: skip
        order_by = ("unit",)


class ProjectTable(BaseTable):
    title = tables.Column(linkify=True)
    org = tables.Column(verbose_name=_("party organization"), order_by=("org__path",))
    need = tables.Column(verbose_name=_("need"), order_by=("need__title",))
    status = tables.Column()
    starts_on = DateColumn()
    ends_on = DateColumn()
    people_served = tables.Column()

    class Meta(BaseTable.Meta):
        model = Project
        fields = ("title", "org", "need", "status", "starts_on", "ends_on", "people_served")
        order_by = ("-starts_on",)
