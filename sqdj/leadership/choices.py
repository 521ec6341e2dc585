from django.db import models
from django.utils.translation import gettext_lazy as _


class PositionRole(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")


class Portfolio(models.TextChoices):
    ORGANIZATION = "organization", _("Organizational work")
    PROPAGANDA = "propaganda", _("Propaganda")
    DISCIPLINE = "discipline", _("Discipline inspection")
    YOUTH = "youth", _("Youth")
    WOMEN = "women", _("Women")
    UNITED_FRONT = "united_front", _("United front")
    OTHER = "other", _("Other")


class ElectionKind(models.TextChoices):
    REGULAR = "regular", _("General election (end of term)")
    BY_ELECTION = "by_election", _("By-election")


class ElectionOffice(models.TextChoices):
    """What an election fills (选举工作条例): the committee's members (委员, contested: 差额), or its secretary or
    deputy secretary (书记, 副书记: may be elected with as many candidates as seats, 等额; reported for approval)."""

    COMMITTEE = "committee", _("Committee members")
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")


class Assembly(models.TextChoices):
    """Who elects the committee's members (选举工作条例): every member at the 党员大会, or the delegates at the
    党员代表大会 (a primary party committee with many members or scattered units)."""

    MEMBERS = "members", _("Members' assembly")
    DELEGATES = "delegates", _("Delegates' congress")


class VotersBasis(models.TextChoices):
    """Where an election's figure of those entitled to vote comes from."""

    ROLL = "roll", _("Counted from the roll")
    COMMITTEE = "committee", _("Counted from the committee")
    TYPED = "typed", _("Typed in (delegates)")
    LEGACY = "legacy", _("Typed in (recorded before the count was derived)")


DERIVED_BASES = (VotersBasis.ROLL, VotersBasis.COMMITTEE)

# Offices whose election result is reported to the superior organization for approval (党章: 书记、副书记选出后报上级
# 党组织批准): the result is pending until the approval is recorded.
APPROVED_OFFICES = (ElectionOffice.SECRETARY, ElectionOffice.DEPUTY_SECRETARY)


class ResidentsSeatRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice chair")
    MEMBER = "member", _("Member")
