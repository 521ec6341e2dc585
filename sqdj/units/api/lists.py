"""/api/v1/needs/, /resources/, /projects/: the three lists through the scope gate, written by units.lists."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sqdj.areas.models import Area
from sqdj.core.api import ServiceViewSet, scoped_schema
from sqdj.core.serializers import ScopedModelSerializer, ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField
from sqdj.orgs.models import Org

from .. import lists
from ..list_filtersets import NeedFilterSet, ProjectFilterSet, ResourceFilterSet
from ..models import Need, Project, Resource, Unit


class NeedSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:need-detail")
    org = ScopedSlugRelatedField(model=Org, help_text=_("organization code"))
    area = ScopedSlugRelatedField(
        model=Area, required=False, allow_null=True, help_text=_("area code; empty: the organization's area")
    )

    class Meta:
        model = Need
        fields = ["id", "url", "org", "area", "category", "title", "description", "beneficiaries", "wanted_from",
                  "wanted_until", "people", "status"]  # fmt: skip
        extra_kwargs = {"status": {"required": False}}


class ResourceSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:resource-detail")
    unit = ScopedSlugRelatedField(model=Unit, slug_field="credit_code", help_text=_("unified social credit code"))
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Resource
        fields = ["id", "url", "unit", "unit_name", "category", "title", "description", "capacity", "opening_hours",
                  "amount", "people", "available_from", "available_until", "active"]  # fmt: skip


class ProjectSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:project-detail")
    org = ScopedSlugRelatedField(model=Org, help_text=_("organization code"))
    need = ScopedPrimaryKeyRelatedField(model=Need, required=False, allow_null=True, help_text=_("need id"))
    resources = ScopedPrimaryKeyRelatedField(model=Resource, many=True, required=False, help_text=_("resource ids"))

    class Meta:
        model = Project
        fields = ["id", "url", "org", "need", "resources", "title", "status", "starts_on", "ends_on",
                  "people_served", "outcome"]  # fmt: skip
        extra_kwargs = {"status": {"required": False}}


@scoped_schema(NeedSerializer, tags=["units"])
class NeedViewSet(ServiceViewSet):
    """需求清单: the needs of community organizations. `?org=CODE` (`&descendants=true`), `?category=`, `?status=`."""

    queryset = Need.objects.select_related("org", "area").order_by("-pk")
    serializer_class = NeedSerializer
    filterset_class = NeedFilterSet
    create_service = staticmethod(lists.do_create_need)
    update_service = staticmethod(lists.do_update_need)
    delete_service = staticmethod(lists.do_delete_need)


@scoped_schema(ResourceSerializer, tags=["units"])
class ResourceViewSet(ServiceViewSet):
    """资源清单: what units offer (venues, funds, volunteers, skills). `?unit=ID`, `?category=`, `?active=`."""

    queryset = Resource.objects.select_related("unit").order_by("-pk")
    serializer_class = ResourceSerializer
    filterset_class = ResourceFilterSet
    create_service = staticmethod(lists.do_create_resource)
    update_service = staticmethod(lists.do_update_resource)
    delete_service = staticmethod(lists.do_delete_resource)


@scoped_schema(ProjectSerializer, tags=["units"])
class ProjectViewSet(ServiceViewSet):
    """项目清单: projects matching a need with resources of units in the community's territory; visible also to
    the liaisons of the units involved."""

    queryset = Project.objects.select_related("org", "need").prefetch_related("resources").order_by("-pk")
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    create_service = staticmethod(lists.do_create_project)
    update_service = staticmethod(lists.do_update_project)
    delete_service = staticmethod(lists.do_delete_project)


routes = [
    ("needs", NeedViewSet, "need"),
    ("resources", ResourceViewSet, "resource"),
    ("projects", ProjectViewSet, "project"),
]
