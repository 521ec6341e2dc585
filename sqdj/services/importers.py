"""The workorders template (interfaces.md §2): 12345 hotline work orders as the city's platform dispatches them.

工单编号, 受理时间, 诉求类别, 诉求内容, 地址, 承办单位, 办理时限, 区域编码

工单编号 is the key: the same number again updates the order (and its request's text while the request is still
`received`), never duplicates it; the same file again is all `unchanged`. 承办单位 is a subdistrict by its area name
(unknown, or outside the user's scope: a row error). 区域编码 places the order (at or below that subdistrict, a
community or below); empty: the longest area name below the subdistrict found in 地址 places it; none (or a tie):
the order is imported with a warning and waits at the subdistrict (待分派). 诉求类别 is matched by name to the
catalogue (else none: the text stays on the order). Any error: nothing is written.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core.importing import (
    Importer,
    ParsedRow,
    RowErrors,
    RowMessage,
    messages_from_validation,
    register_importer,
)
from sqdj.core.services import do_create, do_update

from . import requests, workorders
from .choices import RequestState, Source
from .models import Category, Request, WorkOrder

NUMBER, RECEIVED, CATEGORY, CONTENT, ADDRESS, DISPATCHED, DUE, AREA = HEADERS = [
    "工单编号", "受理时间", "诉求类别", "诉求内容", "地址", "承办单位", "办理时限", "区域编码",
]  # fmt: skip
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
COLUMNS = {"number": NUMBER, "received_at": RECEIVED, "category_text": CATEGORY, "content": CONTENT,
           "description": CONTENT, "summary": CONTENT, "address": ADDRESS, "location": ADDRESS,
           "dispatched_to": DISPATCHED, "due_at": DUE, "area_code": AREA, "area": AREA}  # fmt: skip
ORDER_FIELDS = ("received_at", "category_text", "content", "address", "dispatched_to_id", "due_at", "area_code")
CONTENT_LENGTH = 2000  # the request's description (requests.do_create_request)


def time_text(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime(TIME_FORMATS[0])


@register_importer
class WorkOrderImporter(Importer):
    kind = "workorders"
    verbose_name = gettext_lazy("work orders")
    model = WorkOrder
    headers = HEADERS
    key_header = NUMBER
    required = {NUMBER, RECEIVED, CATEGORY, CONTENT, DISPATCHED, DUE}
    columns = COLUMNS
    checks_parsed_rows = True  # the file's reference errors come with its format errors

    def __init__(self, user=None):
        super().__init__(user)
        self._below: dict[int, list[tuple[str, int]]] = {}  # subdistrict pk -> (name, pk) of the areas below

    # ---- the template download (core.import_templates) ----------------------------------------------------
    def template_notes(self) -> dict[str, str]:
        return {
            NUMBER: _("The platform's number: the key. The same number again updates the order."),
            RECEIVED: _("YYYY-MM-DD HH:MM, e.g. 2026-03-01 09:30."),
            CATEGORY: _("As the platform gives it; matched by name to the request categories."),
            DISPATCHED: _("The subdistrict the order was dispatched to, by its area name."),
            DUE: _("YYYY-MM-DD HH:MM: the platform's time limit, not before 受理时间."),
            AREA: _(
                "Optional: the code of a community or a place in it. Empty: the order is placed by its address, "
                "or waits on the subdistrict's 待分派 list."
            ),  # fmt: skip
        }

    def _areas(self):
        return Area.objects.all() if self.user is None else Area.objects.restrict(self.user, "add")

    def example_row(self) -> dict[str, object]:
        street = self._areas().filter(type=AreaType.SUBDISTRICT).order_by("path").first()
        return {NUMBER: "GD2026030100001", RECEIVED: "2026-03-01 09:30", CATEGORY: "市容环境",
                CONTENT: "示例：小区门口垃圾未及时清运", ADDRESS: "示例路1号",
                DISPATCHED: street.name if street else "", DUE: "2026-03-08 09:30", AREA: ""}  # fmt: skip

    # ---- rows --------------------------------------------------------------------------------------------
    def moment(self, pr: ParsedRow, header: str) -> datetime.datetime | None:
        value = pr.values.get(header, "")
        if value in ("", None):
            return None
        found: datetime.datetime | None = None
        if isinstance(value, datetime.datetime):
            found = value.replace(second=0, microsecond=0)
        else:
            for fmt in TIME_FORMATS:
                try:
                    found = datetime.datetime.strptime(str(value).strip(), fmt)
                    break
                except ValueError:
                    continue
            if found is None:
                self.error(pr.row, header, _("Not a time: write it as YYYY-MM-DD HH:MM, e.g. 2026-03-01 09:30."))
                return None
        return timezone.make_aware(found) if found is not None and timezone.is_naive(found) else found

    def parse_row(self, pr: ParsedRow) -> None:
        d = pr.data
        d["number"] = self.text(pr, NUMBER, WorkOrder._meta.get_field("number").max_length)
        d["received_at"] = self.moment(pr, RECEIVED)
        d["category_text"] = self.text(pr, CATEGORY, WorkOrder._meta.get_field("category_text").max_length)
        d["content"] = self.text(pr, CONTENT, CONTENT_LENGTH)
        d["address"] = self.text(pr, ADDRESS, WorkOrder._meta.get_field("address").max_length)
        d["dispatched"] = self.text(pr, DISPATCHED)
        d["due_at"] = self.moment(pr, DUE)
        d["area_code"] = self.text(pr, AREA, WorkOrder._meta.get_field("area_code").max_length)
        if d["received_at"] and d["due_at"] and d["due_at"] < d["received_at"]:
            self.error(pr.row, DUE, _("The time limit cannot be before the time received."))
        if d["received_at"] and d["received_at"] > timezone.now() + datetime.timedelta(days=1):
            self.error(pr.row, RECEIVED, _("The time received cannot be in the future."))

    # ---- the whole file ----------------------------------------------------------------------------------
    def _subdistricts(self, names) -> dict[str, list[Area]]:
        found: dict[str, list[Area]] = {}
        for a in self._areas().filter(type=AreaType.SUBDISTRICT, name__in=names).order_by("path"):
            found.setdefault(a.name, []).append(a)
        return found

    def _below_names(self, subdistrict: Area) -> list[tuple[str, int]]:
        if subdistrict.pk not in self._below:
            self._below[subdistrict.pk] = list(workorders.placeable_below(subdistrict).values_list("name", "pk"))
        return self._below[subdistrict.pk]

    def _placement(self, pr: ParsedRow, subdistrict: Area, by_code: dict, *, report: bool) -> Area | None:
        """The area the row places its order in (None: unplaced). `report`: errors and warnings for the row."""
        d = pr.data
        if d["area_code"]:
            area = by_code.get(d["area_code"])
            if area is None:
                if report:
                    self.error(pr.row, AREA, _("Unknown area code “%(code)s” (not in the system, or outside your "
                                               "scope).") % {"code": d["area_code"]})  # fmt: skip
                return None
            problem = workorders.area_error(area, subdistrict)
            if problem and report:
                self.error(pr.row, AREA, problem)
            return None if problem else area
        pk = workorders.match_address(d["address"], self._below_names(subdistrict))
        area = Area.objects.filter(pk=pk).first() if pk else None
        if area is not None and workorders.area_error(area, subdistrict):
            area = None
        if area is None and report:
            self.warning(pr.row, ADDRESS, _("No area matched the address: the order waits on the 待分派 list of "
                                            "%(s)s.") % {"s": subdistrict.name})  # fmt: skip
        return area

    def _resolve(self, rows: list[ParsedRow], *, report: bool) -> dict[int, tuple[Area, Area | None]]:
        """{row: (subdistrict, placed area or None)} of the rows whose subdistrict is known."""
        streets = self._subdistricts({pr.data["dispatched"] for pr in rows})
        codes = {pr.data["area_code"] for pr in rows if pr.data["area_code"]}
        by_code = {a.code: a for a in self._areas().filter(code__in=codes)}
        out = {}
        for pr in rows:
            found = streets.get(pr.data["dispatched"], [])
            if len(found) != 1:
                if report:
                    message = (
                        _("Unknown subdistrict “%(name)s” (not in the territory, or outside your scope).")
                        if not found
                        else _("Several subdistricts are named “%(name)s”: ask the administrator to rename one.")
                    )
                    self.error(pr.row, DISPATCHED, message % {"name": pr.data["dispatched"]})
                continue
            out[pr.row] = (found[0], self._placement(pr, found[0], by_code, report=report))
        return out

    def check_file(self, rows: list[ParsedRow]) -> None:
        """The same number twice; 承办单位 and 区域编码 unknown or outside the scope; numbers already imported whose
        orders the user may not change."""
        first: dict[str, int] = {}
        for pr in rows:
            seen = first.setdefault(pr.data["number"], pr.row)
            if seen != pr.row:
                self.error(pr.row, NUMBER, _("Duplicate work order number: the same as row %(row)d.") % {"row": seen})
        self._resolve(rows, report=True)
        known = dict(WorkOrder.objects.filter(number__in=first).values_list("number", "pk"))
        if known and self.user is not None:
            changeable = set(WorkOrder.objects.restrict(self.user, "change").filter(pk__in=known.values())
                             .values_list("pk", flat=True))  # fmt: skip
            for pr in rows:
                pk = known.get(pr.data["number"])
                if pk is not None and pk not in changeable:
                    self.error(pr.row, NUMBER, _("A work order with this number is held outside your scope."))

    def _category(self, text: str) -> Category | None:
        return Category.objects.filter(name=text, active=True).order_by("org_id", "position", "pk").first()

    def apply(self, rows: list[ParsedRow], progress=None) -> tuple[int, int, int]:
        placed = self._resolve(rows, report=False)
        existing = {o.number: o for o in WorkOrder.objects.select_related("request")
                    .filter(number__in=[pr.data["number"] for pr in rows])}  # fmt: skip
        new_unplaced = [pr for pr in rows if pr.data["number"] not in existing and placed.get(pr.row, (0, 1))[1]
                        is None]  # fmt: skip
        numbers: dict[int, str] = {}
        for year in sorted({timezone.localdate(pr.data["received_at"]).year for pr in new_unplaced}):
            block = [pr for pr in new_unplaced if timezone.localdate(pr.data["received_at"]).year == year]
            got = requests.new_numbers(datetime.date(year, 1, 1), len(block))
            numbers.update((pr.row, n) for pr, n in zip(block, got, strict=True))
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for i, pr in enumerate(rows, start=1):
            if pr.row not in placed:  # the subdistrict was removed (or left the scope) since the check
                message = _("The data changed while the file was being imported; please import it again.")
                raise RowErrors([RowMessage(pr.row, DISPATCHED, message)])
            subdistrict, area = placed[pr.row]
            try:
                order = existing.get(pr.data["number"])
                if order is None:
                    self._create(pr.data, subdistrict, area, numbers.get(pr.row))
                    counts["created"] += 1
                else:
                    counts["updated" if self._update(order, pr.data, subdistrict, area) else "unchanged"] += 1
            except ValidationError as exc:
                raise RowErrors(messages_from_validation(pr.row, exc, COLUMNS, NUMBER)) from exc
            if progress:
                progress(i, len(rows))
        return counts["created"], counts["updated"], counts["unchanged"]

    def _create(self, d: dict, subdistrict: Area, area: Area | None, number: str | None) -> WorkOrder:
        category = self._category(d["category_text"])
        if area is None:
            request = workorders.create_unplaced_request(
                acting_user=self.user, number=number or "", subdistrict=subdistrict, content=d["content"],
                address=d["address"], category=category, received_at=d["received_at"], due_at=d["due_at"],
            )  # fmt: skip
        else:
            request = requests.do_create_request(
                acting_user=self.user, summary=workorders.summary_of(d["content"]), description=d["content"],
                area=area, source=Source.HOTLINE, category=category, location=d["address"],
                received_at=d["received_at"],
            )  # fmt: skip
            if request.due_at != d["due_at"]:  # the platform's time limit wins over the rulebook's
                do_update(request, acting_user=self.user, data={"due_at": d["due_at"]}, clean=False, action=None)
        data = {
            "number": d["number"],
            "request": request,
            "dispatched_to": subdistrict,
            **{f: d[f] for f in ("received_at", "category_text", "content", "address", "due_at", "area_code")},
        }
        return do_create(WorkOrder, acting_user=self.user, data=data, action=None)

    def _update(self, order: WorkOrder, d: dict, subdistrict: Area, area: Area | None) -> bool:
        """Whether anything changed: the order's fields; its request's text while `received`; its time limit; an
        order still waiting placed when the row now places it."""
        values = {f: d[f] for f in ("received_at", "category_text", "content", "address", "due_at", "area_code")}
        values["dispatched_to_id"] = subdistrict.pk
        changed = {f: v for f, v in values.items() if getattr(order, f) != v}
        if changed:
            do_update(order, acting_user=self.user, data=changed, clean=False, action=None)
        request = Request.objects.select_for_update().get(pk=order.request_id)
        data: dict = {}
        if request.state == RequestState.RECEIVED:
            category = self._category(d["category_text"])
            text = {"summary": workorders.summary_of(d["content"]), "description": d["content"],
                    "location": d["address"], "category_id": category.pk if category else None,
                    "received_at": d["received_at"]}  # fmt: skip
            data.update({f: v for f, v in text.items() if getattr(request, f) != v})
        if request.due_at != d["due_at"]:
            data["due_at"] = d["due_at"]
        if not request.placed:
            if area is not None:
                _community, org = requests.placement(area)
                data.update(area=area, placed=True, org=org)
            elif request.area_id != subdistrict.pk:
                data["area"] = subdistrict
        if data:
            data["version"] = request.version + 1
            do_update(request, acting_user=self.user, data=data, clean=False, action=None)
            if data.get("placed") and area is not None:
                requests._step(request, request.state, by=self.user, at=timezone.now(),
                               note=_("Placed in %(area)s.") % {"area": area.name})  # fmt: skip
        return bool(changed or data)

    # ---- export (the template's shape: imported again, everything unchanged) -------------------------------
    def export_rows(self, queryset):
        for o in queryset.select_related("dispatched_to").order_by("received_at", "number"):
            yield [o.number, time_text(o.received_at), o.category_text, o.content, o.address, o.dispatched_to.name,
                   time_text(o.due_at), o.area_code]  # fmt: skip
