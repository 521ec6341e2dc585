"""The units template (interfaces.md §2):

单位名称, 统一社会信用代码, 单位类别, 所在区域编码, 从业人员数, 党员人数, 党组织编码, 党建工作指导员, 联系人, 联系电话

统一社会信用代码 is the key (checked with its check digit): the same code again updates that unit, and a row equal to
the stored unit counts as unchanged. 党建工作指导员 (a name, may be empty) ensures an open instructor of that name
(kind instructor, assigned on the import day); other instructors are left alone. Every row goes through the same
services as the forms and the API (services.do_create_unit / do_update_unit), in the pipeline's one transaction.

The contact phone on export is masked, unless the export is given a reason (`reveal_reason`, as the members export):
then it is written in full for the units the user may reveal, and the export is logged as one audit `reveal` event
with the reason and the number of units (members.PiiReveal names members only).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.areas.models import Area
from sqdj.core import audit, dates
from sqdj.core.context import current as current_context
from sqdj.core.importing import Importer, ParsedRow, RowErrors, messages_from_validation, register_importer
from sqdj.core.pii import mask_phone
from sqdj.core.scope import NOTHING, may, scope_q
from sqdj.orgs.models import Org

from . import intake, intake_importers, services
from .choices import CATEGORY_LABELS, InstructorKind, UnitCategory
from .models import Instructor, Unit

# the `unit-changes` importer registers itself beside `units`: `sqdj import` and the worker load this module only
_REGISTERED = intake_importers.UnitChangeImporter

COLUMNS = {
    "name": "单位名称",
    "credit_code": "统一社会信用代码",
    "category": "单位类别",
    "area": "所在区域编码",
    "employees": "从业人员数",
    "party_members": "党员人数",
    "org": "党组织编码",
    "instructor": "党建工作指导员",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
}
NAME, CODE, CATEGORY, AREA = COLUMNS["name"], COLUMNS["credit_code"], COLUMNS["category"], COLUMNS["area"]
EMPLOYEES, MEMBERS, ORG, INSTRUCTOR = (
    COLUMNS["employees"],
    COLUMNS["party_members"],
    COLUMNS["org"],
    COLUMNS["instructor"],
)
PHONE = COLUMNS["contact_phone"]
CATEGORY_WORDS = {str(k): v for k, v in CATEGORY_LABELS.items()}
COMPARED = ("name", "category", "area_id", "employees", "party_members", "org_id", "contact_name", "contact_phone")


def _flag(q):
    if q is None:
        return Value(True, output_field=BooleanField())
    if q is NOTHING:
        return Value(False, output_field=BooleanField())
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


@register_importer
class UnitImporter(Importer):
    kind = "units"
    verbose_name = gettext_lazy("units")
    model = Unit
    headers = list(COLUMNS.values())
    key_header = CODE
    required = {NAME, CODE, CATEGORY, AREA, EMPLOYEES, MEMBERS}
    columns = {k: v for k, v in COLUMNS.items() if k != "instructor"}  # model field -> column (service messages)
    checks_parsed_rows = True  # codes and duplicates reported together with the rows' own errors
    reveals_pii = True

    def __init__(self, user=None, reveal_reason: str = ""):
        super().__init__(user)
        self.reveal_reason = self.clean_reveal_reason(reveal_reason) if reveal_reason else ""
        self.today = dates.today()

    # ---- the template download (core.import_templates) ------------------------------------------------------
    def mask_cell(self, header: str, text: str) -> str:
        return mask_phone(text) if header == PHONE else text

    def template_choices(self) -> dict[str, list[str]]:
        return {CATEGORY: list(CATEGORY_LABELS.values())}

    def template_notes(self) -> dict[str, str]:
        return {
            CODE: _(
                "18 characters; the last one is a check character. The key: the same code again updates that unit."
            ),  # fmt: skip
            CATEGORY: _("非公有制企业 and 社会组织 are the new economic and social organizations (两新组织)."),
            AREA: _("The code of the area where the unit is located (a community or a place in it)."),
            MEMBERS: _("At most the number of employees."),
            ORG: _("Empty where the unit has no party organization; else the code of its own or its joint branch."),
            INSTRUCTOR: _("The name of the party-building instructor; may be empty."),
            PHONE: _("An 11-digit mobile number, or a landline with its area code."),
        }

    def example_row(self) -> dict[str, object]:
        areas = Area.objects.all() if self.user is None else Area.objects.restrict(self.user, "view")
        area = areas.order_by("-depth", "path").first()
        code = "91110000600037341L"  # a valid code (GB 32100 check character); fictional unit
        return {NAME: "示例科技有限公司", CODE: code, CATEGORY: CATEGORY_LABELS[UnitCategory.NON_PUBLIC_ENTERPRISE],
                AREA: area.code if area else "", EMPLOYEES: 25, MEMBERS: 3, ORG: "", INSTRUCTOR: "",
                COLUMNS["contact_name"]: "张示例", PHONE: "13800000000"}  # fmt: skip

    # ---- rows -------------------------------------------------------------------------------------------------
    def count(self, pr: ParsedRow, header: str) -> int | None:
        raw = pr.values.get(header, "")
        if raw in ("", None):
            return None
        if isinstance(raw, bool):
            raw = str(raw)
        if isinstance(raw, int | float) and float(raw).is_integer() and raw >= 0:
            return int(raw)
        text = str(raw).strip()
        if text.isdigit():
            return int(text)
        self.error(pr.row, header, _("Not a whole number: write a number of people, e.g. 25."))
        return None

    def parse_row(self, pr: ParsedRow) -> None:
        d = pr.data
        d["name"] = self.text(pr, NAME, 200)
        code = services.normalize_credit_code(self.text(pr, CODE))
        if code:
            problem = services.credit_code_error(code)
            if problem:
                self.error(pr.row, CODE, problem)
        d["credit_code"] = code
        d["category"] = self.choice(pr, CATEGORY, CATEGORY_WORDS)
        d["area_code"] = self.text(pr, AREA)
        d["employees"] = self.count(pr, EMPLOYEES)
        d["party_members"] = self.count(pr, MEMBERS)
        for field, message in services.counts_errors(d["employees"], d["party_members"], None).items():
            self.error(pr.row, COLUMNS[field], message)
        d["org_code"] = self.text(pr, ORG)
        d["instructor"] = self.text(pr, INSTRUCTOR, 50)
        d["contact_name"] = self.text(pr, COLUMNS["contact_name"], 50)
        phone = self.text(pr, PHONE, 20)
        if "*" in phone:
            self.error(
                pr.row,
                PHONE,
                _("This phone number is masked (it contains *): write the full number, or leave the cell empty."),
            )
            phone = ""
        d["contact_phone"] = phone

    # ---- the whole file ---------------------------------------------------------------------------------------
    def _by_code(self, model, codes) -> dict:
        qs = model.objects.filter(code__in=list(codes))
        if self.user is not None:
            qs = qs.restrict(self.user, "view")
        return {o.code: o for o in qs}

    def check_file(self, rows: list[ParsedRow]) -> None:
        first: dict[str, int] = {}
        for pr in rows:
            code = pr.data["credit_code"]
            seen = first.setdefault(code, pr.row)
            if seen != pr.row:
                self.error(pr.row, CODE, _("Duplicate unified social credit code: the same as row %(row)d.")
                           % {"row": seen})  # fmt: skip
        areas = self._by_code(Area, {pr.data["area_code"] for pr in rows})
        orgs = self._by_code(Org, {pr.data["org_code"] for pr in rows if pr.data["org_code"]})
        for pr in rows:
            code = pr.data["area_code"]
            if code not in areas:
                self.error(pr.row, AREA, _("Unknown area code “%(code)s” (not in the system, or outside your scope).")
                           % {"code": code})  # fmt: skip
            code = pr.data["org_code"]
            if code:
                org = orgs.get(code)
                if org is None:
                    self.error(pr.row, ORG, _("Unknown organization code %(code)s (or outside your scope).")
                               % {"code": code})  # fmt: skip
                else:
                    problem = services.org_type_error(org)
                    if problem:
                        self.error(pr.row, ORG, problem)
        # a code already registered to a unit the user may not change: as the form says it
        if self.user is not None:
            existing = dict(Unit.objects.filter(credit_code__in=list(first)).values_list("credit_code", "pk"))
            allowed = set(
                Unit.objects.restrict(self.user, "change").filter(pk__in=existing.values()).values_list("pk", flat=True)
            )
            for code, pk in existing.items():
                if pk not in allowed:
                    self.error(
                        first[code], CODE, _("A unit with this unified social credit code is already registered.")
                    )

    def apply(self, rows: list[ParsedRow], progress=None) -> tuple[int, int, int]:
        areas = self._by_code(Area, {pr.data["area_code"] for pr in rows})
        orgs = self._by_code(Org, {pr.data["org_code"] for pr in rows if pr.data["org_code"]})
        existing = {
            u.credit_code: u for u in Unit.objects.filter(credit_code__in=[pr.data["credit_code"] for pr in rows])
        }
        open_instructors = set(
            Instructor.objects.filter(unit__in=existing.values(), ended_on__isnull=True).values_list("unit_id", "name")
        )
        created = updated = unchanged = 0
        for i, pr in enumerate(rows, start=1):
            d = pr.data
            values = {
                "name": d["name"],
                "credit_code": d["credit_code"],
                "category": d["category"],
                "area": areas[d["area_code"]],
                "employees": d["employees"],
                "party_members": d["party_members"],
                "org": orgs.get(d["org_code"]) if d["org_code"] else None,
                "contact_name": d["contact_name"],
                "contact_phone": d["contact_phone"],
            }
            unit = existing.get(d["credit_code"])
            changed: bool | None = None  # None: a created unit (counted as created)
            try:
                if unit is None:
                    unit = services.do_create_unit(acting_user=self.user, **values)
                    created += 1
                else:
                    now = {**values, "area_id": values["area"].pk, "org_id": getattr(values["org"], "pk", None)}
                    changed = any(getattr(unit, f) != now[f] for f in COMPARED)
                    if changed:
                        unit = services.do_update_unit(unit, acting_user=self.user, **values)
                name = d["instructor"]
                if name and (unit.pk, name) not in open_instructors:
                    intake.do_add_instructor(
                        unit, acting_user=self.user, kind=InstructorKind.INSTRUCTOR, name=name, started_on=self.today
                    )
                    open_instructors.add((unit.pk, name))
                    changed = True if changed is not None else None
                if changed is not None:
                    updated, unchanged = (updated + 1, unchanged) if changed else (updated, unchanged + 1)
            except ValidationError as exc:
                raise RowErrors(messages_from_validation(pr.row, exc, self.columns, CODE)) from exc
            if progress:
                progress(i, len(rows))
        return created, updated, unchanged

    # ---- export -----------------------------------------------------------------------------------------------
    @staticmethod
    def clean_reveal_reason(reason: str) -> str:
        reason = (reason or "").strip()
        if len(reason) < 2:
            raise ValidationError(_("Say why you need the full numbers (at least 2 characters)."), code="reveal_reason")
        return reason

    @classmethod
    def may_reveal_any(cls, user) -> bool:
        return user is not None and may(user, "reveal", Unit)

    def export_rows(self, queryset):
        q = scope_q(self.user, Unit, "reveal") if (self.user is not None and self.reveal_reason) else NOTHING
        qs = queryset.select_related("org", "area").annotate(_may_reveal=_flag(q)).order_by("area__path", "name", "pk")
        names: dict[int, str] = {}
        for unit_id, name in (
            Instructor.objects.filter(
                unit__in=queryset.values("pk"), ended_on__isnull=True, kind=InstructorKind.INSTRUCTOR
            )
            .order_by("unit_id", "-started_on", "pk")
            .values_list("unit_id", "name")
        ):
            names.setdefault(unit_id, name)
        revealed = 0
        try:
            for u in qs.iterator(chunk_size=2000):
                full = bool(u._may_reveal) and bool(u.contact_phone)
                revealed += full
                yield [
                    u.name,
                    u.credit_code,
                    CATEGORY_LABELS.get(u.category, u.category),
                    u.area.code,
                    u.employees,
                    u.party_members,
                    u.org.code if u.org_id else "",
                    names.get(u.pk, ""),
                    u.contact_name,
                    u.contact_phone if full else mask_phone(u.contact_phone) if u.contact_phone else "",
                ]
        finally:  # every full number handed out is logged, with the reason
            if revealed:
                ctx = current_context()
                audit.record(audit.Event.REVEAL, user=self.user, object_type="units.unit",
                             remote_addr=ctx.remote_addr if ctx else None,
                             detail={"fields": ["contact_phone"], "export": revealed,
                                     "reason": self.reveal_reason[:200]})  # fmt: skip
