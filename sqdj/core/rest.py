"""REST settings targets (permission, pagination, errors); kept free of rest_framework.views to avoid an import cycle."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination, permissions

from .scope import anchors, is_unrestricted

ACTION_FOR_METHOD = {"GET": "view", "HEAD": "view", "OPTIONS": "view", "POST": "add", "PUT": "change",
                     "PATCH": "change", "DELETE": "delete"}


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = 50
    max_limit = 1000


class ScopedPermission(permissions.BasePermission):
    """Signed in, and holding some role that allows the method's action; the object scope is the queryset's."""

    message = _("You do not have permission to perform this action.")

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if is_unrestricted(user):
            return True
        return bool(anchors(user, ACTION_FOR_METHOD.get(request.method, "view")))


def exception_handler(exc, context):
    """Django's own errors become JSON: ValidationError → 400 with field errors, PermissionDenied → 403."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages[0] if len(
            exc.messages) == 1 else exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied) and not isinstance(exc, exceptions.PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    from rest_framework.views import exception_handler as drf_exception_handler

    return drf_exception_handler(exc, context)


