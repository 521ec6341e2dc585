"""REST resources of mobile members: /api/v1/outflows/ and /api/v1/inflows/ (scoped like the pages; contact, ID
and phone numbers are written in full and read back masked only). The record's steps are actions
(`POST …/{id}/contact/`, `lost/`, `verify/`, `branch/`, `end/`); records end rather than being deleted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from sqdj.core.api import (
    FORBIDDEN,
    NOT_AUTHENTICATED,
    NOT_FOUND,
    VALIDATION_ERROR,
    WWW_AUTHENTICATE,
    ScopedModelViewSet,
    scoped_schema,
)
from sqdj.core.search_api import PostSearchMixin, search_action
from sqdj.core.serializers import ScopedModelSerializer, ScopedSlugRelatedField, StrictCharField
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from .. import mobile_services as services
from ..choices import MobileEnd
from ..mobile_filtersets import InflowFilterSet, OutflowFilterSet
from ..models import Inflow, Outflow


class ScopedMemberField(serializers.PrimaryKeyRelatedField):
    """A member given by id, chosen only among those the caller may see (else: does not exist)."""

    def get_queryset(self):
        request = self.context.get("request")
        return Member.objects.restrict(getattr(request, "user", None), "view")


# read back as text: empty while the record is open (the enum of end/ does not hold "")
END_REASON = {"read_only": True, "help_text": gettext_lazy("returned, transferred, left or other; empty while open")}


class OutflowSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:outflow-detail")
    member = ScopedMemberField(help_text=gettext_lazy("party member id (cannot change after creation)"))
    member_name = serializers.CharField(source="member.name", read_only=True)
    org = serializers.CharField(source="member.org.code", read_only=True, help_text=gettext_lazy("organization code"))
    contact = StrictCharField(write_only=True, required=False, allow_blank=True, max_length=20)
    contact_masked = serializers.CharField(read_only=True)
    last_contact_on = serializers.DateField(
        required=False, help_text=gettext_lazy("on creation (default today); later only through contact/")
    )
    end_reason = serializers.CharField(**END_REASON)
    months_away = serializers.SerializerMethodField()
    contact_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Outflow
        fields = ["id", "url", "member", "member_name", "org", "left_on", "destination", "destination_org", "contact",
                  "contact_masked", "last_contact_on", "mobile_card_number", "lost_contact_since", "ended_on",
                  "end_reason", "months_away", "contact_overdue"]  # fmt: skip
        read_only_fields = ["lost_contact_since", "ended_on"]

    def get_months_away(self, obj) -> int:
        return services.months_away(obj.left_on)

    def get_contact_overdue(self, obj) -> bool:
        return services.contact_overdue(obj.last_contact_on)


class InflowSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:inflow-detail")
    host_org = ScopedSlugRelatedField(model=Org, help_text=gettext_lazy("organization code"))
    branch = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text=gettext_lazy("set by branch/")
    )
    id_number = StrictCharField(
        write_only=True, max_length=18, help_text=gettext_lazy("citizen ID number (write only)")
    )
    phone = StrictCharField(write_only=True, required=False, allow_blank=True, max_length=20)
    id_number_masked = serializers.CharField(read_only=True)
    phone_masked = serializers.CharField(read_only=True)
    last_contact_on = serializers.DateField(
        required=False, help_text=gettext_lazy("on creation (default today); later only through contact/")
    )
    end_reason = serializers.CharField(**END_REASON)
    verified = serializers.BooleanField(read_only=True)
    # a related field: null when nobody verified yet, also in the answer to a partial update (PATCH)
    verified_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Inflow
        fields = ["id", "url", "name", "id_number", "id_number_masked", "phone", "phone_masked", "home_org_name",
                  "home_org_contact", "arrived_on", "mobile_card_number", "host_org", "verified", "verified_on",
                  "verified_by", "verification_note", "branch", "last_contact_on", "ended_on",
                  "end_reason"]  # fmt: skip
        read_only_fields = ["verified_on", "verification_note", "ended_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple) and self.partial is False:
            self.fields["id_number"].required = False  # on a full update the number may be left out


class ContactSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text=gettext_lazy("default today"))


class LostSerializer(serializers.Serializer):
    since = serializers.DateField(required=False, help_text=gettext_lazy("default today"))


class EndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False, help_text=gettext_lazy("default today"))
    end_reason = serializers.ChoiceField(choices=MobileEnd.choices)  # the record's field name (one enum in the schema)


class VerifySerializer(serializers.Serializer):
    verified_on = serializers.DateField(required=False, help_text=gettext_lazy("default today"))
    note = StrictCharField(max_length=200, help_text=gettext_lazy("how the identity was verified"))


class BranchSerializer(serializers.Serializer):
    branch = ScopedSlugRelatedField(model=Org, help_text=gettext_lazy("code of a branch under the host organization"))


def _step(serializer, response):
    return extend_schema(
        request=serializer,
        responses={200: response, 400: VALIDATION_ERROR, 401: NOT_AUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
        parameters=[WWW_AUTHENTICATE],
    )


class MobileViewSet(ScopedModelViewSet):
    http_method_names = ["get", "post", "put", "patch", "head", "options"]  # records end, they are not deleted

    def _run(self, request, body_class, service):
        obj = self.get_object()
        body = body_class(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if "end_reason" in data:
            data["reason"] = data.pop("end_reason")
        try:
            obj = service(obj, acting_user=request.user, **data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "reason" in exc.error_dict:
                exc.error_dict["end_reason"] = exc.error_dict.pop("reason")
            raise
        return Response(self.get_serializer(obj).data)


@scoped_schema(OutflowSerializer, tags=["mobile members"])
class OutflowViewSet(PostSearchMixin, MobileViewSet):
    """Members of ours away ≥ 6 months without transferring (流出党员). A search by a number (card, phone) is
    `POST …/search/`."""

    queryset = Outflow.objects.select_related("member", "member__org").order_by("-left_on", "pk")
    serializer_class = OutflowSerializer
    filterset_class = OutflowFilterSet
    search = search_action(OutflowSerializer, OutflowFilterSet, "Outflow", ["mobile members"])

    def create_object(self, data):
        data = dict(data)
        member = data.pop("member")
        return services.do_record_outflow(member, acting_user=self.request.user, **data)

    def update_object(self, obj, data):
        data = dict(data)
        if "member" in data and data["member"].pk != obj.member_id:
            raise ValidationError({"member": [_("The member of a record cannot change.")]})
        if "last_contact_on" in data and data["last_contact_on"] != obj.last_contact_on:
            raise ValidationError({"last_contact_on": [_("Changes only by recording a contact.")]})
        return services.do_update_outflow(obj, acting_user=self.request.user, **data)

    @_step(ContactSerializer, OutflowSerializer)
    @action(detail=True, methods=["post"])
    def contact(self, request, pk=None):
        """Record a contact with the member (clears a lost contact)."""
        return self._run(request, ContactSerializer, services.do_record_outflow_contact)

    @_step(LostSerializer, OutflowSerializer)
    @action(detail=True, methods=["post"])
    def lost(self, request, pk=None):
        """Record that the member cannot be reached (the consequences are findings, never applied)."""
        return self._run(request, LostSerializer, services.do_mark_lost_contact)

    @_step(EndSerializer, OutflowSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the record (returned, transferred, …)."""
        return self._run(request, EndSerializer, services.do_end_outflow)


@scoped_schema(InflowSerializer, tags=["mobile members"])
class InflowViewSet(PostSearchMixin, MobileViewSet):
    """Members of other organizations living here (流入党员). A search by ID number is `POST …/search/`."""

    queryset = Inflow.objects.select_related("host_org", "branch", "verified_by").order_by("-arrived_on", "pk")
    serializer_class = InflowSerializer
    filterset_class = InflowFilterSet
    search = search_action(InflowSerializer, InflowFilterSet, "Inflow", ["mobile members"])

    def create_object(self, data):
        return services.do_register_inflow(acting_user=self.request.user, **data)

    def update_object(self, obj, data):
        data = dict(data)
        if "last_contact_on" in data and data["last_contact_on"] != obj.last_contact_on:
            raise ValidationError({"last_contact_on": [_("Changes only by recording a contact.")]})
        return services.do_update_inflow(obj, acting_user=self.request.user, **data)

    @_step(ContactSerializer, InflowSerializer)
    @action(detail=True, methods=["post"])
    def contact(self, request, pk=None):
        """Record a contact with the member."""
        return self._run(request, ContactSerializer, services.do_record_inflow_contact)

    @_step(VerifySerializer, InflowSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Record the identity verification (who: the caller; when; how: a required note)."""
        return self._run(request, VerifySerializer, services.do_verify_inflow)

    @_step(BranchSerializer, InflowSerializer)
    @action(detail=True, methods=["post"])
    def branch(self, request, pk=None):
        """Place the member in a local branch's activities (only after verification; a branch under the host)."""
        return self._run(request, BranchSerializer, services.do_assign_branch)

    @_step(EndSerializer, InflowSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the record (left the area, transferred, …)."""
        return self._run(request, EndSerializer, services.do_end_inflow)
