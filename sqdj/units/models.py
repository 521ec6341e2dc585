"""驻区单位 and 两新组织 (issue 15). Every model hangs off the trees for the scope gate (core.scope): a unit by its
area (the territory's admins) and by its party organization (that org's line, and through a guidance link its
guide, read only); a unit's liaison (role `unit_contact`, self-only) sees the rows of their own unit.

Coverage is computed, never typed: 党的组织覆盖 = the unit has a party org (its own or a 联合党支部), 工作覆盖 = an
instructor or liaison is assigned today (services.coverage)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.accounts.roles import Role
from sqdj.core.models import ChangeLoggedModel
from sqdj.core.pii import EncryptedCharField, blind_index, mask_phone
from sqdj.core.scope import FewRows

from .choices import (
    AgreementKind,
    Authority,
    ChangeKind,
    CouncilKind,
    DecisionStatus,
    Industry,
    InstructorKind,
    IntakeStatus,
    ListCategory,
    NeedStatus,
    Premises,
    ProjectStatus,
    UnitCategory,
    UnitSize,
    UnitStatus,
)


class Unit(ChangeLoggedModel):
    """A unit located in the territory (单位 / 驻区单位), keyed by its 统一社会信用代码 (interfaces.md §2 `units`)."""

    name = models.CharField(_("unit name"), max_length=200, db_index=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    category = models.CharField(_("unit category"), max_length=30, choices=UnitCategory.choices, db_index=True)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("located in area"), on_delete=models.PROTECT, related_name="units"
    )
    employees = models.PositiveIntegerField(_("employees"))
    party_members = models.PositiveIntegerField(_("party members"))
    # 正式党员人数 when known (the template's 党员人数 counts every member; the ≥3 rule counts full members only)
    full_members = models.PositiveIntegerField(_("of whom full members"), null=True, blank=True)
    # the unit's party org: its own, or the 联合党支部 it belongs to (empty: 未建立党组织)
    org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("party organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = EncryptedCharField(_("contact phone"), masker=mask_phone, blank=True)
    contact_phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=UnitSize.choices, blank=True)
    legal_rep_is_member = models.BooleanField(_("legal representative is a party member"), null=True, blank=True)
    principal_is_member = models.BooleanField(_("investor or principal is a party member"), null=True, blank=True)
    has_trade_union = models.BooleanField(_("has a trade union"), null=True, blank=True)
    has_youth_league = models.BooleanField(_("has a Communist Youth League organization"), null=True, blank=True)
    has_womens_federation = models.BooleanField(_("has a women's federation organization"), null=True, blank=True)
    premises = models.CharField(_("premises"), max_length=10, choices=Premises.choices, blank=True)
    building = models.CharField(_("office building or park"), max_length=100, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=UnitStatus.choices, default=UnitStatus.OPERATING, db_index=True
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    ended_on = models.DateField(_("deregistered or moved out on"), null=True, blank=True)

    scope_org_field = "org"
    scope_area_field = "area"
    scope_guidance = True  # the guide of the unit's org sees the unit, read only

    @classmethod
    def scope_org_q(cls, org, descendants):
        """The units whose party org is the anchor's (or below it): beside the territory's own units, a few held
        from outside it (core.paging reads them apart, after the territory's, which it walks by name)."""
        return FewRows(org__path__startswith=org.path) if descendants else FewRows(org=org)

    scope_self_roles = (Role.UNIT_CONTACT,)

    @classmethod
    def scope_self_q(cls, user):
        """A liaison (`unit_contact`) sees their own unit."""
        return Q(contacts__user=user, contacts__ended_on__isnull=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["area", "category"], name="units_area_category")]
        constraints = [
            models.CheckConstraint(
                condition=Q(party_members__lte=models.F("employees")), name="units_members_within_employees"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.contact_phone_index = blind_index(self.contact_phone) if self.contact_phone else ""
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("units:unit", args=[self.pk])

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def is_neworg(self) -> bool:
        return self.category in (UnitCategory.NON_PUBLIC_ENTERPRISE, UnitCategory.SOCIAL_ORGANIZATION)


class UnitContact(ChangeLoggedModel):
    """A unit's liaison as a user of sqdj (role `unit_contact`): sees the unit's own part only."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="contacts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="unit_contacts"
    )
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    scope_org_field = "unit__org"
    scope_area_field = "unit__area"

    class Meta:
        verbose_name = _("unit liaison account")
        verbose_name_plural = _("unit liaison accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "user"], condition=Q(ended_on__isnull=True), name="units_one_open_contact"
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.unit}"

    def get_absolute_url(self):
        return self.unit.get_absolute_url()


class Instructor(ChangeLoggedModel):
    """党建工作指导员 / 联络员 assigned to a unit (a party member or not), with dates: 工作覆盖 while assigned."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="instructors")
    kind = models.CharField(_("kind"), max_length=20, choices=InstructorKind.choices, default=InstructorKind.INSTRUCTOR)
    name = models.CharField(_("name"), max_length=50)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("party member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="instructor_assignments",
    )
    sent_by = models.CharField(_("sent by"), max_length=100, blank=True)
    phone = EncryptedCharField(_("phone number"), masker=mask_phone, blank=True)
    started_on = models.DateField(_("assigned on"))
    ended_on = models.DateField(_("assignment ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason the assignment ended"), max_length=200, blank=True)

    scope_org_field = "unit__org"
    scope_area_field = "unit__area"

    scope_self_roles = (Role.UNIT_CONTACT,)

    @classmethod
    def scope_self_q(cls, user):
        return Q(unit__contacts__user=user, unit__contacts__ended_on__isnull=True)

    class Meta:
        verbose_name = _("party-building instructor")
        verbose_name_plural = _("party-building instructors")
        ordering = ["unit", "-started_on", "pk"]
        indexes = [models.Index(fields=["unit"], condition=Q(ended_on__isnull=True), name="units_instr_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="units_instructor_dates",
            )
        ]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"

    def get_absolute_url(self):
        return reverse("units:instructor", args=[self.pk])

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class Visit(ChangeLoggedModel):
    """An instructor's visit to the unit: what was done and the next step."""

    instructor = models.ForeignKey(
        Instructor, verbose_name=_("instructor"), on_delete=models.CASCADE, related_name="visits"
    )
    visited_on = models.DateField(_("visited on"))
    content = models.TextField(_("what was done"))
    next_step = models.CharField(_("next step"), max_length=200, blank=True)

    scope_org_field = "instructor__unit__org"
    scope_area_field = "instructor__unit__area"

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]

    def __str__(self):
        return f"{self.instructor.name} {self.visited_on}"

    def get_absolute_url(self):
        return self.instructor.get_absolute_url()


class AuthorityEntry(ChangeLoggedModel):
    """A line of a registration authority's list (市场监管 / 民政, 双向联系): a unit newly registered in the territory
    (待对接 for the subdistrict until contact is made, due by `unit.intake_days`) or deregistered (its unit ends; its
    coverage records close; its org is flagged for handling). Matched to the unit by 统一社会信用代码."""

    authority = models.CharField(_("registration authority"), max_length=30, choices=Authority.choices)
    kind = models.CharField(_("type of change"), max_length=20, choices=ChangeKind.choices)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, db_index=True)
    name = models.CharField(_("unit name"), max_length=200)
    # as the list gives them, kept with the line (an entry whose code is unknown has no unit to read them from)
    category = models.CharField(_("unit category"), max_length=30, choices=UnitCategory.choices, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    changed_on = models.DateField(_("registered or deregistered on"))
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("located in area"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="authority_entries"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=IntakeStatus.choices, default=IntakeStatus.PENDING, db_index=True
    )
    due_on = models.DateField(_("contact due by"), null=True, blank=True)
    contacted_on = models.DateField(_("contacted on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope_area_field = "area"
    scope_org_field = "unit__org"

    class Meta:
        verbose_name = _("registration authority list entry")
        verbose_name_plural = _("registration authority list entries")
        ordering = ["-changed_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code", "kind", "changed_on"], name="units_authority_entry_once")
        ]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"

    def get_absolute_url(self):
        return reverse("units:authorityentry", args=[self.pk])


class Council(ChangeLoggedModel):
    """联席会 / 协调委员会 / 大工委: convened by a community org or a subdistrict committee, with member units."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("convening organization"), on_delete=models.PROTECT, related_name="councils"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=CouncilKind.choices)
    name = models.CharField(_("name"), max_length=100)
    term_started_on = models.DateField(_("current term started on"))
    term_ends_on = models.DateField(_("current term ends on"), null=True, blank=True)
    ended_on = models.DateField(_("dissolved on"), null=True, blank=True)

    scope_org_field = "org"

    scope_self_roles = (Role.UNIT_CONTACT,)

    @classmethod
    def scope_self_q(cls, user):
        return Q(pk__in=CouncilMember.objects.filter(
            unit__contacts__user=user, unit__contacts__ended_on__isnull=True
        ).values("council"))  # fmt: skip

    class Meta:
        verbose_name = _("joint council")
        verbose_name_plural = _("joint councils")
        ordering = ["org", "name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("units:council", args=[self.pk])


class CouncilMember(ChangeLoggedModel):
    """A member of a council: a unit (or a party org, e.g. a community's in a 大工委) and its representative."""

    council = models.ForeignKey(Council, verbose_name=_("council"), on_delete=models.CASCADE, related_name="members")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="councils"
    )
    org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("party organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="council_seats",
    )
    representative = models.CharField(_("representative"), max_length=50)
    title = models.CharField(_("title"), max_length=100, blank=True)
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    scope_org_field = "council__org"

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["council", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, org__isnull=True) | Q(unit__isnull=True, org__isnull=False),
                name="units_council_member_unit_or_org",
            )
        ]

    def __str__(self):
        return f"{self.unit or self.org}：{self.representative}"

    def get_absolute_url(self):
        return self.council.get_absolute_url()


class CouncilMeeting(ChangeLoggedModel):
    """A meeting of a council: agenda, who attended, minutes."""

    council = models.ForeignKey(Council, verbose_name=_("council"), on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    agenda = models.TextField(_("agenda"))
    minutes = models.TextField(_("minutes"), blank=True)
    attendees = models.ManyToManyField(CouncilMember, verbose_name=_("attended"), blank=True, related_name="+")

    scope_org_field = "council__org"

    class Meta:
        verbose_name = _("council meeting")
        verbose_name_plural = _("council meetings")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.council} {self.held_on}"

    def get_absolute_url(self):
        return reverse("units:councilmeeting", args=[self.pk])


class Decision(ChangeLoggedModel):
    """议定事项: a council decision with an owner unit and a due date, followed to closure (open → in progress →
    done / dropped with a reason; choices.DECISION_TRANSITIONS). `version` makes two updates of one decision one
    success and one conflict."""

    council = models.ForeignKey(Council, verbose_name=_("council"), on_delete=models.CASCADE, related_name="decisions")
    meeting = models.ForeignKey(
        CouncilMeeting,
        verbose_name=_("decided at"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )
    title = models.CharField(_("decision"), max_length=200)
    detail = models.TextField(_("detail"), blank=True)
    owner = models.ForeignKey(Unit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="decisions")
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=20, choices=DecisionStatus.choices, default=DecisionStatus.OPEN, db_index=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    status_note = models.CharField(_("progress note or reason"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    scope_org_field = "council__org"

    scope_self_roles = (Role.UNIT_CONTACT,)

    @classmethod
    def scope_self_q(cls, user):
        return Q(owner__contacts__user=user, owner__contacts__ended_on__isnull=True)

    class Meta:
        verbose_name = _("council decision")
        verbose_name_plural = _("council decisions")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("units:decision", args=[self.pk])


class Agreement(ChangeLoggedModel):
    """共建协议 / 结对共建 between a community org and units: term, each side's commitments, yearly reviews."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("party organization"), on_delete=models.PROTECT, related_name="agreements"
    )
    units = models.ManyToManyField(Unit, verbose_name=_("units"), related_name="agreements")
    kind = models.CharField(_("kind"), max_length=20, choices=AgreementKind.choices, default=AgreementKind.AGREEMENT)
    title = models.CharField(_("title"), max_length=200)
    number = models.CharField(_("agreement number"), max_length=40, blank=True)
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    org_commitments = models.TextField(_("commitments of the party organization"))
    unit_commitments = models.TextField(_("commitments of the units"))
    ended_on = models.DateField(_("ended early on"), null=True, blank=True)

    scope_org_field = "org"

    scope_self_roles = (Role.UNIT_CONTACT,)

    @classmethod
    def scope_self_q(cls, user):
        return Q(pk__in=Agreement.units.through.objects.filter(
            unit__contacts__user=user, unit__contacts__ended_on__isnull=True
        ).values("agreement"))  # fmt: skip

    class Meta:
        verbose_name = _("co-building agreement")
        verbose_name_plural = _("co-building agreements")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="units_agreement_dates")
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("units:agreement", args=[self.pk])


class AgreementReview(ChangeLoggedModel):
    """The yearly review note of an agreement."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="reviews"
    )
    year = models.PositiveIntegerField(_("year"))
    reviewed_on = models.DateField(_("reviewed on"))
    note = models.TextField(_("review"))

    scope_org_field = "agreement__org"

    class Meta:
        verbose_name = _("agreement review")
        verbose_name_plural = _("agreement reviews")
        ordering = ["agreement", "-year"]
        constraints = [models.UniqueConstraint(fields=["agreement", "year"], name="units_one_review_a_year")]

    def __str__(self):
        return f"{self.agreement} {self.year}"

    def get_absolute_url(self):
        return self.agreement.get_absolute_url()


class Need(ChangeLoggedModel):
    """需求清单: what the community needs — what, for whom, when, how many people."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("party organization"), on_delete=models.PROTECT, related_name="needs"
    )
    area = models.ForeignKey("areas.Area", verbose_name=_("where"), on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=20, choices=ListCategory.choices)
    title = models.CharField(_("need"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    beneficiaries = models.CharField(_("for whom"), max_length=200)
    wanted_from = models.DateField(_("wanted from"), null=True, blank=True)
    wanted_until = models.DateField(_("wanted until"), null=True, blank=True)
    people = models.PositiveIntegerField(_("people to serve"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN, db_index=True
    )

    scope_org_field = "org"
    scope_area_field = "area"

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("units:need", args=[self.pk])


class Resource(ChangeLoggedModel):
    """资源清单: what a unit offers — a venue (capacity, opening times), funds, volunteers, skills."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="resources")
    category = models.CharField(_("category"), max_length=20, choices=ListCategory.choices)
    title = models.CharField(_("resource"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity (people)"), null=True, blank=True)
    opening_hours = models.CharField(_("opening times"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    people = models.PositiveIntegerField(_("volunteers offered"), null=True, blank=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    active = models.BooleanField(_("offered"), default=True)

    scope_org_field = "unit__org"
    scope_area_field = "unit__area"

    scope_self_roles = (Role.UNIT_CONTACT,)

    @classmethod
    def scope_self_q(cls, user):
        return Q(unit__contacts__user=user, unit__contacts__ended_on__isnull=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("units:resource", args=[self.pk])


class Project(ChangeLoggedModel):
    """项目清单: a project matching a need with one or more resources of units in the community's territory."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("party organization"), on_delete=models.PROTECT, related_name="projects"
    )
    need = models.ForeignKey(
        Need, verbose_name=_("need"), on_delete=models.PROTECT, null=True, blank=True, related_name="projects"
    )
    resources = models.ManyToManyField(Resource, verbose_name=_("resources"), blank=True, related_name="projects")
    title = models.CharField(_("project"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED, db_index=True
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    people_served = models.PositiveIntegerField(_("people served"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    scope_org_field = "org"

    scope_self_roles = (Role.UNIT_CONTACT,)

    @classmethod
    def scope_self_q(cls, user):
        return Q(pk__in=Project.resources.through.objects.filter(
            resource__unit__contacts__user=user, resource__unit__contacts__ended_on__isnull=True
        ).values("project"))  # fmt: skip

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="units_project_dates",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("units:project", args=[self.pk])
