from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.models import ChangeLoggedModel
from sqdj.members.choices import Education

from .choices import (
    APPROVED_OFFICES,
    DERIVED_BASES,
    Assembly,
    ElectionKind,
    ElectionOffice,
    Portfolio,
    PositionRole,
    ResidentsSeatRole,
    VotersBasis,
)


class Position(ChangeLoggedModel):
    """A post in an org's leadership (书记, 副书记, 委员 with a portfolio) held by a member for a period."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("party organization"), on_delete=models.CASCADE, related_name="positions"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("party member"), on_delete=models.PROTECT, related_name="positions"
    )
    role = models.CharField(_("post"), max_length=20, choices=PositionRole.choices)
    portfolio = models.CharField(_("portfolio"), max_length=20, choices=Portfolio.choices, blank=True)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("left office on"), null=True, blank=True)
    election = models.ForeignKey(
        "Election",
        verbose_name=_("election"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="positions",
    )

    scope_org_field = "org"
    scope_guidance = True  # the guiding org sees the guided org's leadership (core.scope), read only

    class Meta:
        ordering = ["org", "role", "started_on"]
        verbose_name = _("leadership position")
        verbose_name_plural = _("leadership positions")
        indexes = [models.Index(fields=["org", "role"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="orgs_position_ends_after_start",
                violation_error_message=_("A position cannot end before it starts."),
            )
        ]

    def __str__(self):
        return f"{self.org} {self.get_role_display()} {self.member}"

    def get_absolute_url(self):
        return reverse("leadership:position", args=[self.pk])

    def held_on(self, day) -> bool:
        return self.started_on <= day and (self.ended_on is None or day <= self.ended_on)


class Election(ChangeLoggedModel):
    """An election of an org's committee (换届 or 补选): seats, candidates, votes and results."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("party organization"), on_delete=models.CASCADE, related_name="elections"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ElectionKind.choices, default=ElectionKind.REGULAR)
    office = models.CharField(
        _("office elected"),
        max_length=20,
        choices=ElectionOffice.choices,
        default=ElectionOffice.COMMITTEE,
        db_default=ElectionOffice.COMMITTEE,
    )
    assembly = models.CharField(
        _("elected by"),
        max_length=20,
        choices=Assembly.choices,
        default=Assembly.MEMBERS,
        db_default=Assembly.MEMBERS,
        help_text=_(
            "For the committee's members. At a delegates' congress those entitled to vote are the delegates: their "
            "number cannot be counted from the roll and is entered."
        ),
    )
    held_on = models.DateField(_("held on"))
    seats = models.PositiveSmallIntegerField(_("seats"))
    # 选举工作条例: counted, not typed — the full members on the roll of the org and below (the committee's members for
    # a secretary's election) who may vote on the day (members.standing.voters), stored when the election is recorded
    # so that the record stays as it was that day; typed only for a delegates' congress (and rows from before).
    eligible_voters = models.PositiveIntegerField(_("members entitled to vote"))
    voters_basis = models.CharField(
        _("members entitled to vote from"),
        max_length=20,
        choices=VotersBasis.choices,
        default=VotersBasis.LEGACY,
        db_default=VotersBasis.LEGACY,
    )
    # members ill, abroad, or 流动 and unable to attend, left out of the base with approval (选举工作条例)
    excused_voters = models.PositiveIntegerField(_("excused members"), default=0, db_default=0)
    excused_reason = models.CharField(_("reason for the excused members"), max_length=300, blank=True, db_default="")
    voters_present = models.PositiveIntegerField(_("voters present"))
    approval = models.CharField(_("approval by the superior"), max_length=200, blank=True)
    # 书记、副书记选出后报上级党组织批准 (党章; rules.md 2.1): the result stands once the approval is recorded
    approved_on = models.DateField(_("approved by the superior on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope_org_field = "org"
    scope_guidance = True  # the guiding org sees the guided org's leadership (core.scope), read only

    class Meta:
        ordering = ["org", "-held_on"]
        verbose_name = _("election")
        verbose_name_plural = _("elections")

    def __str__(self):
        return f"{self.org} {self.held_on} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("leadership:election", args=[self.pk])

    @property
    def voters_derived(self) -> bool:
        return self.voters_basis in DERIVED_BASES

    @property
    def entitled_voters(self) -> int:
        """Those who should attend (应到会人数): the members entitled to vote less the excused; the quorum's base."""
        return self.eligible_voters - self.excused_voters

    @property
    def pending_approval(self) -> bool:
        """A secretary's or deputy secretary's election whose approval by the superior is not recorded yet."""
        return self.office in APPROVED_OFFICES and self.approved_on is None


class Candidate(ChangeLoggedModel):
    """A candidate of an election with the votes received and whether elected."""

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="candidates"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("party member"), on_delete=models.PROTECT, related_name="candidacies"
    )
    votes = models.PositiveIntegerField(_("votes in favour"), null=True, blank=True)
    elected = models.BooleanField(_("elected"), default=False)

    scope_org_field = "election__org"
    scope_guidance = True

    class Meta:
        ordering = ["election", "-votes", "pk"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(
                fields=["election", "member"],
                name="orgs_one_candidacy_per_election",
                violation_error_message=_("This member is already a candidate in this election."),
            )
        ]

    def __str__(self):
        return f"{self.election}: {self.member}"


class ResidentsCommittee(ChangeLoggedModel):
    """The residents' committee (居委会) of a community area."""

    area = models.OneToOneField(
        "areas.Area", verbose_name=_("community"), on_delete=models.PROTECT, related_name="residents_committee"
    )
    name = models.CharField(_("name"), max_length=100)
    term_started_on = models.DateField(_("current term started on"), null=True, blank=True)

    scope_area_field = "area"

    class Meta:
        ordering = ["area__path"]
        verbose_name = _("residents' committee")
        verbose_name_plural = _("residents' committees")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("leadership:residentscommittee", args=[self.pk])


class ResidentsSeat(ChangeLoggedModel):
    """A seat on a residents' committee. The holder need not be a party member: then name, birth date and
    education are kept here; for a member they are read from the member record (one fact, one place)."""

    committee = models.ForeignKey(
        ResidentsCommittee, verbose_name=_("residents' committee"), on_delete=models.CASCADE, related_name="seats"
    )
    role = models.CharField(_("post"), max_length=20, choices=ResidentsSeatRole.choices)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents_seats",
    )
    person_name = models.CharField(_("name"), max_length=50, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("left office on"), null=True, blank=True)

    scope_area_field = "committee__area"

    class Meta:
        ordering = ["committee", "role", "started_on"]
        verbose_name = _("residents' committee seat")
        verbose_name_plural = _("residents' committee seats")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="orgs_residents_seat_ends_after_start",
                violation_error_message=_("A position cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(member__isnull=False) | ~models.Q(person_name=""),
                name="orgs_residents_seat_has_holder",
                violation_error_message=_("Choose a party member or enter the person's name."),
            ),
        ]

    def __str__(self):
        return f"{self.committee} {self.get_role_display()} {self.holder_name}"

    def get_absolute_url(self):
        return reverse("leadership:residentsseat", args=[self.pk])

    @property
    def holder_name(self) -> str:
        member = self.member if self.member_id else None
        return member.name if member is not None else self.person_name
