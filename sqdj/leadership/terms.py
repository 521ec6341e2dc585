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

# Area types at or below a community. Not used for terms (an enterprise branch located in a grid is not a community
# org; the term goes by the org's sector), only to find the community level of a tree (health).
COMMUNITY_LEVEL = {AreaType.COMMUNITY, AreaType.GRID, AreaType.ESTATE, AreaType.BUILDING, AreaType.ENTRANCE}

SECTORS_RULE = "org.term_sectors.community"


def community_sectors(start: datetime.date | None, on: datetime.date | None = None) -> frozenset[str]:
    """The sectors whose orgs serve the community term (村和社区的党组织), from the rulebook: the version in force when
    the term started, else on the checked day (like `term_years`); none when neither has one."""
    sectors = param(SECTORS_RULE, start, default=None) if start else None
    if sectors is None:
        sectors = param(SECTORS_RULE, on, default=None)
    return frozenset(sectors or ())


def term_rule(org, on: datetime.date | None = None) -> str | None:
    """The parameter giving the term length of `org` (None: the org has no term, e.g. an appointed body).

    Decided by the org's sector (rules.md 2.2: 村和社区的党委、总支、支部 5 years), never by where it is located: an
    enterprise branch under a 综合党委 located in a 网格 serves the 3-year branch term."""
    if org.type not in TERM_TYPES:
        return None
    if org.sector in community_sectors(org.term_started_on, on):
        return "org.term_years.community"
    return "org.term_years.committee" if org.type in COMMITTEE_TYPES else "org.term_years.branch"


def term_years(org, on: datetime.date | None = None) -> int | None:
    rule = term_rule(org, on)
    if rule is None or org.term_started_on is None:
        return None
    years = param(rule, org.term_started_on, default=None)
    return years if years is not None else param(rule, on, default=None)


def regular_term_end(org, on: datetime.date | None = None) -> datetime.date | None:
    """The first day after the term (start + N years), ignoring any approved extension; None without a term."""
    years = term_years(org, on)
    return add_months(org.term_started_on, 12 * years) if years else None


def term_end(org, on: datetime.date | None = None) -> datetime.date | None:
    """The first day after the term, an approved extension included (延期换届 runs to `term_extended_to`)."""
    end = regular_term_end(org, on)
    if end is not None and org.term_extended_to and org.term_extension_approval:
        return max(end, org.term_extended_to + datetime.timedelta(days=1))
    return end
