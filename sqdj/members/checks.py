"""The rulebook checks of a member's own record (rules.md §4.16–4.17): the end of a probation.

The branch must discuss a probationary member's confirmation as soon as the probation ends (细则第三十二条:
按期转正, 延长预备期 once, or 取消预备党员资格). A reminder comes `member.probation_reminder_days` before the end; a
warning once it has passed without a decision recorded. The end is the joining date plus `member.probation_months`
(the version in force on the joining date) plus the extension, if any. One query over the checked subtree, narrowed
by the database to the candidates (their probation, unextended, ends within the reminder window or earlier)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.dates import add_months
from sqdj.core.rules import CheckContext, Finding, describe_parameters, param, register
from sqdj.core.scope import visible

from .choices import MemberType, Standing
from .models import Member

MARGIN = datetime.timedelta(days=4)  # add_months is not invertible at month ends: the database gets a margin


def probation_end(joined: datetime.date, extended_months: int | None) -> datetime.date | None:
    """The last day but one of the probation: the day it is complete (None before the encoded regulations)."""
    months = param("member.probation_months", joined, default=None)
    if months is None:
        return None
    return add_months(joined, months + (extended_months or 0))


def _probationers(ctx: CheckContext, reminder_days: int):
    months = param("member.probation_months", ctx.on, default=None)
    if months is None:  # before the encoded regulations: nothing to judge
        return []
    latest_joined = add_months(ctx.on + datetime.timedelta(days=reminder_days), -months) + MARGIN
    qs = visible(Member.objects.all(), ctx.user).filter(
        member_type=MemberType.PROBATIONARY, standing=Standing.ACTIVE, joined_on__lte=latest_joined
    )
    if ctx.org.depth > 1:
        qs = qs.filter(org__path__startswith=ctx.org.path)
    return qs.order_by("org__path", "name", "pk").values_list("pk", "name", "joined_on", "probation_extended_months")


def _finding(ctx, rule, severity, pk, name, message, basis, action) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        object_type="member",
        object_code=f"member-{pk}",
        object_name=name,
        object_id=None,
        url=reverse("members:member", args=[pk]),
        message=message,
        source=ctx.source(basis),
        action=action,
        basis=basis,
    )


def _ends(ctx: CheckContext):
    """(pk, name, end, extended) of the probationary members whose probation ends within the reminder window or
    has ended — shared by the two checks (one query per run)."""
    days = param("member.probation_reminder_days", ctx.on, default=None)
    if days is None:
        return days, []

    def compute():
        out = []
        for pk, name, joined, extended in _probationers(ctx, days):
            end = probation_end(joined, extended)
            if end is not None and end <= ctx.on + datetime.timedelta(days=days):
                out.append((pk, name, end, extended))
        return out

    return days, ctx.cached("members.probation_ends", compute)


# the figures members/migrations carry, as the rulebook and the 体检 name them
describe_parameters(
    {
        "appraisal.max_excellent_share": gettext_lazy("Largest share of members rated excellent"),
        "member.lost_contact_months": gettext_lazy("Months without contact before a member counts as lost"),
        "registration.confirm_days": gettext_lazy("Days for the unit to confirm a community registration"),
        "member.max_probation_extension_months": gettext_lazy("Longest extension of a probation"),
        "member.min_join_age": gettext_lazy("Youngest age to join the party"),
        "member.min_probation_extension_months": gettext_lazy("Shortest extension of a probation"),
        "member.probation_discipline_max_years": gettext_lazy("Longest term of probation within the party"),
        "member.probation_months": gettext_lazy("Length of the probationary period"),
        "member.probation_reminder_days": gettext_lazy("Reminder before a probation ends"),
        "member.suspended_removal_years": gettext_lazy("Years of suspension before removal from the roll"),
    }
)


@register("member.probation_ending", "reminder", title=gettext_lazy("Probation ending soon"))
def probation_ending(ctx: CheckContext):
    """A probation that ends within `member.probation_reminder_days` (from today up to that many days ahead)."""
    days, ends = _ends(ctx)
    action = _(
        "Prepare the discussion of the confirmation: the member's application, the opinions of the introducers and "
        "of the party group, then a branch general meeting as soon as the probation ends."
    )
    for pk, name, end, _extended in ends:
        if ctx.on <= end:
            text = _("%(name)s's probation ends on %(date)s (in %(days)d days).") % {
                "name": name,
                "date": end.isoformat(),
                "days": (end - ctx.on).days,
            }
            yield _finding(ctx, "member.probation_ending", "reminder", pk, name, text,
                           "member.probation_reminder_days", action)  # fmt: skip


@register("member.probation_overdue", "warning", title=gettext_lazy("Probation ended without a decision"))
def probation_overdue(ctx: CheckContext):
    """A member still recorded as probationary after the probation (with its extension) ended."""
    _days, ends = _ends(ctx)
    action = _(
        "The branch general meeting decides now: confirmation on time, an extension (once, 6 to 12 months) or "
        "cancelling the probationary membership; then record the decision on the member."
    )
    for pk, name, end, extended in ends:
        if ctx.on > end:
            if extended:
                text = _("%(name)s's extended probation ended on %(date)s; no decision is recorded.")
            else:
                text = _("%(name)s's probation ended on %(date)s; no decision is recorded.")
            text = text % {"name": name, "date": end.isoformat()}
            yield _finding(ctx, "member.probation_overdue", "warning", pk, name, text, "member.probation_months",
                           action)  # fmt: skip
