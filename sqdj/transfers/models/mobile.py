"""Mobile members (流动党员): members of ours away from home (outflow, 流出) and members of other orgs living
here (inflow, 流入). Neither moves a membership; a transfer does that."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.accounts.roles import Role
from sqdj.core.models import ChangeLoggedModel
from sqdj.core.pii import EncryptedCharField, blind_index, mask_id_number, mask_phone

from ..choices import MobileEnd


class Outflow(ChangeLoggedModel):
    """A member of ours away ≥ 6 months without transferring the membership (rules.md §6.5): where, how to reach
    them, when we last were in touch. Seen and kept by the org holding the membership."""

    member = models.ForeignKey(
        "members.Member", verbose_name=_("party member"), on_delete=models.CASCADE, related_name="outflows"
    )
    left_on = models.DateField(_("left on"))
    destination = models.CharField(_("destination"), max_length=200)
    destination_org = models.CharField(_("party organization at the destination"), max_length=200, blank=True)
    contact = EncryptedCharField(_("contact telephone"), masker=mask_phone, blank=True)
    last_contact_on = models.DateField(_("last contact on"))
    mobile_card_number = models.CharField(_("mobile member's card number"), max_length=50, blank=True)
    # set by staff when every way of reaching the member failed; the consequences (停止党籍 after 6 months,
    # removal after 2 more years) are shown as findings and decided by the org, never applied here
    lost_contact_since = models.DateField(_("lost contact since"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("how it ended"), max_length=20, choices=MobileEnd.choices, blank=True)
    # a member called 流动 (an old category, an import's 党员分类) with no record of where they went: kept as an
    # outflow whose destination and dates are unknown, a finding until staff complete it (checks.outflow_incomplete)
    incomplete = models.BooleanField(_("incomplete (destination unknown)"), default=False, editable=False)

    scope_org_field = "member__org"

    scope_self_roles = (Role.MEMBER,)

    @classmethod
    def scope_self_q(cls, user):
        return models.Q(member__user=user)  # the member (self service) reads their own record

    class Meta:
        ordering = ["-left_on", "pk"]
        verbose_name = _("outflow member")
        verbose_name_plural = _("outflow members")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(ended_on__isnull=True),
                name="transfers_one_open_outflow",
                violation_error_message=_("This member is already recorded as away."),
            ),
        ]

    def __str__(self):
        return f"{self.member} → {self.destination}"

    def get_absolute_url(self):
        return reverse("transfers:outflow", args=[self.pk])

    @property
    def name(self) -> str:
        return self.member.name

    @property
    def contact_masked(self) -> str:
        return mask_phone(self.contact)


class Inflow(ChangeLoggedModel):
    """A member of another organization living here (流入). Not on our roll and not in our statistics: the
    membership stays with the home org. Joins a local branch's activities only after identity verification."""

    name = models.CharField(_("name"), max_length=50)
    id_number = EncryptedCharField(_("citizen ID number"), masker=mask_id_number)
    id_number_index = models.CharField(max_length=64, editable=False, db_index=True)
    phone = EncryptedCharField(_("phone number"), masker=mask_phone, blank=True)
    home_org_name = models.CharField(_("home party organization"), max_length=200)
    home_org_contact = models.CharField(_("its contact (office and telephone)"), max_length=200, blank=True)
    arrived_on = models.DateField(_("arrived on"))
    mobile_card_number = models.CharField(_("mobile member's card number"), max_length=50, blank=True)
    host_org = models.ForeignKey(
        "orgs.Org", verbose_name=_("host organization"), on_delete=models.PROTECT, related_name="inflows"
    )
    verified_on = models.DateField(_("identity verified on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verification_note = models.CharField(_("how the identity was verified"), max_length=200, blank=True)
    branch = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("branch for activities"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    last_contact_on = models.DateField(_("last contact on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("how it ended"), max_length=20, choices=MobileEnd.choices, blank=True)

    scope_org_field = "host_org"

    class Meta:
        ordering = ["-arrived_on", "pk"]
        verbose_name = _("inflow member")
        verbose_name_plural = _("inflow members")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=models.Q(ended_on__isnull=True),
                name="transfers_one_open_inflow",
                violation_error_message=_("This person is already recorded as living here."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("transfers:inflow", args=[self.pk])

    def save(self, *args, **kwargs):
        self.id_number = (self.id_number or "").strip().upper()
        self.id_number_index = blind_index(self.id_number)
        super().save(*args, **kwargs)

    @property
    def verified(self) -> bool:
        return self.verified_on is not None

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)
