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

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from sqdj.areas.models import Area
from sqdj.core import audit, dates
from sqdj.core.bulk import chunks, insert_rows, is_streaming, next_ids
from sqdj.core.changelog import COLUMNS as CHANGE_COLUMNS
from sqdj.core.changelog import attribution, change_row
from sqdj.core.context import acting_as
from sqdj.core.context import current as current_context
from sqdj.core.importing import (
    FirstRows,
    Importer,
    ParsedRow,
    RowErrors,
    RowMessage,
    register_importer,
)
from sqdj.core.models import ObjectChange
from sqdj.core.pii import blind_index, indexes_remembered, mask_phone
from sqdj.core.scope import NOTHING, is_unrestricted, may, scope_q
from sqdj.members.services import allowed_pks
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
FIELD_OF = {column: field for field, column in COLUMNS.items()}
CATEGORY_WORDS = {str(k): v for k, v in CATEGORY_LABELS.items()}
COMPARED = ("name", "category", "area_id", "employees", "party_members", "org_id", "contact_name", "contact_phone")
UPDATED_FIELDS = ["name", "category", "area", "employees", "party_members", "org", "contact_name", "contact_phone",
                  "contact_phone_index", "last_updated"]  # fmt: skip
BATCH = 1000  # rows per bulk UPDATE
INT_SAFE = 2**31 - 1  # a count up to this fits a PositiveIntegerField on every database (no validator to run)
CODE_CACHE = 4000  # area and org objects kept for the chunks to come (`_by_code`)
DATA_CHANGED = gettext_noop("The data changed while the file was being imported; please import it again.")
OUT_OF_SCOPE = gettext_noop("You may not save this object there: it would be outside your scope.")


def _flag(q):
    if q is None:
        return Value(True, output_field=BooleanField())
    if q is NOTHING:
        return Value(False, output_field=BooleanField())
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


def _defaults(model) -> list[tuple[str, object]]:
    """(attname, default) of `model`'s concrete fields, in field order, worked out once (no callable defaults)."""
    layout = _DEFAULTS.get(model)
    if layout is None:
        layout = _DEFAULTS[model] = [(f.attname, f.get_default()) for f in model._meta.concrete_fields]
    return layout


_DEFAULTS: dict[type, list[tuple[str, object]]] = {}


class _Logged:
    """What `change_row` reads of a unit written as a plain row: its key and its str() (Unit.__str__: the name)."""

    __slots__ = ("pk", "name")

    def __init__(self, pk: int, name: str):
        self.pk, self.name = pk, name

    def __str__(self) -> str:
        return self.name


class _Writer:
    """The bulk writes of one chunk (`UnitImporter.apply_chunk`): what `do_create_unit`, `do_update_unit` and
    `intake.do_add_instructor` save, without save(): so what save() and the signals do is done here — the phone's
    blind index (Unit.save), `created`/`last_updated` (auto_now), one change-log row per saved object (core.signals),
    written in bulk at the end (`log`)."""

    def __init__(self, who: tuple, now):
        self.who, self.now = who, now
        self.changes: list[tuple] = []  # change_row() values

    def _logged(self, objects, action: str, before=None) -> None:
        ct = ContentType.objects.get_for_model(type(objects[0])).pk if objects else 0
        for obj in objects:
            obj._state.adding = False
            after = obj.snapshot()
            self.changes.append(change_row(obj, action, before, after, who=self.who, ct=ct, time=self.now))
            obj._prechange = after

    def _insert(self, model, objects, key: str) -> None:
        """INSERT `objects` (each with a distinct `key` value) and give each its primary key."""
        attnames = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        if is_streaming():  # COPY returns nothing: the keys drawn first
            for obj, pk in zip(objects, next_ids(model, len(objects)), strict=True):
                obj.pk = pk
            insert_rows(model, ["id", *attnames], [(o.pk, *(getattr(o, a) for a in attnames)) for o in objects])
        else:
            values = [tuple(getattr(o, a) for a in attnames) for o in objects]
            pks = dict(insert_rows(model, attnames, values, returning=(key, "id")))
            for obj in objects:
                obj.pk = pks[getattr(obj, key)]

    @staticmethod
    def _new(model, given: dict):
        # model(*values) in field order: Django's fast path, as for rows read from the database
        return model(*[given[a] if a in given else default for a, default in _defaults(model)])

    def create_units(self, rows: list[dict]) -> list[int]:
        """New units as plain rows (no Unit instance each: a tenth of the write's time), their change-log snapshot
        from the same values (`snapshot(values)`), the phone's blind index as Unit.save() computes it."""
        if not rows:
            return []
        layout = _defaults(Unit)[1:]  # (attname, default) after the primary key
        attnames = [a for a, _d in layout]
        values_of = []
        for values in rows:
            phone = values["contact_phone"]
            given = {**values, "contact_phone_index": blind_index(phone) if phone else "", "created": self.now,
                     "last_updated": self.now}  # fmt: skip
            values_of.append({a: given[a] if a in given else default for a, default in layout})
        if is_streaming():  # COPY returns nothing: the keys drawn first
            pks = next_ids(Unit, len(rows))
            insert_rows(Unit, ["id", *attnames], [(pk, *v.values()) for pk, v in zip(pks, values_of, strict=True)])
        else:
            by_code = dict(insert_rows(Unit, attnames, [tuple(v.values()) for v in values_of],
                                       returning=("credit_code", "id")))  # fmt: skip
            pks = [by_code[v["credit_code"]] for v in values_of]
        ct = ContentType.objects.get_for_model(Unit).pk
        prototype = Unit()
        for pk, values in zip(pks, values_of, strict=True):
            after = prototype.snapshot(values)
            self.changes.append(change_row(_Logged(pk, values["name"]), ObjectChange.Action.CREATE, None, after,
                                           who=self.who, ct=ct, time=self.now))  # fmt: skip
        return pks

    def update_units(self, pairs: list[tuple[Unit, dict]]) -> None:
        if not pairs:
            return
        ct = ContentType.objects.get_for_model(Unit).pk
        units = []
        for unit, values in pairs:
            before = unit._prechange
            for attname, value in values.items():
                setattr(unit, attname, value)
            phone = unit.contact_phone
            unit.contact_phone_index = blind_index(phone) if phone else ""
            unit.last_updated = self.now
            after = unit.snapshot()
            if after != before:
                self.changes.append(change_row(unit, ObjectChange.Action.UPDATE, before, after, who=self.who, ct=ct,
                                               time=self.now))  # fmt: skip
            unit._prechange = after
            units.append(unit)
        Unit.objects.bulk_update(units, UPDATED_FIELDS, batch_size=BATCH)

    def add_instructors(self, pairs: list[tuple[int, str]], today) -> None:
        """An open instructor (kind instructor, from `today`) per (unit pk, name): at most one per unit here."""
        if not pairs:
            return
        instructors = [self._new(Instructor, {"unit_id": pk, "kind": InstructorKind.INSTRUCTOR, "name": name,
                                              "started_on": today, "created": self.now, "last_updated": self.now})
                       for pk, name in pairs]  # fmt: skip
        self._insert(Instructor, instructors, "unit_id")
        self._logged(instructors, ObjectChange.Action.CREATE)

    def log(self) -> None:
        insert_rows(ObjectChange, CHANGE_COLUMNS, self.changes)
        self.changes = []


@register_importer
class UnitImporter(Importer):
    kind = "units"
    verbose_name = gettext_lazy("units")
    model = Unit
    headers = list(COLUMNS.values())
    key_header = CODE
    required = {NAME, CODE, CATEGORY, AREA, EMPLOYEES, MEMBERS}
    columns = {k: v for k, v in COLUMNS.items() if k != "instructor"}  # model field -> column (service messages)
    streaming = True  # checked, then written, a chunk of rows at a time (core.importing.Importer)
    reveals_pii = True

    def __init__(self, user=None, reveal_reason: str = ""):
        super().__init__(user)
        self.reveal_reason = self.clean_reveal_reason(reveal_reason) if reveal_reason else ""
        self.today = dates.today()
        self._codes: dict[tuple, dict] = {}  # (stage, model) -> {code: object} (`_by_code`)
        self.first_rows = FirstRows()  # credit code -> the first row it is in

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
            raw = int(raw)
        elif str(raw).strip().isdigit():
            raw = int(str(raw).strip())
        else:
            self.error(pr.row, header, _("Not a whole number: write a number of people, e.g. 25."))
            return None
        if raw > INT_SAFE:  # beyond what every database holds: the model field's own bounds (full_clean's)
            try:
                Unit._meta.get_field(FIELD_OF[header]).run_validators(raw)
            except ValidationError as exc:
                self.error(pr.row, header, exc.messages[0])
                return None
        return raw

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

    # ---- the whole file, a chunk at a time ----------------------------------------------------------------------
    def _by_code(self, model, codes, stage: str) -> dict:
        """{code: object} of the codes that exist and that the user may view (others look unknown alike, as the
        services say it), kept for the rest of the `stage` ("check", or "write": looked up anew in the write
        transaction): a file's rows share a few hundred codes, each looked up once per stage, not once per chunk.
        Codes not found are asked again; the kept objects are bounded (CODE_CACHE)."""
        for key in [k for k in self._codes if k[0] != stage]:
            del self._codes[key]
        known = self._codes.setdefault((stage, model), {})
        found = {c: known[c] for c in codes if c in known}
        missing = sorted(c for c in codes if c not in known)
        if missing:
            qs = model.objects.all() if self.user is None else model.objects.restrict(self.user, "view")
            for part in chunks(missing):
                found.update((o.code, o) for o in qs.filter(code__in=part))
            if len(known) + len(found) > CODE_CACHE:
                known.clear()
            known.update(found)
        return found

    def _restricted(self) -> bool:
        return self.user is not None and not is_unrestricted(self.user)

    @staticmethod
    def _open_instructors(rows: list[ParsedRow], existing: dict) -> set[tuple[int, str]]:
        """(unit pk, name) of the open instructors of the registered units whose rows name one."""
        pks = [existing[pr.data["credit_code"]].pk for pr in rows if pr.data["instructor"] and pr.data["credit_code"]
               in existing]  # fmt: skip
        found: set[tuple[int, str]] = set()
        for part in chunks(pks):
            found.update(
                Instructor.objects.filter(unit_id__in=part, ended_on__isnull=True).values_list("unit_id", "name")
            )
        return found

    def check_chunk(self, rows: list[ParsedRow]) -> None:
        """Everything the services would refuse, found before anything is written: a code given twice, codes
        unknown or outside the scope, an org that cannot hold units, a registered unit the user may not change,
        the head counts against the stored 正式党员人数, an instructor for a unit that has ended."""
        for pr in rows:
            first = self.first_rows.setdefault(pr.data["credit_code"], pr.row)
            if first != pr.row:
                self.error(pr.row, CODE, _("Duplicate unified social credit code: the same as row %(row)d.")
                           % {"row": first})  # fmt: skip
        areas = self._by_code(Area, {pr.data["area_code"] for pr in rows}, "check")
        orgs = self._by_code(Org, {pr.data["org_code"] for pr in rows if pr.data["org_code"]}, "check")
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

        existing: dict[str, Unit] = {}  # stand-ins with what the checks read (not whole units: cheaper)
        for part in chunks([pr.data["credit_code"] for pr in rows]):
            qs = Unit.objects.filter(credit_code__in=part)
            for code, pk, full, status, ended_on in qs.values_list("credit_code", "pk", "full_members", "status",
                                                                   "ended_on"):  # fmt: skip
                existing[code] = Unit(pk=pk, full_members=full, status=status, ended_on=ended_on)
        if not existing:
            return
        allowed = {u.pk for u in existing.values()}
        if self._restricted():  # a code registered to a unit the user may not change: as the form says it
            allowed = allowed_pks(Unit.objects.restrict(self.user, "change"), allowed)
        open_instructors = self._open_instructors(rows, existing)
        for pr in rows:
            d = pr.data
            unit = existing.get(d["credit_code"])
            if unit is None:
                continue
            if unit.pk not in allowed:
                self.error(pr.row, CODE, _("A unit with this unified social credit code is already registered."))
                continue
            # do_update_unit checks the counts with the stored full members (not a column of the template)
            for field, message in services.counts_errors(None, d["party_members"], unit.full_members).items():
                self.error(pr.row, COLUMNS.get(field, CODE), message)
            if d["instructor"] and (unit.pk, d["instructor"]) not in open_instructors:
                try:  # do_add_instructor's rules (a unit created by the file has not ended: nothing to check)
                    intake._check_instructor(self._new_instructor(d["instructor"]), unit, self.user)
                except ValidationError as exc:
                    for message in dict.fromkeys(exc.messages):  # the same reason may come from two fields
                        self.error(pr.row, INSTRUCTOR, message)

    def _new_instructor(self, name: str) -> dict:
        return {"kind": InstructorKind.INSTRUCTOR, "name": name, "started_on": self.today}

    def apply_chunk(self, rows: list[ParsedRow], progress=None) -> tuple[int, int, int]:
        """Write a checked chunk in bulk: new units by COPY (PostgreSQL) or multi-row INSERTs, changed ones with one
        bulk UPDATE per batch, new instructors likewise, and the change-log rows the services would have written —
        a few statements per thousand rows instead of a dozen per row."""
        areas = self._by_code(Area, {pr.data["area_code"] for pr in rows}, "write")
        orgs = self._by_code(Org, {pr.data["org_code"] for pr in rows if pr.data["org_code"]}, "write")
        gone = [
            RowMessage(pr.row, AREA if pr.data["area_code"] not in areas else ORG, _(DATA_CHANGED))
            for pr in rows
            if pr.data["area_code"] not in areas or (pr.data["org_code"] and pr.data["org_code"] not in orgs)
        ]
        if gone:  # deleted (or moved out of scope) since the check
            raise RowErrors(gone)
        stored: dict[str, tuple] = {}  # credit code -> (pk, *COMPARED values, the phone decrypted)
        for part in chunks([pr.data["credit_code"] for pr in rows]):
            qs = Unit.objects.filter(credit_code__in=part).values_list("credit_code", "pk", *COMPARED)
            stored.update((v[0], v[1:]) for v in qs)
        existing = {code: Unit(pk=v[0]) for code, v in stored.items()}
        if self._restricted() and existing:
            pks = {u.pk for u in existing.values()}
            if allowed_pks(Unit.objects.restrict(self.user, "change"), pks) != pks:
                raise RowErrors([RowMessage(0, CODE, _(DATA_CHANGED))])
        open_instructors = self._open_instructors(rows, existing)

        to_create: list[tuple[ParsedRow, dict]] = []
        to_update: list[tuple[ParsedRow, Unit, dict]] = []
        instructors: list[tuple[ParsedRow, str]] = []  # (row, code): the unit's pk is known once written
        updated = unchanged = 0
        for pr in rows:
            d = pr.data
            org = orgs.get(d["org_code"]) if d["org_code"] else None
            values = {"name": d["name"], "credit_code": d["credit_code"], "category": d["category"],
                      "area_id": areas[d["area_code"]].pk, "employees": d["employees"],
                      "party_members": d["party_members"], "org_id": org.pk if org else None,
                      "contact_name": d["contact_name"], "contact_phone": d["contact_phone"]}  # fmt: skip
            unit = existing.get(d["credit_code"])
            new_instructor = bool(d["instructor"]) and (
                unit is None or (unit.pk, d["instructor"]) not in open_instructors
            )
            if new_instructor:
                instructors.append((pr, d["credit_code"]))
            if unit is None:
                to_create.append((pr, values))
                continue
            changed = stored[d["credit_code"]][1:] != tuple(values[f] for f in COMPARED)
            if changed:
                to_update.append((pr, unit, values))
            if changed or new_instructor:
                updated += 1
            else:
                unchanged += 1

        if to_update:  # the changed units whole: their state before, for the change log
            whole: dict[int, Unit] = {}
            for part in chunks([u.pk for _pr, u, _v in to_update]):
                whole.update((u.pk, u) for u in Unit.objects.filter(pk__in=part))
            to_update = [(pr, whole[u.pk], v) for pr, u, v in to_update]
        with acting_as(self.user) as ctx, indexes_remembered():  # each phone hashed once: its index, its log entry
            writer = _Writer(attribution(ctx), timezone.now())
            created_pks = writer.create_units([v for _pr, v in to_create])
            writer.update_units([(u, v) for _pr, u, v in to_update])
            if progress:
                progress(len(to_create) + len(to_update), len(rows))
            unit_pks = {code: u.pk for code, u in existing.items()}
            unit_pks.update((pr.data["credit_code"], pk) for (pr, _v), pk in zip(to_create, created_pks, strict=True))
            writer.add_instructors([(unit_pks[code], pr.data["instructor"]) for pr, code in instructors], self.today)
            writer.log()

        if self._restricted():  # as save_checked re-reads every saved unit through the scope gate
            out = []
            for action, pairs in (
                ("add", [(pr, pk) for (pr, _v), pk in zip(to_create, created_pks, strict=True)]),
                ("change", [(pr, u.pk) for pr, u, _v in to_update]),
            ):
                if pairs:
                    allowed = allowed_pks(Unit.objects.restrict(self.user, action), [pk for _pr, pk in pairs])
                    out += [RowMessage(pr.row, AREA, _(OUT_OF_SCOPE)) for pr, pk in pairs if pk not in allowed]
            if out:
                raise RowErrors(sorted(out, key=lambda m: m.row))
        return len(to_create), updated, unchanged

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
