"""States and kinds of transfer cases (组织关系接转) and mobile-member records (流动党员)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TransferState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved by the sending side")
    RECEIVED = "received", _("Accepted by the receiving side")
    COMPLETED = "completed", _("Completed")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Letter expired")


# A member may have one open case at a time; closed cases stay as history.
OPEN_STATES = (
    TransferState.DRAFT,
    TransferState.SUBMITTED,
    TransferState.APPROVED,
    TransferState.RECEIVED,
    TransferState.RETURNED,
    TransferState.EXPIRED,
)
CLOSED_STATES = (TransferState.COMPLETED, TransferState.CANCELLED)


class Direction(models.TextChoices):
    INTERNAL = "internal", _("Within this deployment")
    OUTGOING = "outgoing", _("To an organization outside this deployment")
    INCOMING = "incoming", _("From an organization outside this deployment")


class TransferReason(models.TextChoices):
    WORK = "work", _("Change of work unit")
    RESIDENCE = "residence", _("Change of residence")
    RETIREMENT = "retirement", _("Retirement")
    UNEMPLOYMENT = "unemployment", _("Unemployment or no work unit")
    STUDY = "study", _("Study")
    GRADUATION = "graduation", _("Graduation")
    OTHER = "other", _("Other")


class Side(models.TextChoices):
    SENDING = "sending", _("Sending side")
    RECEIVING = "receiving", _("Receiving side")


class MobileEnd(models.TextChoices):
    RETURNED = "returned", _("Returned home")
    TRANSFERRED = "transferred", _("Membership transferred")
    LEFT = "left", _("Left the area")
    OTHER = "other", _("Other")
