from django.db import models
from django.utils.translation import gettext_lazy as _

from sqdj.areas.choices import AreaType


class OrgType(models.TextChoices):
    CITY_COMMITTEE = "city_committee", _("City party committee")
    DISTRICT_COMMITTEE = "district_committee", _("District party committee")
    SUBDISTRICT_COMMITTEE = "subdistrict_committee", _("Subdistrict party working committee")
    SUBDISTRICT_PARTY_COMMITTEE = "subdistrict_party_committee", _("Subdistrict party committee")
    COMPREHENSIVE_COMMITTEE = "comprehensive_committee", _("Comprehensive party committee")
    COMMITTEE = "committee", _("Party committee")
    GENERAL_BRANCH = "general_branch", _("General party branch")
    BRANCH = "branch", _("Party branch")
    JOINT_BRANCH = "joint_branch", _("Joint party branch")
    TEMPORARY_BRANCH = "temporary_branch", _("Temporary party branch")
    MOBILE_BRANCH = "mobile_branch", _("Mobile members' party branch")
    GROUP = "group", _("Party group")


# The words of the import template (interfaces.md §2): a contract, independent of the UI language.
TEMPLATE_LABELS = {
    OrgType.CITY_COMMITTEE: "市委",
    OrgType.DISTRICT_COMMITTEE: "区委",
    OrgType.SUBDISTRICT_COMMITTEE: "街道党工委",
    OrgType.SUBDISTRICT_PARTY_COMMITTEE: "街道党委",
    OrgType.COMPREHENSIVE_COMMITTEE: "综合党委",
    OrgType.COMMITTEE: "党委",
    OrgType.GENERAL_BRANCH: "党总支",
    OrgType.BRANCH: "党支部",
    OrgType.JOINT_BRANCH: "联合党支部",
    OrgType.TEMPORARY_BRANCH: "临时党支部",
    OrgType.MOBILE_BRANCH: "流动党员党支部",
    OrgType.GROUP: "党小组",
}

BRANCH_TYPES = {OrgType.BRANCH, OrgType.JOINT_BRANCH, OrgType.TEMPORARY_BRANCH, OrgType.MOBILE_BRANCH}
# Where a transferred membership may be received (the receiving-org picker): neither a level of the administration
# (市委, 区委, 街道党工委/党委: transfers.services.NOT_RECEIVING) nor a 党小组, a group inside a branch — the branch
# receives the member and places them in a group.
ADMINISTRATION_TYPES = frozenset(
    {
        OrgType.CITY_COMMITTEE,
        OrgType.DISTRICT_COMMITTEE,
        OrgType.SUBDISTRICT_COMMITTEE,
        OrgType.SUBDISTRICT_PARTY_COMMITTEE,
    }
)
RECEIVING_TYPES = frozenset(set(OrgType) - ADMINISTRATION_TYPES - {OrgType.GROUP})
_PRIMARY_PARENTS = {
    OrgType.DISTRICT_COMMITTEE,
    OrgType.SUBDISTRICT_COMMITTEE,
    OrgType.SUBDISTRICT_PARTY_COMMITTEE,
    OrgType.COMPREHENSIVE_COMMITTEE,
    OrgType.COMMITTEE,
}

# Which parent types each type may sit under; an empty set means it may only be a root.
ALLOWED_PARENTS: dict[str, set[str]] = {
    OrgType.CITY_COMMITTEE: set(),
    OrgType.DISTRICT_COMMITTEE: {OrgType.CITY_COMMITTEE},
    OrgType.SUBDISTRICT_COMMITTEE: {OrgType.DISTRICT_COMMITTEE},
    OrgType.SUBDISTRICT_PARTY_COMMITTEE: {OrgType.DISTRICT_COMMITTEE},
    OrgType.COMPREHENSIVE_COMMITTEE: {
        OrgType.DISTRICT_COMMITTEE,
        OrgType.SUBDISTRICT_COMMITTEE,
        OrgType.SUBDISTRICT_PARTY_COMMITTEE,
    },
    OrgType.COMMITTEE: set(_PRIMARY_PARENTS),
    OrgType.GENERAL_BRANCH: set(_PRIMARY_PARENTS),
    **{t: _PRIMARY_PARENTS | {OrgType.GENERAL_BRANCH} for t in BRANCH_TYPES},
    OrgType.GROUP: set(BRANCH_TYPES),
}
ROOT_TYPES = {OrgType.CITY_COMMITTEE, OrgType.DISTRICT_COMMITTEE}


# Org types whose committee is elected for a term (任期意见; 2.4: an appointed body such as the 街道党工委 has no
# term; the elected 街道党委 has one).
TERM_TYPES = {
    OrgType.SUBDISTRICT_PARTY_COMMITTEE,
    OrgType.COMPREHENSIVE_COMMITTEE,
    OrgType.COMMITTEE,
    OrgType.GENERAL_BRANCH,
    OrgType.BRANCH,
    OrgType.JOINT_BRANCH,
    OrgType.MOBILE_BRANCH,
}
COMMITTEE_TYPES = {OrgType.SUBDISTRICT_PARTY_COMMITTEE, OrgType.COMPREHENSIVE_COMMITTEE, OrgType.COMMITTEE}


class Sector(models.TextChoices):
    """The field an org works in (领域 / 单位类别): drives the term rule, the statistics and the units registry."""

    COMMUNITY = "community", _("Community")
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    GOVERNMENT = "government", _("Government organ")
    INSTITUTION = "institution", _("Public institution")
    STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise")
    NON_PUBLIC_ENTERPRISE = "non_public_enterprise", _("Non-public enterprise")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organization")
    OFFICE_BUILDING = "office_building", _("Office building")
    PARK = "park", _("Park")
    VILLAGE = "village", _("Village")
    JOINT = "joint", _("Joint")
    MOBILE = "mobile", _("Mobile members")
    OTHER = "other", _("Other")


# The words of the import template's 所属领域 column (interfaces.md §2), like TEMPLATE_LABELS.
SECTOR_LABELS = {
    Sector.COMMUNITY: "社区",
    Sector.SUBDISTRICT: "街道",
    Sector.GOVERNMENT: "机关",
    Sector.INSTITUTION: "事业单位",
    Sector.STATE_ENTERPRISE: "国有企业",
    Sector.NON_PUBLIC_ENTERPRISE: "非公有制企业",
    Sector.SOCIAL_ORGANIZATION: "社会组织",
    Sector.OFFICE_BUILDING: "商务楼宇",
    Sector.PARK: "园区",
    Sector.VILLAGE: "村",
    Sector.JOINT: "联合",
    Sector.MOBILE: "流动",
    Sector.OTHER: "其他",
}

# The sector an org of this type has whatever its parent (the default on create; editable).
TYPE_SECTORS: dict[str, str] = {
    OrgType.CITY_COMMITTEE: Sector.GOVERNMENT,
    OrgType.DISTRICT_COMMITTEE: Sector.GOVERNMENT,
    OrgType.SUBDISTRICT_COMMITTEE: Sector.SUBDISTRICT,
    OrgType.SUBDISTRICT_PARTY_COMMITTEE: Sector.SUBDISTRICT,
    # a street's 综合党委 gathers the party organizations of 两新组织, mostly non-public enterprises
    OrgType.COMPREHENSIVE_COMMITTEE: Sector.NON_PUBLIC_ENTERPRISE,
    OrgType.JOINT_BRANCH: Sector.JOINT,
    OrgType.MOBILE_BRANCH: Sector.MOBILE,
}
# Sectors of the levels above the primary organizations: an org below them does not inherit them.
_LEADING_SECTORS = {Sector.GOVERNMENT, Sector.SUBDISTRICT}


def default_sector(org_type: str | None, parent_sector: str | None = None, area_type: str | None = None) -> str:
    """The sector a new org gets unless one is given: fixed by its type; else its parent's when the parent is a
    primary-level org (a branch of an enterprise committee is an enterprise branch); else from where it is located
    (a 村, 商务楼宇, 园区, or a community and below); else a government org under a 区委/市委; else `other` (an
    org under a street with no area may be a unit's or the street office's: the user says which)."""
    if org_type in TYPE_SECTORS:
        return TYPE_SECTORS[org_type]
    if parent_sector and parent_sector not in _LEADING_SECTORS:
        return parent_sector
    if area_type in AREA_SECTORS:
        return AREA_SECTORS[area_type]
    if parent_sector == Sector.GOVERNMENT:
        return Sector.GOVERNMENT
    return Sector.OTHER


# Where an org is located, when neither its type nor its parent says (areas.choices.AreaType values).
AREA_SECTORS: dict[str | None, str] = {
    AreaType.VILLAGE: Sector.VILLAGE,
    AreaType.OFFICE_BUILDING: Sector.OFFICE_BUILDING,
    AreaType.PARK: Sector.PARK,
    AreaType.COMMUNITY: Sector.COMMUNITY,
    AreaType.GRID: Sector.COMMUNITY,
    AreaType.ESTATE: Sector.COMMUNITY,
    AreaType.BUILDING: Sector.COMMUNITY,
    AreaType.ENTRANCE: Sector.COMMUNITY,
}


class GuidanceKind(models.TextChoices):
    """How a guiding org stands to an org beside its parent (glossary: GuidanceLink)."""

    TERRITORIAL = "territorial", _("Territorial management")
    DUAL = "dual", _("Dual management")
    COORDINATION = "coordination", _("Guidance and coordination")


# 审批预备党员权限 (rules.md 4.15, 6.3): the 基层党委 with it transfer and receive memberships directly, nationwide
# (transfers.services.approvers). 县级以上党委 and the primary committees have it; every 党总支 lost it in 2014 (a
# locality may still grant one: the field is editable); 乡镇（街道）党委所属的基层党委 — a community's or a village's
# 党委, a street's 综合党委 — do not have it, the 街道党（工）委 approves for them.
APPROVING_TYPES = {
    OrgType.CITY_COMMITTEE,
    OrgType.DISTRICT_COMMITTEE,
    OrgType.SUBDISTRICT_COMMITTEE,
    OrgType.SUBDISTRICT_PARTY_COMMITTEE,
    OrgType.COMPREHENSIVE_COMMITTEE,
    OrgType.COMMITTEE,
}
SUBDISTRICT_TYPES = {OrgType.SUBDISTRICT_COMMITTEE, OrgType.SUBDISTRICT_PARTY_COMMITTEE}


def default_approves_members(org_type: str | None, ancestor_types=()) -> bool:
    """Whether an org of `org_type` under orgs of `ancestor_types` has the authority unless told otherwise."""
    if org_type not in APPROVING_TYPES:
        return False
    return org_type in SUBDISTRICT_TYPES or not any(t in SUBDISTRICT_TYPES for t in ancestor_types)
