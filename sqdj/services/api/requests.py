"""`/api/v1/requests/`: residents' requests (issue 17 item 1). `GET` lists and reads them (the contact masked in every
answer), `POST` enters one (the staff's intake); `POST …/accept/`, `…/start/`, `…/assign/`, `…/resolve/`, `…/close/`,
`…/refer/`, `…/decline/`, `…/rate/` take a step with the `version` read (changed since: 409). The member it is
assigned to may start and resolve it. `/api/v1/request-categories/`: the catalogue."""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from sqdj.areas.models import Area
from sqdj.core.api import COMMON_WRITE, ERROR, WITH_BODY, ServiceViewSet, scoped_schema
from sqdj.core.rest import SelfServicePermission
from sqdj.core.serializers import (
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedSlugRelatedField,
    StrictBooleanSerializerField,
    StrictCharField,
)
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from .. import requests as services
from ..choices import Satisfaction, Urgency
from ..models import Category, Request, Station
from ..request_filtersets import CategoryFilterSet, RequestFilterSet

CONFLICT = OpenApiResponse(ERROR, description=_("Someone else acted on it first; nothing was written."))
ACTION_RESPONSES = {**COMMON_WRITE, **WITH_BODY, 409: CONFLICT}


def _version() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text=_("the version you read"))


class RequestSerializer(ScopedModelSerializer):
    # the resident's answer: blank until they are asked (a plain string, as the other read-only blank choices)
    satisfaction = serializers.CharField(read_only=True, help_text=_("satisfied, basically, unsatisfied or empty"))
    url = serializers.HyperlinkedIdentityField(view_name="api:request-detail")
    category = ScopedSlugRelatedField(model=Category, required=False, allow_null=True,
                                      help_text=_("category code"))  # fmt: skip
    area = ScopedSlugRelatedField(model=Area, help_text=_("area code (a community or below it)"))
    station = ScopedPrimaryKeyRelatedField(model=Station, required=False, allow_null=True)
    summary = StrictCharField(max_length=100)
    description = StrictCharField(max_length=2000)
    location = StrictCharField(max_length=200, required=False, allow_blank=True)
    # written in full, read back masked only
    contact_name = StrictCharField(max_length=20, required=False, allow_blank=True, write_only=True)
    contact_phone = StrictCharField(max_length=20, required=False, allow_blank=True, write_only=True)
    contact_name_masked = serializers.CharField(read_only=True)
    contact_phone_masked = serializers.CharField(read_only=True)
    consent = StrictBooleanSerializerField(
        required=False, write_only=True, help_text=_("the resident consents to the contact being kept")
    )
    consent_version = StrictCharField(max_length=20, required=False, allow_blank=True)
    public = StrictBooleanSerializerField(required=False)
    org: serializers.Field = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    assigned_org: serializers.Field = serializers.SlugRelatedField(slug_field="code", read_only=True,
                                                                   allow_null=True)  # fmt: skip
    assigned_member: serializers.Field = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    assigned_unit: serializers.Field = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    assigned_project: serializers.Field = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Request
        fields = ["id", "url", "number", "kind", "category", "summary", "description", "area", "location",
                  "urgency", "source", "station", "contact_name", "contact_phone", "contact_name_masked",
                  "contact_phone_masked", "consent", "consent_at", "consent_version", "public", "org",
                  "assigned_org", "assigned_member", "assigned_unit", "assigned_project", "state", "received_at",
                  "due_at", "accepted_at", "resolved_at", "closed_at", "escalated_at", "resolution", "end_reason",
                  "satisfaction", "reopened", "unsatisfied_streak", "version"]  # fmt: skip
        read_only_fields = ["number", "kind", "consent_at", "state", "received_at", "due_at", "accepted_at",
                            "resolved_at", "closed_at", "escalated_at", "resolution", "end_reason", "satisfaction",
                            "reopened", "unsatisfied_streak", "version"]  # fmt: skip


class RequestActionSerializer(serializers.Serializer):
    version = _version()
    note = StrictCharField(max_length=500, required=False, allow_blank=True, help_text=_("internal note"))
    public_note = StrictCharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text=_("shown on the public status page: no names or numbers"),
    )


class RequestResolveSerializer(RequestActionSerializer):
    outcome = StrictCharField(max_length=2000, allow_blank=True)


class RequestEndSerializer(RequestActionSerializer):
    reason = StrictCharField(max_length=200, allow_blank=True)


class RequestAssignSerializer(serializers.Serializer):
    version = _version()
    branch = ScopedSlugRelatedField(model=Org, required=False, allow_null=True, help_text=_("branch code"))
    member = ScopedPrimaryKeyRelatedField(model=Member, required=False, allow_null=True, help_text=_("member id"))
    unit = StrictCharField(max_length=200, required=False, allow_blank=True, help_text=_("the unit's name"))
    project = StrictCharField(max_length=200, required=False, allow_blank=True, help_text=_("the project's name"))
    note = StrictCharField(max_length=500, required=False, allow_blank=True)

    def _named(self, attrs, field, model, name_field):
        name = (attrs.get(field) or "").strip()
        if not name:
            attrs[field] = None
            return
        user = getattr(self.context.get("request"), "user", None)
        found = list(apps.get_model("units", model).objects.restrict(user, "view").filter(**{name_field: name})[:2])
        if len(found) != 1:
            raise serializers.ValidationError({field: [_("No such one among those you may see.") if not found
                                                       else _("More than one has this name.")]})  # fmt: skip
        attrs[field] = found[0]

    def validate(self, attrs):
        self._named(attrs, "unit", "Unit", "name")
        self._named(attrs, "project", "Project", "title")
        return attrs


class RequestRateSerializer(serializers.Serializer):
    version = _version()
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    note = StrictCharField(max_length=500, required=False, allow_blank=True)


def _step_schema(body):
    return extend_schema(request=body, responses={200: RequestSerializer, **ACTION_RESPONSES}, tags=["services"])


@scoped_schema(RequestSerializer, tags=["services"])
class RequestViewSet(ServiceViewSet):
    """Requests of your territory (a member, a unit's liaison: those assigned to them). `?q=` (number or summary),
    `?state=`, `?category=CODE`, `?source=`, `?urgency=`, `?area=CODE`, `?overdue=true`, `?escalated=true`,
    `?assigned_to_me=true`."""

    queryset = Request.objects.select_related("category", "area", "org", "assigned_org").order_by("-received_at",
                                                                                                   "-pk")  # fmt: skip
    serializer_class = RequestSerializer
    filterset_class = RequestFilterSet
    permission_classes = [SelfServicePermission]
    self_service_actions = ("start", "resolve")  # the assigned member (the service checks it is theirs)
    http_method_names = ["get", "post", "head", "options"]  # changed by its steps, never deleted

    def create_object(self, data):
        data.setdefault("urgency", Urgency.NORMAL)
        return services.do_create_request(acting_user=self.request.user, **data)

    def _step(self, request, body_class, call, **kwargs):
        obj = self.get_object()
        body = body_class(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return Response(self.get_serializer(call(obj, acting_user=request.user, **body.validated_data,
                                                 **kwargs)).data)  # fmt: skip

    @_step_schema(RequestActionSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None, **kwargs):
        """The responsible community accepts it."""
        return self._step(request, RequestActionSerializer, services.do_accept)

    @_step_schema(RequestActionSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None, **kwargs):
        """Work starts (the community, or the member it is assigned to)."""
        return self._step(request, RequestActionSerializer, services.do_start)

    @_step_schema(RequestAssignSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None, **kwargs):
        """Assigned to one of: a branch (code), a member (id), a unit or a council project (by name)."""
        return self._step(request, RequestAssignSerializer, services.do_assign)

    @_step_schema(RequestResolveSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None, **kwargs):
        """Resolved, with the outcome (the community, or the member it is assigned to)."""
        return self._step(request, RequestResolveSerializer, services.do_resolve)

    @_step_schema(RequestActionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, **kwargs):
        """Closed after its resolution (not while the resident's last answer is 不满意)."""
        return self._step(request, RequestActionSerializer, services.do_close)

    @_step_schema(RequestEndSerializer)
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None, **kwargs):
        """Referred elsewhere, saying where and why."""
        return self._step(request, RequestEndSerializer, services.do_refer)

    @_step_schema(RequestEndSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None, **kwargs):
        """Declined, saying why."""
        return self._step(request, RequestEndSerializer, services.do_decline)

    @_step_schema(RequestRateSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None, **kwargs):
        """The resident's answer on a resolved request; 不满意 reopens it."""
        return self._step(request, RequestRateSerializer, services.do_rate)


class CategorySerializer(ScopedModelSerializer):
    org = ScopedSlugRelatedField(
        model=Org,
        required=False,
        allow_null=True,
        help_text=_("organization code (empty: national, system administrators only)"),
    )

    class Meta:
        model = Category
        fields = ["id", "org", "code", "name", "position", "active"]


@scoped_schema(CategorySerializer, tags=["services"])
class CategoryViewSet(ServiceViewSet):
    """Request categories you may use: the national ones, those of your organizations and the ones above. `?q=`,
    `?active=`."""

    queryset = Category.objects.select_related("org").order_by("position", "code")
    serializer_class = CategorySerializer
    filterset_class = CategoryFilterSet
    create_service = staticmethod(services.do_create_category)
    update_service = staticmethod(services.do_update_category)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def update_object(self, obj, data):
        data.pop("org", None)  # the org stays
        merged = {f: getattr(obj, f) for f in ("code", "name", "position", "active")}
        return services.do_update_category(obj, acting_user=self.request.user, **{**merged, **data})


routes = [("requests", RequestViewSet, "request"), ("request-categories", CategoryViewSet, "category")]
