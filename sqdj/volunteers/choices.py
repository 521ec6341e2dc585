"""Enumerations of the volunteers app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitRegistrationEnd(models.TextChoices):
    """Why a unit's registration with a community (单位报到) ended."""

    MOVED = "moved", _("The unit moved out of the community")
    DISSOLVED = "dissolved", _("The unit or its party organization was dissolved")
    ASKED = "asked", _("At the unit's request")
    OTHER = "other", _("Other")


class ServiceArea(models.TextChoices):
    """What a post or a team serves in (the Tianjin book's 服务领域, seed 001), with room for the rest."""

    STUDY = "study", _("Study coaching")
    CULTURE = "culture", _("Culture and publicity")
    CONVENIENCE = "convenience", _("Everyday services")
    SAFETY = "safety", _("Public safety")
    ENVIRONMENT = "environment", _("Environment care")
    SCIENCE = "science", _("Popular science")
    OTHER = "other", _("Other")


class ClaimState(models.TextChoices):
    """A member's claim on a post, or request to join a team: the community approves or declines; an approved
    one ends with a day and a reason."""

    PENDING = "pending", _("Waiting for the community's approval")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    ENDED = "ended", _("Ended")


class ClaimEnd(models.TextChoices):
    """Why a post claim or a team membership ended."""

    PERIOD = "period", _("The period is over")
    MOVED = "moved", _("The member moved away")
    ASKED = "asked", _("At the member's request")
    UNSUITED = "unsuited", _("No longer suited to the post")
    DISBANDED = "disbanded", _("The team disbanded")
    OTHER = "other", _("Other")


class Organizer(models.TextChoices):
    """Who organizes an activity."""

    COMMUNITY = "community", _("Community party organization")
    TEAM = "team", _("Service team")
    UNIT = "unit", _("Unit party organization")
    PROJECT = "project", _("Co-building project")


class HoursSource(models.TextChoices):
    """How service hours came in: recorded by the organizer, or declared by the member (then verified)."""

    RECORDED = "recorded", _("Recorded by the organizer")
    DECLARED = "declared", _("Declared by the member")
    WISH = "wish", _("A small wish fulfilled")  # sent by the services app (core.plugins.service_rendered)


class HoursState(models.TextChoices):
    PENDING = "pending", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Evaluation(models.TextChoices):
    """The community's short evaluation in a feedback letter to the member's unit (好 / 较好 / 一般 / 差)."""

    GOOD = "good", _("Good")
    FAIRLY_GOOD = "fairly_good", _("Fairly good")
    AVERAGE = "average", _("Average")
    POOR = "poor", _("Poor")


class FeedbackState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed off")
