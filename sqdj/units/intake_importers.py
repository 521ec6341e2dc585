"""The registration authorities' lists (双向联系, issue 15 item 3): `sqdj import unit-changes FILE` and the import
wizard of the authority entries' page.

登记管理机关, 变动类型, 统一社会信用代码, 单位名称, 单位类别, 变动日期, 所在区域编码, 住所

市场监管 (enterprises) and 民政 (social organizations) send the units newly registered (设立) and deregistered (注销) in
the territory. Each line is one `AuthorityEntry`, keyed by 统一社会信用代码 + 变动类型 + 变动日期: the same line again
is the same entry (`unchanged`). A 设立 line creates the unit when its code is unknown (status 开业, 0 employees and 0
party members until someone fills them in) and waits as 待对接 until 变动日期 + `unit.intake_days`; a 注销 line ends its
unit (intake.do_end_unit: its instructors, liaison accounts and council seats end; nothing is deleted) and is
closed — an unknown code is a warning (the entry is kept, with no unit). A code the user may not change (a unit
outside their scope) is an error, as an unknown area code is. Any error: nothing is written.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.areas.models import Area
from sqdj.core import dates
from sqdj.core.importing import (
    Importer,
    ParsedRow,
    RowErrors,
    RowMessage,
    messages_from_validation,
    register_importer,
)

from . import intake
from .choices import CATEGORY_LABELS, Authority, ChangeKind, UnitCategory
from .models import AuthorityEntry, Unit
from .services import credit_code_error, normalize_credit_code

AUTHORITY, KIND, CODE, NAME, CATEGORY, DATE, AREA, ADDRESS = HEADERS = [
    "登记管理机关", "变动类型", "统一社会信用代码", "单位名称", "单位类别", "变动日期", "所在区域编码", "住所",
]  # fmt: skip
# the template's words (the regulation's own): value -> word
AUTHORITY_LABELS = {Authority.MARKET_REGULATION: "市场监管", Authority.CIVIL_AFFAIRS: "民政"}
KIND_LABELS = {ChangeKind.REGISTERED: "设立", ChangeKind.DEREGISTERED: "注销"}
COLUMNS = {"authority": AUTHORITY, "kind": KIND, "credit_code": CODE, "name": NAME, "category": CATEGORY,
           "changed_on": DATE, "ended_on": DATE, "area": AREA, "address": ADDRESS}  # fmt: skip
EXAMPLE_CODE = "91110101MA00000005"  # fictional, with a valid check digit


@register_importer
class UnitChangeImporter(Importer):
    kind = "unit-changes"
    verbose_name = gettext_lazy("registration authority list entries")
    model = AuthorityEntry
    headers = HEADERS
    key_header = CODE
    required = {AUTHORITY, KIND, CODE, NAME, CATEGORY, DATE, AREA}
    columns = COLUMNS
    checks_parsed_rows = True  # the file's reference errors come with its format errors

    def __init__(self, user=None):
        super().__init__(user)
        self.today = dates.today()

    # ---- the template download (core.import_templates) ----------------------------------------------------
    def template_choices(self) -> dict[str, list[str]]:
        return {
            AUTHORITY: list(AUTHORITY_LABELS.values()),
            KIND: list(KIND_LABELS.values()),
            CATEGORY: list(CATEGORY_LABELS.values()),
        }

    def template_notes(self) -> dict[str, str]:
        return {
            AUTHORITY: _("市场监管 for enterprises, 民政 for social organizations."),
            KIND: _("设立: newly registered in the territory; 注销: deregistered."),
            CODE: _(
                "18 characters with a check digit. With 变动类型 and 变动日期 the key: the same line again changes "
                "nothing."
            ),
            CATEGORY: _("Used when a newly registered unit is added to the registry."),
            DATE: _("The day of registration or deregistration; not in the future."),
            AREA: _("The code of the area (subdistrict, community or below) where the unit is located."),
            ADDRESS: _("Optional: the registered address."),
        }

    def example_row(self) -> dict[str, object]:
        areas = Area.objects.all() if self.user is None else Area.objects.restrict(self.user, "add")
        area = areas.order_by("-depth", "path").first()
        return {
            AUTHORITY: AUTHORITY_LABELS[Authority.MARKET_REGULATION],
            KIND: KIND_LABELS[ChangeKind.REGISTERED],
            CODE: EXAMPLE_CODE,
            NAME: "示例科技有限公司",
            CATEGORY: CATEGORY_LABELS[UnitCategory.NON_PUBLIC_ENTERPRISE],
            DATE: self.today,
            AREA: area.code if area else "",
            ADDRESS: "示例路1号",
        }

    # ---- rows --------------------------------------------------------------------------------------------
    def parse_row(self, pr: ParsedRow) -> None:
        row, d = pr.row, pr.data
        d["authority"] = self.choice(pr, AUTHORITY, AUTHORITY_LABELS)
        d["kind"] = self.choice(pr, KIND, KIND_LABELS)
        code = normalize_credit_code(self.text(pr, CODE))
        if code:
            problem = credit_code_error(code)
            if problem:
                self.error(row, CODE, problem)
        d["credit_code"] = code
        d["name"] = self.text(pr, NAME, AuthorityEntry._meta.get_field("name").max_length)
        d["category"] = self.choice(pr, CATEGORY, CATEGORY_LABELS)
        day = self.date(pr, DATE)
        if day is not None and day > self.today:
            self.error(row, DATE, _("The date cannot be in the future."))
        d["changed_on"] = day
        d["area_code"] = self.text(pr, AREA)
        d["address"] = self.text(pr, ADDRESS, Unit._meta.get_field("address").max_length)

    # ---- the whole file ----------------------------------------------------------------------------------
    def check_file(self, rows: list[ParsedRow]) -> None:
        """The same line twice; area codes unknown or outside the scope; codes of units the user may not change."""
        first: dict[tuple, int] = {}
        for pr in rows:
            key = (pr.data["credit_code"], pr.data["kind"], pr.data["changed_on"])
            seen = first.setdefault(key, pr.row)
            if seen != pr.row:
                self.error(pr.row, CODE, _("The same change of the same unit is already in row %(row)d.") % {
                    "row": seen})  # fmt: skip
        areas = self._areas({pr.data["area_code"] for pr in rows})
        for pr in rows:
            if pr.data["area_code"] not in areas:
                self.error(pr.row, AREA, _("Unknown area code “%(code)s” (not in the system, or outside your scope).")
                           % {"code": pr.data["area_code"]})  # fmt: skip
        codes = {pr.data["credit_code"] for pr in rows}
        known = dict(Unit.objects.filter(credit_code__in=codes).values_list("credit_code", "pk"))
        changeable = set(self._units("change").filter(pk__in=known.values()).values_list("pk", flat=True))
        recorded = set(
            AuthorityEntry.objects.filter(credit_code__in=codes).values_list("credit_code", "kind", "changed_on")
        )
        for pr in rows:
            code, kind = pr.data["credit_code"], pr.data["kind"]
            key = (code, kind, pr.data["changed_on"])
            if key in recorded:
                continue  # the same line as before: unchanged (or its listed fields corrected)
            if code in known and known[code] not in changeable:
                self.error(pr.row, CODE, _("A unit with this code is registered outside your scope."))
            elif kind == ChangeKind.DEREGISTERED and code not in known:
                self.warning(pr.row, CODE, _("No unit with this code is in the registry: the entry is kept without "
                                             "a unit."))  # fmt: skip
            elif kind == ChangeKind.REGISTERED and code in known:
                self.warning(pr.row, CODE, _("This unit is already in the registry: the entry is linked to it."))

    def _areas(self, codes) -> dict:
        qs = Area.objects.all() if self.user is None else Area.objects.restrict(self.user, "add")
        return {a.code: a for a in qs.filter(code__in=codes)}

    def _units(self, action):
        return Unit.objects.all() if self.user is None else Unit.objects.restrict(self.user, action)

    def apply(self, rows: list[ParsedRow], progress=None) -> tuple[int, int, int]:
        areas = self._areas({pr.data["area_code"] for pr in rows})
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for i, pr in enumerate(rows, start=1):
            d = pr.data
            area = areas.get(d["area_code"])
            if area is None:  # removed (or moved out of the scope) since the check
                message = _("The data changed while the file was being imported; please import it again.")
                raise RowErrors([RowMessage(pr.row, AREA, message)])
            try:
                _entry, outcome = intake.do_record_entry(
                    acting_user=self.user,
                    authority=d["authority"],
                    kind=d["kind"],
                    credit_code=d["credit_code"],
                    name=d["name"],
                    changed_on=d["changed_on"],
                    area=area,
                    category=d["category"],
                    address=d["address"],
                    today=self.today,
                )
            except ValidationError as exc:
                raise RowErrors(messages_from_validation(pr.row, exc, COLUMNS, CODE)) from exc
            counts[outcome] += 1
            if progress:
                progress(i, len(rows))
        return counts["created"], counts["updated"], counts["unchanged"]

    # ---- export ------------------------------------------------------------------------------------------
    def export_rows(self, queryset):
        for e in queryset.select_related("area").order_by("-changed_on", "pk"):
            yield [
                AUTHORITY_LABELS.get(e.authority, e.authority),
                KIND_LABELS.get(e.kind, e.kind),
                e.credit_code,
                e.name,
                CATEGORY_LABELS.get(e.category, ""),
                e.changed_on,
                e.area.code,
                e.address,
            ]
