"""REST settings targets (permission, pagination, errors); free of rest_framework.views to avoid an import cycle."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination, permissions, serializers
from rest_framework.utils.urls import replace_query_param

from .paging import cheap_count, page_rows
from .scope import acts_for_self, holds_role, is_unrestricted, may

ACTION_FOR_METHOD = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """`?limit=&offset=`: 50 rows by default, at most 1000 (a larger limit is cut to 1000).

    Unlike DRF's, a limit or offset that is not a number (empty, or too small) is an error (400) rather than
    silently replaced by the default: the schema declares integers, and a client's typo should not go unnoticed.
    The messages are DRF's own (already translated)."""

    default_limit = 50
    max_limit = 1000

    def _param(self, request, name, min_value, default):
        raw = request.query_params.get(name)
        if raw is None:
            return default
        try:
            return serializers.IntegerField(min_value=min_value).run_validation(raw)
        except exceptions.ValidationError as exc:
            raise exceptions.ValidationError({name: exc.detail}) from None

    def get_limit(self, request):
        return min(self._param(request, self.limit_query_param, 1, self.default_limit), self.max_limit)

    def get_offset(self, request):
        return self._param(request, self.offset_query_param, 0, 0)

    def paginate_queryset(self, queryset, request, view=None):
        """Counted and read as core.paging says: exact up to a limit, then PostgreSQL's estimate (`count_approximate`
        in the answer); rows read along the list's index, scope path by scope path."""
        if not isinstance(queryset, QuerySet):
            self.approximate = False
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        counted = cheap_count(queryset)
        self.count, self.approximate = counted.value, not counted.exact
        if counted.exact:
            self.has_next = self.offset + self.limit < self.count
            if self.count == 0 or self.offset > self.count:
                return []
            return page_rows(queryset, self.offset, self.limit, counted)
        rows = page_rows(queryset, self.offset, self.limit + 1, counted)  # one more: is there a next page?
        self.has_next = len(rows) > self.limit
        return rows[: self.limit]

    def get_next_link(self):
        if not getattr(self, "has_next", True):
            return None
        return super().get_next_link() if not self.approximate else self._next_link()

    def _next_link(self):
        request: Any = self.request  # set by paginate_queryset
        limit, offset = int(self.limit or 0), int(self.offset or 0)
        url = replace_query_param(request.build_absolute_uri(), self.limit_query_param, limit)
        return replace_query_param(url, self.offset_query_param, offset + limit)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_approximate"] = bool(getattr(self, "approximate", False))
        return response

    def get_paginated_response_schema(self, schema):
        out = super().get_paginated_response_schema(schema)
        out["properties"]["count"]["description"] = str(
            _("Exact up to a limit (the setting SQDJ_LIST_EXACT_COUNT); beyond it an estimate, see count_approximate.")
        )
        out["properties"]["count_approximate"] = {
            "type": "boolean",
            "description": str(_("Whether count is the database's estimate rather than an exact count.")),
        }
        out["required"] = [*out["required"], "count_approximate"]
        return out

    def get_schema_operation_parameters(self, view):
        limit, offset = super().get_schema_operation_parameters(view)
        limit["description"] = "{} {}".format(
            limit["description"],
            _("Default %(default)d, at most %(max)d (a larger value is reduced to %(max)d).")
            % {"default": self.default_limit, "max": self.max_limit},
        )
        limit["schema"] = {"type": "integer", "minimum": 1, "default": self.default_limit}
        offset["schema"] = {"type": "integer", "minimum": 0, "default": 0}
        return [limit, offset]


class ScopedPermission(permissions.BasePermission):
    """Signed in, and holding some role that allows the method's action; the object scope is the queryset's.

    On an object's own URL (a viewset's detail route) a write needs only the right to *see* something here:
    whether the object may be changed or deleted is decided on the object (`has_object_permission`, called by
    `get_object()` after the scoped lookup), so an object out of scope answers 404 and one that is seen but not
    writable answers 403 — the same for every role.
    """

    message = _("You do not have permission to perform this action.")

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if is_unrestricted(user):
            return True
        action = ACTION_FOR_METHOD.get(request.method, "view")
        if getattr(view, "detail", False) and action in ("change", "delete"):
            action = "view"
        model = getattr(getattr(view, "queryset", None), "model", None)
        if model is None:
            # an endpoint over an org (statistics, checks) looks the org up in the caller's scope itself: any role
            # gets that far, and an org out of scope — every org, for a self-only role — answers 404
            return holds_role(user, action)
        return may(user, action, model)  # a self-only role reaches a resource with a self scope (own record)

    def has_object_permission(self, request, view, obj):
        action = ACTION_FOR_METHOD.get(request.method, "view")
        if action not in ("change", "delete") or is_unrestricted(request.user):
            return True
        manager: Any = getattr(type(obj), "objects", None)
        if not hasattr(manager, "restrict"):
            return False
        return manager.restrict(request.user, action).filter(pk=obj.pk).exists()


class SelfServicePermission(ScopedPermission):
    """The scope gate's, and what a member does in self service through the API although their role only reads:
    the view's `self_service_actions` (e.g. "create": a claim, a sign-up, a declaration) are open to a self-only role
    the model serves; the service then decides who may act for the member (403 otherwise)."""

    def has_permission(self, request, view):
        user = request.user
        model = getattr(getattr(view, "queryset", None), "model", None)
        if (getattr(view, "action", None) in getattr(view, "self_service_actions", ()) and user
                and user.is_authenticated and acts_for_self(user, "view", model)):  # fmt: skip
            return True
        return super().has_permission(request, view)


def exception_handler(exc, context):
    """Django's own errors become JSON: ValidationError → 400 with field errors, PermissionDenied → 403."""
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict
            if hasattr(exc, "error_dict")
            else {"detail": exc.messages[0] if len(exc.messages) == 1 else exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied) and not isinstance(exc, exceptions.PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    from rest_framework.views import exception_handler as drf_exception_handler

    return drf_exception_handler(exc, context)
