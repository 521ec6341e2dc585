"""REST machinery shared by every app: scoped viewsets and their documented responses."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, parsers, serializers, status, viewsets
from rest_framework.response import Response

from .services import UNSET, Conflict

# {"detail": "…"}: 401, 403, 404, 415 (and 405/406, which the schema does not list per operation)
ERROR = inline_serializer("Error", {"detail": serializers.CharField()})


class ValidationErrorSerializer(serializers.Serializer):
    """Schema only: the body of a 400 (DRF's field errors, or a service's django ValidationError)."""


class ValidationErrorSchema(OpenApiSerializerExtension):
    """`{field: [message, …]}`: a map no serializer field can describe; registered by being defined."""

    target_class = ValidationErrorSerializer

    def get_name(self, auto_schema, direction):
        return "ValidationError"

    def map_serializer(self, auto_schema, direction):
        return {
            "type": "object",
            "description": "{field: [message, …]}; errors that concern no single field are under `detail` "
            "(a message or a list of them) or `non_field_errors`.",
            "additionalProperties": {
                "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            },
        }


VALIDATION_ERROR = OpenApiResponse(ValidationErrorSerializer, description=_("Invalid input."))
NOT_AUTHENTICATED = OpenApiResponse(ERROR, description=_("Authentication credentials were not provided."))
FORBIDDEN = OpenApiResponse(ERROR, description=_("You do not have permission to perform this action."))
NOT_FOUND = OpenApiResponse(ERROR, description=_("Not found."))
# every 401 says how to authenticate (TokenAuthentication is the first authentication class)
WWW_AUTHENTICATE = OpenApiParameter(
    "WWW-Authenticate", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True, response=[401], description="`Token`"
)

UNSUPPORTED_MEDIA_TYPE = OpenApiResponse(ERROR, description=_("Unsupported media type in request."))
COMMON_READ = {401: NOT_AUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND}
COMMON_WRITE = {400: VALIDATION_ERROR, **COMMON_READ}
WITH_BODY = {415: UNSUPPORTED_MEDIA_TYPE}  # the request body must be JSON


def scoped_schema(serializer, tags=None):
    """Document every status code a client can get from a ScopedModelViewSet (schemathesis checks this).

    list: 400 for a bad filter or limit/offset, 403 for a user without any role allowing `view`;
    a single object: 404 when it is out of the caller's scope, 403 when seen but not writable;
    writes: 400 with field errors (the serializer's or the service's), 403 when the service refuses (scope),
    415 for a body that is not JSON.
    """
    common = {"tags": tags, "parameters": [WWW_AUTHENTICATE]}
    return extend_schema_view(
        list=extend_schema(
            responses={200: serializer(many=True), 400: VALIDATION_ERROR, 401: NOT_AUTHENTICATED, 403: FORBIDDEN},
            **common,
        ),
        retrieve=extend_schema(responses={200: serializer, **COMMON_READ}, **common),
        create=extend_schema(
            responses={201: serializer, 400: VALIDATION_ERROR, 401: NOT_AUTHENTICATED, 403: FORBIDDEN, **WITH_BODY},
            **common,
        ),
        update=extend_schema(responses={200: serializer, **COMMON_WRITE, **WITH_BODY}, **common),
        partial_update=extend_schema(responses={200: serializer, **COMMON_WRITE, **WITH_BODY}, **common),
        destroy=extend_schema(responses={204: None, **COMMON_WRITE}, **common),
    )


class StrictBooleanField(forms.Field):
    """`true`/`false` (or `1`/`0`); anything else, the empty value included, is an error. The HTML form's
    NullBooleanField reads an unknown value as "not given", which an API must not do: `?descendants=yes` would
    silently list less."""

    widget = forms.TextInput
    default_error_messages = {"invalid": _("Must be a valid boolean.")}  # DRF's message, translated by DRF

    def to_python(self, value):
        if value is None:  # not given
            return None
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


def org_report_schema(operation_id: str, tag: str, response, date_help):
    """The schema of a report over an org subtree (statistics, checks): `?org=CODE` (404 outside the caller's
    scope), `?as_of=YYYY-MM-DD`, and the same error responses."""
    return extend_schema(
        operation_id=operation_id,
        tags=[tag],
        parameters=[
            OpenApiParameter(
                "org",
                {"type": "string", "minLength": 1, "pattern": NO_NUL},
                required=True,
                description=_("Organization code; the organization must be within your scope (else 404)."),
            ),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description=date_help),
            WWW_AUTHENTICATE,
        ],
        responses={
            200: response,
            400: VALIDATION_ERROR,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )


def strict_filterset(filterset_class):
    """The list page's FilterSet for the API: the same filters, with booleans parsed strictly."""
    if filterset_class is None or getattr(filterset_class, "_sqdj_strict", False):
        return filterset_class
    overrides = {"_sqdj_strict": True}
    for name, f in filterset_class.base_filters.items():
        if type(f) is django_filters.BooleanFilter:
            overrides[name] = StrictBooleanFilter(
                field_name=f.field_name,
                lookup_expr=f.lookup_expr,
                label=f._label,
                method=f._method,
                distinct=f.distinct,
                exclude=f.exclude,
                **f.extra,
            )
    return type(filterset_class.__name__, (filterset_class,), overrides)


# Text may not contain NUL: Django's and DRF's text fields reject it (PostgreSQL cannot store it) with a 400.
NO_NUL = "^[^\\x00]*$"


def _forbid_nul(schema):
    if schema.get("type") == "string" and not ({"enum", "format", "pattern"} & schema.keys()):
        schema["pattern"] = NO_NUL
    return schema


def _number_bounds(schema: dict, f) -> None:
    """A number filter's bounds (`min_value`, `max_value`, whole numbers by `decimal_places=0`) as the form checks
    them: a client reading the schema does not send what the server refuses."""
    if f is None or schema.get("type") != "number":
        return
    if f.extra.get("decimal_places") == 0:
        schema["type"] = "integer"
    for key, bound in (("min_value", "minimum"), ("max_value", "maximum")):
        if f.extra.get(key) is not None:
            schema[bound] = f.extra[key]


class ScopedAutoSchema(AutoSchema):
    """Says what the server checks beyond DRF's own mapping: no NUL in text parameters and request fields."""

    def _get_filter_parameters(self):
        parameters = super()._get_filter_parameters()
        filters = getattr(getattr(self.view, "filterset_class", None), "base_filters", {})
        for parameter in parameters:
            schema = parameter.get("schema", {})
            _forbid_nul(schema)
            _number_bounds(schema, filters.get(parameter.get("name")))
        return parameters

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and isinstance(field, serializers.CharField) and schema:
            _forbid_nul(schema)
        return schema


class ScopedModelViewSet(viewsets.ModelViewSet):
    """A model's REST resource. Subclasses set `queryset`, `serializer_class`, `filterset_class` and the
    service hooks; every request goes through `restrict(user, action)`, writes through the services.

    Every object is first looked up among those the user may see (else 404); a write then needs the action's
    permission on it too (else 403: `ScopedPermission.has_object_permission`, run by `get_object()`)."""

    filterset_class: Any = None
    # JSON only: a form encoding cannot say null (parent, area, dates), it could only send the text "null"
    parser_classes = [parsers.JSONParser]
    schema = ScopedAutoSchema()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.filterset_class = strict_filterset(cls.filterset_class)

    def get_queryset(self):
        queryset: Any = super().get_queryset()  # a RestrictedQuerySet (every scoped model's manager)
        return queryset.restrict(self.request.user, "view")

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.instance = self.create_object(serializer.validated_data)

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.instance = self.update_object(serializer.instance, serializer.validated_data)

    def perform_destroy(self, instance):
        with transaction.atomic():
            self.delete_object(instance)

    # hooks: call the app's services
    def create_object(self, data):
        raise NotImplementedError

    def update_object(self, obj, data):
        raise NotImplementedError

    def delete_object(self, obj):
        raise NotImplementedError

    def destroy(self, request, *args, **kwargs):
        self.perform_destroy(self.get_object())
        return Response(status=204)


class ScopedTreeViewSet(ScopedModelViewSet):
    """A tree model's resource: `?code=`, parent codes without N+1, writes through a TreeRules service."""

    create_service: Any = None
    update_service: Any = None
    delete_service: Any = None

    def get_serializer(self, *args, **kwargs):
        if kwargs.get("many") and args:
            nodes = list(args[0])
            model = self.get_queryset().model
            paths = {n.path[: -model.steplen] for n in nodes if n.depth > 1}
            context = dict(self.get_serializer_context())
            context["parent_codes"] = dict(model.objects.filter(path__in=paths).values_list("path", "code"))
            kwargs["context"] = context
            args = (nodes, *args[1:])
        return super().get_serializer(*args, **kwargs)

    def create_object(self, data):
        data = dict(data)
        data.setdefault("parent", None)  # no parent given: a top-level node (the service decides who may)
        return type(self).create_service(acting_user=self.request.user, **data)

    def update_object(self, obj, data):
        data = dict(data)
        data.setdefault("parent", UNSET)
        return type(self).update_service(obj, acting_user=self.request.user, **data)

    def delete_object(self, obj):
        type(self).delete_service(obj, acting_user=self.request.user)


class ConflictError(exceptions.APIException):
    """409: someone else changed the object first (core.services.Conflict); nothing was written."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class ServiceViewSet(ScopedModelViewSet):
    """A resource whose writes are the app's `do_*` services, named by the subclass (staticmethods), and whose
    conflicts (core.services.Conflict) answer 409."""

    create_service: Any = None
    update_service: Any = None
    delete_service: Any = None

    def create_object(self, data):
        return type(self).create_service(acting_user=self.request.user, **data)

    def update_object(self, obj, data):
        return type(self).update_service(obj, acting_user=self.request.user, **data)

    def delete_object(self, obj):
        type(self).delete_service(obj, acting_user=self.request.user)

    def handle_exception(self, exc):
        if isinstance(exc, Conflict):
            exc = ConflictError(str(exc))
        return super().handle_exception(exc)
