"""The password policy beyond Django's own validators (security.md R1; docs/security.md, "Passwords").

等保 asks for complexity, so we require character classes although ASVS L2 advises against composition rules
(security.md §7.1: 等保 prevails). Django's validators in AUTH_PASSWORD_VALIDATORS keep doing their part: the
minimum length (12), the common-password list, similarity to the user's attributes, all-digit passwords.
"""

from __future__ import annotations

import re
from functools import cache

from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .roles import Role

# Words anyone would try against this system: its names and the party-building vocabulary (ASVS 6.2.11). A
# deployment adds its own (street, community and organization names) with SQDJ_PASSWORD_CONTEXT_WORDS.
CONTEXT_WORDS = (
    "sqdj",
    "dangjian",
    "dangyuan",
    "dangwei",
    "zuzhibu",
    "gongchandang",
    "shequ",
    "jiedao",
    "party",
    "communist",
    "党建",
    "党员",
    "社区",
    "街道",
)
PRIVILEGED_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN})


def is_privileged(user) -> bool:
    """三员, superusers and city/district administrators: stricter passwords and shorter idle sessions (R1, R2)."""
    if user is None:
        return False
    if getattr(user, "duty", "") or getattr(user, "is_superuser", False):
        return True
    if not getattr(user, "pk", None):
        return False
    return user.role_assignments.filter(role__in=PRIVILEGED_ROLES).exists()


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords)


def _classes(password: str) -> int:
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


class PasswordPolicyValidator:
    """Three of four character classes; 15 characters for privileged users; no context word, no user name, and not
    a common password with digits or symbols tacked on ("Qwerty123456!")."""

    def __init__(self, min_classes: int = 3, privileged_min_length: int = 15):
        self.min_classes = min_classes
        self.privileged_min_length = privileged_min_length

    def _context_words(self, user) -> list[str]:
        words = [*CONTEXT_WORDS, *getattr(settings, "SQDJ_PASSWORD_CONTEXT_WORDS", [])]
        for attr in ("username", "display_name", "first_name", "last_name"):
            value = (getattr(user, attr, "") or "").strip()
            if len(value) >= 3:
                words.append(value)
        return [w.lower() for w in words if w]

    def validate(self, password, user=None):
        errors = []
        if is_privileged(user) and len(password) < self.privileged_min_length:
            errors.append(
                ValidationError(
                    ngettext(
                        "An administrator's password must contain at least %(min_length)d character.",
                        "An administrator's password must contain at least %(min_length)d characters.",
                        self.privileged_min_length,
                    )
                    % {"min_length": self.privileged_min_length},
                    code="password_too_short_privileged",
                )
            )
        if _classes(password) < self.min_classes:
            errors.append(
                ValidationError(
                    _(
                        "The password must mix at least %(n)d of: lower-case letters, upper-case letters, digits, "
                        "symbols."
                    )
                    % {"n": self.min_classes},
                    code="password_too_simple",
                )
            )
        lowered = password.lower()
        found = next((w for w in self._context_words(user) if w in lowered), None)
        if found is not None:
            errors.append(
                ValidationError(
                    _("The password must not contain the user name, the name or words such as “%(word)s”.")
                    % {"word": found},
                    code="password_context_word",
                )
            )
        core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered)
        if core != lowered and len(core) >= 4 and core in _common_passwords():
            errors.append(
                ValidationError(
                    _("The password is a common password with digits or symbols added."), code="password_common_core"
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return _(
            "At least %(n)d of lower-case letters, upper-case letters, digits and symbols (administrators: at least "
            "%(min)d characters); no user name, name or words such as “sqdj” or “dangjian”."
        ) % {"n": self.min_classes, "min": self.privileged_min_length}
