from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from sqdj.core.models import ChangeLoggedModel

from .roles import Duty, Role


class User(AbstractUser):
    """A person who signs in; what they see comes only from their role assignments."""

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    # 三员 (security.md R7): one duty at most, by construction; a user with a duty holds no role on an org
    duty = models.CharField(_("administrative duty"), max_length=20, choices=Duty.choices, blank=True, default="")
    # an initial password, or one an administrator set, must be changed at the next sign-in (security.md R5)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.username


class RoleAssignment(ChangeLoggedModel):
    """A role held on one org: the org only, or the org and everything below it."""

    audit_event = "role"  # every grant, change or removal is a "role changed" event of the audit trail

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("party organization"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    descendants = models.BooleanField(_("including subordinate organizations"), default=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org"],
                name="accounts_roleassignment_unique",
                violation_error_message=_("This user already holds this role on this organization."),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.org}"


class ApiToken(models.Model):
    """An API token; only its SHA-256 is stored, the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    name = models.CharField(_("name"), max_length=50, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    # a token stops working at its expiry or when revoked; both stay recorded (security.md R35)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}…"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
