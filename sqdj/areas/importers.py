"""The areas template (interfaces.md §2): 区域编码, 区域名称, 区域类型, 上级区域编码."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sqdj.core.importing import register_importer
from sqdj.core.tree_importing import TreeImporter

from . import services
from .choices import TEMPLATE_LABELS
from .models import Area


@register_importer
class AreaImporter(TreeImporter):
    kind = "areas"
    verbose_name = _("areas")
    model = Area
    headers = ["区域编码", "区域名称", "区域类型", "上级区域编码"]
    key_header = "区域编码"
    required = {"区域编码", "区域名称", "区域类型"}
    code_header, name_header, type_header, parent_header = headers
    type_labels = TEMPLATE_LABELS
    rules = services.rules
    columns = {"code": "区域编码", "name": "区域名称", "type": "区域类型", "parent": "上级区域编码"}

    def create(self, *, parent, data):
        return services.do_create_area(acting_user=self.user, parent=parent, **data)

    def update(self, obj, *, parent, data):
        return services.do_update_area(obj, acting_user=self.user, parent=parent, **data)

    def export_row(self, area: Area, parent_code: str):
        return [area.code, area.name, TEMPLATE_LABELS[area.type], parent_code]
