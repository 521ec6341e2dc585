"""The API's searches by ID or phone number: `POST …/search/` with the filters as JSON, never `GET ?q=<number>`.

A query string is written to access logs (ours and every proxy's) and shows in a browser's history; a request body
is not. A list that can be searched by a personal number (`personal_params`, default `q`) therefore refuses a GET
whose search holds a run of 7 or more digits (core.saved_search.looks_personal), or is the last 4 digits of one
(looks_like_suffix), with a 400 naming the POST
endpoint, and the schema says so with a pattern on the parameter. `POST …/search/` takes the same filters as the
list (the FilterSet's fields, typed), reads like the list (its permission is the list's) and answers the same
paginated page; `limit` and `offset` stay in the query string, so the `next` link is posted to with the same body.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action

from .api import FORBIDDEN, NOT_AUTHENTICATED, VALIDATION_ERROR, WITH_BODY, WWW_AUTHENTICATE, ScopedAutoSchema
from .rest import ScopedPermission
from .saved_search import PERSONAL_RUN, SUFFIX_SEARCH, looks_like_suffix, looks_personal
from .scope import is_unrestricted, may
from .serializers import StrictCharField

# the search parameter as the schema states it: no NUL (core.api.NO_NUL), no run of 7 digits, and not the last 4
# digits of a number alone (a search by them, like one by a whole number, is a POST)
NO_NUMBER_PATTERN = f"^(?!{SUFFIX_SEARCH}$)(?![\\s\\S]*{PERSONAL_RUN})[^\\x00]*$"


class SearchPermission(ScopedPermission):
    """A search reads: the list's permission (view), though it is a POST."""

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        model = getattr(getattr(view, "queryset", None), "model", None)
        return is_unrestricted(user) or may(user, "view", model)


# JSON types as the schema states them: DRF's own fields also take 0 for false, a number for a text or a choice,
# and a numeric string for a number


class _StrictChoiceField(serializers.ChoiceField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class _StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class _StrictFloatField(serializers.FloatField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class _StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class _ChoiceListField(serializers.ListField):
    """Its errors as a flat list of messages (the 400's schema: `{field: [message, …]}`), not keyed by index."""

    def run_child_validation(self, data):
        try:
            return super().run_child_validation(data)
        except exceptions.ValidationError as exc:
            detail = exc.detail
            items = detail.values() if isinstance(detail, dict) else [detail]
            raise exceptions.ValidationError([str(m) for errs in items for m in errs]) from None


def _body_field(f: django_filters.Filter) -> serializers.Field:
    """The JSON field for one filter of the list: the type its query parameter has in the schema."""
    kwargs = {"required": False, "help_text": f.label}
    field_class = f.field_class
    choices = f.extra.get("choices")
    if issubclass(field_class, forms.MultipleChoiceField):
        return _ChoiceListField(child=_StrictChoiceField(choices=choices), **kwargs)
    if issubclass(field_class, forms.ChoiceField) and choices is not None:
        return _StrictChoiceField(choices=choices, **kwargs)
    if issubclass(field_class, forms.NullBooleanField | forms.BooleanField) or isinstance(
        f, django_filters.BooleanFilter
    ):
        return _StrictBooleanField(**kwargs)
    if issubclass(field_class, forms.DecimalField | forms.FloatField | forms.IntegerField):
        bounds = {k: f.extra[k] for k in ("min_value", "max_value") if f.extra.get(k) is not None}
        if f.extra.get("decimal_places") == 0:
            return _StrictIntegerField(**kwargs, **bounds)
        return _StrictFloatField(**kwargs, **bounds)
    return StrictCharField(allow_blank=True, **kwargs)


def search_body_serializer(filterset_class, name: str) -> type[serializers.Serializer]:
    fields = {key: _body_field(f) for key, f in filterset_class.base_filters.items()}
    return type(f"{name}SearchSerializer", (serializers.Serializer,), fields)


def _as_query(data: dict) -> QueryDict:
    """The validated body as the FilterSet's form data (the same strings a query string would carry)."""
    query = QueryDict(mutable=True)
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        query.setlist(key, ["true" if v is True else "false" if v is False else str(v) for v in values])
    return query


class NoNumberInQueryAutoSchema(ScopedAutoSchema):
    """States the refusal in the schema: the search parameter may not hold a run of 7 digits."""

    def _get_filter_parameters(self):
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            if parameter.get("in") == "query" and parameter["name"] in getattr(self.view, "personal_params", ()):
                parameter.setdefault("schema", {})["pattern"] = NO_NUMBER_PATTERN
                parameter["description"] = str(
                    _("No run of 7 or more digits: search by ID or phone number with POST …/search/.")
                )
        return parameters


def search_action(serializer_class, filterset_class, name: str, tags: list[str]):
    """The `search` action of a list (`POST …/search/`), documented with the list's page as its answer."""
    body = search_body_serializer(filterset_class, name)

    @extend_schema(
        request=body,
        responses={
            200: serializer_class(many=True),
            400: VALIDATION_ERROR,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            **WITH_BODY,
        },
        parameters=[WWW_AUTHENTICATE],
        description=_("Search with the list's filters given as JSON (a number searched for stays out of the URL)."),
        tags=tags,
    )
    @action(detail=False, methods=["post"], permission_classes=[SearchPermission], filter_backends=[])
    def search(self, request):
        data = body(data=request.data)
        data.is_valid(raise_exception=True)
        fs = self.filterset_class(_as_query(data.validated_data), queryset=self.get_queryset(), request=request)
        if not fs.is_valid():
            raise translate_validation(fs.errors)
        page = self.paginate_queryset(fs.qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    return search


class PostSearchMixin:
    """For a ScopedModelViewSet whose search may hold an ID or phone number; the subclass adds
    `search = search_action(Serializer, FilterSet, "Name", tags)`."""

    personal_params: tuple[str, ...] = ("q",)
    schema: Any = NoNumberInQueryAutoSchema()

    def list(self, request, *args, **kwargs):
        refused = {
            name: [_("Do not put an ID or phone number in the URL: search with POST %(url)s.") % {"url": self._url()}]
            for name in self.personal_params
            if any(looks_personal(v) or looks_like_suffix(v) for v in request.query_params.getlist(name))
        }
        if refused:
            raise exceptions.ValidationError(refused)
        return super().list(request, *args, **kwargs)  # type: ignore[misc]

    def _url(self) -> str:
        return f"{self.request.path.rstrip('/')}/search/"  # type: ignore[attr-defined]
