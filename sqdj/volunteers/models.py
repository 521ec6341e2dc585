"""The volunteers app's models (issue 16). Every model hangs off the trees for the scope gate (core.scope)."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.models import ChangeLoggedModel

from .choices import UnitRegistrationEnd


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

    def get_absolute_url(self):
        return reverse("volunteers:unitregistration", args=[self.pk])
