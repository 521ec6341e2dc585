"""The members template (interfaces.md §2).

姓名, 性别, 民族, 公民身份号码, 出生日期, 学历, 人员类别, 入党日期, 转正日期, 党员分类,
所在党组织编码, 居住区域编码, 联系电话, 工作单位 [, 工作状况]

工作状况 (work status) is an optional last column; the export writes it. The category 党员分类 is derived on the
member (services.derive_category), so a file's 党员分类 is read as the work status it tells
(`choices.WORK_STATUS_OF_CATEGORY`: 居民党员 → 其他; 流动党员 keeps the stored status, 其他 for a new member) and a
工作状况 cell takes precedence. 流动党员 says the member is away: one with no open outflow (nor inflow) on file gets
an outflow marked incomplete — destination unknown, a finding to complete — and a warning for the row.

公民身份号码 is the key, looked up through its blind index: the same number again updates that member, and a row
equal to the stored member (decrypted values compared) counts as unchanged. Every row is checked with the same
rules as the forms and the API (`validation.validate_member`), and the file is written in bulk
(`services.bulk_upsert_members`): the same members, ledger entries and change-log rows as the one-by-one
services, in a few statements per thousand rows, inside the pipeline's single transaction. The importer streams
(`Importer.streaming`): the file is read, checked and written a chunk of rows at a time, in constant memory.

Personal data on export (security.md: masked in every output, revealed only with permission and a logged
reason): ID and phone numbers are masked unless the export is given a reason (`reveal_reason`, at least 2
characters once stripped; `sqdj export members --reveal-reason`, the "export full numbers" form of the members
list). With a reason they are written in full only for members the acting user may reveal
(`Member.objects.restrict(user, "reveal")`; a superuser may reveal everything), and each member written in full
gets one `PiiReveal` row (reason "导出：…", the request's address when there is one), bulk-created in chunks.
Without a reason everything is masked, for everybody; without a user — `sqdj export` with no `--user`, the
operator at the console — always. A masked number (with `*`) is never taken as input, so re-importing a masked
export cannot overwrite real numbers: each such row is an error. The birth date is written only for members the
user may reveal (with or without a reason), else as ****-**-** (core.pii: the disclosure policy).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import BooleanField, Case, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core import dates, idnumber
from sqdj.core.bulk import chunks
from sqdj.core.context import current as current_context
from sqdj.core.importing import (
    FirstRows,
    Importer,
    ParsedRow,
    RowErrors,
    RowMessage,
    messages_from_validation,
    register_importer,
)
from sqdj.core.pii import MASKED_DATE, indexes_remembered, mask_id_number, mask_phone
from sqdj.core.scope import NOTHING, is_unrestricted, may, scope_q
from sqdj.orgs.choices import BRANCH_TYPES
from sqdj.orgs.models import Org

from . import mobility, services
from .choices import (
    CATEGORY_BY_WORK_STATUS,
    CATEGORY_LABELS,
    EDUCATION_LABELS,
    SEX_LABELS,
    TYPE_LABELS,
    WORK_STATUS_LABELS,
    WORK_STATUS_OF_CATEGORY,
    Category,
)
from .models import Member, PiiReveal
from .validation import validate_member

COLUMNS = {
    "name": "姓名",
    "sex": "性别",
    "ethnicity": "民族",
    "id_number": "公民身份号码",
    "birth_date": "出生日期",
    "education": "学历",
    "member_type": "人员类别",
    "joined_on": "入党日期",
    "confirmed_on": "转正日期",
    "category": "党员分类",
    "org": "所在党组织编码",
    "home_area": "居住区域编码",
    "phone": "联系电话",
    "work_unit": "工作单位",
    "work_status": "工作状况",  # optional (the last column): a file of interfaces.md §2's template has no such column
}
ID, ORG, AREA, PHONE = COLUMNS["id_number"], COLUMNS["org"], COLUMNS["home_area"], COLUMNS["phone"]
CATEGORY, WORK_STATUS = COLUMNS["category"], COLUMNS["work_status"]
TEMPLATE_HEADERS = [h for h in COLUMNS.values() if h != WORK_STATUS]  # interfaces.md §2
CHOICES = {"性别": SEX_LABELS, "学历": EDUCATION_LABELS, "人员类别": TYPE_LABELS, "党员分类": CATEGORY_LABELS,
           "工作状况": WORK_STATUS_LABELS}  # fmt: skip
# template word -> stored value, per column (the base class rebuilds this mapping for every cell)
WORDS = {header: {word: str(value) for value, word in labels.items()} for header, labels in CHOICES.items()}
RESIDENCE_TYPES = {AreaType.COMMUNITY, AreaType.GRID, AreaType.ESTATE, AreaType.BUILDING, AreaType.ENTRANCE}
PLAIN_FIELDS = [f for f in services.FIELDS if f not in ("org", "home_area")]
REVEAL_PREFIX = "导出："  # stored in PiiReveal.reason: tells an export from a look at one member's page
REVEAL_CHUNK = 2000  # PiiReveal rows per bulk insert while exporting
CODE_CACHE = 4000  # org (area) objects kept for the chunks to come (`_by_code`): ~1.5 kB each, bounded
ROLL_CHANGED = gettext_noop("The roll changed while the file was being imported; please import it again.")
# the template download's example row: clearly fictional (示例), valid (a real region code, the check digit)
EXAMPLE_REGION, EXAMPLE_BIRTH = "110101", datetime.date(1985, 7, 1)


def _flag(q):
    """A boolean annotation: true for the rows `q` selects (None: every row, a superuser's scope)."""
    if q is None:
        return Value(True, output_field=BooleanField())
    if q is NOTHING:
        return Value(False, output_field=BooleanField())
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


@register_importer
class MemberImporter(Importer):
    kind = "members"
    verbose_name = gettext_lazy("party members")
    model = Member
    headers = list(COLUMNS.values())  # what the export writes; a file may leave out the last, 工作状况
    key_header = ID
    required = {"姓名", "性别", "民族", ID, "出生日期", "学历", "人员类别", "入党日期", "党员分类", ORG}
    columns = COLUMNS  # model field -> template column, for the services' messages
    batch_size = 1000  # rows per bulk statement, and per progress report while writing
    streaming = True  # chunk by chunk, in constant memory (core.importing.Importer)
    reveals_pii = True  # the export may carry full numbers: callers pass `reveal_reason` (see the module doc)
    template_headers = TEMPLATE_HEADERS  # the download: interfaces.md §2's columns (工作状况 is optional)

    def __init__(self, user=None, reveal_reason: str = ""):
        super().__init__(user)
        self.reveal_reason = self.clean_reveal_reason(reveal_reason) if reveal_reason else ""
        self.today = dates.today()
        self._codes: dict[tuple, dict] = {}  # (stage, model, action) -> {code: object} (`_by_code`)
        self.first_rows = FirstRows(
            idnumber.as_int
        )  # ID number → the first row it is in, to report a number given twice

    def check_headers(self, table) -> bool:
        # interfaces.md §2's columns, or those and 工作状况: this import reads the columns the file has
        got = table.headers
        if got == TEMPLATE_HEADERS or WORK_STATUS not in got:
            self.headers = TEMPLATE_HEADERS
        return super().check_headers(table)

    # ---- the template download (core.import_templates) ----------------------------------------------------
    def mask_cell(self, header: str, text: str) -> str:
        if header == ID:
            return mask_id_number(text)
        return mask_phone(text) if header == PHONE else text

    def template_choices(self) -> dict[str, list[str]]:
        return {h: list(labels.values()) for h, labels in CHOICES.items()}

    def template_notes(self) -> dict[str, str]:
        return {
            ID: _(
                "18 characters; the last one is a check digit (0-9 or X). The key: the same number again updates "
                "that member."
            ),  # fmt: skip
            "出生日期": _("Must match the birth date in the ID number."),
            "转正日期": _("Required for a 正式党员; empty for a 预备党员."),
            ORG: _("The code of a party organization you manage (see the organization tree)."),
            AREA: _("The code of the community (or a grid, estate or building in it) where the member lives."),
            PHONE: _("An 11-digit mobile number, or a landline with its area code."),
            WORK_STATUS: _("Optional last column; the export writes it."),
        }

    def example_row(self) -> dict[str, object]:
        """A fictional member (示例) in an org the user may add members to, with an ID number not on the roll."""
        orgs = Org.objects.all() if self.user is None else Org.objects.restrict(self.user, "add")
        branch = orgs.filter(type__in=BRANCH_TYPES).order_by("path").first() or orgs.order_by("path").first()
        areas = Area.objects.all() if self.user is None else Area.objects.restrict(self.user, "view")
        home = areas.filter(type=AreaType.COMMUNITY).order_by("path").first()
        id_number = ""
        for seq in range(101, 999, 2):  # odd: a man's
            id_number = idnumber.compose(EXAMPLE_REGION, EXAMPLE_BIRTH, seq)
            if not services.pks_by_index([Member.index_of_id_number(id_number)]):
                break
        return {
            "姓名": "张示例",
            "性别": SEX_LABELS["male"],
            "民族": "汉族",
            ID: id_number,
            "出生日期": EXAMPLE_BIRTH,
            "学历": EDUCATION_LABELS["bachelor"],
            "人员类别": TYPE_LABELS["full"],
            "入党日期": datetime.date(2010, 7, 1),
            "转正日期": datetime.date(2011, 7, 1),
            CATEGORY: CATEGORY_LABELS[Category.EMPLOYED],
            ORG: branch.code if branch else "",
            AREA: home.code if home else "",
            PHONE: "13800000000",
            "工作单位": "示例单位",
        }

    # ---- rows --------------------------------------------------------------------------------------------
    def choice(self, pr: ParsedRow, header: str, labels: dict) -> str | None:
        raw = pr.values.get(header, "")
        value = WORDS[header].get(raw.strip() if isinstance(raw, str) else raw)
        return value if value is not None else super().choice(pr, header, labels)  # "" → None; else the error

    def parse_row(self, pr: ParsedRow) -> None:
        row, d = pr.row, pr.data
        d["name"] = self.text(pr, "姓名", 50)
        d["sex"] = self.choice(pr, "性别", SEX_LABELS)
        d["ethnicity"] = self.text(pr, "民族", 20)
        id_number = self.text(pr, ID).upper()
        if "*" in id_number:
            self.error(
                row,
                ID,
                _(
                    "This ID number is masked (it contains *): the key of a member must be the full "
                    "number. Export with the right to see full numbers, or type the number."
                ),
            )
            id_number = ""
        d["id_number"] = id_number
        d["birth_date"] = self.date(pr, "出生日期")
        d["education"] = self.choice(pr, "学历", EDUCATION_LABELS)
        d["member_type"] = self.choice(pr, "人员类别", TYPE_LABELS)
        d["joined_on"] = self.date(pr, "入党日期")
        d["confirmed_on"] = self.date(pr, "转正日期")
        category = self.choice(pr, CATEGORY, CATEGORY_LABELS)
        work_status = self.choice(pr, WORK_STATUS, WORK_STATUS_LABELS) if WORK_STATUS in pr.values else None
        if work_status is None:  # None for 流动党员: the stored status stays (bulk_upsert_members)
            work_status = WORK_STATUS_OF_CATEGORY.get(category)
        elif (
            category not in (None, Category.MOBILE, Category.RESIDENT)
            and CATEGORY_BY_WORK_STATUS.get(work_status) != category
        ):
            self.warning(
                row,
                CATEGORY,
                _("%(category)s does not match the work status %(status)s; the work status is kept.")
                % {"category": CATEGORY_LABELS[category], "status": WORK_STATUS_LABELS[work_status]},
            )
        d["work_status"] = work_status
        d["mobile"] = category == Category.MOBILE
        d["org_code"] = self.text(pr, ORG)
        d["area_code"] = self.text(pr, AREA)
        phone = self.text(pr, PHONE, 20)
        if "*" in phone:
            self.error(
                row,
                PHONE,
                _("This phone number is masked (it contains *): write the full number, or leave the cell empty."),
            )
            phone = ""
        d["phone"] = phone
        d["work_unit"] = self.text(pr, "工作单位", 200)

        reported = self.reported_columns(row)
        check = {f: d[f] for f in PLAIN_FIELDS}
        if not id_number:
            check["id_number"] = None  # already reported (empty or masked)
        errors, warnings = validate_member(check, self.today)
        for field, messages in errors.items():
            column = COLUMNS[field]
            if column not in reported:  # one problem per cell: an unreadable date is not also "required"
                for message in messages:
                    self.error(row, column, message)
        for field, messages in warnings.items():
            for message in messages:
                self.warning(row, COLUMNS[field], message)

    # ---- the whole file ----------------------------------------------------------------------------------
    def _by_code(self, model, codes, action, stage: str) -> dict:
        """{code: object} of the codes that exist and that the user may `action`; others look unknown alike.

        Found objects are kept for the rest of the `stage` ("check", or "write": looked up anew in the write
        transaction), so each code is looked up once per stage rather than once per chunk (a file's rows share
        a few hundred codes); codes not found are asked again, and the kept objects are bounded (CODE_CACHE)."""
        for key in [k for k in self._codes if k[0] != stage]:  # the check stage's objects, once writing
            del self._codes[key]
        known = self._codes.setdefault((stage, model, action), {})
        found = {code: known[code] for code in codes if code in known}
        missing = sorted(code for code in codes if code not in known)
        if missing:
            qs = model.objects.all()
            if self.user is not None:
                qs = qs.restrict(self.user, action)
            for chunk in chunks(missing):
                found.update((o.code, o) for o in qs.filter(code__in=chunk))
            if len(known) + len(found) > CODE_CACHE:
                known.clear()
            known.update(found)
        return found

    def check_chunk(self, rows: list[ParsedRow]) -> None:
        """The whole-file checks, a chunk at a time: an ID number given twice (FirstRows remembers every number of
        the chunks before in about 30 bytes), codes that are unknown or outside the user's scope, numbers on the
        roll under an org the user may not change."""
        first_rows: dict[str, int] = {}  # this chunk's numbers, each with the first row it is in
        for pr in rows:
            id_number = pr.data["id_number"]
            first = self.first_rows.setdefault(id_number, pr.row)
            if first != pr.row:
                self.error(pr.row, ID, _("Duplicate ID number: the same as row %(row)d.") % {"row": first})
            else:
                first_rows[id_number] = pr.row

        # An org that does not exist and one outside the user's scope give the same message.
        orgs = self._by_code(Org, {pr.data["org_code"] for pr in rows}, "add", "check")
        areas = self._by_code(Area, {pr.data["area_code"] for pr in rows if pr.data["area_code"]}, "view", "check")
        for pr in rows:
            code = pr.data["org_code"]
            if code not in orgs:
                self.error(
                    pr.row, ORG, _("Unknown organization code %(code)s (or outside your scope).") % {"code": code}
                )
            code = pr.data["area_code"]
            if code:
                area = areas.get(code)
                if area is None:
                    self.error(
                        pr.row,
                        AREA,
                        _("Unknown area code “%(code)s” (not in the system, or outside your scope).") % {"code": code},
                    )
                elif area.type not in RESIDENCE_TYPES:
                    self.warning(
                        pr.row,
                        AREA,
                        _(
                            "The area of residence is usually a community or a place in one (grid, estate, building, "
                            "entrance); %(code)s is larger."
                        )
                        % {"code": code},
                    )

        # 流动党员 with nothing on file that makes them mobile: an incomplete outflow will be recorded
        claimed = {Member.index_of_id_number(pr.data["id_number"]): pr.row for pr in rows if pr.data["mobile"]}
        if claimed:
            known = mobility.mobile_indexes(claimed)
            for index, row in claimed.items():
                if index not in known:
                    self.warning(
                        row,
                        CATEGORY,
                        _(
                            "流动党员 without an outflow record: an outflow with the destination unknown will be "
                            "recorded; complete it on the mobile members' page."
                        ),
                    )

        # A number already on the roll under an org the user may not change: as the form says it.
        if self.user is not None and not is_unrestricted(self.user) and first_rows:
            rows_by_index = {Member.index_of_id_number(n): row for n, row in first_rows.items()}
            existing = services.pks_by_index(rows_by_index)
            if existing:
                allowed = services.allowed_pks(Member.objects.restrict(self.user, "change"), existing.values())
                for index, pk in existing.items():
                    if pk not in allowed:
                        self.error(rows_by_index[index], ID, _("A member with this ID number is already on the roll."))

    def apply_chunk(self, rows: list[ParsedRow], progress=None):
        # the codes again: checked in the check stage, looked up anew in the write transaction
        orgs = self._by_code(Org, {pr.data["org_code"] for pr in rows}, "add", "write")
        areas = self._by_code(Area, {pr.data["area_code"] for pr in rows if pr.data["area_code"]}, "view", "write")
        data, gone = [], []
        for pr in rows:
            values = {f: pr.data[f] for f in PLAIN_FIELDS}
            values["mobile"] = pr.data["mobile"]
            org_code, area_code = pr.data["org_code"], pr.data["area_code"]
            values["org"] = orgs.get(org_code)
            values["home_area"] = areas.get(area_code) if area_code else None
            if values["org"] is None or (area_code and values["home_area"] is None):
                gone.append(RowMessage(pr.row, ORG if values["org"] is None else AREA, _(ROLL_CHANGED)))
            data.append(values)
        if gone:  # deleted (or moved out of scope) since the check
            raise RowErrors(gone)
        try:
            with indexes_remembered():  # each number hashed once for its key, stored index and change-log row
                return services.bulk_upsert_members(
                    data, acting_user=self.user, progress=progress, batch_size=self.batch_size
                )
        except ValidationError as exc:
            raise RowErrors(messages_from_validation(0, exc, self.columns, ID)) from exc
        except IntegrityError as exc:  # someone else wrote one of these numbers since the check
            raise RowErrors([RowMessage(0, ID, _(ROLL_CHANGED))]) from exc

    # ---- export ------------------------------------------------------------------------------------------
    @staticmethod
    def clean_reveal_reason(reason: str) -> str:
        reason = (reason or "").strip()
        if len(reason) < 2:
            raise ValidationError(_("Say why you need the full numbers (at least 2 characters)."), code="reveal_reason")
        return reason

    @classmethod
    def may_reveal_any(cls, user) -> bool:
        """Whether an export with a reason could show `user` any full number (the list page offers the form): a role
        that reveals, read from the roles the request has already loaded (not a query over the members)."""
        return user is not None and may(user, "reveal", Member)

    def _log_reveals(self, pks: list[int]) -> None:
        ctx = current_context()
        reason = (REVEAL_PREFIX + self.reveal_reason)[:200]
        remote_addr = ctx.remote_addr if ctx else None
        PiiReveal.objects.bulk_create(
            [
                PiiReveal(
                    user=self.user, member_id=pk, fields="id_number,phone", reason=reason, remote_addr=remote_addr
                )
                for pk in pks
            ],
            batch_size=1000,
        )

    def export_rows(self, queryset):
        """Template rows; full ID and phone numbers only with a reason, where the user may reveal them, logged."""
        # the birth date (core.pii: reveal-only) is written for the members the user may reveal, reason or not
        may_see = scope_q(self.user, Member, "reveal") if self.user is not None else NOTHING
        q = may_see if self.reveal_reason else NOTHING
        qs = (
            queryset.select_related("org", "home_area")
            .annotate(_may_reveal=_flag(q), _may_see=_flag(may_see))
            .order_by("org__path", "name_pinyin", "pk")
        )
        revealed: list[int] = []
        try:
            for m in qs.iterator(chunk_size=2000):
                full = bool(m._may_reveal)
                if full:
                    revealed.append(m.pk)
                    if len(revealed) >= REVEAL_CHUNK:
                        self._log_reveals(revealed)
                        revealed = []
                yield self._export_row(m, full, bool(m._may_see))
        finally:  # also when the caller stops early: every full number handed out is logged
            if revealed:
                self._log_reveals(revealed)

    def _export_row(self, m: Member, full: bool, may_see: bool = True) -> list:
        return [
            m.name,
            SEX_LABELS.get(m.sex, m.sex),
            m.ethnicity,
            m.id_number if full else m.id_number_masked,
            m.birth_date if may_see else MASKED_DATE,
            EDUCATION_LABELS.get(m.education, m.education),
            TYPE_LABELS.get(m.member_type, m.member_type),
            m.joined_on,
            m.confirmed_on,
            CATEGORY_LABELS.get(m.category, m.category),
            m.org.code,
            m.home_area.code if m.home_area_id else "",
            m.phone if full else m.phone_masked,
            m.work_unit,
            WORK_STATUS_LABELS.get(m.work_status, m.work_status),
        ]
