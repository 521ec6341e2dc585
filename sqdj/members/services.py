"""Member operations: every change of the roster goes through here, with its ledger event and change-log row.
Standing changes (停止党籍, 恢复党籍, 出党, 死亡) and 留党察看 are in standing.py."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core import audit, dates, idnumber
from sqdj.core.bulk import chunks, insert_rows, is_streaming, key_chunks, next_ids
from sqdj.core.changelog import COLUMNS as CHANGE_COLUMNS
from sqdj.core.changelog import attribution, change_row
from sqdj.core.context import acting_as
from sqdj.core.models import ObjectChange
from sqdj.core.querysets import AnyOf
from sqdj.core.rules import param
from sqdj.core.services import Conflict, ScopeViolation, do_create, do_update, end_data, ensure_in_scope
from sqdj.orgs.models import Org

from . import mobility
from .choices import (
    CATEGORY_BY_WORK_STATUS,
    WORK_STATUS_OF_CATEGORY,
    Category,
    EventKind,
    MemberType,
    RegistrationEnd,
    Standing,
    WorkStatus,
)
from .models import Member, MembershipEvent, PiiReveal, Registration
from .validation import validate_member

FIELDS = ("name", "sex", "ethnicity", "id_number", "birth_date", "education", "member_type", "joined_on",
          "confirmed_on", "work_status", "org", "home_area", "phone", "work_unit")  # fmt: skip
# Edited on the member's page (and the API) but not in the members template of interfaces.md §2: an import neither
# reads nor overwrites them.
EDIT_FIELDS = (*FIELDS, "probation_extended_months")


# ---- the derived category (党员分类) ---------------------------------------------------------------------------
# Stored on the member (the list index carries it: filters and statistics count it without reading the table) and
# set only here, whenever what it derives from changes: the work status (create, update, import, receive) and an
# outflow or inflow opened or closed (the transfers services call refresh_categories). The org's sector does not
# enter: with glossary.md's precedence 居民 is "the rest", so one category per member and the six sum to the total.


def derive_category(work_status: str | None, mobile: bool) -> str:
    """流动 first (an open outflow or inflow), then 离休, 退休, 下岗失业, 在职 by the work status, 居民 for the rest."""
    if mobile:
        return Category.MOBILE
    return CATEGORY_BY_WORK_STATUS.get(work_status, Category.RESIDENT)


def work_status_of_category(category: str | None, stored: str | None = None) -> str:
    """The work status a 党员分类 (of a file or an old letter) tells: 流动 tells none (the stored one is kept)."""
    status = WORK_STATUS_OF_CATEGORY.get(category)
    return status or stored or WorkStatus.OTHER


def refresh_categories(member_ids) -> int:
    """Recompute the stored category of these members (after an outflow or inflow opened or closed); returns how
    many changed. A few statements per thousand members; no change-log row (the record that changed is logged)."""
    changed = 0
    for chunk in chunks(list(member_ids)):
        rows = list(Member.objects.filter(pk__in=chunk).values_list("pk", "id_number_index", "work_status", "category"))
        mobile = mobility.mobile_indexes([index for _pk, index, _w, _c in rows])
        moves: dict[str, list[int]] = {}
        for pk, index, work_status, category in rows:
            derived = derive_category(work_status, index in mobile)
            if derived != category:
                moves.setdefault(derived, []).append(pk)
        for category, pks in moves.items():
            changed += Member.objects.filter(pk__in=pks).update(category=category)
    return changed


def refresh_categories_of_indexes(indexes) -> int:
    """refresh_categories for the members with these ID-number blind indexes (an inflow names a person, not a
    member of ours)."""
    return refresh_categories(pks_by_index(indexes).values())


def _check(data: dict, acting_user) -> dict:
    """Validate; raise ValidationError with every problem at once. Returns the warnings."""
    errors, warnings = validate_member(data)
    if acting_user is not None:
        org, area = data.get("org"), data.get("home_area")
        if org is not None and not Org.objects.restrict(acting_user, "add").filter(pk=org.pk).exists():
            errors.setdefault("org", []).append(_("Unknown organization, or outside your scope."))
        if area is not None and not Area.objects.restrict(acting_user, "view").filter(pk=area.pk).exists():
            errors.setdefault("home_area", []).append(_("Unknown area, or outside your scope."))
    if errors:
        raise ValidationError(errors)
    return warnings


def created_events(data: dict) -> list[tuple]:
    """The ledger entries (kind, date, org, note) of a member put on the roll; `data` holds FIELDS."""
    events = [(EventKind.JOINED, data["joined_on"], data["org"], "")]
    if data["member_type"] == MemberType.FULL and data["confirmed_on"]:
        events.append((EventKind.CONFIRMED, data["confirmed_on"], data["org"], ""))
    return events


def updated_events(before: dict, after: dict, today: datetime.date | None = None) -> list[tuple]:
    """The ledger entries (kind, date, org, note) of a change from `before` to `after` (FIELDS each). "org" may
    be an Org or an org id: the entries carry whichever was given."""
    today = today or dates.today()
    events = []
    if after["org"] != before["org"]:
        events.append((EventKind.TRANSFERRED_OUT, today, before["org"], ""))
        events.append((EventKind.TRANSFERRED_IN, today, after["org"], ""))
    # a changed category (derived) is no count: the change log keeps it, not the ledger
    if before["member_type"] == MemberType.PROBATIONARY and after["member_type"] == MemberType.FULL:
        events.append((EventKind.CONFIRMED, after["confirmed_on"], after["org"], ""))
    return events


def _event(member, kind, date, *, acting_user, org=None, note="", decision_number="", decision_date=None):
    return MembershipEvent.objects.create(
        member=member,
        kind=kind,
        date=date,
        org=org,
        note=note,
        decision_number=decision_number or "",
        decision_date=decision_date,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )


@transaction.atomic
def do_create_member(*, acting_user, **data) -> Member:
    data = {k: data.get(k) for k in EDIT_FIELDS}
    data["phone"] = data.get("phone") or ""
    data["work_unit"] = data.get("work_unit") or ""
    data["work_status"] = data.get("work_status") or WorkStatus.OTHER
    _check(data, acting_user)
    index = Member(id_number=data["id_number"]).id_number_index_value()
    if Member.objects.filter(id_number_index=index).exists():
        raise ValidationError({"id_number": [_("A member with this ID number is already on the roll.")]})
    data["category"] = derive_category(data["work_status"], index in mobility.mobile_indexes([index]))
    member = do_create(Member, acting_user=acting_user, data=data, clean=False)  # validated above
    for kind, date, org, note in created_events(data):
        _event(member, kind, date, acting_user=acting_user, org=org, note=note)
    return member


@transaction.atomic
def do_update_member(member: Member, *, acting_user, **data) -> Member:
    ensure_in_scope(member, acting_user, "change")
    before = {f: getattr(member, f) for f in (*EDIT_FIELDS, "category")}
    merged = {**before, **{k: v for k, v in data.items() if k in EDIT_FIELDS}}
    merged["phone"] = merged.get("phone") or ""
    merged["work_unit"] = merged.get("work_unit") or ""
    merged["work_status"] = merged.get("work_status") or WorkStatus.OTHER
    if merged["org"] != before["org"]:
        # a membership moves only through a transfer case (transfers.services → do_transfer_member)
        raise ValidationError(
            {"org": [_("The organization of a member changes only through a transfer (组织关系接转).")]}
        )
    check = dict(merged)
    check.pop("org")
    _check(check, acting_user)
    index = Member(id_number=merged["id_number"]).id_number_index_value()
    if merged["id_number"] != before["id_number"]:
        if Member.objects.filter(id_number_index=index).exclude(pk=member.pk).exists():
            raise ValidationError({"id_number": [_("A member with this ID number is already on the roll.")]})
    merged["category"] = derive_category(merged["work_status"], index in mobility.mobile_indexes([index]))
    do_update(member, acting_user=acting_user, data=merged, clean=False)
    for kind, date, org, note in updated_events(before, merged):
        _event(member, kind, date, acting_user=acting_user, org=org, note=note)
    return member


@transaction.atomic
def do_transfer_member(member: Member, *, to_org, date: datetime.date, acting_user, note: str = "") -> Member:
    """The one way a membership moves (called by a transfer case on completion, which checked who may act):
    the ledger gets "transferred out" on the sending org and "transferred in" on the receiving one. `to_org`
    None: the membership left this deployment (the member stays on file, no longer active here)."""
    from_org = member.org
    if to_org is not None and to_org.pk == from_org.pk:
        raise ValidationError(_("The member already belongs to this organization."))
    change = {"standing": Standing.TRANSFERRED_OUT} if to_org is None else {"org": to_org}
    do_update(member, acting_user=acting_user, data=change, clean=False, action=None)  # the case checked who acts
    _event(member, EventKind.TRANSFERRED_OUT, date, acting_user=acting_user, org=from_org, note=note)
    if to_org is None:  # gone from this deployment: the community here no longer counts on the member
        close_registration(member, day=date, reason=RegistrationEnd.MEMBERSHIP_MOVED, acting_user=acting_user)
    if to_org is not None:
        _event(member, EventKind.TRANSFERRED_IN, date, acting_user=acting_user, org=to_org, note=note)
    return member


@transaction.atomic
def do_receive_member(*, acting_user, date: datetime.date, note: str = "", **data) -> Member:
    """A member whose membership comes from outside this deployment, put on the roll of `data["org"]` (a transfer
    case on completion): validated like any member, but the ledger says "transferred in", not "joined"."""
    # a letter of an older version gives the category only: its work status, as an import reads it
    status = data.get("work_status") or work_status_of_category(data.get("category"))
    data = {k: data.get(k) for k in FIELDS}
    data["phone"] = data.get("phone") or ""
    data["work_unit"] = data.get("work_unit") or ""
    data["work_status"] = status
    _check(data, None)
    index = Member(id_number=data["id_number"]).id_number_index_value()
    data["category"] = derive_category(status, index in mobility.mobile_indexes([index]))
    member = Member.objects.select_for_update().filter(id_number_index=index).first()
    if member is not None and member.standing != Standing.TRANSFERRED_OUT:
        raise ValidationError({"id_number": [_("A member with this ID number is already on the roll.")]})
    if member is None:
        member = do_create(Member, acting_user=acting_user, data=data, clean=False, action=None)
    else:  # transferred out of this deployment once, now coming back: the same record, active again
        data = {**data, "standing": Standing.ACTIVE}
        do_update(member, acting_user=acting_user, data=data, clean=False, action=None)  # the case checked who acts
    _event(member, EventKind.TRANSFERRED_IN, date, acting_user=acting_user, org=data["org"], note=note)
    return member


@transaction.atomic
def do_register(member: Member, *, acting_user, community, registered_on, posts_of_interest="", skills=""):
    """An in-service member registers with the residence community; their own org keeps the membership. The unit
    side (the member's org) confirms it, or it counts as confirmed `registration.confirm_days` later."""
    ensure_in_scope(member, acting_user, "view")
    errors = {}
    if member.work_status != WorkStatus.EMPLOYED:
        errors["member"] = [_("Only in-service members register with their residence community.")]
    if community.type != AreaType.COMMUNITY:
        errors["community"] = [_("Choose a community (社区).")]
    if registered_on > dates.today():
        errors["registered_on"] = [_("Cannot be in the future.")]
    if Registration.objects.filter(member=member, active=True).exists():
        errors["member"] = [_("This member is already registered with a community.")]
    if errors:
        raise ValidationError(errors)
    # before the rule first applied (a registration recorded from old files): confirmed from the start
    days = param("registration.confirm_days", registered_on, default=None)
    confirm_by = registered_on + datetime.timedelta(days=int(days)) if days is not None else None
    data = {"member": member, "community": community, "registered_on": registered_on, "confirm_by": confirm_by,
            "posts_of_interest": posts_of_interest, "skills": skills}  # fmt: skip
    # no ledger event: a registration changes no count (the change log has it)
    return do_create(Registration, acting_user=acting_user, data=data, clean=False)  # validated above


def may_confirm(reg: Registration, user) -> bool:
    """The unit side confirms: a user who may change the member through the org that holds the membership — not
    the community, which sees the member only through the registration."""
    return user is not None and Member.objects.restrict(user, "change").filter(pk=reg.member_id).exists()


def _locked(reg: Registration) -> Registration:
    """The registration as stored, locked until the transaction ends: of two admins acting at once, the second sees
    what the first did."""
    return Registration.objects.select_for_update().get(pk=reg.pk)


@transaction.atomic
def do_confirm_registration(reg: Registration, *, acting_user, on: datetime.date | None = None) -> Registration:
    """The unit side confirms the registration (before or after it would count as confirmed by itself)."""
    if not may_confirm(reg, acting_user):
        raise ScopeViolation(_("Only the member's own organization confirms the registration."))
    on = on or dates.today()
    current = _locked(reg)
    if not current.active:
        raise ValidationError({"confirmed_on": [_("This registration has ended.")]})
    if current.confirmed_on is not None:
        raise Conflict(_("This registration was already confirmed on %(day)s.") % {"day": current.confirmed_on})
    if on > dates.today():
        raise ValidationError({"confirmed_on": [_("Cannot be in the future.")]})
    if on < current.registered_on:
        raise ValidationError({"confirmed_on": [_("Cannot be before the registration.")]})
    # who confirmed: the change log's row of this update
    return do_update(current, acting_user=acting_user, data={"confirmed_on": on}, clean=False, action=None)


@transaction.atomic
def close_registration(member: Member, *, day: datetime.date, reason: str, acting_user, note: str = "") -> None:
    """End the member's open registration because the membership itself ended or left (a system step of another
    service, which checked who acts): on `day`, or on the day it began if that is later."""
    reg = Registration.objects.select_for_update().filter(member=member, active=True).first()
    if reg is None:
        return
    data = {"active": False, "ended_on": max(day, reg.registered_on), "end_reason": reason, "end_note": note[:200]}
    do_update(reg, acting_user=acting_user, data=data, clean=False, action=None)


@transaction.atomic
def do_end_registration(reg: Registration, *, acting_user, reason: str, ended_on: datetime.date | None = None,
                        note: str = "") -> Registration:  # fmt: skip
    """The registration ends — the member moved house or asked, the membership moved, no longer in service — on
    either side's word; it stays in the history."""
    ensure_in_scope(reg, acting_user, "change")
    current = _locked(reg)
    if not current.active:
        raise Conflict(_("This registration has ended already."))
    data = end_data(reason=reason, reasons=RegistrationEnd.values, ended_on=ended_on, started_on=current.registered_on,
                    note=note)  # fmt: skip
    return do_update(current, acting_user=acting_user, data=data, clean=False, action=None)  # checked above


def may_reveal(member: Member, user) -> bool:
    return Member.objects.restrict(user, "reveal").filter(pk=member.pk).exists()


@transaction.atomic
def do_reveal(member: Member, *, acting_user, reason: str, remote_addr=None) -> dict:
    """The unmasked ID and phone numbers, for a user allowed to see them, with a logged reason."""
    reason = (reason or "").strip()
    if not may_reveal(member, acting_user):
        raise ScopeViolation(_("You may not see this member's full personal data."))
    if len(reason) < 2:
        raise ValidationError({"reason": [_("Say why you need the full numbers (at least 2 characters).")]})
    reveal = PiiReveal.objects.create(
        user=acting_user, member=member, fields="id_number,phone", reason=reason[:200], remote_addr=remote_addr
    )
    # the audit trail names the fields and the reveal row, never the numbers (security.md R9)
    audit.record(audit.Event.REVEAL, user=acting_user, object_type="members.member", object_id=member.pk,
                 org_path=audit.org_path_of(member), remote_addr=remote_addr,
                 detail={"fields": ["id_number", "phone"], "reveal": reveal.pk})  # fmt: skip
    return {"id_number": member.id_number, "phone": member.phone}


# ---- bulk writes (the members importer) ---------------------------------------------------------------------
# The same rows as the one-by-one services write — the member (derived columns from Member.fill_derived_fields),
# its ledger entries (created_events / updated_events) and one ObjectChange per created or changed member
# (core.changelog, as the signal handlers make it) — but a few statements per thousand members, through the bulk
# writer (core.bulk: multi-row INSERT on SQLite, COPY on PostgreSQL), each value converted by its field as the ORM
# would.


def allowed_pks(queryset, pks) -> set:
    """The subset of `pks` that `queryset` (e.g. a restrict()ed one) contains."""
    allowed = set()
    for chunk in chunks(list(pks)):
        allowed.update(queryset.filter(pk__in=chunk).values_list("pk", flat=True))
    return allowed


def pks_by_index(indexes) -> dict:
    """{blind index: member pk} of the members on the roll with these ID number blind indexes."""
    found: dict[str, int] = {}
    for chunk in key_chunks(list(indexes)):
        found.update(Member.objects.filter(AnyOf("id_number_index", chunk)).values_list("id_number_index", "pk"))
    return found


def _stored_values(indexes) -> dict:
    """{blind index: (pk, {FIELD: stored value})}: decrypted, without building models (a re-import of a whole
    roll compares every row)."""
    found = {}
    for chunk in key_chunks(list(indexes)):
        for pk, index, *values in Member.objects.filter(AnyOf("id_number_index", chunk)).values_list(
            "pk", "id_number_index", *FIELDS, "category"
        ):
            found[index] = (pk, dict(zip((*FIELDS, "category"), values, strict=True)))
    return found


EVENT_ATTNAMES = ["member_id", "kind", "date", "org_id", "note", "created", "created_by_id"]


def _comparable(values: dict) -> dict:
    """FIELDS with the org and area as ids and empty texts as "", for deciding whether a member changed."""
    out = {}
    for f in FIELDS:
        v = values.get(f)
        if f in ("org", "home_area"):
            v = getattr(v, "pk", v)
        elif f == "id_number":
            v = idnumber.normalize(v)
        elif f in ("phone", "work_unit"):
            v = v or ""
        out[f] = v
    out["category"] = values.get("category")
    return out


def _member_values(member: Member) -> dict:
    values = {f: getattr(member, f) for f in (*FIELDS, "category") if f not in ("org", "home_area")}
    values["org"], values["home_area"] = member.org_id, member.home_area_id
    return values


@transaction.atomic
def bulk_upsert_members(rows: list[dict], *, acting_user, progress=None, batch_size: int = 1000) -> tuple:
    """Create or update many members at once, keyed by ID number; returns (created, updated, unchanged).

    `rows` hold FIELDS (org and home_area as objects or None) and must have passed `validate_member` already —
    a work status None keeps the stored one (其他 for a new member), and `"mobile": True` says the file calls the
    member 流动: one without an open outflow or inflow gets an outflow marked incomplete (destination unknown,
    `mobility.record_unknown_outflows`), so that the member counts as 流动 and the finding asks to complete it; the
    category is derived for every row (`derive_category`) —
    the importer validates row by row so that it can report every problem with its row number. The scope is
    checked here, inside the transaction, before anything is written: every target org must allow "add" and
    every home area "view" for `acting_user`, and every existing member with one of the ID numbers must allow
    "change"; otherwise ScopeViolation. Ledger entries and change-log rows are the ones do_create_member /
    do_update_member write (the log is attributed like theirs: `acting_as(acting_user)`). A row equal to the
    stored member (decrypted values compared) is left alone. `progress(written, to_write)` is called per batch.
    """

    claims = [bool(r.get("mobile")) for r in rows]
    rows = [_comparable(r) | {"org": r.get("org"), "home_area": r.get("home_area")} for r in rows]
    indexes = [Member.index_of_id_number(r["id_number"]) for r in rows]
    if len(set(indexes)) != len(indexes):
        raise ValidationError({"id_number": [_("A member with this ID number is already on the roll.")]})
    existing = _stored_values(indexes)
    mobile = mobility.mobile_indexes(indexes, {index: pk for index, (pk, _values) in existing.items()})
    unknown_outflows = []  # called 流动 without an open outflow or inflow
    for r, index, claim in zip(rows, indexes, claims, strict=True):
        stored = existing.get(index)
        if r["work_status"] is None:
            r["work_status"] = stored[1]["work_status"] if stored is not None else WorkStatus.OTHER
        if claim and index not in mobile:
            unknown_outflows.append(index)
        r["category"] = derive_category(r["work_status"], claim or index in mobile)
    if acting_user is not None:
        org_ids = {r["org"].pk for r in rows}
        if allowed_pks(Org.objects.restrict(acting_user, "add"), org_ids) != org_ids:
            raise ScopeViolation(_("Unknown organization, or outside your scope."))
        area_ids = {r["home_area"].pk for r in rows if r["home_area"] is not None}
        if allowed_pks(Area.objects.restrict(acting_user, "view"), area_ids) != area_ids:
            raise ScopeViolation(_("Unknown area, or outside your scope."))
        member_ids = {pk for pk, _values in existing.values()}
        if allowed_pks(Member.objects.restrict(acting_user, "change"), member_ids) != member_ids:
            raise ScopeViolation(_("A member with this ID number is already on the roll."))

    to_create, changed = [], []
    unchanged = 0
    for r, index in zip(rows, indexes, strict=True):
        stored = existing.get(index)
        if stored is None:
            to_create.append(r)
        elif _comparable(stored[1]) == _comparable(r):
            unchanged += 1
        else:
            changed.append((stored[0], r))
    members: dict[int, Member] = {}
    for chunk in chunks([pk for pk, _r in changed]):
        members.update((m.pk, m) for m in Member.objects.filter(pk__in=chunk))
    to_update = [(members[pk], r) for pk, r in changed]

    done, to_write = 0, len(to_create) + len(to_update)  # progress counts the rows to write
    by = acting_user.pk if getattr(acting_user, "pk", None) else None
    content_type_id = ContentType.objects.get_for_model(Member).pk
    member_attnames = [f.attname for f in Member._meta.concrete_fields if not f.primary_key]
    today = dates.today()
    with acting_as(acting_user) as ctx:
        who = attribution(ctx)

        # Member(*values) in field order: Django's fast path (as for rows read from the database), not keyword
        # arguments (≈ 3 s of 100,000 members); what the row does not give is the field's default
        layout = [(f.attname, f) for f in Member._meta.concrete_fields]

        def prepare(r, now) -> Member:
            org, area = r["org"], r["home_area"]  # by id: cheaper than the related descriptors
            given = {f: r[f] for f in (*FIELDS, "category") if f not in ("org", "home_area")}
            given["org_id"], given["home_area_id"] = org.pk, area.pk if area is not None else None
            values: tuple[Any, ...] = tuple(given[a] if a in given else f.get_default() for a, f in layout)
            member = Member(*values)
            member.fill_derived_fields()
            member.created = member.last_updated = now
            return member

        def events_of(made, now):
            """The new members' ledger entries (they have their keys)."""
            for member, r in made:
                for kind, date, org, note in created_events(r):
                    yield (member.pk, kind, date, org.pk, note, now, by)

        def changes_of(made, now):
            """Their change-log rows, made one by one as COPY takes them: the snapshots are worked out while the
            server writes the rows before (PostgreSQL)."""
            for member, _r in made:
                member._state.adding = False
                member._prechange = member.snapshot()
                yield change_row(
                    member, ObjectChange.Action.CREATE, None, member._prechange, who=who, ct=content_type_id, time=now
                )

        reported = 0

        def report():
            nonlocal reported
            if progress and done != reported:
                reported = done
                progress(done, to_write)

        def member_rows(chunk, ids, now, made):
            """The new members' column values, made one by one as COPY takes them (PostgreSQL)."""
            nonlocal done
            for r, pk in zip(chunk, ids, strict=True):
                member = prepare(r, now)
                member.pk = pk
                made.append((member, r))
                yield (pk, *(getattr(member, a) for a in member_attnames))
                done += 1
                if done % batch_size == 0:
                    report()

        streaming = is_streaming()
        for chunk in chunks(to_create, batch_size * 10 if streaming else batch_size):
            now = timezone.now()  # what auto_now_add / auto_now would set
            made: list[tuple[Member, dict]] = []
            if streaming:
                insert_rows(
                    Member,
                    [Member._meta.pk.attname, *member_attnames],
                    member_rows(chunk, next_ids(Member, len(chunk)), now, made),
                )
            else:
                batch = [prepare(r, now) for r in chunk]
                ids = dict(
                    insert_rows(
                        Member,
                        member_attnames,
                        [tuple(getattr(m, a) for a in member_attnames) for m in batch],
                        returning=("id_number_index", "id"),
                    )
                )
                for member, r in zip(batch, chunk, strict=True):
                    member.pk = ids[member.id_number_index]
                    made.append((member, r))
                done += len(batch)
            insert_rows(MembershipEvent, EVENT_ATTNAMES, events_of(made, now))
            insert_rows(ObjectChange, CHANGE_COLUMNS, changes_of(made, now))
            del made
            report()

        derived = ["id_number_index", "phone_index", "name_pinyin", "name_initials", "last_updated"]
        derived += ["id_number_suffix_index", "phone_suffix_index"]  # the 4-digit search (issue 14)
        for batch_pairs in chunks(to_update, batch_size):
            now = timezone.now()
            events, changes, batch = [], [], []
            for member, r in batch_pairs:
                before_values, before = _member_values(member), member._prechange
                for f in (*FIELDS, "category"):
                    setattr(member, f, r[f])
                member.fill_derived_fields()
                member.last_updated = now
                for kind, date, org_id, note in updated_events(before_values, _member_values(member), today):
                    events.append((member.pk, kind, date, org_id, note, now, by))
                after = member.snapshot()
                if after != before:
                    changes.append(
                        change_row(
                            member, ObjectChange.Action.UPDATE, before, after, who=who, ct=content_type_id, time=now
                        )
                    )
                member._prechange = after
                batch.append(member)
            Member.objects.bulk_update(batch, [*FIELDS, "category", *derived])
            insert_rows(MembershipEvent, EVENT_ATTNAMES, events)
            insert_rows(ObjectChange, CHANGE_COLUMNS, changes)
            done += len(batch)
            report()
        if unknown_outflows:
            mobility.record_unknown_outflows(pks_by_index(unknown_outflows).values(), acting_user=acting_user, on=today)
    return len(to_create), len(to_update), unchanged


__all__ = [
    "do_create_member",
    "do_update_member",
    "do_register",
    "do_end_registration",
    "do_confirm_registration",
    "may_confirm",
    "do_reveal",
    "may_reveal",
    "bulk_upsert_members",
    "pks_by_index",
    "derive_category",
    "refresh_categories",
    "refresh_categories_of_indexes",
]
