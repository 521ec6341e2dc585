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


# ---- 微心愿 (small wishes) ----------------------------------------------------------------------------------------


class ClaimState(models.TextChoices):
    """A wish's claim by a member, a team or a unit: fulfilled, or withdrawn (the wish is open again)."""

    CLAIMED = "claimed", _("Claimed")
    FULFILLED = "fulfilled", _("Fulfilled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


ACTIVE_CLAIMS = (ClaimState.CLAIMED, ClaimState.FULFILLED)


# ---- 帮扶 (help for households in hardship) ----------------------------------------------------------------------


class Hardship(models.TextChoices):
    """The kinds of hardship help is for: a fixed list (what help needs to know, nothing about beliefs or views)."""

    DIBAO = "dibao", _("Minimum living allowance")  # 低保
    TEKUN = "tekun", _("Extreme poverty support")  # 特困
    DISABILITY = "disability", _("Disability")  # 残疾
    UNEMPLOYED = "unemployed", _("Unemployment")  # 失业
    ILLNESS = "illness", _("Serious illness")  # 重病
    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone")  # 独居高龄
    POOR_MEMBER = "poor_member", _("Party member in difficulty")  # 困难党员
    OTHER = "other", _("Other hardship")


class LegalBasis(models.TextChoices):
    """Why the household's data may be kept (个人信息保护法 第十三条): its consent, or a legal duty (社会救助)."""

    CONSENT = "consent", _("The household's consent")
    LEGAL_DUTY = "legal_duty", _("A legal duty (social assistance)")


class HouseholdState(models.TextChoices):
    OPEN = "open", _("Being helped")
    CLOSED = "closed", _("Help ended")


class HouseholdEnd(models.TextChoices):
    RECOVERED = "recovered", _("Out of hardship")
    MOVED = "moved", _("Moved away")
    DIED = "died", _("Deceased")
    REFUSED = "refused", _("Declined further help")
    OTHER = "other", _("Other")


class SupportKind(models.TextChoices):
    MONEY = "money", _("Money")
    GOODS = "goods", _("Goods")
    SERVICE = "service", _("Service")
    OTHER = "other", _("Other support")


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", _("Continue the help")
    CLOSE = "close", _("End the help")
