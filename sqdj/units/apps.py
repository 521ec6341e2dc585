from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    """驻区单位 and 两新组织 (issue 15): the unit registry, coverage, registration-authority lists, instructors and
    their visits, joint councils and their decisions, co-building agreements, and the three lists."""

    name = "sqdj.units"
    label = "units"
    verbose_name = _("Units")
