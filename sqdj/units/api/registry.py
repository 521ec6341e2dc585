"""/api/v1/units/: the unit registry (list, retrieve, create, update; no delete: a unit ends, it is not deleted)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from sqdj.areas.models import Area
from sqdj.core.api import FORBIDDEN, NOT_AUTHENTICATED, NOT_FOUND, VALIDATION_ERROR, ScopedModelViewSet, scoped_schema
from sqdj.core.serializers import ScopedModelSerializer, ScopedSlugRelatedField, StrictCharField
from sqdj.members.api.serializers import RevealRequestSerializer
from sqdj.orgs.models import Org

from .. import services
from ..coverage import assigned_now
from ..filtersets import UnitFilterSet
from ..models import Unit


class UnitSerializer(ScopedModelSerializer):
    """The contact phone is written in full and read back masked only (`reveal/` shows it once, with a reason)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:unit-detail")
    area = ScopedSlugRelatedField(model=Area, help_text=_("area code"))
    org = ScopedSlugRelatedField(model=Org, required=False, allow_null=True, help_text=_("organization code"))
    contact_phone = StrictCharField(write_only=True, required=False, allow_blank=True, max_length=20)
    contact_phone_masked = serializers.SerializerMethodField()
    org_coverage = serializers.SerializerMethodField()
    work_coverage = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = ["id", "url", "name", "credit_code", "category", "area", "employees", "party_members", "full_members",
                  "org", "contact_name", "contact_phone", "contact_phone_masked", "industry", "size",
                  "legal_rep_is_member", "principal_is_member", "has_trade_union", "has_youth_league",
                  "has_womens_federation", "premises", "building", "address", "status", "registered_on", "ended_on",
                  "org_coverage", "work_coverage"]  # fmt: skip
        # the service checks the code (check digit, unique) with Chinese messages
        extra_kwargs: dict[str, dict] = {"credit_code": {"validators": []}}

    @extend_schema_field(serializers.CharField())
    def get_contact_phone_masked(self, obj) -> str:
        return Unit._meta.get_field("contact_phone").mask(obj.contact_phone)

    @extend_schema_field(serializers.BooleanField())
    def get_org_coverage(self, obj) -> bool:
        return obj.org_id is not None

    @extend_schema_field(serializers.BooleanField())
    def get_work_coverage(self, obj) -> bool:
        covered = getattr(obj, "work_covered", None)
        if covered is None:
            covered = obj.instructors.filter(ended_on__isnull=True).exists()
        return bool(covered)


class RevealPhoneSerializer(serializers.Serializer):
    contact_phone = serializers.CharField()


@scoped_schema(UnitSerializer, tags=["units"])
class UnitViewSet(ScopedModelViewSet):
    """Units (驻区单位, 两新组织), with the unit list's filters; the contact phone masked in every answer."""

    queryset = Unit.objects.select_related("org", "area").annotate(work_covered=assigned_now()).order_by("name", "pk")
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def create_object(self, data):
        return services.do_create_unit(acting_user=self.request.user, **data)

    def update_object(self, obj, data):
        return services.do_update_unit(obj, acting_user=self.request.user, **data)

    @extend_schema(
        request=RevealRequestSerializer,
        responses={
            200: RevealPhoneSerializer,
            400: VALIDATION_ERROR,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },  # fmt: skip
        tags=["units"],
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The full contact phone, for a user allowed to see it; the look is logged with the reason."""
        unit = self.get_object()
        body = RevealRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = services.do_reveal(unit, acting_user=request.user, reason=body.validated_data["reason"],
                                    remote_addr=request.META.get("REMOTE_ADDR"))  # fmt: skip
        response = Response(RevealPhoneSerializer(values).data)
        response["Cache-Control"] = "no-store"
        return response


routes = [("units", UnitViewSet, "unit")]
