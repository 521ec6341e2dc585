"""The rulebook checks of mobile members (rules.md §§6.5, 6.8): reminders to keep in touch, and the lost-contact
consequences shown as findings — never applied. Nothing here writes; the org decides (停止党籍, 除名) and records
the decision on the member.

Each check is one query over the checked subtree (outflows by the org holding the membership, inflows by the host
org) narrowed by the database to the candidate rows (a day's margin on the date arithmetic), the exact rule decided
here; a city without mobile data pays an indexed empty query per check.

A finding's object is the mobile record (type "member"; code `outflow-<id>` or `inflow-<id>`, the record's id in
/api/v1/outflows/ and /api/v1/inflows/): a member has no public code, and an ID number may not appear in findings.

`member.suspended_removal`: the ledger has no suspension event, so the date of 停止党籍 is unknown. The finding
uses the earliest date it can have happened — the lost contact date plus `member.lost_contact_months` — and
fires `member.suspended_removal_years` after that, for members whose standing is "suspended" and whose outflow
records the lost contact. The message says so: the org checks the date of its own decision.

No `mobile.inflow_unverified` check: the rulebook has no parameter for how soon an inflow must be verified (the
regulations give no figure); the inflow list shows the unverified ones instead.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.dates import add_months
from sqdj.core.rules import CheckContext, Finding, param, register
from sqdj.core.scope import visible
from sqdj.members.choices import Standing

from .models import Inflow, Outflow

MARGIN = datetime.timedelta(days=4)  # add_months is not invertible at month ends: the database gets a margin


def _url_maker(viewname: str):
    marker = 987654321
    return reverse(viewname, args=[marker]).replace(str(marker), "{}").format


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
    url = _url_maker("transfers:outflow")
    for pk, name, last in rows:
        if ctx.on > add_months(last, months):
            text = message % {"date": last.isoformat(), "months": months}
            yield _finding(ctx, "mobile.contact_overdue", "reminder", "outflow", pk, name, url(pk), text, basis,
                           out_action)  # fmt: skip
    rows = _inflows(ctx).filter(last_contact_on__lte=cutoff).values_list("pk", "name", "last_contact_on")
    url = _url_maker("transfers:inflow")
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
    url = _url_maker("transfers:outflow")
    for pk, name, since in rows:
        if add_months(since, months) <= ctx.on:
            text = message % {"name": name, "date": since.isoformat(), "months": months}
            yield _finding(ctx, "member.lost_contact", "warning", "outflow", pk, name, url(pk), text, basis, action)


@register("member.suspended_removal", "warning", title=gettext_lazy("Suspended member still out of contact"))
def suspended_removal(ctx: CheckContext):
    """A suspended member still out of contact `member.suspended_removal_years` after the earliest possible date of
    the suspension (lost contact date + `member.lost_contact_months`)."""
    basis = "member.suspended_removal_years"
    years = param(basis, ctx.on, default=None)
    months = param("member.lost_contact_months", ctx.on, default=None)
    if years is None or months is None:
        return
    total = months + 12 * years
    message = _(
        "%(name)s is suspended and has been out of contact since %(date)s; if the suspension was decided %(years)d "
        "years ago or more and the member still cannot be reached, the organization may remove the member from the "
        "roll (按自行脱党除名); nothing is changed automatically."
    )
    action = _(
        "Check the date of the suspension decision and make a last search; the removal is decided by the party "
        "organization and recorded on the member."
    )
    rows = (
        _outflows(ctx)
        .filter(member__standing=Standing.SUSPENDED, lost_contact_since__lte=add_months(ctx.on, -total) + MARGIN)
        .values_list("pk", "member__name", "lost_contact_since")
    )
    url = _url_maker("transfers:outflow")
    for pk, name, since in rows:
        if add_months(since, total) <= ctx.on:
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
    url = _url_maker("transfers:outflow")
    for pk, name, recorded in rows:
        text = message % {"name": name, "date": recorded.isoformat()}
        yield _finding(ctx, "mobile.outflow_incomplete", "warning", "outflow", pk, name, url(pk), text, "", action)
