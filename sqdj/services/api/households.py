"""`/api/v1/households/`: households in hardship (issue 17 item 4). `GET` lists them (number, area, kinds of hardship,
state, the contact masked — no room, needs or basis note: those are the details) and reads one (every read of the
details is logged: audit `sensitive_view`); `POST` enters one; `PATCH` changes an open one (with the `version` read:
changed since, 409); `POST …/close/` ends the help. `/api/v1/household-assistances/` (pairings: `POST` pairs a
helper, `POST …/end/` ends it), `/api/v1/household-supports/` (support given), `/api/v1/household-reviews/` (the
yearly reviews): list, read, create."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from sqdj.areas.models import Area
from sqdj.core.api import ServiceViewSet, scoped_schema
from sqdj.core.serializers import (
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedSlugRelatedField,
    StrictBooleanSerializerField,
    StrictCharField,
)
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from .. import households as services
from ..choices import Hardship, HouseholdEnd, LegalBasis
from ..household_filtersets import (
    AssistanceFilterSet,
    HouseholdFilterSet,
    HouseholdReviewFilterSet,
    SupportFilterSet,
)
from ..models import Assistance, Household, HouseholdReview, Support, Visit
from .requests import ACTION_RESPONSES, RequestAssignSerializer, _version

# the household's facts a PATCH may change (the others keep their stored values)
FACTS = ("area", "room", "contact_name", "contact_phone", "size", "hardships", "needs", "basis", "basis_note")


class ChoiceListField(serializers.ListField):
    """A list of choices whose errors are one flat list of messages (the API's error shape: a field maps to a
    string or a list of strings, not to the items' positions)."""

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = exc.detail
            flat = [str(m) for ms in detail.values() for m in ms] if isinstance(detail, dict) else detail
            raise serializers.ValidationError(flat) from None


class HouseholdSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:household-detail")
    area = ScopedSlugRelatedField(model=Area, help_text=_("area code (a community or below it)"))
    org: serializers.Field = serializers.SlugRelatedField(slug_field="code", read_only=True)
    room = StrictCharField(max_length=30, required=False, allow_blank=True)
    # written in full, read back masked only
    contact_name = StrictCharField(max_length=20, required=False, allow_blank=True, write_only=True)
    contact_phone = StrictCharField(max_length=20, required=False, allow_blank=True, write_only=True)
    contact_name_masked = serializers.CharField(read_only=True)
    contact_phone_masked = serializers.CharField(read_only=True)
    size = serializers.IntegerField(min_value=1, max_value=99, required=False, allow_null=True)
    hardships = ChoiceListField(child=serializers.ChoiceField(choices=Hardship.choices), allow_empty=False)
    needs = StrictCharField(max_length=300, required=False, allow_blank=True)
    basis = serializers.ChoiceField(choices=LegalBasis.choices)
    basis_note = StrictCharField(max_length=200, required=False, allow_blank=True)
    consent = StrictBooleanSerializerField(required=False, write_only=True,
                                           help_text=_("the household consents (basis consent)"))  # fmt: skip
    consent_version = StrictCharField(max_length=20, required=False, allow_blank=True)
    visit = ScopedPrimaryKeyRelatedField(model=Visit, required=False, allow_null=True)
    opened_on = serializers.DateField(required=False, help_text=_("help started on (default today)"))
    end_reason = serializers.CharField(read_only=True, help_text=_("why help ended (empty while open)"))
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False,
                                       help_text=_("the version you read (a PATCH: changed since, 409)"))  # fmt: skip

    class Meta:
        model = Household
        fields = ["id", "url", "number", "org", "area", "room", "contact_name", "contact_phone",
                  "contact_name_masked", "contact_phone_masked", "size", "hardships", "needs", "basis", "basis_note",
                  "consent", "consent_at", "consent_version", "state", "opened_on", "closed_on", "end_reason",
                  "anonymised_at", "visit", "version"]  # fmt: skip
        read_only_fields = ["number", "consent_at", "state", "closed_on", "anonymised_at"]


class HouseholdListSerializer(HouseholdSerializer):
    """The list: no details (room, needs, basis note), so that every read of them is a logged retrieve."""

    class Meta(HouseholdSerializer.Meta):
        fields = [f for f in HouseholdSerializer.Meta.fields if f not in ("room", "needs", "basis_note")]


class HouseholdCloseSerializer(serializers.Serializer):
    version = _version()
    end_reason = serializers.ChoiceField(choices=HouseholdEnd.choices)
    closed_on = serializers.DateField(required=False, allow_null=True)


@scoped_schema(HouseholdSerializer, tags=["services"])
class HouseholdViewSet(ServiceViewSet):
    """Households of your territory (a paired member, a paired unit's liaison: those they help). `?q=` (number),
    `?state=`, `?hardship=`, `?area=CODE`, `?review_due=true`, `?paired_with_me=true`."""

    queryset = Household.objects.select_related("area", "org").order_by("area__path", "number")
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]  # closed by its action, never deleted

    def get_serializer_class(self):
        return HouseholdListSerializer if self.action == "list" else HouseholdSerializer

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        services.log_view(obj, user=request.user, what="api", remote_addr=request.META.get("REMOTE_ADDR"))
        return Response(self.get_serializer(obj).data)

    def create_object(self, data):
        data = dict(data)
        data.pop("version", None)
        return services.do_create_household(acting_user=self.request.user, **data)

    def update_object(self, obj, data):
        data = dict(data)
        merged = {f: getattr(obj, f) for f in FACTS}
        merged["consent"] = obj.consent_at is not None
        merged["consent_version"] = obj.consent_version
        merged["version"] = obj.version
        data.pop("visit", None)  # the visit it was opened from stays
        return services.do_update_household(obj, acting_user=self.request.user, **{**merged, **data})

    @extend_schema(request=HouseholdCloseSerializer, responses={200: HouseholdSerializer, **ACTION_RESPONSES},
                   tags=["services"])  # fmt: skip
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, **kwargs):
        """Help ends (a reason of the list); the running pairings end that day."""
        obj = self.get_object()
        body = HouseholdCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = services.do_close_household(obj, acting_user=request.user, **body.validated_data)
        return Response(self.get_serializer(done).data)


class _HelperSerializer(ScopedModelSerializer):
    """A helper: a member (id), an org (code) or a unit (its name, as a request's assignment)."""

    household = ScopedSlugRelatedField(model=Household, slug_field="number", help_text=_("household number"))
    member = ScopedPrimaryKeyRelatedField(model=Member, required=False, allow_null=True, help_text=_("member id"))
    org = ScopedSlugRelatedField(model=Org, required=False, allow_null=True, help_text=_("organization code"))
    unit = StrictCharField(max_length=200, required=False, allow_blank=True, help_text=_("the unit's name"))

    def validate(self, attrs):
        RequestAssignSerializer._named(cast(Any, self), attrs, "unit", "Unit", "name")  # the one lookup by name
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["unit"] = str(instance.unit) if instance.unit_id else ""
        return data


class AssistanceSerializer(_HelperSerializer):
    started_on = serializers.DateField(required=False, help_text=_("default today"))
    note = StrictCharField(max_length=200, required=False, allow_blank=True)

    class Meta:
        model = Assistance
        fields = ["id", "household", "member", "org", "unit", "started_on", "ended_on", "note"]
        read_only_fields = ["ended_on"]


class EndPairingSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False, allow_null=True)


@scoped_schema(AssistanceSerializer, tags=["services"])
class AssistanceViewSet(ServiceViewSet):
    """Pairings (结对帮扶) of the households you see. `?household=NUMBER`, `?active=true`."""

    queryset = Assistance.objects.select_related("household", "member", "org", "unit").order_by("-started_on",
                                                                                                "-pk")  # fmt: skip
    serializer_class = AssistanceSerializer
    filterset_class = AssistanceFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def create_object(self, data):
        data = dict(data)
        household = data.pop("household")
        return services.do_pair(household, acting_user=self.request.user, **data)

    @extend_schema(request=EndPairingSerializer, responses={200: AssistanceSerializer, **ACTION_RESPONSES},
                   tags=["services"])  # fmt: skip
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None, **kwargs):
        """The pairing ends (today unless a day is given)."""
        obj = self.get_object()
        body = EndPairingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(self.get_serializer(services.do_end_pairing(obj, acting_user=request.user,
                                                                    **body.validated_data)).data)  # fmt: skip


class SupportSerializer(_HelperSerializer):
    given_on = serializers.DateField(required=False, help_text=_("default today"))
    what = StrictCharField(max_length=200)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True,
                                      help_text=_("yuan: required for money, goods' worth optional"))  # fmt: skip
    visit = ScopedPrimaryKeyRelatedField(model=Visit, required=False, allow_null=True)

    class Meta:
        model = Support
        fields = ["id", "household", "given_on", "kind", "what", "amount", "member", "org", "unit", "visit"]


@scoped_schema(SupportSerializer, tags=["services"])
class SupportViewSet(ServiceViewSet):
    """Support given to the households you see. `?household=NUMBER`, `?kind=`."""

    queryset = Support.objects.select_related("household", "member", "org", "unit").order_by("-given_on", "-pk")
    serializer_class = SupportSerializer
    filterset_class = SupportFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def create_object(self, data):
        data = dict(data)
        household = data.pop("household")
        return services.do_record_support(household, acting_user=self.request.user, **data)


class HouseholdReviewSerializer(ScopedModelSerializer):
    household = ScopedSlugRelatedField(model=Household, slug_field="number", help_text=_("household number"))
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False,
                                    help_text=_("default: the year of the review day"))  # fmt: skip
    reviewed_on = serializers.DateField(required=False, help_text=_("default today"))
    note = StrictCharField(max_length=300, required=False, allow_blank=True)
    end_reason = serializers.ChoiceField(choices=HouseholdEnd.choices, required=False, write_only=True,
                                         help_text=_("why help ends (outcome close)"))  # fmt: skip

    class Meta:
        model = HouseholdReview
        fields = ["id", "household", "year", "reviewed_on", "outcome", "note", "end_reason"]
        validators: list = []  # one a year: the service's check and its Chinese message


@scoped_schema(HouseholdReviewSerializer, tags=["services"])
class HouseholdReviewViewSet(ServiceViewSet):
    """The yearly reviews of the households you see (one a year; outcome close ends the help). `?household=NUMBER`,
    `?outcome=`."""

    queryset = HouseholdReview.objects.select_related("household").order_by("-year", "-pk")
    serializer_class = HouseholdReviewSerializer
    filterset_class = HouseholdReviewFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def create_object(self, data):
        data = dict(data)
        household = data.pop("household")
        return services.do_review(household, acting_user=self.request.user, **data)


routes = [
    ("households", HouseholdViewSet, "household"),
    ("household-assistances", AssistanceViewSet, "assistance"),
    ("household-supports", SupportViewSet, "support"),
    ("household-reviews", HouseholdReviewViewSet, "householdreview"),
]
