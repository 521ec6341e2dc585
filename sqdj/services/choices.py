"""The services app's fixed lists (issue 17). Their stored values are English identifiers; what users read is the
Chinese of the labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestKind(models.TextChoices):
    REQUEST = "request", _("Request")  # 群众诉求 / 社情民意
    WISH = "wish", _("Small wish")  # 微心愿


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Not urgent")
    URGENT = "urgent", _("Urgent")


class Source(models.TextChoices):
    """How a request reached the community."""

    VISIT = "visit", _("Visit")
    HOTLINE = "hotline", _("12345 hotline")
    COUNTER = "counter", _("Counter")
    WEB = "web", _("Web form")
    MEMBER = "member", _("Party member")
    GRID = "grid", _("Grid worker")


class RequestState(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("Being handled")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REFERRED = "referred", _("Referred elsewhere")
    DECLINED = "declined", _("Not accepted")


OPEN_STATES = (RequestState.RECEIVED, RequestState.ACCEPTED, RequestState.IN_PROGRESS)
ENDED_STATES = (RequestState.CLOSED, RequestState.REFERRED, RequestState.DECLINED)

# the steps a request may take (from → to); a reopen (不满意) goes from resolved back to in progress
TRANSITIONS = {
    RequestState.RECEIVED: (RequestState.ACCEPTED, RequestState.REFERRED, RequestState.DECLINED),
    RequestState.ACCEPTED: (RequestState.IN_PROGRESS, RequestState.RESOLVED, RequestState.REFERRED,
                            RequestState.DECLINED),
    RequestState.IN_PROGRESS: (RequestState.RESOLVED, RequestState.REFERRED),
    RequestState.RESOLVED: (RequestState.CLOSED, RequestState.IN_PROGRESS),
    RequestState.CLOSED: (),
    RequestState.REFERRED: (),
    RequestState.DECLINED: (),
}  # fmt: skip


class Satisfaction(models.TextChoices):
    """The resident's word on the outcome (the hotlines' 回访满意度)."""

    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)
