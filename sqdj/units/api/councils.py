"""`/api/v1/councils/`, `/api/v1/decisions/`, `/api/v1/agreements/`: joint councils, their decisions (a status change
through the service: a stale `version` is 409), and co-building agreements. Writes go through units.councils."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from sqdj.core.api import COMMON_WRITE, ERROR, WITH_BODY, ServiceViewSet, scoped_schema
from sqdj.core.serializers import (
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedSlugRelatedField,
    StrictCharField,
)
from sqdj.orgs.models import Org

from .. import councils
from ..choices import DecisionStatus
from ..council_filtersets import AgreementFilterSet, CouncilFilterSet, DecisionFilterSet
from ..models import Agreement, Council, CouncilMeeting, Decision, Unit

CONFLICT = OpenApiResponse(ERROR, description=_("Someone else changed the decision first; nothing was written."))


class CouncilSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:council-detail")
    org = ScopedSlugRelatedField(model=Org, help_text=_("organization code"))

    class Meta:
        model = Council
        fields = ["id", "url", "org", "kind", "name", "term_started_on", "term_ends_on", "ended_on"]


class DecisionSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:decision-detail")
    council = ScopedPrimaryKeyRelatedField(model=Council)
    meeting = ScopedPrimaryKeyRelatedField(model=CouncilMeeting, required=False, allow_null=True)
    owner = ScopedPrimaryKeyRelatedField(model=Unit, help_text=_("owner unit id (a unit holding a seat)"))
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=2147483647,
        help_text=_("the decision's version as you last saw it (a stale one: 409)"),
    )  # fmt: skip

    class Meta:
        model = Decision
        fields = ["id", "url", "council", "meeting", "title", "detail", "owner", "owner_name", "due_on", "status",
                  "closed_on", "status_note", "version"]  # fmt: skip
        read_only_fields = ["status", "closed_on", "status_note"]


class DecisionStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DecisionStatus.choices)
    note = StrictCharField(required=False, allow_blank=True, max_length=200, help_text=_("required to drop it"))
    version = serializers.IntegerField(min_value=1, max_value=2147483647)


class AgreementSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:agreement-detail")
    org = ScopedSlugRelatedField(model=Org, help_text=_("organization code"))
    units = ScopedPrimaryKeyRelatedField(model=Unit, many=True, help_text=_("unit ids"))

    class Meta:
        model = Agreement
        fields = ["id", "url", "org", "units", "kind", "title", "number", "signed_on", "starts_on", "ends_on",
                  "org_commitments", "unit_commitments", "ended_on"]  # fmt: skip
        read_only_fields = ["ended_on"]


class EndedNotDeleted(ServiceViewSet):
    """Councils, decisions and agreements end (a seat, a decision dropped, an agreement ended early), never deleted."""

    http_method_names = ["get", "post", "patch", "head", "options"]


@scoped_schema(CouncilSerializer, tags=["units"])
class CouncilViewSet(EndedNotDeleted):
    """Joint councils (联席会, 协调委员会, 大工委) convened by the organizations of your scope. `?org=CODE`
    (`&descendants=true`), `?kind=`, `?q=`."""

    queryset = Council.objects.select_related("org").order_by("org__path", "name", "pk")
    serializer_class = CouncilSerializer
    filterset_class = CouncilFilterSet
    create_service = staticmethod(councils.do_create_council)
    update_service = staticmethod(councils.do_update_council)


@scoped_schema(DecisionSerializer, tags=["units"])
class DecisionViewSet(EndedNotDeleted):
    """Council decisions (议定事项): each with an owner unit and a due date. The status moves by
    `POST …/status/` (open → in progress → done / dropped with a reason), carrying the version you saw."""

    queryset = Decision.objects.select_related("council", "owner").order_by("due_on", "pk")
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilterSet
    create_service = staticmethod(councils.do_create_decision)
    update_service = staticmethod(councils.do_update_decision)

    def create_object(self, data):
        data = dict(data)
        data.pop("version", None)
        return councils.do_create_decision(acting_user=self.request.user, **data)

    @extend_schema(
        request=DecisionStatusSerializer,
        responses={200: DecisionSerializer, **COMMON_WRITE, **WITH_BODY, 409: CONFLICT},
        tags=["units"],
    )
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        decision = self.get_object()
        if not Decision.objects.restrict(request.user, "change").filter(pk=decision.pk).exists():
            raise exceptions.PermissionDenied()
        body = DecisionStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = councils.do_set_decision_status(decision, acting_user=request.user, **body.validated_data)
        return Response(self.get_serializer(decision).data)


@scoped_schema(AgreementSerializer, tags=["units"])
class AgreementViewSet(EndedNotDeleted):
    """Co-building agreements (共建协议, 结对共建) of the community organizations of your scope with units.
    `?org=CODE` (`&descendants=true`), `?kind=`, `?current=true`, `?q=`."""

    queryset = Agreement.objects.select_related("org").prefetch_related("units").order_by("-starts_on", "pk")
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilterSet
    create_service = staticmethod(councils.do_create_agreement)
    update_service = staticmethod(councils.do_update_agreement)


routes = [
    ("councils", CouncilViewSet, "council"),
    ("decisions", DecisionViewSet, "decision"),
    ("agreements", AgreementViewSet, "agreement"),
]
