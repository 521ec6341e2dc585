"""A transfer case (组织关系接转): one member's membership moving from one org to another."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.accounts.roles import Role
from sqdj.core.models import ChangeLoggedModel
from sqdj.core.pii import EncryptedCharField

from ..choices import OPEN_STATES, Direction, Side, TransferReason, TransferState


def _hidden(value) -> str:
    return ""  # the incoming member's details are never shown raw; the case shows name and masked fields


class Transfer(ChangeLoggedModel):
    """States change only through `transfers.services`; `version` grows with every change so that two people
    acting on the same case cannot both succeed (the second gets a conflict)."""

    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices, default=Direction.INTERNAL)
    state = models.CharField(_("state"), max_length=20, choices=TransferState.choices, default=TransferState.DRAFT)
    version = models.PositiveIntegerField(default=1, editable=False)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
    )
    # the member's name as written on the letter (an incoming member has no record here until completion)
    person_name = models.CharField(_("name"), max_length=50)
    # an incoming member's details (the package's member object, JSON), encrypted; used to create the member
    incoming_details = EncryptedCharField(_("incoming member's details"), masker=_hidden, blank=True)
    from_org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("sending organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_out",
    )
    to_org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("receiving organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_in",
    )
    external_org_name = models.CharField(_("organization outside this deployment"), max_length=200, blank=True)
    external_org_contact = models.CharField(_("its contact (office and telephone)"), max_length=200, blank=True)
    external_deployment = models.CharField(_("other deployment"), max_length=100, blank=True)
    sending_approver = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("approving organization (sending side)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    receiving_approver = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("accepting organization (receiving side)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=TransferReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    letter_number = models.CharField(_("letter number"), max_length=60, blank=True, db_index=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    approved_on = models.DateField(_("letter issued on"), null=True, blank=True)
    valid_until = models.DateField(_("letter valid until"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    state_changed_on = models.DateField(_("state changed on"), null=True, blank=True)
    returned_by = models.CharField(_("returned by"), max_length=20, choices=Side.choices, blank=True)
    return_reason = models.CharField(_("reason for return"), max_length=200, blank=True)
    cancel_reason = models.CharField(_("reason for cancellation"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    @classmethod
    def scope_org_q(cls, org, descendants):
        """The sending side sees its cases from the draft on; the receiving side once they are submitted; the
        approving orgs see the cases they approve."""

        def under(field):
            return models.Q(**{f"{field}__path__startswith": org.path}) if descendants else models.Q(**{field: org})

        receiving = (under("to_org") | under("receiving_approver")) & ~models.Q(state=TransferState.DRAFT)
        return under("from_org") | under("sending_approver") | receiving

    scope_self_roles = (Role.MEMBER,)

    @classmethod
    def scope_self_q(cls, user):
        """The member (self service) reads their own cases once submitted: a draft is still the org's paper."""
        return models.Q(member__user=user) & ~models.Q(state=TransferState.DRAFT)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(state__in=OPEN_STATES),
                name="transfers_one_open_case",
                violation_error_message=_("This member already has an open transfer case."),
            ),
        ]
        indexes = [models.Index(fields=["state", "valid_until"], name="transfers_state_due")]

    def __str__(self):
        return f"{self.person_name}：{self.from_name} → {self.to_name}"

    def get_absolute_url(self):
        return reverse("transfers:transfer", args=[self.pk])

    @property
    def from_name(self) -> str:
        org = self.from_org if self.from_org_id else None
        return org.name if org is not None else self.external_org_name

    @property
    def to_name(self) -> str:
        org = self.to_org if self.to_org_id else None
        return org.name if org is not None else self.external_org_name

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES
