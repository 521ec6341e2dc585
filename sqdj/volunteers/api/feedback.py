"""`/api/v1/feedback/`: feedback letters to the members' units (反馈, issue 16 item 5). The community side drafts one
member's letter by `POST` (registration and period) or a whole round with `POST …/draft/` (org and period), sets a
draft's evaluation and note by `PATCH`, and signs it off with `POST …/sign/` (the version read: two admins at once,
one answers 200, the other 409). The unit side reads its members' letters once signed. Never deleted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from sqdj.core.api import COMMON_WRITE, ERROR, WITH_BODY, ServiceViewSet, scoped_schema
from sqdj.core.serializers import (
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedSlugRelatedField,
    StrictBooleanSerializerField,
)
from sqdj.members.models import Registration
from sqdj.orgs.models import Org

from .. import feedback as services
from ..choices import PeriodKind
from ..feedback_filtersets import FeedbackFilterSet
from ..models import Feedback

CONFLICT = OpenApiResponse(ERROR, description=gettext_lazy("Someone else acted on the letter first, or it is signed "
                                                           "off already; nothing was written."))  # fmt: skip
PERIOD_FIELDS = {
    "period_kind": serializers.ChoiceField(choices=PeriodKind.choices),
    "year": serializers.IntegerField(min_value=1900, max_value=9999),
    "quarter": serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=4,
                                        help_text=gettext_lazy("1 to 4, for a quarter's letters")),
}  # fmt: skip


class FeedbackSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:feedback-detail")
    registration = ScopedPrimaryKeyRelatedField(model=Registration, help_text=gettext_lazy("registration id"))
    member_name = serializers.CharField(source="member.name", read_only=True)
    org: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    community: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_org: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    year = serializers.IntegerField(write_only=True, required=False, min_value=1900, max_value=9999)
    quarter = serializers.IntegerField(write_only=True, required=False, allow_null=True, min_value=1, max_value=4)
    refresh = StrictBooleanSerializerField(write_only=True, required=False,
                                       help_text=gettext_lazy("read the figures again from the records"))  # fmt: skip
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text=gettext_lazy("the version read (a change since: 409)"))  # fmt: skip

    class Meta:
        model = Feedback
        fields = ["id", "url", "registration", "member_name", "org", "community", "unit_org", "period_kind", "year",
                  "quarter", "period_start", "period_end", "posts", "teams", "activities", "hours", "evaluation",
                  "note", "refresh", "state", "number", "signed_on", "version"]  # fmt: skip
        read_only_fields = ["period_start", "period_end", "posts", "teams", "activities", "hours", "state", "number",
                            "signed_on"]  # fmt: skip
        extra_kwargs = {"period_kind": {"required": False}}


class DraftSerializer(serializers.Serializer):
    org = ScopedSlugRelatedField(model=Org, help_text=gettext_lazy("code of the community party organization"))
    period_kind = PERIOD_FIELDS["period_kind"]
    year = PERIOD_FIELDS["year"]
    quarter = PERIOD_FIELDS["quarter"]


class SignSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=gettext_lazy("the version read (a change since: 409)"))


DRAFTED = inline_serializer("FeedbackDrafted", {"created": serializers.IntegerField(),
                                                "skipped": serializers.IntegerField()})  # fmt: skip


@extend_schema_view(partial_update=extend_schema(
    responses={200: FeedbackSerializer, **COMMON_WRITE, **WITH_BODY, 409: CONFLICT}, tags=["volunteers"]))  # fmt: skip
@scoped_schema(FeedbackSerializer, tags=["volunteers"])
class FeedbackViewSet(ServiceViewSet):
    """Feedback letters of your scope: your communities' drafts and letters, and your members' signed letters.
    `?period_kind=`, `?year=`, `?quarter=`, `?community=CODE`, `?unit_org=CODE` (and below), `?state=`,
    `?evaluation=`, `?to_sign=true` (drafts you may sign off), `?q=` (the member's name)."""

    queryset = Feedback.objects.select_related("member", "org", "community", "unit_org").order_by("-period_start",
                                                                                                  "pk")  # fmt: skip
    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]  # never deleted

    def create_object(self, data):
        data = dict(data)
        for name in ("refresh", "version"):
            data.pop(name, None)
        if "period_kind" not in data or "year" not in data:
            raise ValidationError({name: [_("This field is required.")] for name in ("period_kind", "year")
                                   if name not in data})  # fmt: skip
        keep = ("period_kind", "year", "quarter")
        return services.do_draft_one(data["registration"], acting_user=self.request.user,
                                     **{k: data[k] for k in keep if k in data})  # fmt: skip

    def update_object(self, obj, data):
        fixed = [k for k in ("period_kind", "year", "quarter") if k in data]
        if "registration" in data and data["registration"].pk != obj.registration_id:
            fixed.append("registration")
        if fixed:
            raise ValidationError({k: [_("The letter's member and period do not change.")] for k in fixed})
        given = {"evaluation": obj.evaluation, "note": obj.note, "refresh": False, "version": None}  # PATCH: the rest
        given.update({k: data[k] for k in given if k in data})  # stays as it is
        return services.do_edit_feedback(obj, acting_user=self.request.user, **given)

    @extend_schema(request=DraftSerializer, responses={200: DRAFTED, **COMMON_WRITE, **WITH_BODY},
                   tags=["volunteers"])  # fmt: skip
    @action(detail=False, methods=["post"])
    def draft(self, request, **kwargs):
        """The community side drafts a round: one letter per member registered with the org's community during the
        period (those with a letter already are skipped)."""
        body = DraftSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        created, skipped = services.do_draft_feedback(acting_user=request.user, **body.validated_data)
        return Response({"created": created, "skipped": skipped})

    @extend_schema(request=SignSerializer, responses={200: FeedbackSerializer, **COMMON_WRITE, **WITH_BODY,
                                                      409: CONFLICT}, tags=["volunteers"])  # fmt: skip
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None, **kwargs):
        """The community side signs the draft off (an evaluation is required): it gets its number and is final."""
        letter = self.get_object()
        body = SignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        letter = services.do_sign_feedback(letter, acting_user=request.user, **body.validated_data)
        return Response(self.get_serializer(letter).data)


routes = [("feedback", FeedbackViewSet, "feedback")]
