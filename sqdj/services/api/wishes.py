"""`/api/v1/wishes/`: 微心愿 (issue 17 item 3). `GET` lists and reads them (a member, a unit's liaison: the open
wishes of their communities and those they claimed), `POST` posts one (the community's staff); `POST …/claim/`,
`…/withdraw/`, `…/fulfil/` act with the wish's `version` read (changed since: 409). A member claims for themself
(no claimant given: their own member record; a unit's liaison: their unit). The fulfilment's photo goes as
multipart/form-data. `/api/v1/wish-claims/`: the claims, read only."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import parsers, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from sqdj.areas.models import Area
from sqdj.core.api import ScopedModelViewSet, ServiceViewSet, scoped_schema
from sqdj.core.rest import SelfServicePermission
from sqdj.core.serializers import (
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedSlugRelatedField,
    StrictCharField,
)
from sqdj.members.models import Member

from .. import wishes
from ..choices import RequestKind
from ..models import Request, WishClaim
from ..wish_filtersets import WishClaimFilterSet, WishFilterSet
from .requests import ACTION_RESPONSES, _version


class WishClaimSerializer(ScopedModelSerializer):
    request: serializers.Field = serializers.PrimaryKeyRelatedField(read_only=True)
    member: serializers.Field = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    team: serializers.Field = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    unit: serializers.Field = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    org: serializers.Field = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    has_photo = serializers.SerializerMethodField(help_text=_("a photo of the fulfilment is kept"))

    class Meta:
        model = WishClaim
        fields = ["id", "request", "member", "team", "unit", "org", "state", "claimed_at", "fulfilled_on",
                  "fulfilment", "hours", "has_photo", "withdrawn_at", "version"]  # fmt: skip
        read_only_fields = fields

    def get_has_photo(self, obj) -> bool:
        return bool(obj.photo)


class WishSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:wish-detail")
    area = ScopedSlugRelatedField(model=Area, help_text=_("area code (a community or below it)"))
    summary = StrictCharField(max_length=100, help_text=_("what is wished for"))
    description = StrictCharField(max_length=2000, required=False, allow_blank=True)
    beneficiary = StrictCharField(max_length=50, help_text=_("for whom: an anonymous label, no name"))
    wanted_by = serializers.DateField(write_only=True, help_text=_("by when (its due time is the end of that day)"))
    claim = serializers.SerializerMethodField(help_text=_("the active claim, if any"))

    class Meta:
        model = Request
        fields = ["id", "url", "number", "summary", "description", "beneficiary", "area", "wanted_by", "source",
                  "state", "received_at", "due_at", "resolved_at", "closed_at", "resolution", "claim",
                  "version"]  # fmt: skip
        read_only_fields = ["number", "state", "received_at", "due_at", "resolved_at", "closed_at", "resolution",
                            "version"]  # fmt: skip
        extra_kwargs = {"source": {"required": False, "help_text": _("how the wish came in (default: a visit)")}}

    @extend_schema_field(WishClaimSerializer(allow_null=True))
    def get_claim(self, obj) -> dict | None:
        claim = wishes.active_claim(obj)
        return WishClaimSerializer(claim, context=self.context).data if claim is not None else None


class WishClaimBodySerializer(serializers.Serializer):
    version = _version()
    member = ScopedPrimaryKeyRelatedField(model=Member, required=False, allow_null=True, help_text=_("member id"))
    team = ScopedPrimaryKeyRelatedField(model=apps.get_model("volunteers", "Team"), required=False, allow_null=True,
                                        help_text=_("service team id"))  # fmt: skip
    unit = ScopedPrimaryKeyRelatedField(model=apps.get_model("units", "Unit"), required=False, allow_null=True,
                                        help_text=_("unit id"))  # fmt: skip


class WishWithdrawSerializer(serializers.Serializer):
    version = _version()
    reason = StrictCharField(max_length=200, allow_blank=True)


class WishFulfilSerializer(serializers.Serializer):
    version = _version()
    fulfilled_on = serializers.DateField()
    fulfilment = StrictCharField(max_length=300, allow_blank=True)
    hours = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=0, required=False, allow_null=True)
    photo = serializers.FileField(required=False, allow_null=True, help_text=_("optional: JPEG, PNG, WebP or GIF"))


def _action_schema(body):
    return extend_schema(request=body, responses={200: WishSerializer, **ACTION_RESPONSES}, tags=["services"])


@scoped_schema(WishSerializer, tags=["services"])
class WishViewSet(ServiceViewSet):
    """Small wishes you may see. `?q=` (number, wish, for whom), `?state=open|claimed|fulfilled|closed`,
    `?area=CODE`, `?late=true`, `?mine=true`."""

    queryset = Request.objects.filter(kind=RequestKind.WISH)
    serializer_class = WishSerializer
    filterset_class = WishFilterSet
    permission_classes = [SelfServicePermission]
    self_service_actions = ("claim", "withdraw", "fulfil")  # the service checks whose it is
    http_method_names = ["get", "post", "head", "options"]  # changed by its steps, never deleted

    def get_queryset(self):
        # the scope gate's wishes, and a member's open wishes of their communities (wishes.visible)
        return wishes.visible(self.request.user).select_related("area").order_by("-received_at", "-pk")

    def create_object(self, data):
        return wishes.do_post_wish(acting_user=self.request.user, **data)

    def _act(self, request, body_class, call):
        wish = self.get_object()
        body = body_class(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        call(wish, dict(body.validated_data))
        wish.refresh_from_db()
        return Response(self.get_serializer(wish).data)

    def _claim_of(self, wish):
        claim = wishes.active_claim(wish)
        if claim is None:
            raise ValidationError({"__all__": [_("The wish has no open claim.")]})
        return claim

    @_action_schema(WishClaimBodySerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None, **kwargs):
        """Claimed by one of: a member, a service team or a unit (ids). A member with no claimant given claims for
        themself; a unit's liaison for their unit."""
        user = request.user

        def call(wish, data):
            if not any(data.get(k) for k in wishes.HELPERS) and not wishes.is_staff(wish, user):
                member = wishes.own_member(user)
                units = wishes.own_units(user) if member is None else []
                data["member" if member is not None else "unit"] = member or (units[0] if units else None)
            return wishes.do_claim_wish(wish, acting_user=user, **data)

        return self._act(request, WishClaimBodySerializer, call)

    @_action_schema(WishWithdrawSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None, **kwargs):
        """The open claim is withdrawn, with a reason: the wish is open again."""
        return self._act(request, WishWithdrawSerializer, lambda wish, data: wishes.do_withdraw_claim(
            self._claim_of(wish), acting_user=request.user, **data))  # fmt: skip

    @_action_schema(WishFulfilSerializer)
    @action(detail=True, methods=["post"], parser_classes=[parsers.MultiPartParser, parsers.JSONParser])
    def fulfil(self, request, pk=None, **kwargs):
        """The fulfilment: when, what was done, the hours (a member's claim: counted in their service record), a
        photo (multipart/form-data; optional)."""
        return self._act(request, WishFulfilSerializer, lambda wish, data: wishes.do_fulfil_wish(
            self._claim_of(wish), acting_user=request.user, **data))  # fmt: skip


@scoped_schema(WishClaimSerializer, tags=["services"])
class WishClaimViewSet(ScopedModelViewSet):
    """Claims of small wishes you may see (a member, a unit's liaison: their own). `?state=`, `?request=<wish id>`."""

    queryset = WishClaim.objects.select_related("request").order_by("-claimed_at", "-pk")
    serializer_class = WishClaimSerializer
    filterset_class = WishClaimFilterSet
    http_method_names = ["get", "head", "options"]


routes = [("wishes", WishViewSet, "wish"), ("wish-claims", WishClaimViewSet, "wishclaim")]
