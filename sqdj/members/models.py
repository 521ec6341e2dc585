from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.accounts.roles import Role
from sqdj.core.models import BaseModel, ChangeLoggedModel
from sqdj.core.pii import EncryptedCharField, blind_index, mask_id_number, mask_phone
from sqdj.core.querysets import InList, outside_subtree
from sqdj.core.scope import FewRows

from .choices import (
    EFFECT,
    Category,
    Education,
    EventKind,
    MemberType,
    RegistrationEnd,
    RegistrationStatus,
    Sex,
    Standing,
    StateKind,
    WorkStatus,
)
from .pinyin import name_pinyin

# --- suffix search (issue 14): the last 4 characters of an ID number / digits of a phone number, as keyed indexes ---
SUFFIX_LENGTH = 4


def id_number_suffix_text(value: str | None) -> str:
    """What the index of an ID number's last 4 characters is the keyed hash of ("" for no number): a prefix of its
    own, so that it never equals the index of another kind of value (core.pii.blind_index)."""
    value = (value or "").strip().upper()
    return f"id-suffix:{value[-SUFFIX_LENGTH:]}" if len(value) >= SUFFIX_LENGTH else ""


def phone_suffix_text(value: str | None) -> str:
    """The same for a phone number's last 4 digits (a landline's separators ignored)."""
    digits = "".join(c for c in value or "" if c.isdigit())
    return f"phone-suffix:{digits[-SUFFIX_LENGTH:]}" if len(digits) >= SUFFIX_LENGTH else ""


def id_number_suffix_index(value: str | None) -> str:
    """The keyed index of an ID number's last 4 characters (never stored plain): a search by them finds it."""
    text = id_number_suffix_text(value)
    return blind_index(text) if text else ""


def phone_suffix_index(value: str | None) -> str:
    """The keyed index of a phone number's last 4 digits."""
    text = phone_suffix_text(value)
    return blind_index(text) if text else ""


# --- end suffix search ---


class Member(ChangeLoggedModel):
    """A party member; the membership (组织关系) is held by `org`."""

    name = models.CharField(_("name"), max_length=50, db_index=True)
    name_pinyin = models.CharField(_("name in pinyin"), max_length=200, db_index=True, editable=False)
    name_initials = models.CharField(_("pinyin initials"), max_length=50, db_index=True, editable=False)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnic group"), max_length=20)
    id_number = EncryptedCharField(_("citizen ID number"), masker=mask_id_number)
    # (on PostgreSQL without the LIKE-pattern index Django adds beside the unique one: migration 0011)
    id_number_index = models.CharField(max_length=64, unique=True, editable=False)
    birth_date = models.DateField(_("date of birth"))
    education = models.CharField(_("education"), max_length=20, choices=Education.choices)
    member_type = models.CharField(_("member type"), max_length=20, choices=MemberType.choices)
    joined_on = models.DateField(_("joined the party on"))
    confirmed_on = models.DateField(_("became a full member on"), null=True, blank=True)
    # 延长预备期: once, by a branch general meeting (细则第三十二条); the probation then ends this much later
    probation_extended_months = models.PositiveSmallIntegerField(
        _("probation extended by (months)"), null=True, blank=True
    )
    work_status = models.CharField(
        _("work status"), max_length=20, choices=WorkStatus.choices, default=WorkStatus.OTHER
    )
    # 党员分类, the seeds' six: derived, never typed (services.derive_category from the work status and an open
    # outflow or inflow), stored so that the list filters and the statistics count it from the list index
    category = models.CharField(
        _("member category"), max_length=20, choices=Category.choices, default=Category.RESIDENT, editable=False
    )
    org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("party organization"),
        on_delete=models.PROTECT,
        related_name="members",
        db_index=False,  # the indexes below lead with it
    )
    home_area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area of residence"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
    )
    phone = EncryptedCharField(_("phone number"), masker=mask_phone, blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)  # (the same)
    # search by the last 4 digits (issue 14): keyed indexes, never the plain digits; a writer that leaves them
    # out (a bulk load) stores "" (db_default), which no search matches
    id_number_suffix_index = models.CharField(max_length=64, blank=True, default="", db_default="", editable=False)
    phone_suffix_index = models.CharField(max_length=64, blank=True, default="", db_default="", editable=False)
    work_unit = models.CharField(_("work unit"), max_length=200, blank=True)
    standing = models.CharField(
        _("membership standing"), max_length=20, choices=Standing.choices, default=Standing.ACTIVE
    )
    # the account of this very person, linked by an administrator (members.self_service.do_link_user): with the
    # self-service role (accounts.roles.Role.MEMBER) that user sees this record and nothing else
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        error_messages={"unique": _("This user account is already linked to another member.")},
    )

    # Members are seen through the org that holds the membership, and — to view only — by the residence
    # community they registered with (在职党员到社区报到); a self-service user sees their own record only.
    scope_org_field = "org"
    scope_area_actions = ("view",)
    # shown only to users who may reveal the record; others see the age (core.pii: the disclosure policy)
    pii_reveal_only = ("birth_date",)

    @classmethod
    def scope_area_q(cls, area, descendants, anchor=None):
        """The members registered with a community of the territory — of them only those whose org lies outside
        the anchor's own (`Registration.member_org`): the others come by the org path anyway. A district's 24,000
        registrations are then read from one index without looking up a member (the members outside: none)."""
        regs = Registration.objects.filter(active=True)
        if descendants:
            communities = type(area).objects.filter(path__startswith=area.path).values("pk")
            regs = regs.filter(InList("community_id", communities))
            if anchor is not None:
                regs = regs.filter(outside_subtree("member_org__path", anchor.path, anchor.alphabet))
        else:
            regs = regs.filter(community=area)
            if anchor is not None:
                regs = regs.exclude(member_org=anchor)
        return FewRows(pk__in=regs.values("member_id"))

    scope_self_roles = (Role.MEMBER,)

    @classmethod
    def scope_self_q(cls, user):
        return models.Q(user=user)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        # per-org counts (statistics, the checks' member counts) read only this index on PostgreSQL
        indexes = [
            models.Index(
                fields=["org", "standing", "member_type", "joined_on", "confirmed_on"], name="members_org_counts"
            ),
            # the member list: orgs walked along their path, each org's members in name order (core.paging); the
            # columns the list filters and searches on, and those the statistics count, ride along (PostgreSQL),
            # so that counting a filtered scope, skipping to a deep page and the statistics read the index alone
            models.Index(
                fields=["org", "name", "id"],
                include=[
                    "name_pinyin",
                    "name_initials",
                    "category",
                    "work_status",
                    "member_type",
                    "sex",
                    "education",
                    "standing",
                    "birth_date",
                    "confirmed_on",
                    "joined_on",
                    "ethnicity",
                ],  # fmt: skip
                name="members_list",
            ),
            # the list sorted by age: walked from the youngest or the oldest (a city's page 1 reads 50 rows, not
            # 1,000,000 to sort)
            models.Index(fields=["birth_date", "id"], name="members_birth_order"),
            # the list's search by the last 4 digits of an ID or phone number (the two ORed)
            models.Index(fields=["id_number_suffix_index"], name="members_id_suffix"),
            models.Index(fields=["phone_suffix_index"], name="members_phone_suffix"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("members:member", args=[self.pk])

    @staticmethod
    def index_of_id_number(value: str) -> str:
        """The blind index stored for an ID number (the key of imports and of the uniqueness rule)."""
        return blind_index((value or "").strip().upper())

    def id_number_index_value(self) -> str:
        return self.index_of_id_number(self.id_number)

    def fill_derived_fields(self) -> None:
        """The columns computed from others: normalized ID number, blind indexes, pinyin. `save()` calls it;
        bulk writes (the importer) call it themselves before `bulk_create`/`bulk_update`."""
        self.id_number = (self.id_number or "").strip().upper()
        self.id_number_index = self.id_number_index_value()
        self.phone_index = blind_index(self.phone) if self.phone else ""
        self.id_number_suffix_index = id_number_suffix_index(self.id_number)
        self.phone_suffix_index = phone_suffix_index(self.phone)
        self.name_pinyin, self.name_initials = name_pinyin(self.name)

    def save(self, *args, **kwargs):
        self.fill_derived_fields()
        super().save(*args, **kwargs)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class MembershipEvent(BaseModel):
    """The count ledger (党员增加/减少): only events that change a count, each on the org whose count it changes,
    written only by the services. The count of a subtree on a day is the sum of the effects up to that day
    (stats.ledger); what changes no count (a registration, the derived category) is in the change log."""

    member = models.ForeignKey(Member, verbose_name=_("party member"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=30, choices=EventKind.choices)
    date = models.DateField(_("date"))
    org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("party organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # members_ledger leads with it
    )
    # the database default too: the bulk writers (the importer, the demo) name only the columns they fill
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True, db_default="")
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # seen and counted through the org whose count the event changes
    scope_org_field = "org"

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("membership event")
        verbose_name_plural = _("membership ledger")
        # the reconciliation (stats.ledger) sums a subtree's events up to a day
        indexes = [models.Index(fields=["org", "date", "kind"], name="members_ledger")]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"

    @property
    def effect(self) -> int:
        """+1 (增加), −1 (减少) or 0 (预备党员转正), from the kind (0 for a kind the ledger does not know)."""
        return EFFECT.get(self.kind, 0)


class MemberState(ChangeLoggedModel):
    """A dated member state (留党察看, 停止党籍): in force from `starts_on` until the day before `ends_on` (open
    while None). It changes who may vote, not the count — 停止党籍 also writes its decrease in the ledger."""

    member = models.ForeignKey(Member, verbose_name=_("party member"), on_delete=models.CASCADE, related_name="states")
    kind = models.CharField(_("state"), max_length=30, choices=StateKind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    # what ended a suspension: restored, or — already off the count — died or one of the 出党 kinds (no second
    # decrease in the ledger)
    end_reason = models.CharField(_("ended by"), max_length=30, choices=EventKind.choices, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope_org_field = "member__org"

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("member state")
        verbose_name_plural = _("member states")
        indexes = [models.Index(fields=["kind", "starts_on"], name="members_state_start")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_on}"

    def in_force(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day < self.ends_on)


class Registration(ChangeLoggedModel):
    """An in-service member registers with the community where they live (在职党员到社区报到)."""

    member = models.ForeignKey(
        Member, verbose_name=_("party member"), on_delete=models.CASCADE, related_name="registrations"
    )
    community = models.ForeignKey(
        "areas.Area", verbose_name=_("residence community"), on_delete=models.PROTECT, related_name="registrations"
    )
    registered_on = models.DateField(_("registered on"))
    # the member's org, kept by the database (triggers of migration 0010, on every insert and on a member's move):
    # a territory's registrations of members from elsewhere are found without looking each member up
    member_org = models.ForeignKey(
        "orgs.Org", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+", db_index=False
    )
    posts_of_interest = models.CharField(_("posts of interest"), max_length=200, blank=True)
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # both sides (issue 16): the member's own org (the unit side) confirms (who: the change log); unconfirmed, the
    # registration counts as confirmed from `confirm_by` (registered_on + the rulebook's registration.confirm_days).
    # None: confirmed from the start (recorded before confirmation existed). Nullable columns without a key: SQLite
    # adds and drops them without rebuilding the table (a rebuild would drop the triggers of migration 0010).
    confirm_by = models.DateField(_("confirmed automatically on"), null=True, blank=True)
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=20, choices=RegistrationEnd.choices, null=True,
                                  blank=True)  # fmt: skip
    end_note = models.CharField(_("note on the end"), max_length=200, null=True, blank=True)

    # the member's own org and the community both see the registration; the member (self service) their own
    scope_org_field = "member__org"
    scope_area_field = "community"
    change_log_exclude = (*ChangeLoggedModel.change_log_exclude, "member_org")  # the database's copy, not an edit

    scope_self_roles = (Role.MEMBER,)

    @classmethod
    def scope_self_q(cls, user):
        return models.Q(member__user=user)

    class Meta:
        verbose_name = _("community registration")
        verbose_name_plural = _("community registrations")
        # a territory's registered members (the second path of a community admin's member list: core.paging)
        indexes = [
            models.Index(
                fields=["community", "member_org", "member"], condition=models.Q(active=True), name="members_reg_active"
            ),
            # a city's anchor: the orgs outside it (none) first, then their members' registrations
            models.Index(fields=["member_org"], condition=models.Q(active=True), name="members_reg_member_org"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(active=True),
                name="members_one_active_registration",
                violation_error_message=_("This member is already registered with a community."),
            ),
        ]

    def __str__(self):
        return f"{self.member} → {self.community}"

    def get_absolute_url(self):
        return reverse("members:registration", args=[self.pk])

    @staticmethod
    def status_q(status: str, day) -> models.Q:
        """The registrations with RegistrationStatus `status` on `day`, in SQL (as `status_on` says for one)."""
        if status == RegistrationStatus.ENDED:
            return models.Q(active=False)
        pending = models.Q(active=True, confirmed_on__isnull=True, confirm_by__gt=day)
        if status == RegistrationStatus.PENDING:
            return pending
        confirmed = models.Q(confirmed_on__isnull=False) | models.Q(confirm_by__isnull=True)
        return models.Q(active=True) & (confirmed | models.Q(confirm_by__lte=day))

    @staticmethod
    def standing_q(day) -> models.Q:
        """The registrations standing on `day`: begun by then and not ended before it (the statistics count these)."""
        return models.Q(registered_on__lte=day) & (
            models.Q(active=True, ended_on__isnull=True) | models.Q(ended_on__gt=day)
        )

    def status_on(self, day) -> str:
        """RegistrationStatus on `day` (the same as `status_q` in SQL)."""
        if not self.active:
            return RegistrationStatus.ENDED
        if self.confirmed_on is None and self.confirm_by is not None and self.confirm_by > day:
            return RegistrationStatus.PENDING
        return RegistrationStatus.CONFIRMED

    @property
    def confirmed_automatically(self) -> bool:
        return self.active and self.confirmed_on is None and self.confirm_by is not None


class PiiReveal(models.Model):
    """Every look at an unmasked ID or phone number: who, whose, which field, why, when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    fields = models.CharField(max_length=100)
    reason = models.CharField(_("reason"), max_length=200)
    time = models.DateTimeField(auto_now_add=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-time"]
        verbose_name = _("personal data reveal")
        verbose_name_plural = _("personal data reveals")

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.user} → {self.member_id}"


class ContactChange(ChangeLoggedModel):
    """A member's own request to change their phone number or residence (我的 → 修改手机号 / 居住地址), applied to
    the record only when someone who may change the member approves it (members.contact_changes). Member has no
    street-address field: the address note stays on the request, for the admin to read."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the branch's approval")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    member = models.ForeignKey(
        Member, verbose_name=_("party member"), on_delete=models.CASCADE, related_name="contact_changes"
    )
    # the same masker as Member.phone: masked in every output and in the change log (core.pii)
    phone = EncryptedCharField(_("new phone number"), masker=mask_phone, blank=True)
    home_area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("new area of residence"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    address_note = models.CharField(_("address note"), max_length=100, blank=True)
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("time of the decision"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)

    # the member's org line decides (who may change the member approves); the member sees their own requests
    scope_org_field = "member__org"
    scope_self_roles = (Role.MEMBER,)

    @classmethod
    def scope_self_q(cls, user):
        return models.Q(member__user=user)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("contact change request")
        verbose_name_plural = _("contact change requests")
        indexes = [models.Index(fields=["state", "requested_at"], name="members_contactchange_state")]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(state="pending"),
                name="members_one_pending_contact_change",
                violation_error_message=_("You already have a request awaiting approval."),
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.requested_at:%Y-%m-%d}" if self.requested_at else str(self.member)

    def get_absolute_url(self):
        return reverse("members:contactchange", args=[self.pk])

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)
