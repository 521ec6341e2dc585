"""Feedback letters to the members' units (反馈, issue 16 item 5): drafted from the records by the community side for
a quarter or a year, edited, signed off with a number; the unit side reads them once signed.

The figures of a letter come from the records of the letter's community only: approved post claims and team
memberships overlapping the period, activity sign-ups (not withdrawn, not marked absent) of activities in the period
that were not cancelled, and verified service hours of the period. A community's round is drafted in a few
aggregate queries and one bulk insert (with its change-log rows), never a query per member."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sqdj.core import audit, dates, numbering
from sqdj.core.changelog import COLUMNS, attribution, change_row
from sqdj.core.context import acting_as
from sqdj.core.models import ObjectChange
from sqdj.core.services import Conflict, ScopeViolation, do_create, do_update
from sqdj.members.choices import RegistrationStatus
from sqdj.members.models import Registration
from sqdj.orgs.models import Org

from .choices import ClaimState, Evaluation, FeedbackState, HoursState, PeriodKind
from .common import community_of, community_org
from .models import Feedback, PostClaim, ServiceHours, Signup, TeamMember

FIRST_YEAR = 2000  # no letter is drafted for a period before the system's records
LIST_MAX = 300  # Feedback.posts / Feedback.teams
SEP = "、"


# ---- periods ----------------------------------------------------------------------------------------------------


def period_bounds(period_kind: str, year, quarter=None) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) of a quarter or a year, or ValidationError (Chinese, by field) for a bad one."""
    errors: dict[str, list[str]] = {}
    if period_kind not in PeriodKind.values:
        errors["period_kind"] = [_("Choose a quarter or a year.")]
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= dates.today().year:
        errors["year"] = [_("Enter a year from %(first)d to this year.") % {"first": FIRST_YEAR}]
    if period_kind == PeriodKind.QUARTER and (
        not isinstance(quarter, int) or isinstance(quarter, bool) or not 1 <= quarter <= 4
    ):
        errors["quarter"] = [_("Choose the quarter (1 to 4).")]
    if errors:
        raise ValidationError(errors)
    if period_kind == PeriodKind.YEAR:
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    else:
        start = datetime.date(year, 3 * quarter - 2, 1)
        end = dates.add_months(start, 3) - datetime.timedelta(days=1)
    if start > dates.today():
        raise ValidationError({"quarter" if period_kind == PeriodKind.QUARTER else "year": [
            _("This period has not begun yet.")]})  # fmt: skip
    return start, end


def period_label(fb: Feedback) -> str:
    """ "2026年第1季度" / "2026年度" (in the user's language)."""
    if fb.period_kind == PeriodKind.YEAR:
        return _("%(year)d (year)") % {"year": fb.period_start.year}
    return _("%(year)d, quarter %(quarter)d") % {"year": fb.period_start.year,
                                                 "quarter": (fb.period_start.month - 1) // 3 + 1}  # fmt: skip


# ---- who acts ---------------------------------------------------------------------------------------------------


def is_community_side(fb: Feedback, user) -> bool:
    """The community side writes a letter: a user who may change the letter's (community) org. The unit side, which
    reads signed letters through the member's org line, never writes them."""
    return user is None or Org.objects.restrict(user, "change").filter(pk=fb.org_id).exists()


def _ensure_community_side(fb: Feedback, user) -> None:
    if not is_community_side(fb, user):
        raise ScopeViolation(_("Only the community's party organization writes and signs the feedback letter."))


def _ensure_may_draft(org: Org, user):
    """The drafting org: one the user may change, standing in a community; returns that community."""
    if user is not None and not Org.objects.restrict(user, "change").filter(pk=org.pk).exists():
        raise ScopeViolation(_("You may not write letters for this organization."))
    community = community_of(org)
    if community is None:
        raise ValidationError({"org": [_("This organization does not stand in a community (社区).")]})
    return community


# ---- the figures ------------------------------------------------------------------------------------------------


def _joined(names) -> str:
    """Names joined with 、, cut to the column's length (an ellipsis says some are left out)."""
    text = SEP.join(names)
    return text if len(text) <= LIST_MAX else text[: LIST_MAX - 1] + "…"


def _day_range(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start 00:00, the day after end 00:00) in the deployment's time zone."""
    tz = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return low, high


def _held_q(start, end) -> Q:
    """Approved (or approved then ended) claims that overlap [start, end]; held from the approval (else from the
    application, for claims approved without a recorded time)."""
    _low, high = _day_range(start, end)
    began = Q(decided_at__lt=high) | Q(decided_at__isnull=True, applied_on__lte=end)
    still = Q(ended_on__isnull=True) | Q(ended_on__gte=start)
    return Q(state__in=[ClaimState.APPROVED, ClaimState.ENDED]) & began & still


def figures(community, member_ids, start: datetime.date, end: datetime.date) -> dict[int, dict]:
    """{member id: {"posts", "teams", "activities", "hours"}} over the period, from the records of `community`:
    four aggregate queries for any number of members."""
    ids = list(member_ids)
    out: dict[int, dict] = {pk: {"posts": [], "teams": [], "activities": 0, "hours": Decimal("0")} for pk in ids}
    if not ids:
        return out
    low, high = _day_range(start, end)
    posts = (PostClaim.objects.filter(_held_q(start, end), member_id__in=ids, post__community=community,
                                      post__starts_on__lte=end)
             .filter(Q(post__ends_on__isnull=True) | Q(post__ends_on__gte=start))
             .values_list("member_id", "post__title").distinct().order_by("member_id", "post__title"))  # fmt: skip
    for member_id, title in posts:
        out[member_id]["posts"].append(title)
    teams = (TeamMember.objects.filter(_held_q(start, end), member_id__in=ids, team__community=community)
             .values_list("member_id", "team__name").distinct().order_by("member_id", "team__name"))  # fmt: skip
    for member_id, name in teams:
        out[member_id]["teams"].append(name)
    signups = (Signup.objects.filter(member_id__in=ids, withdrawn_at__isnull=True, activity__community=community,
                                     activity__cancelled_on__isnull=True, activity__starts_at__gte=low,
                                     activity__starts_at__lt=high)
               .exclude(attended=False)  # the organizer marked the member absent
               .values("member_id").annotate(n=Count("activity_id", distinct=True))
               .values_list("member_id", "n"))  # fmt: skip
    for member_id, n in signups:
        out[member_id]["activities"] = n
    hours = (ServiceHours.objects.filter(community=community, state=HoursState.VERIFIED, served_on__gte=start,
                                         served_on__lte=end, member_id__in=ids)
             .values("member_id").annotate(total=Sum("hours")).values_list("member_id", "total"))  # fmt: skip
    for member_id, total in hours:
        out[member_id]["hours"] = total or Decimal("0")
    return out


def _figure_fields(found: dict) -> dict:
    return {"posts": _joined(found["posts"]), "teams": _joined(found["teams"]), "activities": found["activities"],
            "hours": found["hours"]}  # fmt: skip


# ---- drafting ---------------------------------------------------------------------------------------------------


def registered_q(start: datetime.date, end: datetime.date) -> Q:
    """The registrations that held during [start, end]: made by its end, not ended before its start, and not still
    awaiting the unit side's confirmation (the unit has not yet said the member is theirs)."""
    held = Q(active=True) | Q(active=False, ended_on__gte=start)
    pending = Registration.status_q(RegistrationStatus.PENDING, dates.today())
    return Q(registered_on__lte=end) & held & ~pending


def _exists_for(member_ids, community, period_kind, start) -> set[int]:
    return set(Feedback.objects.filter(community=community, period_kind=period_kind, period_start=start,
                                       member_id__in=list(member_ids)).values_list("member_id", flat=True))  # fmt: skip


@transaction.atomic
def do_draft_feedback(*, acting_user, org: Org, period_kind: str, year, quarter=None) -> tuple[int, int]:
    """One draft per member registered with the org's community during the period, from the records; those with a
    letter for the period already are skipped. Returns (created, skipped)."""
    community = _ensure_may_draft(org, acting_user)
    if period_kind == PeriodKind.YEAR:
        quarter = None
    start, end = period_bounds(period_kind, year, quarter)
    # the latest registration of each member (a member who moved out and back has two)
    regs: dict[int, Registration] = {}
    for reg in (Registration.objects.filter(registered_q(start, end), community=community).select_related("member")
                .only("member_id", "registered_on", "member__name", "member__org_id")  # no personal data decrypted
                .order_by("member_id", "registered_on", "pk")):  # fmt: skip
        regs[reg.member_id] = reg
    done = _exists_for(regs, community, period_kind, start)
    todo = [reg for member_id, reg in regs.items() if member_id not in done]
    found = figures(community, [r.member_id for r in todo], start, end)
    letters = [
        Feedback(registration=reg, member=reg.member, org=org, community=community, unit_org_id=reg.member.org_id,
                 period_kind=period_kind, period_start=start, period_end=end, **_figure_fields(found[reg.member_id]))
        for reg in todo
    ]  # fmt: skip
    _bulk_create(letters, acting_user, skipped=len(done))
    return len(letters), len(done)


def _bulk_create(letters: list[Feedback], acting_user, *, skipped: int) -> None:
    """The drafts in one insert, with one change-log row each and one audit event for the round (as an import)."""
    if not letters:
        return
    with acting_as(acting_user) as ctx:
        who = attribution(ctx)
        after = audit.last_change_id()
        Feedback.objects.bulk_create(letters)  # the keys come back (PostgreSQL, SQLite)
        ct = ContentType.objects.get_for_model(Feedback).pk
        now = timezone.now()
        ObjectChange.objects.bulk_create(
            ObjectChange(**dict(zip(COLUMNS, change_row(fb, ObjectChange.Action.CREATE, None, fb.snapshot(), who=who,
                                                        ct=ct, time=now), strict=True)))
            for fb in letters
        )  # fmt: skip
        audit.record_import("volunteers.feedback", after_pk=after, created=len(letters), updated=0, unchanged=skipped)


@transaction.atomic
def do_draft_one(registration: Registration, *, acting_user, period_kind: str, year, quarter=None,
                 org: Org | None = None) -> Feedback:  # fmt: skip
    """The draft of one member's letter (the org: the community's own party organization unless given)."""
    if period_kind == PeriodKind.YEAR:
        quarter = None
    start, end = period_bounds(period_kind, year, quarter)
    community = registration.community
    org = org or community_org(community)
    if org is None:
        raise ValidationError({"registration": [_("The community has no party organization to write the letter.")]})
    if _ensure_may_draft(org, acting_user) != community:
        raise ValidationError({"org": [_("This organization does not stand in the member's community.")]})
    reg = Registration.objects.select_related("member").get(pk=registration.pk)
    if not reg.active and (reg.ended_on is None or reg.ended_on < start):
        raise ValidationError({"registration": [_("The member's registration ended before this period.")]})
    if reg.registered_on > end:
        raise ValidationError({"registration": [_("The member registered after this period.")]})
    if _exists_for([reg.member_id], community, period_kind, start):
        raise ValidationError({"registration": [_("There is a letter for this period already.")]})
    found = figures(community, [reg.member_id], start, end)[reg.member_id]
    data = {"registration": reg, "member_id": reg.member_id, "org": org, "community": community,
            "unit_org_id": reg.member.org_id, "period_kind": period_kind, "period_start": start, "period_end": end,
            **_figure_fields(found)}  # fmt: skip
    return do_create(Feedback, acting_user=acting_user, data=data, clean=False, action=None)  # checked above


# ---- editing and signing off ------------------------------------------------------------------------------------


def _locked_draft(fb: Feedback, acting_user, version) -> Feedback:
    """The letter as stored, locked until the transaction ends; a signed one, or one changed since `version` was
    read, is a conflict (someone else acted first)."""
    _ensure_community_side(fb, acting_user)
    current = Feedback.objects.select_for_update().get(pk=fb.pk)
    if version is not None and current.version != version:
        raise Conflict()
    if current.state == FeedbackState.SIGNED:
        raise Conflict(_("This letter is signed off: it is final and can no longer be changed."))
    return current


@transaction.atomic
def do_edit_feedback(fb: Feedback, *, acting_user, evaluation: str = "", note: str = "", version=None,
                     refresh: bool = False, **_ignored) -> Feedback:  # fmt: skip
    """The community side sets the evaluation and the note of a draft; `refresh` reads the figures again."""
    current = _locked_draft(fb, acting_user, version)
    evaluation, note = (evaluation or "").strip(), (note or "").strip()
    errors: dict[str, list[str]] = {}
    if evaluation and evaluation not in Evaluation.values:
        errors["evaluation"] = [_("Choose an evaluation of the list.")]
    if len(note) > 300:
        errors["note"] = [_("At most 300 characters.")]
    if errors:
        raise ValidationError(errors)
    data: dict = {"evaluation": evaluation, "note": note, "version": current.version + 1}
    if refresh:
        found = figures(current.community, [current.member_id], current.period_start, current.period_end)
        data.update(_figure_fields(found[current.member_id]))
    return do_update(current, acting_user=acting_user, data=data, clean=False, action=None)  # checked above


def number_of(year: int, serial: int) -> str:
    """FK2026-000123: the year of signing and the year's serial (core.numbering: gapless per year)."""
    return f"FK{year}-{serial:06d}"


@transaction.atomic
def do_sign_feedback(fb: Feedback, *, acting_user, version) -> Feedback:
    """The community side signs the draft off: it gets its number, who and when; then it is final and the unit side
    sees it. An evaluation is required."""
    current = _locked_draft(fb, acting_user, version)
    if not current.evaluation:
        raise ValidationError({"evaluation": [_("Give an evaluation before signing off.")]})
    on = dates.today()
    number = number_of(on.year, numbering.next_number(f"volunteers.feedback.{on.year}"))
    data = {"state": FeedbackState.SIGNED, "number": number, "signed_by": acting_user, "signed_on": on,
            "version": current.version + 1}  # fmt: skip
    return do_update(current, acting_user=acting_user, data=data, clean=False, action=None)  # checked above
