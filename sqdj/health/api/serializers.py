"""The findings object of interfaces.md §4: the query parameters, and the response (for the schema only; the view
returns `services.as_json()` as it is)."""

from __future__ import annotations

from rest_framework import serializers

from sqdj.core.rules import SEVERITIES


class ChecksQuerySerializer(serializers.Serializer):
    org = serializers.CharField(trim_whitespace=False)
    as_of = serializers.DateField(required=False)


class FindingObjectSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["org", "area", "unit", "member"])
    code = serializers.CharField()


class FindingSerializer(serializers.Serializer):
    rule = serializers.CharField()
    severity = serializers.ChoiceField(choices=list(SEVERITIES))
    object = FindingObjectSerializer()
    message = serializers.CharField()
    source = serializers.CharField(allow_blank=True)
    action = serializers.CharField()


class ChecksOrgSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ChecksSummarySerializer(serializers.Serializer):
    error = serializers.IntegerField(min_value=0)
    warning = serializers.IntegerField(min_value=0)
    reminder = serializers.IntegerField(min_value=0)


class ChecksSerializer(serializers.Serializer):
    org = ChecksOrgSerializer()
    as_of = serializers.DateField()
    summary = ChecksSummarySerializer()
    findings = FindingSerializer(many=True)
