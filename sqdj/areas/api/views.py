from sqdj.core.api import ScopedTreeViewSet, scoped_schema

from .. import services
from ..filtersets import AreaFilterSet
from ..models import Area
from .serializers import AreaSerializer


@scoped_schema(AreaSerializer, tags=["areas"])
class AreaViewSet(ScopedTreeViewSet):
    """Areas (the territory tree) within the caller's scope. `?code=` finds one by code; `?area=CODE` lists an
    area and its direct subdivisions (`&descendants=true`: its whole subtree); `?q=` searches name and code.
    A node's parent is given by code."""

    queryset = Area.objects.order_by("path")
    serializer_class = AreaSerializer
    filterset_class = AreaFilterSet
    create_service = staticmethod(services.do_create_area)
    update_service = staticmethod(services.do_update_area)
    delete_service = staticmethod(services.do_delete_area)
