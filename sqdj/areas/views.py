from sqdj.core.views import ModelViews

from . import services
from .filtersets import AreaFilterSet
from .forms import AreaForm
from .importers import AreaImporter
from .models import Area
from .tables import AreaTable


class AreaViews(ModelViews):
    model = Area
    table = AreaTable
    filterset = AreaFilterSet
    form = AreaForm
    importer = AreaImporter
    create_service = staticmethod(services.do_create_area)
    update_service = staticmethod(services.do_update_area)
    delete_service = staticmethod(services.do_delete_area)
    detail_template = "areas/area.html"

    @classmethod
    def detail_context(cls, obj, user):
        from sqdj.orgs.models import Org

        return {"located_orgs": Org.objects.filter(area=obj).restrict(user, "view").order_by("code")}
