"""Statistics you can follow (issue 14): the list behind each figure — the member list, the org list or the area
list with the filters that select exactly the rows the figure counts, as the user may see them (the lists read
through the same scope gate as `services.compute`).

The filters are the lists' own (members.filtersets, orgs.filtersets, areas.filtersets): `as_of` there is the day
the statistics count on (the roll on that day; ages and full/probationary judged that day; the orgs existing then).
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.http import urlencode

from sqdj.areas.choices import AreaType
from sqdj.core.plugins import stats_sections
from sqdj.members.choices import (
    CATEGORY_LABELS,
    COLLEGE_OR_ABOVE,
    EDUCATION_LABELS,
    WORK_STATUS_LABELS,
    MemberType,
    Sex,
)
from sqdj.orgs.choices import SECTOR_LABELS
from sqdj.orgs.choices import TEMPLATE_LABELS as ORG_TYPE_LABELS

from .services import AGE_BANDS, COVERAGE_LABELS, MEMBER_LABELS, ORGANIZATION_TOTAL_LABEL

# figure key of `compute()["members"]` → the member list's filters that select its rows
MEMBER_FILTERS: dict[str, dict] = {
    "total": {},
    "full": {"member_type": MemberType.FULL},
    "probationary": {"member_type": MemberType.PROBATIONARY},
    "female": {"sex": Sex.FEMALE},
    "ethnic_minority": {"ethnic_minority": "true"},
    "college_or_above": {"education": sorted(COLLEGE_OR_ABOVE)},
}
# section key → {row label → filters}
SECTION_FILTERS: dict[str, dict[str, dict]] = {
    "by_category": {label: {"category": code} for code, label in CATEGORY_LABELS.items()},
    "by_work_status": {label: {"work_status": code} for code, label in WORK_STATUS_LABELS.items()},
    "by_age_band": {key: {"age_band": str(i)} for i, (_lo, _hi, key) in enumerate(AGE_BANDS)},
    "by_education": {label: {"education": code} for code, label in EDUCATION_LABELS.items()},
}


def _url(name: str, params: dict) -> str:
    return f"{reverse(name)}?{urlencode(params, doseq=True)}"


def members_url(code: str, as_of: str, *, descendants: bool = True, **filters) -> str:
    """The member list of org `code` (with its subtree, or what it holds itself), on the roll on `as_of`."""
    # descendants said either way: the list takes "yes" when it is left out (core.filtersets.checkbox_defaults)
    params = {"org": code, "descendants": "true" if descendants else "false", "as_of": as_of, **filters}
    return _url("members:member_list", params)


def orgs_url(as_of: str, **filters) -> str:
    return _url("orgs:org_list", {**filters, "as_of": as_of})


def figure_links(org, as_of: datetime.date | str, *, members: bool = True, areas: bool = True) -> dict:
    """{section key of `exporting.report_sections` → {row label → URL}} for every figure a list can show:
    the members' (unless `members` is False: an org seen through a guidance link shows figures, not members),
    the organizations', and the communities' (`areas`; the org must be located in an area). The 两新组织 figures
    have no list until the units registry exists."""
    as_of = str(as_of)
    code = org.code
    under = {"org": code, "descendants": "true"}
    links: dict[str, dict[str, str]] = {
        "organizations": {ORGANIZATION_TOTAL_LABEL: orgs_url(as_of, **under)},
        "by_sector": {label: orgs_url(as_of, **under, sector=s) for s, label in SECTOR_LABELS.items()},
    }
    links["organizations"].update({label: orgs_url(as_of, **under, type=t) for t, label in ORG_TYPE_LABELS.items()})
    if members:
        links["members"] = {MEMBER_LABELS[k]: members_url(code, as_of, **f) for k, f in MEMBER_FILTERS.items()}
        for key, rows in SECTION_FILTERS.items():
            links[key] = {label: members_url(code, as_of, **f) for label, f in rows.items()}
    if areas and org.area_id is not None:
        communities = {"area": org.area.code, "descendants": "true", "type": AreaType.COMMUNITY}
        links["coverage"] = {
            COVERAGE_LABELS["communities"]: _url("areas:area_list", communities),
            COVERAGE_LABELS["communities_with_org"]: _url(
                "areas:area_list", {**communities, "with_org": "true", "as_of": as_of}
            ),
        }
    for section in stats_sections():  # the apps' own figures (core.plugins.StatsSection.links)
        if section.links is not None:
            links.update(section.links(org, datetime.date.fromisoformat(as_of)))
    return links


def child_links(row: dict, as_of: datetime.date | str, *, members: bool = True) -> dict[str, str]:
    """{figure → URL} for a row of `services.children_table` (none for the `other` row: nothing to name)."""
    as_of = str(as_of)
    if row["kind"] == "other":
        return {}
    own = row["kind"] == "own"
    org_filters = {"code": row["code"]} if own else {"org": row["code"], "descendants": "true"}
    links = {"organizations": orgs_url(as_of, **org_filters)}
    if members:
        links.update({k: members_url(row["code"], as_of, descendants=not own, **f) for k, f in MEMBER_FILTERS.items()})
    return links
