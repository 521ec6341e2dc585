"""Serving residents (issue 17): residents' requests (群众诉求 / 社情民意) followed to closure, the 12345 hotline's
work orders (接诉即办) placed and answered, and the service stations (党群服务中心 / 党员服务站).

Residents' personal data is kept to what the case needs: a request's contact is a name and a phone number, both
optional, encrypted at rest and masked in every output, and kept only with the resident's consent recorded
(version, time, channel). Nothing about a resident's religion, beliefs or political views has a field here.

Scope (core.scope): a request belongs to the area it is placed in — a community or below it; a work order not yet
placed waits at the subdistrict it was dispatched to (`placed` False). The branch, member or unit it is assigned to
read it: the branch through `scope_view_org_fields`, the member and the unit's liaison through their self scope."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.accounts.roles import Role
from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core.files import private_storage
from sqdj.core.models import BaseModel, ChangeLoggedModel
from sqdj.core.pii import EncryptedCharField, mask_name, mask_phone
from sqdj.members.communities import own_communities
from sqdj.members.models import Member

from .choices import (
    ACTIVE_CLAIMS,
    ClaimState,
    Hardship,
    HouseholdEnd,
    HouseholdState,
    LegalBasis,
    RequestKind,
    RequestState,
    ReviewOutcome,
    Satisfaction,
    Source,
    SupportKind,
    Urgency,
)

STEPLEN = 4  # the trees' materialized path step (core.models.TreeNode)


class Category(ChangeLoggedModel):
    """The catalogue of request categories (诉求类别): the deployment's (no org), and an org's own for its subtree.
    Due days per category are the rulebook's (`services.request_due_days`), keyed by `code`."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("party organization"), on_delete=models.PROTECT, null=True,
                            blank=True, related_name="+")  # fmt: skip
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    active = models.BooleanField(_("active"), default=True)

    scope_org_field = "org"

    @classmethod
    def scope_org_q(cls, org, descendants):
        """Every user with a role sees the deployment's categories and those of the orgs above and below them."""
        above = [org.path[:i] for i in range(STEPLEN, len(org.path) + 1, STEPLEN)]
        q = Q(org__isnull=True) | Q(org__path__in=above)
        return q | Q(org__path__startswith=org.path) if descendants else q

    class Meta:
        verbose_name = _("request category")
        verbose_name_plural = _("request categories")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("services:category", args=[self.pk])


class Station(ChangeLoggedModel):
    """A service place (党群服务中心 / 党员服务站 / 便民服务网点): where, when open, what it offers, whom to call. Shown
    on the community's public page when `public`; a request may be taken at a station."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("party organization"), on_delete=models.PROTECT,
                            related_name="+")  # fmt: skip
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    services = models.TextField(_("services offered"), blank=True)
    phone = models.CharField(_("station phone"), max_length=30, blank=True)  # the station's, never a person's
    public = models.BooleanField(_("shown on the public page"), default=True)
    active = models.BooleanField(_("active"), default=True)

    scope_org_field = "org"
    scope_area_field = "area"

    class Meta:
        verbose_name = _("service station")
        verbose_name_plural = _("service stations")
        ordering = ["area__path", "name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("services:station", args=[self.pk])


class Request(ChangeLoggedModel):
    """A resident's request (or a 微心愿, kind `wish`), from intake to closure: categorised, placed in an area,
    routed to the community's org, assigned, each step dated with who (RequestStep), due by its category's days,
    escalated to the subdistrict when late, rated by the resident and reopened when 不满意."""

    number = models.CharField(_("request number"), max_length=20, unique=True)  # staff's: SQ2026-000123 + check
    # the public tracking code: random, so that guessing one finds nothing (the status page shows no person anyway)
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=RequestKind.choices, default=RequestKind.REQUEST)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="requests")  # fmt: skip
    summary = models.CharField(_("summary"), max_length=100)  # shown in public when `public`: scanned
    description = models.TextField(_("description"))
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    placed = models.BooleanField(_("placed"), default=True)  # False: a work order waiting at its subdistrict
    location = models.CharField(_("location"), max_length=200, blank=True)  # where the matter is, not who
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    source = models.CharField(_("request source"), max_length=10, choices=Source.choices)
    station = models.ForeignKey(Station, verbose_name=_("taken at station"), on_delete=models.PROTECT, null=True,
                                blank=True, related_name="requests")  # fmt: skip
    # the resident's contact: optional, minimal, encrypted, masked; kept with consent only
    contact_name = EncryptedCharField(_("contact name"), masker=mask_name, blank=True)
    contact_phone = EncryptedCharField(_("contact phone"), masker=mask_phone, blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=20, blank=True)
    public = models.BooleanField(_("on the public list"), default=False)
    # a wish's 'for whom': an anonymous label (某独居老人), never a name; its 'by when' is due_at
    beneficiary = models.CharField(_("for whom"), max_length=50, blank=True)
    visit = models.ForeignKey("Visit", verbose_name=_("opened from visit"), on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="requests")  # fmt: skip
    household = models.ForeignKey("Household", verbose_name=_("household helped"), on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="requests")  # fmt: skip
    # the responsible community org (from the area); empty while a work order waits to be placed
    org = models.ForeignKey("orgs.Org", verbose_name=_("responsible organization"), on_delete=models.PROTECT,
                            null=True, blank=True, related_name="+")  # fmt: skip
    # assigned to one of: a branch, a member, a unit, a council project (the units app's, by name: a sibling)
    assigned_org = models.ForeignKey("orgs.Org", verbose_name=_("assigned branch"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")  # fmt: skip
    assigned_member = models.ForeignKey(Member, verbose_name=_("assigned party member"), on_delete=models.PROTECT,
                                        null=True, blank=True, related_name="+")  # fmt: skip
    assigned_unit = models.ForeignKey("units.Unit", verbose_name=_("assigned unit"), on_delete=models.PROTECT,
                                      null=True, blank=True, related_name="+")  # fmt: skip
    assigned_project = models.ForeignKey("units.Project", verbose_name=_("assigned co-building project"),
                                         on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+")  # fmt: skip
    state = models.CharField(_("state"), max_length=20, choices=RequestState.choices, default=RequestState.RECEIVED)
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("due at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    resolution = models.TextField(_("handling outcome"), blank=True)  # 办理结果 (the work order's reply)
    end_reason = models.CharField(_("why it was referred or declined"), max_length=200, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # 不满意 answers in a row (a satisfied answer resets it): the hotline's red warning at the rulebook's count
    unsatisfied_streak = models.PositiveSmallIntegerField(_("unsatisfied in a row"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")  # fmt: skip

    # the public tracking code is the resident's key to the status page: never copied into the change history
    change_log_exclude = (*ChangeLoggedModel.change_log_exclude, "tracking_code")
    scope_area_field = "area"
    scope_view_org_fields = ("assigned_org",)  # the assigned branch reads it (and acts through the services)
    scope_self_roles = (Role.MEMBER, Role.UNIT_CONTACT)
    pii_reveal_only = ()

    @classmethod
    def scope_self_q(cls, user):
        """The member it is assigned to, and the liaison of the unit it is assigned to; a 微心愿 also to whom may
        claim it (open, in their communities) and to whom claimed it (their claim's own self scope)."""
        assigned = Q(assigned_member__user=user) | Q(
            assigned_unit__contacts__user=user, assigned_unit__contacts__ended_on__isnull=True
        )
        claimed = Q(
            kind=RequestKind.WISH, pk__in=WishClaim.objects.filter(WishClaim.scope_self_q(user)).values("request")
        )
        return assigned | claimed | wish_claimable_q(user)

    class Meta:
        verbose_name = _("resident request")
        verbose_name_plural = _("resident requests")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["area", "state"], name="services_request_area_state"),
            models.Index(fields=["state", "due_at"], name="services_request_state_due"),
            models.Index(fields=["received_at"], name="services_request_received"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(due_at__gte=models.F("received_at")), name="services_request_due"),
        ]

    def __str__(self):
        return f"{self.number} {self.summary}"

    def get_absolute_url(self):
        return reverse("services:request", args=[self.pk])

    @property
    def contact_name_masked(self) -> str:
        return mask_name(self.contact_name)

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)


WISH_OPEN = (RequestState.RECEIVED, RequestState.ACCEPTED)  # a wish waiting for its claimant


def wish_claimable_q(user) -> Q:
    """The open wishes a member or a unit's liaison may claim for themself (their unit): those of the communities the
    member belongs to (registered there, or their org's) and of the community the unit stands in."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    ids = set(own_communities(user))
    units = apps.get_model("units", "Unit").objects.filter(contacts__user=user, contacts__ended_on__isnull=True)
    paths = {path for path in units.values_list("area__path", flat=True) if path}
    above_units = [path[:n] for path in paths for n in range(STEPLEN, len(path) + 1, STEPLEN)]
    communities = Area.objects.filter(Q(pk__in=ids) | Q(path__in=above_units), type=AreaType.COMMUNITY)
    under = [Q(area__path__startswith=path) for path in communities.values_list("path", flat=True)]
    if not under:
        return Q(pk__in=[])
    return Q(kind=RequestKind.WISH, state__in=WISH_OPEN) & reduce(or_, under)


class RequestStep(BaseModel):
    """One step of a request: the state it went to, when, by whom, the note (a public note shows on the status
    page: it is scanned for ID and phone numbers and refused when it holds one)."""

    request = models.ForeignKey(Request, verbose_name=_("resident request"), on_delete=models.CASCADE,
                                related_name="steps")  # fmt: skip
    state = models.CharField(_("state"), max_length=20, choices=RequestState.choices)
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True,
                           blank=True, related_name="+")  # fmt: skip
    note = models.CharField(_("note"), max_length=500, blank=True)
    public_note = models.CharField(_("public note"), max_length=300, blank=True)

    scope_area_field = "request__area"
    scope_view_org_fields = ("request__assigned_org",)
    scope_self_roles = (Role.MEMBER, Role.UNIT_CONTACT)

    class Meta:
        verbose_name = _("request step")
        verbose_name_plural = _("request steps")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.request.number} {self.get_state_display()}"

    def get_absolute_url(self):
        return self.request.get_absolute_url()

    @classmethod
    def scope_self_q(cls, user):
        return Q(request__assigned_member__user=user) | Q(
            request__assigned_unit__contacts__user=user, request__assigned_unit__contacts__ended_on__isnull=True
        )


class WorkOrder(ChangeLoggedModel):
    """A 12345 hotline work order as the city's platform dispatched it (interfaces.md §2 `workorders`), keyed by its
    number: a second import updates it, never duplicates it. Its handling is its request (one to one): placed in an
    area by 区域编码 or by the address, or waiting at the subdistrict (待分派)."""

    number = models.CharField(_("work order number"), max_length=40, unique=True)  # 工单编号
    received_at = models.DateTimeField(_("received at"))  # 受理时间
    category_text = models.CharField(_("category as dispatched"), max_length=50)  # 诉求类别
    content = models.TextField(_("request content"))  # 诉求内容
    address = models.CharField(_("address"), max_length=200, blank=True)  # 地址
    dispatched_to = models.ForeignKey(
        Area, verbose_name=_("dispatched to"), on_delete=models.PROTECT, related_name="+"
    )  # fmt: skip  (承办单位: the subdistrict)
    due_at = models.DateTimeField(_("due at"))  # 办理时限
    area_code = models.CharField(_("area code as dispatched"), max_length=40, blank=True)  # 区域编码
    request = models.OneToOneField(Request, verbose_name=_("resident request"), on_delete=models.PROTECT,
                                   related_name="work_order")  # fmt: skip

    scope_area_field = "request__area"
    scope_view_org_fields = ("request__assigned_org",)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return self.request.get_absolute_url()


# ---- 微心愿: a wish's claim -----------------------------------------------------------------------------------------


class Helper(models.Model):
    """Who helps (one of): a party member, a branch or other org, a unit (the units app's, by name: a sibling); a
    wish's claim may also be a service team's."""

    member = models.ForeignKey(Member, verbose_name=_("party member"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")  # fmt: skip
    org = models.ForeignKey("orgs.Org", verbose_name=_("party organization"), on_delete=models.PROTECT, null=True,
                            blank=True, related_name="+")  # fmt: skip
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")  # fmt: skip

    class Meta:
        abstract = True

    @classmethod
    def scope_self_q(cls, user):
        """The helper's own: the member themself, the liaison of the unit (while the liaison)."""
        return Q(member__user=user) | Q(unit__contacts__user=user, unit__contacts__ended_on__isnull=True)

    @property
    def helper(self):
        return self.member or self.org or self.unit or getattr(self, "team", None)


def wish_photo_path(instance, filename):  # the service names the file (core.files.private_name)
    return filename


class WishClaim(Helper, ChangeLoggedModel):
    """A member, a service team or a unit claims a 微心愿 and fulfils it (with a photo, optional, kept privately);
    a withdrawn claim opens the wish again. A member's fulfilment counts in the member's service record (the hours
    given; core.plugins.service_rendered)."""

    request = models.ForeignKey(Request, verbose_name=_("small wish"), on_delete=models.CASCADE,
                                related_name="claims")  # fmt: skip
    team = models.ForeignKey("volunteers.Team", verbose_name=_("service team"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")  # fmt: skip
    state = models.CharField(_("state"), max_length=12, choices=ClaimState.choices, default=ClaimState.CLAIMED)
    claimed_at = models.DateTimeField(_("claimed at"))
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("claimed by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")  # fmt: skip
    fulfilled_on = models.DateField(_("fulfilled on"), null=True, blank=True)
    fulfilment = models.CharField(_("how it was fulfilled"), max_length=300, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1, null=True, blank=True)
    photo = models.FileField(_("photo"), storage=private_storage, upload_to=wish_photo_path, max_length=100,
                             blank=True)  # fmt: skip
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_area_field = "request__area"
    scope_self_roles = (Role.MEMBER, Role.UNIT_CONTACT)

    class Meta:
        verbose_name = _("wish claim")
        verbose_name_plural = _("wish claims")
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=Q(state__in=ACTIVE_CLAIMS), name="services_one_wish_claim",
                violation_error_message=_("This wish has been claimed already."),
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | Q(org__isnull=False) | Q(unit__isnull=False)
                | Q(team__isnull=False), name="services_wishclaim_helper",
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.request.number} · {self.helper}"

    def get_absolute_url(self):
        return self.request.get_absolute_url()


# ---- 帮扶: households in hardship --------------------------------------------------------------------------------


class Household(ChangeLoggedModel):
    """A household in hardship, with only what help needs: a contact person (encrypted, masked), where (an area down
    to the building, and the room), the kinds of hardship (a fixed list), the legal basis for keeping it (consent,
    with its time and text version, or a legal duty). Every view of its details is logged (audit `sensitive_view`).
    Closed, it is kept for the rulebook's retention (`services.household_retention_years`), then anonymised by the
    daily job: contact, room and notes wiped, the figures kept."""

    number = models.CharField(_("household number"), max_length=20, unique=True)  # HH2026000012 + check
    org = models.ForeignKey("orgs.Org", verbose_name=_("responsible organization"), on_delete=models.PROTECT,
                            related_name="+")  # fmt: skip
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    room = models.CharField(_("room"), max_length=30, blank=True)  # 3单元502: with the area, where to knock
    contact_name = EncryptedCharField(_("contact name"), masker=mask_name, blank=True)
    contact_phone = EncryptedCharField(_("contact phone"), masker=mask_phone, blank=True)
    size = models.PositiveSmallIntegerField(_("household size"), null=True, blank=True)
    hardships = models.JSONField(_("kinds of hardship"), default=list)  # codes of choices.Hardship
    needs = models.CharField(_("what help is needed"), max_length=300, blank=True)
    basis = models.CharField(_("legal basis"), max_length=12, choices=LegalBasis.choices)
    basis_note = models.CharField(_("basis detail"), max_length=200, blank=True)  # the law, or the consent's form
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=20, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=HouseholdState.choices, default=HouseholdState.OPEN)
    opened_on = models.DateField(_("help started on"))
    closed_on = models.DateField(_("help ended on"), null=True, blank=True)
    end_reason = models.CharField(_("why help ended"), max_length=12, choices=HouseholdEnd.choices, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    visit = models.ForeignKey("Visit", verbose_name=_("opened from visit"), on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="households_opened")  # fmt: skip
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")  # fmt: skip

    scope_area_field = "area"
    scope_self_roles = (Role.MEMBER, Role.UNIT_CONTACT)
    pii_reveal_only = ()
    change_log_choices = {"hardships": Hardship}  # the change history names the kinds (core.changelog)

    @classmethod
    def scope_self_q(cls, user):
        """The member paired with it, and the liaison of the unit paired with it, while the pairing lasts."""
        return Q(assistances__member__user=user, assistances__ended_on__isnull=True) | Q(
            assistances__unit__contacts__user=user, assistances__unit__contacts__ended_on__isnull=True,
            assistances__ended_on__isnull=True,
        )  # fmt: skip

    class Meta:
        verbose_name = _("household in hardship")
        verbose_name_plural = _("households in hardship")
        ordering = ["area__path", "number"]
        indexes = [
            models.Index(fields=["state", "closed_on"], name="services_household_closed"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("services:household", args=[self.pk])

    @property
    def contact_name_masked(self) -> str:
        return mask_name(self.contact_name)

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)


class Assistance(Helper, ChangeLoggedModel):
    """A pairing (结对帮扶): a member, a branch or other org, or a unit helps a household, from a day to a day."""

    household = models.ForeignKey(Household, verbose_name=_("household in hardship"), on_delete=models.CASCADE,
                                  related_name="assistances")  # fmt: skip
    started_on = models.DateField(_("paired on"))
    ended_on = models.DateField(_("pairing ended on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope_area_field = "household__area"
    scope_self_roles = (Role.MEMBER, Role.UNIT_CONTACT)

    class Meta:
        verbose_name = _("assistance pairing")
        verbose_name_plural = _("assistance pairings")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False) | Q(org__isnull=False) | Q(unit__isnull=False),
                name="services_assistance_helper",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="services_assistance_dates",
            ),
        ]

    def __str__(self):
        return f"{self.household} · {self.helper}"

    def get_absolute_url(self):
        return self.household.get_absolute_url()


class Support(Helper, ChangeLoggedModel):
    """Support given to a household: when, what, by whom (a member, an org or a unit), the amount where money."""

    household = models.ForeignKey(Household, verbose_name=_("household in hardship"), on_delete=models.CASCADE,
                                  related_name="supports")  # fmt: skip
    given_on = models.DateField(_("given on"))
    kind = models.CharField(_("kind of support"), max_length=10, choices=SupportKind.choices)
    what = models.CharField(_("what was given"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    visit = models.ForeignKey("Visit", verbose_name=_("during visit"), on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="supports")  # fmt: skip
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip

    scope_area_field = "household__area"
    scope_self_roles = (Role.MEMBER, Role.UNIT_CONTACT)

    class Meta:
        verbose_name = _("support given")
        verbose_name_plural = _("support given")
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0), name="services_support_amount"),
        ]
        indexes = [models.Index(fields=["given_on"], name="services_support_given")]

    def __str__(self):
        return f"{self.household} · {self.given_on} · {self.what}"

    def get_absolute_url(self):
        return self.household.get_absolute_url()


class HouseholdReview(ChangeLoggedModel):
    """The yearly review (年度复核) of a household's help: continue, or end it."""

    household = models.ForeignKey(Household, verbose_name=_("household in hardship"), on_delete=models.CASCADE,
                                  related_name="reviews")  # fmt: skip
    year = models.PositiveSmallIntegerField(_("year"))
    reviewed_on = models.DateField(_("reviewed on"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=ReviewOutcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip

    scope_area_field = "household__area"

    class Meta:
        verbose_name = _("yearly review")
        verbose_name_plural = _("yearly reviews")
        ordering = ["-year", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year"], name="services_one_review_a_year",
                violation_error_message=_("This household has been reviewed for this year already."),
            )
        ]  # fmt: skip

    def __str__(self):
        return f"{self.household} · {self.year}"

    def get_absolute_url(self):
        return self.household.get_absolute_url()


# ---- 走访: visits -------------------------------------------------------------------------------------------------


class Visit(ChangeLoggedModel):
    """A visit (走访, "进百家门"): when, where (an area down to the building, or a household), who visited (members,
    and others by role), what was heard — the matter, not who said it. A request or a household's help can be
    opened from it in one step (Request.visit, Household.visit)."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("party organization"), on_delete=models.PROTECT,
                            related_name="+")  # fmt: skip
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, verbose_name=_("household in hardship"), on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="visits")  # fmt: skip
    visited_on = models.DateField(_("visited on"))
    visitors = models.ManyToManyField(Member, verbose_name=_("visiting members"), blank=True, related_name="+")
    other_visitors = models.CharField(_("other visitors"), max_length=100, blank=True)  # 网格员, 居委会 (roles)
    heard = models.TextField(_("what was heard"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip

    scope_area_field = "area"

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["area", "visited_on"], name="services_visit_area_day")]

    def __str__(self):
        return f"{self.visited_on} · {self.area}"

    def get_absolute_url(self):
        return reverse("services:visit", args=[self.pk])


__all__ = ["Assistance", "Category", "Household", "HouseholdReview", "Request", "RequestStep", "Satisfaction",
           "Station", "Support", "Visit", "WishClaim", "WorkOrder"]  # fmt: skip
