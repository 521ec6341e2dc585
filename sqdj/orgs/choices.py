from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgType(models.TextChoices):
    CITY_COMMITTEE = "city_committee", _("City party committee")
    DISTRICT_COMMITTEE = "district_committee", _("District party committee")
    SUBDISTRICT_COMMITTEE = "subdistrict_committee", _("Subdistrict party working committee")
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
_PRIMARY_PARENTS = {
    OrgType.DISTRICT_COMMITTEE,
    OrgType.SUBDISTRICT_COMMITTEE,
    OrgType.COMPREHENSIVE_COMMITTEE,
    OrgType.COMMITTEE,
}

# Which parent types each type may sit under; an empty set means it may only be a root.
ALLOWED_PARENTS: dict[str, set[str]] = {
    OrgType.CITY_COMMITTEE: set(),
    OrgType.DISTRICT_COMMITTEE: {OrgType.CITY_COMMITTEE},
    OrgType.SUBDISTRICT_COMMITTEE: {OrgType.DISTRICT_COMMITTEE},
    OrgType.COMPREHENSIVE_COMMITTEE: {OrgType.DISTRICT_COMMITTEE, OrgType.SUBDISTRICT_COMMITTEE},
    OrgType.COMMITTEE: set(_PRIMARY_PARENTS),
    OrgType.GENERAL_BRANCH: set(_PRIMARY_PARENTS),
    **{t: _PRIMARY_PARENTS | {OrgType.GENERAL_BRANCH} for t in BRANCH_TYPES},
    OrgType.GROUP: set(BRANCH_TYPES),
}
ROOT_TYPES = {OrgType.CITY_COMMITTEE, OrgType.DISTRICT_COMMITTEE}


# Org types whose committee is elected for a term (任期意见; 2.4: an appointed body has no term).
TERM_TYPES = {
    OrgType.COMPREHENSIVE_COMMITTEE,
    OrgType.COMMITTEE,
    OrgType.GENERAL_BRANCH,
    OrgType.BRANCH,
    OrgType.JOINT_BRANCH,
    OrgType.MOBILE_BRANCH,
}
COMMITTEE_TYPES = {OrgType.COMPREHENSIVE_COMMITTEE, OrgType.COMMITTEE}
