"""The fixed roles (interfaces.md §1) and the actions each allows within its scope."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

ADMIN_ACTIONS = frozenset({"view", "add", "change", "delete", "reveal"})


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City organization department administrator")
    DISTRICT_ADMIN = "district_admin", _("District organization department administrator")
    SUBDISTRICT_ADMIN = "subdistrict_admin", _("Subdistrict working committee administrator")
    COMMUNITY_ADMIN = "community_admin", _("Community party organization administrator")
    BRANCH_ADMIN = "branch_admin", _("Branch administrator")
    VIEWER = "viewer", _("Read-only user")
    MEMBER = "member", _("Member (self service)")
    UNIT_CONTACT = "unit_contact", _("Unit liaison (own unit only)")


ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.CITY_ADMIN: ADMIN_ACTIONS,
    Role.DISTRICT_ADMIN: ADMIN_ACTIONS,
    Role.SUBDISTRICT_ADMIN: ADMIN_ACTIONS,
    Role.COMMUNITY_ADMIN: ADMIN_ACTIONS,
    Role.BRANCH_ADMIN: ADMIN_ACTIONS,
    Role.VIEWER: frozenset({"view"}),
    Role.MEMBER: frozenset({"view"}),
    Role.UNIT_CONTACT: frozenset({"view"}),
}

# Roles that reach only the holder's own records (core.scope: no org or area scope, whatever org the assignment
# names): a member sees their own record (`Member.user`) and what a model declares theirs, read-only; a unit's
# liaison sees what the units app declares their unit's (units.models: `scope_self_q` through `UnitContact`).
SELF_ONLY_ROLES: frozenset[str] = frozenset({Role.MEMBER, Role.UNIT_CONTACT})


class Duty(models.TextChoices):
    """The three separated administrators of 等保 level 3 (security.md R7, 三员): deployment-wide duties held on no
    org, none of which reads business data; a user holds at most one (one field) and then no role on an org."""

    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")
