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
    # administrative divisions are public: a member's residence may be any community of the city
    pick_fields = ("name", "code")
    pick_pinyin_fields = ("name_pinyin", "name_initials")
    pick_filters = ("type",)
    pick_public = True

    @classmethod
    def pick_label(cls, obj) -> str:
        return obj.name_with_code
