from sqdj.core.api import ScopedTreeViewSet, scoped_schema

from .. import services
from ..filtersets import OrgFilterSet
from ..models import Org
from .serializers import OrgSerializer


@scoped_schema(OrgSerializer, tags=["orgs"])
class OrgViewSet(ScopedTreeViewSet):
    """Party organizations within the caller's scope. `?code=` finds one by code; `?org=CODE` lists an
    organization and its direct subordinates (`&descendants=true`: its whole subtree); `?q=` searches name and
    code. A node's parent and area are given by code."""

    queryset = Org.objects.select_related("area").order_by("path")
    serializer_class = OrgSerializer
    filterset_class = OrgFilterSet
    create_service = staticmethod(services.do_create_org)
    update_service = staticmethod(services.do_update_org)
    delete_service = staticmethod(services.do_delete_org)
