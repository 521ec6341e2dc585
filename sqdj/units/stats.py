"""The units' figures of the statistics (interfaces.md §3 `coverage.neworgs*`): filled by the coverage part."""


def neworg_coverage(org, *, user, as_of) -> dict:
    return dict.fromkeys(("neworgs", "neworgs_with_org", "neworgs_3plus_members_without_org"), 0)
