"""Terms of office (任期, rules.md §2): how long an org's committee serves and when its term ends.

The term length is the version of the rule in force on the day the term started: orgs elected before the 2018
任期意见 switch at their next election (rules.md 2.2). With no version in force then (a term started before the
earliest encoded rule), the version in force on the checked day applies.
"""

from __future__ import annotations

import datetime

from sqdj.areas.choices import AreaType
from sqdj.core.dates import add_months
from sqdj.core.rules import param
from sqdj.orgs.choices import COMMITTEE_TYPES, TERM_TYPES
from sqdj.orgs.models import Org

# area types at or below a community: an org located there is a community org (村和社区的党组织, 5 years)
COMMUNITY_LEVEL = {AreaType.COMMUNITY, AreaType.GRID, AreaType.ESTATE, AreaType.BUILDING, AreaType.ENTRANCE}


def term_rule(org, community: bool) -> str | None:
    """The parameter giving the term length of `org` (None: the org has no term, e.g. an appointed body)."""
    if org.type not in TERM_TYPES:
        return None
    if community:
        return "org.term_years.community"
    return "org.term_years.committee" if org.type in COMMITTEE_TYPES else "org.term_years.branch"


def term_years(org, community: bool, on: datetime.date | None = None) -> int | None:
    rule = term_rule(org, community)
    if rule is None or org.term_started_on is None:
        return None
    years = param(rule, org.term_started_on, default=None)
    return years if years is not None else param(rule, on, default=None)


def regular_term_end(org, community: bool, on: datetime.date | None = None) -> datetime.date | None:
    """The first day after the term (start + N years), ignoring any approved extension; None without a term."""
    years = term_years(org, community, on)
    return add_months(org.term_started_on, 12 * years) if years else None


def term_end(org, community: bool, on: datetime.date | None = None) -> datetime.date | None:
    """The first day after the term, an approved extension included (延期换届 runs to `term_extended_to`)."""
    end = regular_term_end(org, community, on)
    if end is not None and org.term_extended_to and org.term_extension_approval:
        return max(end, org.term_extended_to + datetime.timedelta(days=1))
    return end


def is_community_org(org) -> bool:
    """Whether the org is a community's party organization or one below it (located at community level)."""
    area = getattr(org, "area", None)
    if area is not None and area.type in COMMUNITY_LEVEL:
        return True
    return Org.objects.filter(
        path__in=[org.path[:i] for i in range(Org.steplen, len(org.path), Org.steplen)],
        area__type__in=sorted(COMMUNITY_LEVEL),
    ).exists()
