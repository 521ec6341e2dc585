"""Serializer bases shared by every app's API."""

from __future__ import annotations

from typing import Any, cast

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.STR)
class CodeRelatedField(serializers.SlugRelatedField):
    """A related object given by code, among `queryset` (e.g. any community: their names are public divisions)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        # a code is a string: anything else (number, list, object) would only reach the database to fail there
        if not isinstance(data, str) or "\x00" in data:  # PostgreSQL cannot even compare text holding NUL
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.STR)
class ScopedSlugRelatedField(CodeRelatedField):
    """A related object given by code, chosen only among those the caller may see (else: does not exist)."""

    def __init__(self, model=None, **kwargs):
        self.related_model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        model = self.related_model or cast(Any, self.parent).Meta.model
        request = self.context.get("request")
        return model.objects.restrict(getattr(request, "user", None), "view")


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object given by id, chosen only among those the caller may see (else: does not exist)."""

    def __init__(self, model=None, **kwargs):
        self.related_model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.related_model.objects.restrict(getattr(request, "user", None), "view")

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """Text given as a JSON string only: DRF's own CharField also takes a number (storing 0 as "0")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanSerializerField(serializers.BooleanField):
    """true or false given as JSON booleans only: DRF's own BooleanField also takes "yes", 1, "on" …"""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class ScopedModelSerializer(serializers.ModelSerializer):
    """Base of every app's model serializer: text fields accept strings only, yes/no fields booleans only (as the
    schema says)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.BooleanField: StrictBooleanSerializerField,
    }


class TreeNodeSerializer(ScopedModelSerializer):
    """A tree node with its parent given by code."""

    parent = ScopedSlugRelatedField(required=False, allow_null=True, help_text=_("parent code"))  # type: ignore[assignment]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        model = type(instance)
        parent_path = instance.path[: -model.steplen]
        codes = self.context.get("parent_codes")
        if not parent_path:
            data["parent"] = None
        elif codes is not None and parent_path in codes:
            data["parent"] = codes[parent_path]
        else:
            data["parent"] = model.objects.filter(path=parent_path).values_list("code", flat=True).first()
        return data
