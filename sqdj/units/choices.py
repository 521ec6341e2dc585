"""The words of the units app (glossary.md, "Co-building"; interfaces.md §2 `units`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitCategory(models.TextChoices):
    """单位类别 (interfaces.md §2): the ids are the org sectors of the same name (orgs.choices.Sector)."""

    GOVERNMENT = "government", _("Party or government organ")
    INSTITUTION = "institution", _("Public institution")
    STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise")
    NON_PUBLIC_ENTERPRISE = "non_public_enterprise", _("Non-public enterprise")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organization")
    OTHER = "other", _("Other")


# the template's words for 单位类别 (interfaces.md §2), exactly
CATEGORY_LABELS = {
    UnitCategory.GOVERNMENT: "党政机关",
    UnitCategory.INSTITUTION: "事业单位",
    UnitCategory.STATE_ENTERPRISE: "国有企业",
    UnitCategory.NON_PUBLIC_ENTERPRISE: "非公有制企业",
    UnitCategory.SOCIAL_ORGANIZATION: "社会组织",
    UnitCategory.OTHER: "其他",
}

# 两新组织: new economic and social organizations (interfaces.md §2)
NEWORG_CATEGORIES = (UnitCategory.NON_PUBLIC_ENTERPRISE, UnitCategory.SOCIAL_ORGANIZATION)


class Industry(models.TextChoices):
    """国民经济行业分类 GB/T 4754-2017, its 20 sections (门类)."""

    A = "A", _("Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("Mining")
    C = "C", _("Manufacturing")
    D = "D", _("Electricity, heat, gas and water production and supply")
    E = "E", _("Construction")
    F = "F", _("Wholesale and retail trade")
    G = "G", _("Transport, storage and postal services")
    H = "H", _("Accommodation and catering")
    I = "I", _("Information transmission, software and information technology services")  # noqa: E741
    J = "J", _("Finance")
    K = "K", _("Real estate")
    L = "L", _("Leasing and business services")
    M = "M", _("Scientific research and technical services")
    N = "N", _("Water conservancy, environment and public facilities management")
    O = "O", _("Resident services, repair and other services")  # noqa: E741
    P = "P", _("Education")
    Q = "Q", _("Health and social work")
    R = "R", _("Culture, sports and entertainment")
    S = "S", _("Public administration, social security and social organizations")
    T = "T", _("International organizations")


class UnitSize(models.TextChoices):
    """企业规模 (统计上大中小微型企业划分办法): as the unit reports it; coverage also counts by head-count band."""

    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


# head-count bands of the coverage tables (从业人员数): statistical display bands, not a regulation's thresholds
EMPLOYEE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 9, "1-9人"),
    (10, 49, "10-49人"),
    (50, 99, "50-99人"),
    (100, 299, "100-299人"),
    (300, None, "300人以上"),
)


class Premises(models.TextChoices):
    """Where the unit sits: a 商务楼宇, a park (园区), or a street address."""

    BUILDING = "building", _("Office building")
    PARK = "park", _("Park")
    STREET = "street", _("Street address")


class UnitStatus(models.TextChoices):
    """登记状态 as the registration authority reports it; a unit is never deleted, it ends."""

    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    MOVED_OUT = "moved_out", _("Moved out of the area")
    DEREGISTERED = "deregistered", _("Deregistered")
    REVOKED = "revoked", _("Business licence revoked")


# a unit in one of these states is gone: no coverage counted, its assignments ended, its org flagged for handling
ENDED_STATUSES = (UnitStatus.MOVED_OUT, UnitStatus.DEREGISTERED, UnitStatus.REVOKED)


class InstructorKind(models.TextChoices):
    INSTRUCTOR = "instructor", _("Party-building instructor")
    LIAISON = "liaison", _("Party-building liaison")


class Authority(models.TextChoices):
    """登记管理机关: who sends the lists of new and deregistered units (双向联系)."""

    MARKET_REGULATION = "market_regulation", _("Market regulation administration")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs bureau")


class ChangeKind(models.TextChoices):
    REGISTERED = "registered", _("Newly registered")
    DEREGISTERED = "deregistered", _("Deregistered")


class IntakeStatus(models.TextChoices):
    """A line of an authority list, from the subdistrict's side: 待对接 until someone has made contact."""

    PENDING = "pending", _("Awaiting contact")
    CONNECTED = "connected", _("Contacted")
    CLOSED = "closed", _("Closed")


class CouncilKind(models.TextChoices):
    """社区党建联席会 / 协调委员会 / 街道"大工委"."""

    JOINT_COUNCIL = "joint_council", _("Community party-building joint council")
    COORDINATION = "coordination", _("Coordination committee")
    WORKING_COMMITTEE = "working_committee", _("Subdistrict enlarged working committee")


class DecisionStatus(models.TextChoices):
    OPEN = "open", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


# the transitions a decision may take (a state machine: one table; services.do_set_decision_status)
DECISION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    DecisionStatus.OPEN: (DecisionStatus.IN_PROGRESS, DecisionStatus.DONE, DecisionStatus.DROPPED),
    DecisionStatus.IN_PROGRESS: (DecisionStatus.DONE, DecisionStatus.DROPPED),
    DecisionStatus.DONE: (),
    DecisionStatus.DROPPED: (),
}
CLOSED_DECISION_STATUSES = (DecisionStatus.DONE, DecisionStatus.DROPPED)


class AgreementKind(models.TextChoices):
    AGREEMENT = "agreement", _("Co-building agreement")
    PAIRING = "pairing", _("Pairing")


class ListCategory(models.TextChoices):
    """What a need asks for and a resource offers (资源共享: venues, funds, volunteers, skills)."""

    VENUE = "venue", _("Venue")
    FUNDS = "funds", _("Funds")
    VOLUNTEERS = "volunteers", _("Volunteers")
    SKILLS = "skills", _("Professional skills")
    GOODS = "goods", _("Goods and materials")
    OTHER = "other", _("Other")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Awaiting a match")
    MATCHED = "matched", _("Matched")
    CLOSED = "closed", _("Closed")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
