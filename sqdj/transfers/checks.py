"""The rulebook checks of mobile members (rules.md §§6.5, 6.8): reminders to keep in touch, and the lost-contact
consequences shown as findings — never applied. Nothing here writes; the org decides (停止党籍, 除名) and records
the decision on the member.

Each check is one query over the checked subtree (outflows by the org holding the membership, inflows by the host
org) narrowed by the database to the candidate rows (a day's margin on the date arithmetic), the exact rule decided
here; a city without mobile data pays an indexed empty query per check.

A finding's object is the mobile record (type "member"; code `outflow-<id>` or `inflow-<id>`, the record's id in
/api/v1/outflows/ and /api/v1/inflows/): a member has no public code, and an ID number may not appear in findings.

`member.suspended_removal`: the two years of 停止党籍 run from the recorded date of the suspension (the open
`members.MemberState` of kind suspended, written by `members.standing.do_suspend`), for members whose standing is
"suspended" and whose outflow records the lost contact.

`member.transfer_due` and `mobile.transfer_due` (rules.md 6.2, 条例第二十五条: 工作单位、经常居住地发生变动的，或者外出
学习、工作、生活6个月以上并且地点相对固定的，应当转移组织关系) judge only what the records show: a work unit or a home
area changed in the change log (the date of the change is that of the record, not of the move), after the member's
last move of organization, `transfer.due_days_after_change` days ago or more; an open outflow
`transfer.due_months_away` months old. A work unit matters where the membership follows the unit (an org not of the
community, village or mobile sector), a home area where it follows the residence (a community or village org) and
the new home is outside the org's community. Whether a place away is "relatively fixed" is not recorded: that
finding is a reminder. Members with an open transfer case are left out.

No `mobile.inflow_unverified` check: the rulebook has no parameter for how soon an inflow must be verified (the
regulations give no figure); the inflow list shows the unverified ones instead.
"""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q
from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core.dates import add_months, add_years
from sqdj.core.models import ObjectChange
from sqdj.core.rules import CheckContext, Finding, describe_parameters, describe_values, param, register, url_maker
from sqdj.core.scope import visible
from sqdj.members.choices import Standing, StateKind, WorkStatus
from sqdj.members.models import Member
from sqdj.orgs.choices import Sector

from .choices import OPEN_STATES
from .models import Inflow, Outflow
from .services import AUTHORITY

MARGIN = datetime.timedelta(days=4)  # add_months is not invertible at month ends: the database gets a margin


def _outflows(ctx: CheckContext):
    """Outflows held in the checked subtree, open on the checked day."""
    qs = visible(Outflow.objects.all(), ctx.user).filter(left_on__lte=ctx.on)
    if ctx.org.depth > 1:  # a whole tree needs no path filter (cheaper than the join)
        qs = qs.filter(member__org__path__startswith=ctx.org.path)
    return qs.exclude(ended_on__lte=ctx.on).order_by()


def _inflows(ctx: CheckContext):
    qs = visible(Inflow.objects.all(), ctx.user).filter(arrived_on__lte=ctx.on)
    if ctx.org.depth > 1:
        qs = qs.filter(host_org__path__startswith=ctx.org.path)
    return qs.exclude(ended_on__lte=ctx.on).order_by()


def _finding(ctx, rule, severity, kind, pk, name, url, message, basis, action) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        object_type="member",
        object_code=f"{kind}-{pk}",
        object_name=name,
        object_id=None,
        url=url,
        message=message,
        source=ctx.source(basis),
        action=action,
        basis=basis,
    )


# the figures transfers/migrations carry, and the words of `transfer.approval_level`'s value
describe_parameters(
    {
        "mobile.contact_interval_months": gettext_lazy("Longest interval between contacts with a mobile member"),
        "mobile.min_months_away": gettext_lazy("Months away that make a member mobile"),
        "transfer.approval_level": gettext_lazy("Who approves a transfer, by how far it goes"),
        "transfer.due_days_after_change": gettext_lazy("Days to transfer after a change of work or residence"),
        "transfer.due_months_away": gettext_lazy("Months away after which the membership is transferred"),
        "transfer.letter_validity_months": gettext_lazy("Validity of a transfer letter"),
        "transfer.step_days": gettext_lazy("Days allowed for each step of a transfer"),
    }
)
describe_values(
    "levels",
    {
        "community": gettext_lazy("the community party organization"),
        "subdistrict": gettext_lazy("the subdistrict working committee"),
        "district": gettext_lazy("the district organization department"),
        "city": gettext_lazy("the city organization department"),
        AUTHORITY: gettext_lazy("the grassroots committee with approval authority"),
    },
    keys={
        "community": gettext_lazy("within a community"),
        "subdistrict": gettext_lazy("within a subdistrict"),
        "district": gettext_lazy("within a district"),
        "city": gettext_lazy("within the city"),
        "outside": gettext_lazy("to or from outside the system"),
    },
)


@register("mobile.contact_overdue", "reminder", title=gettext_lazy("Mobile member not contacted for too long"))
def contact_overdue(ctx: CheckContext):
    """An open outflow (not marked lost: those follow the lost-contact rules) or inflow whose last contact is older
    than `mobile.contact_interval_months`: overdue from the day after the interval ends."""
    basis = "mobile.contact_interval_months"
    months = param(basis, ctx.on, default=None)
    if months is None:
        return
    cutoff = add_months(ctx.on, -months) + MARGIN
    message = _("No contact with the mobile member since %(date)s (more than %(months)d months)")
    out_action = _(
        "Get in touch with the member (phone, the party organization at the destination) and record the contact; "
        "if every attempt fails, record the lost contact."
    )
    in_action = _("Get in touch with the member and record the contact; if the member has left, end the record.")
    rows = (
        _outflows(ctx)
        .filter(lost_contact_since__isnull=True, member__standing=Standing.ACTIVE, last_contact_on__lte=cutoff)
        .values_list("pk", "member__name", "last_contact_on")
    )
    url = url_maker("transfers:outflow")
    for pk, name, last in rows:
        if ctx.on > add_months(last, months):
            text = message % {"date": last.isoformat(), "months": months}
            yield _finding(ctx, "mobile.contact_overdue", "reminder", "outflow", pk, name, url(pk), text, basis,
                           out_action)  # fmt: skip
    rows = _inflows(ctx).filter(last_contact_on__lte=cutoff).values_list("pk", "name", "last_contact_on")
    url = url_maker("transfers:inflow")
    for pk, name, last in rows:
        if ctx.on > add_months(last, months):
            text = message % {"date": last.isoformat(), "months": months}
            yield _finding(ctx, "mobile.contact_overdue", "reminder", "inflow", pk, name, url(pk), text, basis,
                           in_action)  # fmt: skip


@register("member.lost_contact", "warning", title=gettext_lazy("Member out of contact for a long time"))
def lost_contact(ctx: CheckContext):
    """A member in good standing recorded as lost contact at least `member.lost_contact_months` ago."""
    basis = "member.lost_contact_months"
    months = param(basis, ctx.on, default=None)
    if months is None:
        return
    message = _(
        "%(name)s has been out of contact since %(date)s (%(months)d months or more). After every effort to find "
        "the member, the party organization may decide to suspend the membership (停止党籍); nothing is changed "
        "automatically."
    )
    action = _(
        "Search again through family, the work unit and the party organization at the destination; if the member "
        "remains unreachable, the branch decides on 停止党籍 and reports it to the superior organization."
    )
    rows = (
        _outflows(ctx)
        .filter(member__standing=Standing.ACTIVE, lost_contact_since__lte=add_months(ctx.on, -months) + MARGIN)
        .values_list("pk", "member__name", "lost_contact_since")
    )
    url = url_maker("transfers:outflow")
    for pk, name, since in rows:
        if add_months(since, months) <= ctx.on:
            text = message % {"name": name, "date": since.isoformat(), "months": months}
            yield _finding(ctx, "member.lost_contact", "warning", "outflow", pk, name, url(pk), text, basis, action)


@register("member.suspended_removal", "warning", title=gettext_lazy("Suspended member still out of contact"))
def suspended_removal(ctx: CheckContext):
    """A suspended member out of contact whose suspension was decided `member.suspended_removal_years` ago or more
    (the recorded date of 停止党籍, issue 13)."""
    basis = "member.suspended_removal_years"
    years = param(basis, ctx.on, default=None)
    if years is None:
        return
    message = _(
        "%(name)s has been suspended since %(date)s (%(years)d years or more) and is out of contact; if the member "
        "still cannot be reached, the organization may remove the member from the roll (按自行脱党除名); nothing is "
        "changed automatically."
    )
    action = _("Make a last search; the removal is decided by the party organization and recorded on the member.")
    rows = (
        _outflows(ctx)
        .filter(
            member__standing=Standing.SUSPENDED,
            lost_contact_since__isnull=False,
            member__states__kind=StateKind.SUSPENDED,
            member__states__ends_on__isnull=True,
            member__states__starts_on__lte=add_years(ctx.on, -years) + MARGIN,
        )
        .values_list("pk", "member__name", "member__states__starts_on")
    )
    url = url_maker("transfers:outflow")
    for pk, name, since in rows:
        if add_years(since, years) <= ctx.on:
            text = message % {"name": name, "date": since.isoformat(), "years": years}
            yield _finding(ctx, "member.suspended_removal", "warning", "outflow", pk, name, url(pk), text, basis,
                           action)  # fmt: skip


@register("mobile.outflow_incomplete", "warning", title=gettext_lazy("Mobile member's outflow record incomplete"))
def outflow_incomplete(ctx: CheckContext):
    """An open outflow kept for a member called 流动 with no record of where they went (the data migration of the
    old category, an import's 党员分类): the destination and dates are unknown until staff complete them. Not a
    regulatory figure: no parameter, no source."""
    message = _(
        "%(name)s is recorded as a mobile member, but where the member went is unknown (recorded on %(date)s "
        "without a destination)."
    )
    action = _(
        "Find out where the member is (destination, party organization there, contact) and complete the outflow "
        "record; if the member is not away, end the record."
    )
    rows = _outflows(ctx).filter(incomplete=True).values_list("pk", "member__name", "left_on")
    url = url_maker("transfers:outflow")
    for pk, name, recorded in rows:
        text = message % {"name": name, "date": recorded.isoformat()}
        yield _finding(ctx, "mobile.outflow_incomplete", "warning", "outflow", pk, name, url(pk), text, "", action)


# ---------------------------------------------------------------------------------------------------------------
# Moves without a transfer (rules.md 6.2)

RESIDENCE_SECTORS = (Sector.COMMUNITY, Sector.VILLAGE)  # the membership follows where the member lives
NOT_BY_UNIT = (*RESIDENCE_SECTORS, Sector.MOBILE)  # …and elsewhere it follows the work unit, but for a mobile branch
# 6.9: a retiree's or a 离休 cadre's membership moving with a change of unit is a choice, not a duty
NOT_BY_UNIT_STATUSES = (WorkStatus.RETIRED, WorkStatus.VETERAN_RETIRED)


def _member_changes(ctx: CheckContext, members) -> dict[int, list[tuple[datetime.date, str]]]:
    """member pk → [(date, "org" | "work_unit" | "home_area"), …] in time order: the change-log rows up to the checked
    day where the member's organization, work unit (from a non-empty one) or home area (from one to another)
    changed. The database keeps the rows where one of the three differs (no literal compared: SQLite would read it
    as JSON); the kind is decided here."""
    before, after = "prechange_data__", "postchange_data__"
    changed = {
        key: Q(**{f"b_{key}__isnull": False}) & ~Q(**{f"b_{key}": F(f"a_{key}")})
        for key in ("org", "work_unit", "home_area")
    }
    rows = (
        ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Member),
            action=ObjectChange.Action.UPDATE,
            object_id__in=members.values("pk"),
            time__lt=timezone.make_aware(
                datetime.datetime.combine(ctx.on + datetime.timedelta(days=1), datetime.time())
            ),
        )
        .annotate(**{f"b_{k}": KT(before + k) for k in changed}, **{f"a_{k}": KT(after + k) for k in changed})
        .filter(changed["org"] | changed["work_unit"] | changed["home_area"])  # the kinds of change: below
        .order_by("time", "pk")
        .values_list("object_id", "time", "b_org", "a_org", "b_work_unit", "a_work_unit", "b_home_area", "a_home_area")
    )
    out: dict[int, list[tuple[datetime.date, str]]] = {}
    for pk, time, b_org, a_org, b_unit, a_unit, b_home, a_home in rows:
        day = timezone.localdate(time)
        kinds = out.setdefault(pk, [])
        if b_org is not None and b_org != a_org:
            kinds.append((day, "org"))
        if b_unit and b_unit != a_unit:
            kinds.append((day, "work_unit"))
        if b_home is not None and a_home is not None and b_home != a_home:
            kinds.append((day, "home_area"))
    return out


def _since_last_move(changes: list[tuple[datetime.date, str]], kind: str, *, first: bool) -> datetime.date | None:
    """The date of the first (or the latest) change of `kind` after the member's last change of organization (a
    move handles the changes before it)."""
    last_move = max((day for day, k in changes if k == "org"), default=None)
    days = [day for day, k in changes if k == kind and (last_move is None or day > last_move)]
    return (days[0] if first else days[-1]) if days else None


def _communities() -> list[str]:
    """The paths of the community and village areas (a member's or an org's territory is the one above its area)."""
    return list(Area.objects.filter(type__in=(AreaType.COMMUNITY, AreaType.VILLAGE)).values_list("path", flat=True))


def _territory(path: str | None, communities: set[str], steplen: int) -> str | None:
    """The path of the community or village `path` lies in (itself or above it), or `path` when there is none."""
    if not path:
        return None
    for end in range(len(path), 0, -steplen):
        if path[:end] in communities:
            return path[:end]
    return path


@register("member.transfer_due", "warning", title=gettext_lazy("Work unit or residence changed without a transfer"))
def transfer_due(ctx: CheckContext):
    """A work unit (where the membership follows the unit) or a home area (where it follows the residence, the new
    home outside the org's community) changed `transfer.due_days_after_change` days ago or more, after the member's
    last move of organization, and no transfer case is open."""
    basis = "transfer.due_days_after_change"
    days = param(basis, ctx.on, default=None)
    if days is None:
        return
    due_by = ctx.on - datetime.timedelta(days=days)
    members = visible(Member.objects.all(), ctx.user).filter(standing=Standing.ACTIVE)
    if ctx.org.depth > 1:
        members = members.filter(org__path__startswith=ctx.org.path)
    members = members.exclude(transfers__state__in=OPEN_STATES)
    changes = _member_changes(ctx, members)
    if not changes:
        return
    rows = (
        members.filter(pk__in=list(changes))
        .order_by("org__path", "name", "pk")
        .values_list("pk", "name", "work_status", "org__sector", "org__area__path", "home_area__path")
    )
    unit_message = _(
        "%(name)s's work unit changed on %(date)s (%(days)d days or more ago) and the membership has not been "
        "transferred; when a member's work unit changes, the membership should be transferred."
    )
    unit_action = _(
        "Ask the member where the membership now belongs (the new unit's party organization, or the residence "
        "community if the unit has none) and open a transfer case; if the change was a correction, no transfer "
        "is needed."
    )
    home_message = _(
        "%(name)s moved on %(date)s (%(days)d days or more ago) to a home outside this organization's community and "
        "the membership has not been transferred; when a member's usual residence changes, the membership should be "
        "transferred."
    )
    home_action = _(
        "Confirm the new residence with the member and open a transfer case to the party organization of the new "
        "community; if the member still lives here, correct the home area."
    )
    communities: set[str] | None = None
    for pk, name, work_status, sector, org_area, home in rows:
        history = changes[pk]
        if sector not in NOT_BY_UNIT and work_status not in NOT_BY_UNIT_STATUSES:
            day = _since_last_move(history, "work_unit", first=True)  # the member left that unit then
            if day is not None and day <= due_by:
                text = unit_message % {"name": name, "date": day.isoformat(), "days": days}
                yield _member_finding(ctx, pk, name, text, basis, unit_action)
                continue
        if sector in RESIDENCE_SECTORS and org_area and home:
            if communities is None:
                communities = set(_communities())
            steplen = Area.steplen
            if home.startswith(_territory(org_area, communities, steplen) or home):
                continue
            day = _since_last_move(history, "home_area", first=False)  # the move to the present home
            if day is not None and day <= due_by:
                text = home_message % {"name": name, "date": day.isoformat(), "days": days}
                yield _member_finding(ctx, pk, name, text, basis, home_action)


def _member_finding(ctx: CheckContext, pk: int, name: str, message: str, basis: str, action: str) -> Finding:
    url = reverse("members:member", args=[pk])
    return _finding(ctx, "member.transfer_due", "warning", "member", pk, name, url, message, basis, action)


@register("mobile.transfer_due", "reminder", title=gettext_lazy("Member away six months or more without a transfer"))
def away_transfer_due(ctx: CheckContext):
    """An open outflow (complete, contact not lost) that began `transfer.due_months_away` months ago or more, for a
    member with no open transfer case: if the place is relatively fixed the membership should move there (the
    record does not say, hence a reminder)."""
    basis = "transfer.due_months_away"
    months = param(basis, ctx.on, default=None)
    if months is None:
        return
    message = _(
        "%(name)s has been away since %(date)s (%(months)d months or more) and the membership has not been "
        "transferred. If the member studies, works or lives in a relatively fixed place there, the membership "
        "should be transferred; otherwise the member stays a mobile member managed from here."
    )
    action = _(
        "Ask the member whether the place is relatively fixed; if it is, open a transfer case to the party "
        "organization there, otherwise keep in regular contact."
    )
    rows = (
        _outflows(ctx)
        .filter(
            incomplete=False,
            lost_contact_since__isnull=True,
            member__standing=Standing.ACTIVE,
            left_on__lte=add_months(ctx.on, -months) + MARGIN,
        )
        .exclude(member__transfers__state__in=OPEN_STATES)
        .values_list("pk", "member__name", "left_on")
    )
    url = url_maker("transfers:outflow")
    for pk, name, left in rows:
        if add_months(left, months) <= ctx.on:
            text = message % {"name": name, "date": left.isoformat(), "months": months}
            yield _finding(ctx, "mobile.transfer_due", "reminder", "outflow", pk, name, url(pk), text, basis, action)
