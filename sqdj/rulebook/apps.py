from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulebookConfig(AppConfig):
    """The rulebook's administration: every regulation figure with its source, and local variants (the model is
    core.RuleParameter, read by core.rules.param())."""

    name = "sqdj.rulebook"
    label = "rulebook"
    verbose_name = _("Rulebook")
