"""The orgs template (interfaces.md §2).

组织编码, 组织名称, 组织类别, 上级组织编码, 所在区域编码, 成立日期, 本届任期开始日期[, 所属领域[, 可审批预备党员]]

所属领域 (the org's sector, issue 13) is an optional last column: a file without it imports as before, new orgs
getting the default of their type (orgs.choices.default_sector) and existing ones keeping theirs; an empty cell
means the same. 可审批预备党员 (是/否: Org.approves_members) may follow it, optional the same way (default:
orgs.choices.default_approves_members). The export writes both.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.areas.models import Area
from sqdj.core.importing import ParsedRow, register_importer
from sqdj.core.tree_importing import TreeImporter

from . import services
from .choices import SECTOR_LABELS, TEMPLATE_LABELS
from .models import Org

TEMPLATE_HEADERS = ["组织编码", "组织名称", "组织类别", "上级组织编码", "所在区域编码", "成立日期", "本届任期开始日期"]
SECTOR = "所属领域"
AUTHORITY = "可审批预备党员"
YES_NO = {True: "是", False: "否"}


@register_importer
class OrgImporter(TreeImporter):
    kind = "orgs"
    verbose_name = gettext_lazy("party organizations")
    model = Org
    headers = [*TEMPLATE_HEADERS, SECTOR, AUTHORITY]  # what the export writes; a file may leave out the last one or two
    template_headers = TEMPLATE_HEADERS  # the download is the template of interfaces.md §2, exactly
    key_header = "组织编码"
    required = {"组织编码", "组织名称", "组织类别"}
    code_header, name_header, type_header, parent_header = headers[:4]
    type_labels = TEMPLATE_LABELS
    rules = services.rules
    columns = {
        "code": "组织编码",
        "name": "组织名称",
        "type": "组织类别",
        "parent": "上级组织编码",
        "area": "所在区域编码",
        "founded_on": "成立日期",
        "term_started_on": "本届任期开始日期",
        "sector": SECTOR,
        "approves_members": AUTHORITY,
    }

    select_related = ("area",)

    def check_headers(self, table) -> bool:
        # interfaces.md §2's columns, or those and 所属领域: this import reads the columns the file has
        got = table.headers
        if got == TEMPLATE_HEADERS or SECTOR not in got:
            self.headers = TEMPLATE_HEADERS
        elif AUTHORITY not in got:
            self.headers = [*TEMPLATE_HEADERS, SECTOR]
        return super().check_headers(table)

    def extra_fields(self):
        return (
            ("area", "founded_on", "term_started_on")
            + (("sector",) if SECTOR in self.headers else ())
            + (("approves_members",) if AUTHORITY in self.headers else ())
        )

    def parse_extra(self, pr: ParsedRow) -> None:
        if SECTOR in self.headers:
            pr.data["sector"] = self.choice(pr, SECTOR, SECTOR_LABELS)
        if AUTHORITY in self.headers:
            word = self.choice(pr, AUTHORITY, YES_NO)  # the value as text ("True"), None when empty or wrong
            pr.data["approves_members"] = None if word is None else word == str(True)
        pr.data["area_code"] = self.text(pr, "所在区域编码")
        pr.data["founded_on"] = self.date(pr, "成立日期")
        pr.data["term_started_on"] = self.date(pr, "本届任期开始日期")
        if pr.data["founded_on"] and pr.data["term_started_on"] and pr.data["term_started_on"] < pr.data["founded_on"]:
            self.error(
                pr.row, "本届任期开始日期", _("The current term cannot start before the organization was founded.")
            )

    def check_file(self, rows):
        codes = {pr.data["area_code"] for pr in rows if pr.data["area_code"]}
        areas = Area.objects.filter(code__in=list(codes))
        if self.user is not None:
            areas = areas.restrict(self.user, "view")
        found = {a.code: a for a in areas}
        for pr in rows:
            code = pr.data["area_code"]
            pr.data["area"] = found.get(code) if code else None
            if code and code not in found:
                self.error(
                    pr.row,
                    "所在区域编码",
                    _("Unknown area code “%(code)s” (not in the system, or outside your scope).") % {"code": code},
                )
        if "sector" in self.extra_fields():
            # an empty cell: an existing org keeps its sector, a new one gets its type's default (do_create_org)
            empty = [pr.data["code"] for pr in rows if not pr.data["sector"]]
            kept = dict(Org.objects.filter(code__in=empty).values_list("code", "sector")) if empty else {}
            for pr in rows:
                if not pr.data["sector"]:
                    pr.data["sector"] = kept.get(pr.data["code"])
        if "approves_members" in self.extra_fields():
            # likewise: an empty cell keeps an existing org's authority, a new one gets the default of its type
            empty = [pr.data["code"] for pr in rows if pr.data["approves_members"] is None]
            had = dict(Org.objects.filter(code__in=empty).values_list("code", "approves_members")) if empty else {}
            for pr in rows:
                if pr.data["approves_members"] is None:
                    pr.data["approves_members"] = had.get(pr.data["code"])
        super().check_file(rows)

    def create(self, *, parent, data):
        if data.get("approves_members") is None:
            data.pop("approves_members", None)  # the default of the type and place (Org.save)
        return services.do_create_org(acting_user=self.user, parent=parent, **data)

    def update(self, obj, *, parent, data):
        return services.do_update_org(obj, acting_user=self.user, parent=parent, **data)

    def export_rows(self, queryset):
        return super().export_rows(queryset.select_related("area"))

    def export_row(self, org: Org, parent_code: str):
        return [
            org.code,
            org.name,
            TEMPLATE_LABELS[org.type],
            parent_code,
            org.area.code if org.area else "",
            org.founded_on,
            org.term_started_on,
            SECTOR_LABELS[org.sector],
            YES_NO[org.approves_members],
        ]
