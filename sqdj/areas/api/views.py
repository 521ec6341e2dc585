from sqdj.core.api import ScopedTreeViewSet, scoped_schema

from .. import services
from ..filtersets import AreaFilterSet
from ..models import Area
from .serializers import AreaSerializer


@scoped_schema(AreaSerializer)
class AreaViewSet(ScopedTreeViewSet):
    queryset = Area.objects.order_by("path")
    serializer_class = AreaSerializer
    filterset_class = AreaFilterSet
    create_service = staticmethod(services.do_create_area)
    update_service = staticmethod(services.do_update_area)
    delete_service = staticmethod(services.do_delete_area)
