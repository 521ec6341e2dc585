from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from sqdj.core.errors import unless_busy

from .models import ApiToken


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, checked against the stored hash."""

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        # revoked and expired tokens stay recorded but no longer sign anyone in (security.md R35)
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This API token has been revoked; ask for a new one."))
        if token.expires_at is not None and token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("This API token has expired; ask for a new one."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        # a note, not the request's purpose: while SQLite's write lock is held (an import), skip it, do not wait
        with unless_busy():
            ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
        return token.user, token
