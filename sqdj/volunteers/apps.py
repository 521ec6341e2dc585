from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    """The in-service members' loop and volunteer service (issue 16): 单位报到, posts and teams, activities, service
    hours, feedback to the members' units, certificates. 在职党员报到 itself is the members app's (Registration)."""

    name = "sqdj.volunteers"
    label = "volunteers"
    verbose_name = _("Volunteer service")
