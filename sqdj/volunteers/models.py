"""The volunteers app's models (issue 16). Every model hangs off the trees for the scope gate (core.scope)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.accounts.roles import Role
from sqdj.areas.models import Area
from sqdj.core.models import BaseModel, ChangeLoggedModel
from sqdj.members.communities import own_communities
from sqdj.members.models import Member, Registration

from .choices import (
    ClaimEnd,
    ClaimState,
    Evaluation,
    FeedbackState,
    HoursSource,
    HoursState,
    Organizer,
    PeriodKind,
    ServiceArea,
    UnitRegistrationEnd,
)

STEPLEN = 4  # the trees' materialized path step (core.models.TreeNode)


def own_member_q(user, field: str = "member") -> Q:
    return Q(**{f"{field}__user": user})


class SelfServed:
    """Mixin of the models a member sees in self service (view only; what they do goes through services that
    check the member is theirs)."""

    scope_self_roles = (Role.MEMBER,)


class UnitRegistration(ChangeLoggedModel):
    """单位报到: the party organization of a unit registers with the community it stands in, to serve there
    (共驻共建). Both sides see it: the unit's org line, and the community's territory. It ends with a date and a
    reason; the history stays."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("the unit's party organization"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey("areas.Area", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    registered_on = models.DateField(_("registered on"))
    commitments = models.CharField(_("what the unit offers"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=20, choices=UnitRegistrationEnd.choices, blank=True)
    end_note = models.CharField(_("note on the end"), max_length=200, blank=True)

    scope_org_field = "org"
    scope_area_field = "community"

    class Meta:
        verbose_name = _("unit registration")
        verbose_name_plural = _("unit registrations")
        ordering = ["-registered_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "community"],
                condition=models.Q(active=True),
                name="volunteers_one_active_unit_registration",
                violation_error_message=_("This organization is already registered with this community."),
            )
        ]

    def __str__(self):
        return f"{self.org} → {self.community}"

    standing_q = staticmethod(Registration.standing_q)  # the same fields, the same meaning

    def get_absolute_url(self):
        return reverse("volunteers:unitregistration", args=[self.pk])


# ---- posts and teams (岗位认领, 党员志愿者队) ---


class PostKind(ChangeLoggedModel):
    """A kind of post in the catalogue (the 五员 of the seeds first: 宣传员, 示范员, 传播员, 服务员, 调解员).
    National rows (no org) are seeded and changed by a system administrator; an org adds kinds for its subtree."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("party organization"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=40)
    duties = models.CharField(_("duties"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("in use"), default=True)

    @classmethod
    def scope_org_q(cls, org, descendants):
        """The national kinds, the kinds of the anchor's ancestors (a district's kinds serve its communities),
        the anchor's own and, for a descendants anchor, those below it. Changing is narrower: services."""
        above = [org.path[:i] for i in range(STEPLEN, len(org.path) + 1, STEPLEN)]
        q = Q(org__isnull=True) | Q(org__path__in=above)
        return q | Q(org__path__startswith=org.path) if descendants else q

    class Meta:
        verbose_name = _("post kind")
        verbose_name_plural = _("post kinds")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("volunteers:postkind", args=[self.pk])


class Post(SelfServed, ChangeLoggedModel):
    """A post a community publishes for members to claim (岗位): what, where, how many people, for how long."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("publishing organization"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    kind = models.ForeignKey(PostKind, verbose_name=_("post kind"), on_delete=models.PROTECT, related_name="posts")
    service_area = models.CharField(_("service area"), max_length=20, choices=ServiceArea.choices)
    title = models.CharField(_("volunteer post"), max_length=100)
    duties = models.TextField(_("duties"), blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    places = models.PositiveSmallIntegerField(_("people wanted"), default=1)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)  # no more claims from this day

    scope_org_field = "org"
    scope_area_field = "community"

    @classmethod
    def scope_self_q(cls, user):
        return Q(community_id__in=own_communities(user))

    class Meta:
        verbose_name = _("volunteer post")
        verbose_name_plural = _("volunteer posts")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="volunteers_post_dates"
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="volunteers_post_places"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("volunteers:post", args=[self.pk])


class Team(SelfServed, ChangeLoggedModel):
    """A service team (党员志愿者服务队) of a community or of a unit's party organization."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("party organization"), on_delete=models.PROTECT,
                            related_name="+")  # fmt: skip
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    service_area = models.CharField(_("service area"), max_length=20, choices=ServiceArea.choices)
    purpose = models.CharField(_("what it does"), max_length=300, blank=True)
    leader = models.ForeignKey(Member, verbose_name=_("team leader"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")  # fmt: skip
    founded_on = models.DateField(_("founded on"))
    active = models.BooleanField(_("active"), default=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    scope_org_field = "org"
    scope_area_field = "community"

    @classmethod
    def scope_self_q(cls, user):
        return Q(community_id__in=own_communities(user))

    class Meta:
        verbose_name = _("service team")
        verbose_name_plural = _("service teams")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], condition=Q(active=True), name="volunteers_one_team_name",
                violation_error_message=_("The community has a team of this name already."),
            )
        ]  # fmt: skip

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("volunteers:team", args=[self.pk])


class Claim(SelfServed, ChangeLoggedModel):
    """What a post claim and a team membership share: the member asks, the community approves or declines (who and
    when: the change log and the decided_* fields), an approved one ends with a day and a reason."""

    member = models.ForeignKey(Member, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=20, choices=ClaimState.choices, default=ClaimState.PENDING)
    applied_on = models.DateField(_("applied on"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")  # fmt: skip
    decided_at = models.DateTimeField(_("decision time"), null=True, blank=True)
    decision_note = models.CharField(_("note on the decision"), max_length=200, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=20, choices=ClaimEnd.choices, blank=True)
    end_note = models.CharField(_("note on the end"), max_length=200, blank=True)

    @classmethod
    def scope_self_q(cls, user):
        return own_member_q(user)

    class Meta:
        abstract = True


class PostClaim(Claim):
    post = models.ForeignKey(Post, verbose_name=_("volunteer post"), on_delete=models.PROTECT, related_name="claims")

    # the community side through the post; the unit side (the member's own org) reads
    scope_area_field = "post__community"

    scope_org_field = "post__org"
    scope_view_org_fields = ("member__org",)  # the unit side reads its members' rows; the community acts

    class Meta:
        verbose_name = _("post claim")
        verbose_name_plural = _("post claims")
        ordering = ["-applied_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "member"], condition=Q(state__in=[ClaimState.PENDING, ClaimState.APPROVED]),
                name="volunteers_one_open_claim",
                violation_error_message=_("The member has claimed this post already."),
            )
        ]  # fmt: skip

    def __str__(self):
        return f"{self.member} · {self.post}"

    def get_absolute_url(self):
        return reverse("volunteers:postclaim", args=[self.pk])


class TeamMember(Claim):
    team = models.ForeignKey(Team, verbose_name=_("service team"), on_delete=models.PROTECT, related_name="members")

    scope_area_field = "team__community"

    scope_org_field = "team__org"
    scope_view_org_fields = ("member__org",)  # the unit side reads its members' rows; the community acts

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["-applied_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "member"], condition=Q(state__in=[ClaimState.PENDING, ClaimState.APPROVED]),
                name="volunteers_one_open_team_member",
                violation_error_message=_("The member is in this team already."),
            )
        ]  # fmt: skip

    def __str__(self):
        return f"{self.member} · {self.team}"

    def get_absolute_url(self):
        return reverse("volunteers:teammember", args=[self.pk])


# ---- activities (志愿服务活动) ---


class Activity(SelfServed, ChangeLoggedModel):
    """A service activity: when, where, how many people, who organizes it. Members sign up; the organizer may take
    attendance (optional: no forced check-in, no points, no ranking)."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("organizing party organization"), on_delete=models.PROTECT,
                            related_name="+")  # fmt: skip
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    organizer = models.CharField(_("organizer"), max_length=20, choices=Organizer.choices,
                                 default=Organizer.COMMUNITY)  # fmt: skip
    team = models.ForeignKey(Team, verbose_name=_("service team"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="activities")  # fmt: skip
    # a co-building project of the units app (a string reference: the apps are siblings)
    project = models.ForeignKey("units.Project", verbose_name=_("co-building project"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")  # fmt: skip
    post = models.ForeignKey(Post, verbose_name=_("volunteer post"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="activities")  # fmt: skip
    service_area = models.CharField(_("service area"), max_length=20, choices=ServiceArea.choices)
    title = models.CharField(_("activity"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)  # None: no limit
    takes_attendance = models.BooleanField(_("the organizer takes attendance"), default=False)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.CharField(_("why it was cancelled"), max_length=200, blank=True)

    scope_org_field = "org"
    scope_area_field = "community"

    @classmethod
    def scope_self_q(cls, user):
        return Q(community_id__in=own_communities(user))

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="volunteers_activity_times"),
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                                   name="volunteers_activity_capacity"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["community", "starts_at"], name="volunteers_activity_when")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("volunteers:activity", args=[self.pk])


class Signup(SelfServed, ChangeLoggedModel):
    """A member's sign-up for an activity (the roster); withdrawn ones stay. `attended`: the organizer's optional
    attendance (None: not taken)."""

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.PROTECT,
                                 related_name="signups")  # fmt: skip
    member = models.ForeignKey(Member, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="+")
    signed_up_at = models.DateTimeField(_("signed up at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    scope_area_field = "activity__community"

    scope_org_field = "activity__org"
    scope_view_org_fields = ("member__org",)  # the unit side reads its members' rows; the community acts

    @classmethod
    def scope_self_q(cls, user):
        return own_member_q(user)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["signed_up_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "member"], condition=Q(withdrawn_at__isnull=True), name="volunteers_one_signup",
                violation_error_message=_("The member has signed up for this activity already."),
            )
        ]  # fmt: skip

    def __str__(self):
        return f"{self.member} · {self.activity}"


# ---- service records (志愿服务记录, 民政部《志愿服务记录与证明出具办法》2021) ---


class ServiceHours(SelfServed, ChangeLoggedModel):
    """One service record: who (the member's name), what (content), where (place, community), when (day), how
    long (hours) and the recording organization (org) — the fields the 2021 rules ask of a record that can be
    certified. Recorded by the organizer (verified at once or later) or declared by the member and verified by
    the community: two steps, each with who and when. A correction keeps the history (the change log, with the
    reason) and sends a verified record back for verification; `version` guards two verifiers at once."""

    member = models.ForeignKey(Member, verbose_name=_("party member"), on_delete=models.PROTECT,
                               related_name="service_hours")  # fmt: skip
    org = models.ForeignKey("orgs.Org", verbose_name=_("recording organization"), on_delete=models.PROTECT,
                            related_name="+")  # fmt: skip
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="hours")  # fmt: skip
    post = models.ForeignKey(Post, verbose_name=_("volunteer post"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="hours")  # fmt: skip
    team = models.ForeignKey(Team, verbose_name=_("service team"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="hours")  # fmt: skip
    served_on = models.DateField(_("service day"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    content = models.CharField(_("service content"), max_length=200)
    place = models.CharField(_("place"), max_length=200)
    source = models.CharField(_("how it was recorded"), max_length=20, choices=HoursSource.choices)
    state = models.CharField(_("state"), max_length=20, choices=HoursState.choices, default=HoursState.PENDING)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    recorded_at = models.DateTimeField(_("recorded at"))
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("verified by"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    reject_reason = models.CharField(_("why it was rejected"), max_length=200, blank=True)
    correction_reason = models.CharField(_("why it was corrected"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    # the recording org and the community act; the unit side (the member's own org) reads its members' records
    scope_area_field = "community"

    scope_org_field = "org"
    scope_view_org_fields = ("member__org",)

    @classmethod
    def scope_self_q(cls, user):
        return own_member_q(user)

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-served_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="volunteers_hours_range"),
        ]
        indexes = [
            models.Index(fields=["member", "served_on"], name="volunteers_hours_member"),
            models.Index(fields=["community", "served_on"], name="volunteers_hours_community"),
            models.Index(fields=["org", "served_on"], name="volunteers_hours_org"),
            models.Index(fields=["state", "community"], name="volunteers_hours_state"),
            # the statistics' hours of a territory over a year: read from the index alone (PostgreSQL)
            models.Index(
                fields=["served_on", "community"],
                include=["hours", "member"],
                condition=Q(state=HoursState.VERIFIED),
                name="volunteers_hours_verified",
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.served_on} · {self.hours}"

    def get_absolute_url(self):
        return reverse("volunteers:servicehours", args=[self.pk])


# ---- feedback to the member's unit (反馈) and certificates (志愿服务证明) ---


class Feedback(ChangeLoggedModel):
    """The community org's letter to an in-service member's own org for a quarter or a year: posts, activities,
    verified hours and a short evaluation. Drafted from the records, edited and signed off by the community; the
    unit side sees it once signed (numbered, A4 PDF)."""

    registration = models.ForeignKey(Registration, verbose_name=_("community registration"),
                                     on_delete=models.PROTECT, related_name="+")  # fmt: skip
    member = models.ForeignKey(Member, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey("orgs.Org", verbose_name=_("community party organization"), on_delete=models.PROTECT,
                            related_name="+")  # fmt: skip
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    unit_org = models.ForeignKey("orgs.Org", verbose_name=_("the member's party organization"),
                                 on_delete=models.PROTECT, related_name="+")  # fmt: skip
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    posts = models.CharField(_("posts held"), max_length=300, blank=True)
    teams = models.CharField(_("teams"), max_length=300, blank=True)
    activities = models.PositiveIntegerField(_("activities"), default=0)
    hours = models.DecimalField(_("verified hours"), max_digits=7, decimal_places=1, default=0)
    evaluation = models.CharField(_("evaluation"), max_length=20, choices=Evaluation.choices, blank=True)
    note = models.CharField(_("the community's note"), max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=FeedbackState.choices, default=FeedbackState.DRAFT)
    number = models.CharField(_("number"), max_length=30, null=True, blank=True, unique=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed off by"),
                                  on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    signed_on = models.DateField(_("signed off on"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_area_field = "community"

    @classmethod
    def scope_org_q(cls, org, descendants):
        """The community side always; the unit side (the member's own org line) only what is signed off."""
        signed = Q(state=FeedbackState.SIGNED)
        if descendants:
            return Q(org__path__startswith=org.path) | (Q(unit_org__path__startswith=org.path) & signed)
        return Q(org=org) | (Q(unit_org=org) & signed)

    class Meta:
        verbose_name = _("feedback letter")
        verbose_name_plural = _("feedback letters")
        ordering = ["-period_start", "member__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "period_kind", "period_start"],
                                    name="volunteers_one_feedback_per_period",
                                    violation_error_message=_("There is a letter for this period already.")),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="volunteers_feedback_dates"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["unit_org", "period_start"], name="volunteers_feedback_unit")]

    def __str__(self):
        return f"{self.member} · {self.period_start:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("volunteers:feedback", args=[self.pk])


class Certificate(SelfServed, ChangeLoggedModel):
    """志愿服务证明: a numbered certificate of a member's verified hours over a period, issued by a community org.
    The totals are frozen at issue; the public verification page shows them against the number and name."""

    member = models.ForeignKey(Member, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey("orgs.Org", verbose_name=_("issuing organization"), on_delete=models.PROTECT,
                            related_name="+")  # fmt: skip
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    hours = models.DecimalField(_("verified hours"), max_digits=8, decimal_places=1)
    records = models.PositiveIntegerField(_("number of service records"))
    number = models.CharField(_("number"), max_length=30, unique=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")  # fmt: skip
    issued_on = models.DateField(_("issued on"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoke_reason = models.CharField(_("why it was revoked"), max_length=200, blank=True)

    scope_org_field = "org"
    scope_area_field = "community"

    @classmethod
    def scope_self_q(cls, user):
        return own_member_q(user)

    class Meta:
        verbose_name = _("service certificate")
        verbose_name_plural = _("service certificates")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")),
                                   name="volunteers_certificate_dates"),
        ]  # fmt: skip

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("volunteers:certificate", args=[self.pk])


class CertificateCheck(BaseModel):
    """One try of the public verification page (logged: when, from where, whether it matched) — no name kept."""

    number = models.CharField(_("number tried"), max_length=40)
    certificate = models.ForeignKey(Certificate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    matched = models.BooleanField(default=False)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("certificate check")
        verbose_name_plural = _("certificate checks")
        ordering = ["-at"]
