"""`/api/v1/resident-visits/`: visits (走访, issue 17 item 5). `GET` lists and reads the visits of your territory,
`POST` records one (the area a community or below it, not in the future, what was heard), `PATCH` changes it, `DELETE`
removes it while nothing was opened from it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sqdj.areas.models import Area
from sqdj.core.api import ServiceViewSet, scoped_schema
from sqdj.core.serializers import (
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedSlugRelatedField,
    StrictCharField,
)
from sqdj.members.models import Member

from .. import visits
from ..models import Household, Visit
from ..visit_filtersets import VisitFilterSet


class ResidentVisitSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:resident-visit-detail")
    area = ScopedSlugRelatedField(model=Area, help_text=_("area code (a community or below it)"))
    household = ScopedSlugRelatedField(model=Household, slug_field="number", required=False, allow_null=True,
                                       help_text=_("household number"))  # fmt: skip
    visitors = ScopedPrimaryKeyRelatedField(model=Member, many=True, required=False, help_text=_("member ids"))
    other_visitors = StrictCharField(max_length=100, required=False, allow_blank=True)
    heard = StrictCharField(max_length=4000)
    org: serializers.Field = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Visit
        fields = ["id", "url", "org", "area", "household", "visited_on", "visitors", "other_visitors", "heard"]


@scoped_schema(ResidentVisitSerializer, tags=["services"])
class VisitViewSet(ServiceViewSet):
    """The visits of your territory. `?q=` (what was heard), `?area=CODE` (and below), `?visited_from=`,
    `?visited_to=`, `?household=NUMBER`, `?mine=true` (those you took part in)."""

    queryset = (
        Visit.objects.select_related("org", "area", "household")
        .prefetch_related("visitors")
        .order_by("-visited_on", "-pk")
    )
    serializer_class = ResidentVisitSerializer
    filterset_class = VisitFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    create_service = staticmethod(visits.do_record_visit)
    update_service = staticmethod(visits.do_update_visit)
    delete_service = staticmethod(visits.do_delete_visit)


# `visits` is the units app's (a unit's visits): these are residents' visits
routes = [("resident-visits", VisitViewSet, "resident-visit")]
