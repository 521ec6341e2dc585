"""Leadership (班子): positions, elections, residents' committees, term extension."""

from __future__ import annotations

import datetime
import math
from fractions import Fraction

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core import dates
from sqdj.core.context import acting_as
from sqdj.core.dates import add_months
from sqdj.core.rules import param
from sqdj.core.services import Errors, do_create, do_update, ensure_in_scope, merged
from sqdj.members.choices import MemberType
from sqdj.members.models import Member
from sqdj.members.standing import voters
from sqdj.orgs.choices import BRANCH_TYPES, OrgType
from sqdj.orgs.models import Org

from .choices import DERIVED_BASES, Assembly, ElectionKind, ElectionOffice, PositionRole, ResidentsSeatRole, VotersBasis
from .models import Candidate, Election, Position, ResidentsCommittee, ResidentsSeat
from .terms import regular_term_end

# ---- leadership (班子): positions, elections, residents' committees, term extension ------------------------------
# rules.md §2. Every rule answers with a Chinese message on the field concerned (a `code` names the rule for
# callers and tests) and nothing is saved: each service is one transaction.

POSITION_FIELDS = ("org", "member", "role", "portfolio", "started_on", "ended_on", "election")
ELECTION_FIELDS = ("org", "kind", "office", "assembly", "held_on", "seats", "eligible_voters", "voters_present",
                   "excused_voters", "excused_reason", "approval", "approved_on", "note")  # fmt: skip
# what the count of those entitled to vote depends on: a change of one counts them again
VOTERS_DEPEND_ON = ("org", "office", "assembly", "held_on")
# orgs that elect their committee at a members' assembly only (选举工作条例: 总支、支部委员会由党员大会选举产生)
MEMBERS_ASSEMBLY_ONLY = BRANCH_TYPES | {OrgType.GENERAL_BRANCH, OrgType.GROUP}
COMMITTEE_FIELDS = ("area", "name", "term_started_on")
SEAT_FIELDS = ("committee", "role", "member", "person_name", "birth_date", "education", "started_on", "ended_on")


def _member_visible(member, acting_user) -> bool:
    if member is None or acting_user is None:
        return True
    return Member.objects.restrict(acting_user, "view").filter(pk=member.pk).exists()


def _overlaps(qs, start: datetime.date, end: datetime.date | None):
    """Rows of `qs` (with started_on/ended_on, both days included) whose period shares a day with start–end."""
    qs = qs.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    return qs if end is None else qs.filter(started_on__lte=end)


def _check_period(errors: Errors, start, end):
    if start and end and end < start:
        errors.add("ended_on", _("A position cannot end before it starts."), "ends_before_start")


def _is_full_member_on(member, day: datetime.date) -> bool:
    return member.member_type == MemberType.FULL and (member.confirmed_on is None or member.confirmed_on <= day)


# positions ------------------------------------------------------------------------------------------------------


def _check_position(data: dict, acting_user, instance=None):
    errors = Errors()
    for f in ("org", "member", "role", "started_on"):
        if not data.get(f):
            errors.add(f, _("This field is required."), "required")
    errors.raise_if_any()
    _check_period(errors, data["started_on"], data["ended_on"])
    member = data["member"]
    if not _member_visible(member, acting_user):
        errors.add("member", _("Unknown party member, or outside your scope."), "member_out_of_scope")
    elif not _is_full_member_on(member, data["started_on"]):
        # 选举条例第五条: a probationary member has no right to be elected (rules.md 2.8)
        errors.add("member", _("A probationary member cannot hold a leadership position."), "not_full_member")
    election = data.get("election")
    if election is not None and election.org_id != data["org"].pk:
        errors.add("election", _("The election must be one of this organization's."), "election_of_other_org")
    if data["role"] == PositionRole.SECRETARY and not errors.errors.get("ended_on"):
        others = _overlaps(Position.objects.filter(org=data["org"], role=PositionRole.SECRETARY), data["started_on"],
                           data["ended_on"])  # fmt: skip
        if instance is not None:
            others = others.exclude(pk=instance.pk)
        other = others.select_related("member").first()
        if other is not None:
            errors.add(
                "started_on",
                _("The organization already has a secretary in this period: %(name)s from %(start)s to %(end)s. "
                  "End that position first.")
                % {"name": other.member.name, "start": other.started_on, "end": other.ended_on or _("now")},
                "two_secretaries",
            )  # fmt: skip
    errors.raise_if_any()


@transaction.atomic
def do_create_position(*, acting_user, **data) -> Position:
    data = merged(None, POSITION_FIELDS, data)
    data["portfolio"] = data["portfolio"] or ""
    _check_position(data, acting_user)
    return do_create(Position, acting_user=acting_user, data=data)


@transaction.atomic
def do_update_position(position: Position, *, acting_user, **data) -> Position:
    ensure_in_scope(position, acting_user, "change")
    data = merged(position, POSITION_FIELDS, data)
    data["portfolio"] = data["portfolio"] or ""
    _check_position(data, acting_user, instance=position)
    return do_update(position, acting_user=acting_user, data=data)


@transaction.atomic
def do_delete_position(position: Position, *, acting_user) -> None:
    ensure_in_scope(position, acting_user, "delete")
    with acting_as(acting_user):
        position.delete()


# elections ------------------------------------------------------------------------------------------------------


def min_candidates(seats: int, held_on: datetime.date, office: str = ElectionOffice.COMMITTEE) -> int:
    """The fewest candidates for `seats` (差额, 选举条例第十三条): seats × (1 + ratio), rounded up, for the
    committee's members; a secretary or deputy secretary may be elected 等额 (as many candidates as seats), and so
    may anything on a day no version of the rule was in force."""
    if office != ElectionOffice.COMMITTEE:
        return seats
    ratio = param("election.min_extra_candidates_ratio", held_on, default=None)
    if ratio is None:
        return seats
    return math.ceil(seats * (1 + Fraction(str(ratio))))  # exact: 5 × 1.2 is 6, not 6.000000000000001


def committee_on(org: Org, day: datetime.date):
    """The members of `org`'s committee on `day`: those holding one of its leadership positions then."""
    held = Position.objects.filter(org=org, started_on__lte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
    return Member.objects.filter(pk__in=held.values("member_id"))


def count_voters(org: Org, held_on: datetime.date, office: str, assembly: str = Assembly.MEMBERS):
    """(number entitled to vote, basis) for an election of `org` on `held_on`; (None, TYPED) when it cannot be
    counted (the delegates of a delegates' congress). Who may vote: members.standing.voters (full members on the
    roll, not under 留党察看 nor suspended that day).

    - the committee's members (委员), at a members' assembly: the members of the org and of every org below it (a
      branch's party groups, a 总支's or 党委's branches);
    - the secretary or deputy secretary: the committee, which elects them at its plenary; a branch without a
      committee (fewer than 7 full members) elects its secretary at the members' assembly: the roll then."""
    if office == ElectionOffice.COMMITTEE:
        if assembly == Assembly.DELEGATES:
            return None, VotersBasis.TYPED
        return _roll_count(org, held_on), VotersBasis.ROLL
    committee = committee_on(org, held_on)
    if org.type in BRANCH_TYPES and not committee.exists():
        return _roll_count(org, held_on), VotersBasis.ROLL
    return voters(committee, held_on).count(), VotersBasis.COMMITTEE


def _roll_count(org: Org, day: datetime.date) -> int:
    return voters(Member.objects.filter(org__path__startswith=org.path), day).count()


def _settle_voters(data: dict, typed, instance, errors: Errors) -> None:
    """Put the count of those entitled to vote into `data` (eligible_voters, voters_basis). `typed` is the figure
    the caller gave, if any: kept for a delegates' congress and for rows recorded before the count existed (unless
    what the count depends on changes); otherwise checked against the count — never higher, and lower only by the
    excused members, recorded with their reason."""
    if instance is not None and all(getattr(instance, f) == data[f] for f in VOTERS_DEPEND_ON):
        data["voters_basis"] = instance.voters_basis
        if instance.voters_basis in DERIVED_BASES:
            # the figure stays as it was counted when the election was recorded
            data["eligible_voters"] = instance.eligible_voters
        elif instance.voters_basis == VotersBasis.LEGACY:
            data["eligible_voters"] = typed if typed is not None else instance.eligible_voters
            return
    else:
        if instance is not None and typed == instance.eligible_voters:
            typed = None  # the stored figure sent back (a form, a PUT): not a figure of its own to check
        office = data.get("office") or ElectionOffice.COMMITTEE
        count, basis = count_voters(data["org"], data["held_on"], office, data["assembly"])
        data["voters_basis"], data["eligible_voters"] = basis, count
    if data["voters_basis"] == VotersBasis.TYPED:
        data["eligible_voters"] = typed if typed is not None else (instance.eligible_voters if instance else None)
        if data["eligible_voters"] is None:
            errors.add("eligible_voters", _("Enter the number of delegates entitled to vote."), "required")
        return
    derived, excused = data["eligible_voters"], data["excused_voters"]
    where = {"derived": derived, "day": data["held_on"], "typed": typed}
    if typed is not None and typed > derived:
        errors.add(
            "eligible_voters",
            _("%(typed)d members entitled to vote were entered, but on %(day)s there were %(derived)d: the figure is "
              "counted from the roll and cannot be higher.") % where,
            "typed_over_roll",
        )  # fmt: skip
    elif typed is not None and typed < derived and derived - typed != excused:
        errors.add(
            "eligible_voters",
            _("%(typed)d members entitled to vote were entered, but on %(day)s there were %(derived)d. Members who "
              "are ill, abroad, or away (流动) and unable to attend may be left out only as excused members, with "
              "the reason: record %(diff)d excused members.") % {**where, "diff": derived - typed},
            "typed_below_roll",
        )  # fmt: skip
    if derived == 0:
        errors.add(
            "eligible_voters",
            _("Nobody was entitled to vote on %(day)s: no full member in good standing on the roll (for a "
              "secretary's election: on the committee) that day.") % where,
            "no_voters",
        )  # fmt: skip


def _check_election(data: dict, candidates: list[dict], acting_user, *, typed=None, instance=None) -> None:
    errors = Errors()
    for f in ("org", "held_on", "seats", "voters_present"):
        if data.get(f) in (None, ""):
            errors.add(f, _("This field is required."), "required")
    if data.get("excused_voters") is None:
        data["excused_voters"] = 0
    data["excused_reason"] = (data.get("excused_reason") or "").strip()
    data["assembly"] = data.get("assembly") or Assembly.MEMBERS
    errors.raise_if_any()
    if data["assembly"] == Assembly.DELEGATES and data["org"].type in MEMBERS_ASSEMBLY_ONLY:
        errors.add(
            "assembly",
            _("A general branch or a branch elects its committee at the members' assembly; only a party committee "
              "may hold a delegates' congress."),
            "delegates_not_allowed",
        )  # fmt: skip
        errors.raise_if_any()
    _settle_voters(data, typed, instance, errors)
    eligible, excused = data["eligible_voters"], data["excused_voters"]
    if excused and not data["excused_reason"]:
        errors.add(
            "excused_reason",
            _(
                "Enter why these members are excused (ill, abroad, or away and unable to attend) and who approved "
                "leaving them out."
            ),
            "excused_without_reason",
        )
    if eligible is not None and excused > eligible:
        errors.add(
            "excused_voters",
            _("%(excused)d members excused, but only %(eligible)d were entitled to vote.")
            % {"excused": excused, "eligible": eligible},
            "excused_over_roll",
        )
    # the quorum is judged only on a base that stands (the other problems are reported all the same)
    base_ok = eligible is not None and not any(f in errors.errors for f in ("eligible_voters", "excused_voters"))
    entitled = eligible - excused if base_ok else None
    seats, held_on = data["seats"], data["held_on"]
    if seats < 1:
        errors.add("seats", _("There must be at least one seat."), "no_seats")
    if held_on > dates.today():
        errors.add("held_on", _("An election cannot be recorded before it is held."), "future")
    approved_on = data.get("approved_on")
    if approved_on is not None:
        if approved_on < held_on:
            errors.add("approved_on", _("The approval cannot come before the election."), "approved_before_held")
        elif approved_on > dates.today():
            errors.add("approved_on", _("Cannot be in the future."), "future")
        if not (data.get("approval") or "").strip():
            errors.add(
                "approval",
                _("Enter the superior organization's approval (its document or decision) with the date."),
                "approval_required",
            )
    if entitled is None:
        pass
    elif data["voters_present"] > entitled:
        errors.add(
            "voters_present",
            _("More voters present (%(present)d) than members entitled to vote less the excused (%(entitled)d).")
            % {"present": data["voters_present"], "entitled": entitled},
            "present_over_eligible",
        )
    elif (quorum := param("election.quorum_ratio", held_on, default=None)) is not None:
        # valid only when those present are MORE than the ratio of those who should attend (选举工作条例: 超过五分之四),
        # the excused left out of the base
        if Fraction(data["voters_present"]) <= Fraction(str(quorum)) * entitled:
            errors.add(
                "voters_present",
                _("Only %(present)d of %(eligible)d members entitled to vote were present: an election needs more "
                  "than %(ratio)s of them, or it is not valid.")
                % {"present": data["voters_present"], "eligible": entitled, "ratio": str(Fraction(str(quorum)))},
                "no_quorum",
            )  # fmt: skip
    if seats >= 1:
        if len(candidates) < seats:
            errors.add(
                "candidates",
                _("Fewer candidates (%(n)d) than seats (%(seats)d).") % {"n": len(candidates), "seats": seats},
                "fewer_candidates_than_seats",
            )
        else:
            need = min_candidates(seats, held_on, data.get("office") or ElectionOffice.COMMITTEE)
            if len(candidates) < need:
                errors.add(
                    "candidates",
                    _("Too few candidates for a contested election (差额): %(seats)d seats need at least %(need)d "
                      "candidates, %(n)d were given.") % {"seats": seats, "need": need, "n": len(candidates)},
                    "too_few_for_contest",
                )  # fmt: skip
    elected = sum(1 for c in candidates if c.get("elected"))
    if elected > seats:
        errors.add(
            "candidates",
            _("More candidates elected (%(n)d) than seats (%(seats)d).") % {"n": elected, "seats": seats},
            "elected_over_seats",
        )
    member_ids = [c["member"].pk for c in candidates if c.get("member") is not None]
    if any(c.get("member") is None for c in candidates):
        errors.add("candidates", _("Every candidate must be a party member."), "required")
    if len(set(member_ids)) != len(member_ids):
        errors.add("candidates", _("A member appears twice among the candidates."), "duplicate_candidate")
    visible = set(member_ids)
    if acting_user is not None:
        visible = set(
            Member.objects.restrict(acting_user, "view").filter(pk__in=member_ids).values_list("pk", flat=True)
        )
    for c in candidates:
        m = c.get("member")
        if m is None:
            continue
        if m.pk not in visible:
            errors.add("candidates", _("Unknown party member, or outside your scope."), "member_out_of_scope")
        elif not _is_full_member_on(m, held_on):
            # 选举条例第五条: only full members may be elected (rules.md 2.8)
            errors.add(
                "candidates",
                _("%(name)s is a probationary member and cannot be elected.") % {"name": m.name},
                "not_full_member",
            )
        votes = c.get("votes")
        if votes is not None and votes > data["voters_present"]:
            errors.add(
                "candidates",
                _("%(name)s received more votes (%(votes)d) than there were voters present (%(present)d).")
                % {"name": m.name, "votes": votes, "present": data["voters_present"]},
                "votes_over_present",
            )
    errors.raise_if_any()


def _latest_regular(org, exclude_pk=None):
    qs = Election.objects.filter(org=org, kind=ElectionKind.REGULAR)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("-held_on", "-pk").first()


def _apply_term(org, acting_user):
    """A general election (换届) starts a new term on its day and ends any extension of the old one. An older
    election entered afterwards does not move the term back."""
    org = Org.objects.get(pk=org.pk)
    latest = _latest_regular(org)
    if latest is None or (org.term_started_on is not None and latest.held_on < org.term_started_on):
        return
    if (org.term_started_on, org.term_extended_to, org.term_extension_approval) == (latest.held_on, None, ""):
        return
    org.term_started_on, org.term_extended_to, org.term_extension_approval = latest.held_on, None, ""
    with acting_as(acting_user):
        org.save(update_fields=["term_started_on", "term_extended_to", "term_extension_approval", "last_updated"])


def _write_candidates(election, candidates: list[dict], acting_user):
    """Make the stored candidates equal `candidates` (by member), writing only what changed."""
    existing = {c.member_id: c for c in election.candidates.all()}
    wanted = {c["member"].pk: c for c in candidates}
    with acting_as(acting_user):
        for member_id, cand in existing.items():
            if member_id not in wanted:
                cand.delete()
        for member_id, c in wanted.items():
            cand = existing.get(member_id) or Candidate(election=election, member=c["member"])
            cand.votes, cand.elected = c.get("votes"), bool(c.get("elected"))
            cand.full_clean(exclude=["election", "member"], validate_unique=False, validate_constraints=False)
            cand.save()


def _clean_candidates(candidates) -> list[dict]:
    return [
        {"member": c.get("member"), "votes": c.get("votes"), "elected": bool(c.get("elected"))}
        for c in (candidates or [])
    ]


@transaction.atomic
def do_create_election(*, acting_user, candidates=(), **data) -> Election:
    """Record an election with its candidates (one transaction); a general election starts the org's term."""
    typed = data.get("eligible_voters")
    data = merged(None, ELECTION_FIELDS, data)
    data["kind"] = data["kind"] or ElectionKind.REGULAR
    data["office"] = data["office"] or ElectionOffice.COMMITTEE
    data["approval"], data["note"] = data["approval"] or "", data["note"] or ""
    candidates = _clean_candidates(candidates)
    _check_election(data, candidates, acting_user, typed=typed)
    election = do_create(Election, acting_user=acting_user, data=data)
    _write_candidates(election, candidates, acting_user)
    _apply_term(election.org, acting_user)
    return election


@transaction.atomic
def do_update_election(election: Election, *, acting_user, candidates=None, **data) -> Election:
    """Change an election; `candidates` None keeps the stored list, a list replaces it."""
    ensure_in_scope(election, acting_user, "change")
    old_org = election.org
    typed = data.get("eligible_voters")
    data = merged(election, ELECTION_FIELDS, data)
    data["approval"], data["note"] = data["approval"] or "", data["note"] or ""
    if candidates is None:
        candidates = [{"member": c.member, "votes": c.votes, "elected": c.elected}
                      for c in election.candidates.select_related("member")]  # fmt: skip
    else:
        candidates = _clean_candidates(candidates)
    _check_election(data, candidates, acting_user, typed=typed, instance=election)
    do_update(election, acting_user=acting_user, data=data)
    _write_candidates(election, candidates, acting_user)
    _apply_term(election.org, acting_user)
    if old_org.pk != election.org_id:
        _apply_term(old_org, acting_user)
    return election


@transaction.atomic
def do_delete_election(election: Election, *, acting_user) -> None:
    """Delete an election and its candidates. If it started the org's current term, the term goes back to the
    previous general election's day (when one is recorded)."""
    ensure_in_scope(election, acting_user, "delete")
    org = Org.objects.get(pk=election.org_id)
    started_term = election.kind == ElectionKind.REGULAR and org.term_started_on == election.held_on
    previous = _latest_regular(org, exclude_pk=election.pk) if started_term else None
    with acting_as(acting_user):
        election.candidates.all().delete()
        election.delete()
        if previous is not None and previous.held_on != org.term_started_on:
            org.term_started_on = previous.held_on
            org.save(update_fields=["term_started_on", "last_updated"])


# term extension (延期换届) ----------------------------------------------------------------------------------------


def max_extension_months(regular_end: datetime.date) -> int | None:
    """The longest extension (选举条例第三条), by the version in force when the term was due to end, else today's."""
    rule = "org.term_max_extension_months"
    months = param(rule, regular_end, default=None)
    return months if months is not None else param(rule, default=None)


@transaction.atomic
def do_extend_term(org: Org, *, extended_to: datetime.date, approval: str, acting_user) -> Org:
    """Record the superior's approval to keep the committee in office until `extended_to` (its last day)."""
    ensure_in_scope(org, acting_user, "change")
    org = Org.objects.select_related("area").get(pk=org.pk)
    approval = (approval or "").strip()
    errors = Errors()
    if not approval:
        errors.add(
            "term_extension_approval",
            _("A term may only be extended with the superior organization's approval: enter the approval."),
            "approval_required",
        )
    if extended_to is None:
        errors.add("term_extended_to", _("This field is required."), "required")
        errors.raise_if_any()
    regular_end = regular_term_end(org)
    if regular_end is None:
        errors.add(
            "term_extended_to",
            _("This organization has no term to extend (no term start recorded, or an appointed body)."),
            "no_term",
        )
        errors.raise_if_any()
    assert regular_end is not None and extended_to is not None  # else raise_if_any() raised
    last_day = regular_end - datetime.timedelta(days=1)
    if extended_to <= last_day:
        errors.add(
            "term_extended_to",
            _("The extension must end after the regular end of the term (%(last)s).") % {"last": last_day},
            "not_after_regular_end",
        )
    months = max_extension_months(regular_end)
    if months is not None:
        limit = add_months(regular_end, months) - datetime.timedelta(days=1)
        if extended_to > limit:
            errors.add(
                "term_extended_to",
                _("A term may be extended by at most %(months)d months, that is until %(limit)s.")
                % {"months": months, "limit": limit},
                "extension_too_long",
            )
    errors.raise_if_any()
    org.term_extended_to, org.term_extension_approval = extended_to, approval[:200]
    with acting_as(acting_user):
        org.save(update_fields=["term_extended_to", "term_extension_approval", "last_updated"])
    ensure_in_scope(org, acting_user, "change")
    return org


# residents' committees (居委会) -----------------------------------------------------------------------------------


def _check_committee(data: dict, acting_user):
    errors = Errors()
    area = data.get("area")
    if area is None:
        errors.add("area", _("This field is required."), "required")
    elif area.type != AreaType.COMMUNITY:
        errors.add("area", _("A residents' committee belongs to a community (社区)."), "not_a_community")
    elif acting_user is not None and not Area.objects.restrict(acting_user, "view").filter(pk=area.pk).exists():
        errors.add("area", _("Unknown area, or outside your scope."), "area_out_of_scope")
    errors.raise_if_any()


@transaction.atomic
def do_create_residents_committee(*, acting_user, **data) -> ResidentsCommittee:
    data = merged(None, COMMITTEE_FIELDS, data)
    _check_committee(data, acting_user)
    if not (data["name"] or "").strip():
        data["name"] = f"{data['area'].name}居民委员会"
    return do_create(ResidentsCommittee, acting_user=acting_user, data=data)


@transaction.atomic
def do_update_residents_committee(committee: ResidentsCommittee, *, acting_user, **data) -> ResidentsCommittee:
    ensure_in_scope(committee, acting_user, "change")
    data = merged(committee, COMMITTEE_FIELDS, data)
    _check_committee(data, acting_user)
    return do_update(committee, acting_user=acting_user, data=data)


@transaction.atomic
def do_delete_residents_committee(committee: ResidentsCommittee, *, acting_user) -> None:
    ensure_in_scope(committee, acting_user, "delete")
    with acting_as(acting_user):
        committee.seats.all().delete()
        committee.delete()


def _check_seat(data: dict, acting_user, instance=None):
    errors = Errors()
    for f in ("committee", "role", "started_on"):
        if not data.get(f):
            errors.add(f, _("This field is required."), "required")
    errors.raise_if_any()
    _check_period(errors, data["started_on"], data["ended_on"])
    member, name = data["member"], data["person_name"]
    if member is None and not name:
        errors.add("member", _("Choose a party member or enter the person's name."), "no_holder")
    elif member is not None and (name or data["birth_date"] or data["education"]):
        errors.add(
            "person_name",
            _("For a party member, name, birth date and education come from the member record: leave them empty."),
            "member_and_person",
        )
    elif member is not None and not _member_visible(member, acting_user):
        errors.add("member", _("Unknown party member, or outside your scope."), "member_out_of_scope")
    if data["role"] == ResidentsSeatRole.CHAIR and not errors.errors.get("ended_on"):
        others = _overlaps(
            ResidentsSeat.objects.filter(committee=data["committee"], role=ResidentsSeatRole.CHAIR),
            data["started_on"],
            data["ended_on"],
        )
        if instance is not None:
            others = others.exclude(pk=instance.pk)
        other = others.select_related("member").first()
        if other is not None:
            errors.add(
                "started_on",
                _("The committee already has a chair in this period: %(name)s from %(start)s to %(end)s. "
                  "End that seat first.")
                % {"name": other.holder_name, "start": other.started_on, "end": other.ended_on or _("now")},
                "two_chairs",
            )  # fmt: skip
    errors.raise_if_any()


def _seat_data(obj, data):
    data = merged(obj, SEAT_FIELDS, data)
    data["person_name"] = (data["person_name"] or "").strip()
    data["education"] = data["education"] or ""
    return data


@transaction.atomic
def do_create_residents_seat(*, acting_user, **data) -> ResidentsSeat:
    data = _seat_data(None, data)
    _check_seat(data, acting_user)
    return do_create(ResidentsSeat, acting_user=acting_user, data=data)


@transaction.atomic
def do_update_residents_seat(seat: ResidentsSeat, *, acting_user, **data) -> ResidentsSeat:
    ensure_in_scope(seat, acting_user, "change")
    data = _seat_data(seat, data)
    _check_seat(data, acting_user, instance=seat)
    return do_update(seat, acting_user=acting_user, data=data)


@transaction.atomic
def do_delete_residents_seat(seat: ResidentsSeat, *, acting_user) -> None:
    ensure_in_scope(seat, acting_user, "delete")
    with acting_as(acting_user):
        seat.delete()
