"""/api/v1/instructors/, /api/v1/visits/ (list, retrieve, create, update) and /api/v1/authority-entries/ (read only):
the same scope gate, filters and services as the pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sqdj.core.api import ScopedModelViewSet, scoped_schema
from sqdj.core.pii import mask_phone
from sqdj.core.serializers import ScopedModelSerializer, ScopedPrimaryKeyRelatedField, StrictCharField
from sqdj.members.models import Member

from .. import intake
from ..intake_filtersets import AuthorityEntryFilterSet, InstructorFilterSet, VisitFilterSet
from ..models import AuthorityEntry, Instructor, Unit, Visit


class InstructorSerializer(ScopedModelSerializer):
    """The phone is written in full and read back masked only."""

    url = serializers.HyperlinkedIdentityField(view_name="api:instructor-detail")
    unit = ScopedPrimaryKeyRelatedField(model=Unit, help_text=_("unit id"))
    member = ScopedPrimaryKeyRelatedField(model=Member, required=False, allow_null=True, help_text=_("party member id"))
    name = StrictCharField(max_length=50, required=False, allow_blank=True)
    phone = StrictCharField(write_only=True, required=False, allow_blank=True, max_length=20)
    phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = Instructor
        fields = ["id", "url", "unit", "kind", "name", "member", "sent_by", "phone", "phone_masked", "started_on",
                  "ended_on", "end_reason"]  # fmt: skip
        read_only_fields = ["ended_on", "end_reason"]  # ended by the unit's end or the page's action

    @extend_schema_field(serializers.CharField())
    def get_phone_masked(self, obj) -> str:
        return mask_phone(obj.phone)


class VisitSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:visit-detail")
    instructor = ScopedPrimaryKeyRelatedField(model=Instructor, help_text=_("instructor id"))

    class Meta:
        model = Visit
        fields = ["id", "url", "instructor", "visited_on", "content", "next_step"]


class AuthorityEntrySerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:authorityentry-detail")
    area: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = AuthorityEntry
        fields = ["id", "url", "authority", "kind", "credit_code", "name", "changed_on", "area", "unit", "status",
                  "due_on", "contacted_on", "note"]  # fmt: skip
        read_only_fields = fields


@scoped_schema(InstructorSerializer, tags=["units"])
class InstructorViewSet(ScopedModelViewSet):
    """党建工作指导员 / 联络员 assigned to units. `?kind=`, `?current=true` (assigned today), `?area=CODE` (the units
    located there and below), `?unit=<id>`, `?q=`."""

    queryset = Instructor.objects.select_related("unit").order_by("unit_id", "-started_on", "pk")
    serializer_class = InstructorSerializer
    filterset_class = InstructorFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def create_object(self, data):
        data = dict(data)
        unit = data.pop("unit")
        return intake.do_add_instructor(unit, acting_user=self.request.user, **data)

    def update_object(self, obj, data):
        return intake.do_update_instructor(obj, acting_user=self.request.user, **data)


@scoped_schema(VisitSerializer, tags=["units"])
class VisitViewSet(ScopedModelViewSet):
    """Instructors' visits to their units: the date, what was done, the next step. `?instructor=<id>`, `?unit=<id>`."""

    queryset = Visit.objects.order_by("-visited_on", "-pk")
    serializer_class = VisitSerializer
    filterset_class = VisitFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def create_object(self, data):
        data = dict(data)
        instructor = data.pop("instructor")
        return intake.do_record_visit(instructor, acting_user=self.request.user, **data)

    def update_object(self, obj, data):
        return intake.do_update_visit(obj, acting_user=self.request.user, **data)


@scoped_schema(AuthorityEntrySerializer, tags=["units"])
class AuthorityEntryViewSet(ScopedModelViewSet):
    """The lines of the registration authorities' lists (read only: written by `sqdj import unit-changes`).
    `?status=`, `?kind=`, `?authority=`, `?area=CODE`, `?due=overdue|open`, `?q=`."""

    queryset = AuthorityEntry.objects.select_related("area").order_by("-changed_on", "pk")
    serializer_class = AuthorityEntrySerializer
    filterset_class = AuthorityEntryFilterSet
    http_method_names = ["get", "head", "options"]


routes = [
    ("instructors", InstructorViewSet, "instructor"),
    ("visits", VisitViewSet, "visit"),
    ("authority-entries", AuthorityEntryViewSet, "authorityentry"),
]
