"""Enumerations of the volunteers app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitRegistrationEnd(models.TextChoices):
    """Why a unit's registration with a community (单位报到) ended."""

    MOVED = "moved", _("The unit moved out of the community")
    DISSOLVED = "dissolved", _("The unit or its party organization was dissolved")
    ASKED = "asked", _("At the unit's request")
    OTHER = "other", _("Other")
