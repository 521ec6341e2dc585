"""Other sqdj deployments this one exchanges transfer letters with, and the letters already imported."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sqdj.core.models import ChangeLoggedModel


class PeerDeployment(ChangeLoggedModel):
    """A deployment whose signed packages are accepted here (added by the operator: `sqdj exchange trust`)."""

    deployment_id = models.CharField(_("deployment id"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    # base64 of the raw 32-byte Ed25519 public key, as `sqdj exchange key` prints it
    public_key = models.CharField(_("public key"), max_length=100)

    class Meta:
        ordering = ["deployment_id"]
        verbose_name = _("trusted deployment")
        verbose_name_plural = _("trusted deployments")

    def __str__(self):
        return f"{self.name}（{self.deployment_id}）"


class ImportedLetter(models.Model):
    """One letter imported from another deployment. The unique key makes a second import of the same letter
    (the same file, or a fresh export of it) fail, even when two people import it at once."""

    from_deployment = models.CharField(max_length=100)
    letter_number = models.CharField(max_length=60)
    issued_on = models.DateField()
    transfer = models.ForeignKey("transfers.Transfer", on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)  # sha256 of the signed content, for the record
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_deployment", "letter_number", "issued_on"], name="transfers_letter_imported_once"
            ),
        ]

    def __str__(self):
        return f"{self.from_deployment} {self.letter_number}"
