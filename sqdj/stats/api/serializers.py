"""The statistics object of interfaces.md §3: the query parameters, and the response (for the schema only; the
view returns `services.compute()` as it is)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sqdj.members.choices import CATEGORY_LABELS, EDUCATION_LABELS, WORK_STATUS_LABELS
from sqdj.orgs.choices import SECTOR_LABELS
from sqdj.orgs.choices import TEMPLATE_LABELS as ORG_TYPE_LABELS
from sqdj.units.choices import CATEGORY_LABELS as UNIT_CATEGORY_LABELS

from ..services import AGE_BANDS


class StatsQuerySerializer(serializers.Serializer):
    # not trimmed: " X" is simply no organization's code (404), only a missing or empty code is a 400
    org = serializers.CharField(trim_whitespace=False)
    as_of = serializers.DateField(required=False)


def _counts(name: str, keys, help_text: str = ""):
    """A serializer with one integer per key (the keys are the contract's Chinese words)."""
    fields = {key: serializers.IntegerField(min_value=0) for key in keys}
    return type(name, (serializers.Serializer,), {**fields, "__doc__": help_text})


class StatsOrgSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class StatsOrganizationsSerializer(serializers.Serializer):
    total = serializers.IntegerField(min_value=0)
    by_type = serializers.DictField(
        child=serializers.IntegerField(min_value=1),
        help_text=_("One key per organization type present: %(types)s.")
        % {"types": "、".join(ORG_TYPE_LABELS.values())},
    )
    by_sector = _counts("StatsOrgSectors", SECTOR_LABELS.values(), "所属领域")()  # issue 13


class StatsMembersSerializer(serializers.Serializer):
    total = serializers.IntegerField(min_value=0)
    full = serializers.IntegerField(min_value=0)
    probationary = serializers.IntegerField(min_value=0)
    female = serializers.IntegerField(min_value=0)
    ethnic_minority = serializers.IntegerField(min_value=0)
    college_or_above = serializers.IntegerField(min_value=0)
    by_category = _counts("StatsMemberCategories", CATEGORY_LABELS.values(), "党员分类")()
    by_work_status = _counts("StatsMemberWorkStatus", WORK_STATUS_LABELS.values(), "工作状况")()
    by_age_band = _counts("StatsAgeBands", [key for _lo, _hi, key in AGE_BANDS], "年龄（周岁）")()
    by_education = _counts("StatsEducation", EDUCATION_LABELS.values(), "学历")()


class StatsCoverageSerializer(serializers.Serializer):
    communities = serializers.IntegerField(min_value=0)
    communities_with_org = serializers.IntegerField(min_value=0)
    neworgs = serializers.IntegerField(min_value=0)
    neworgs_with_org = serializers.IntegerField(min_value=0)
    neworgs_3plus_members_without_org = serializers.IntegerField(min_value=0)


class StatsUnitsSerializer(serializers.Serializer):
    """The additive key `units` of interfaces.md §3 (present once the units app is installed): the units located in
    the org's territory on the day, by category, and how many are covered by an org and by an instructor."""

    total = serializers.IntegerField(min_value=0)
    by_category = _counts("StatsUnitCategories", UNIT_CATEGORY_LABELS.values(), "单位类别")()
    org_coverage = serializers.IntegerField(min_value=0, help_text="党的组织覆盖")
    work_coverage = serializers.IntegerField(min_value=0, help_text="工作覆盖")


class StatsSerializer(serializers.Serializer):
    org = StatsOrgSerializer()
    as_of = serializers.DateField()
    organizations = StatsOrganizationsSerializer()
    members = StatsMembersSerializer()
    coverage = StatsCoverageSerializer()
    units = StatsUnitsSerializer(required=False)
