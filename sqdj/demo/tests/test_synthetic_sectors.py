"""The synthetic city's orgs carry the sectors a new org gets (issue 13): written directly, since bulk_create does
not run Org.save(); the 综合党委 and what it holds are not community orgs, whatever grid they sit in."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from sqdj.demo import synthetic
from sqdj.orgs.models import Org


def test_spec_sectors_by_type():
    specs = synthetic.build_specs("small")
    sectors = synthetic.org_sectors(specs)
    # the community side of the tree (the units' orgs have their units' sectors: test_synthetic_units)
    by_type = Counter((s.type, sectors[s.code]) for s in synthetic._walk(specs[1]) if not s.unit)
    types = {t for t, _s in by_type}
    for t in types:  # one sector per type in this city
        assert len({s for tt, s in by_type if tt == t}) == 1, (t, by_type)
    got = {t: s for t, s in by_type}
    assert got["district_committee"] == "government" and got["subdistrict_committee"] == "subdistrict"
    assert got["comprehensive_committee"] == "non_public_enterprise" and got["joint_branch"] == "joint"
    assert got["general_branch"] == got["branch"] == got["group"] == "community"


@pytest.mark.django_db
def test_generated_orgs_have_their_sectors():
    synthetic.generate("small", today=datetime.date(2026, 11, 22))
    assert not Org.objects.filter(sector="").exists()
    spec_sectors = synthetic.org_sectors(synthetic.build_specs("small"))
    assert dict(Org.objects.values_list("code", "sector")) == spec_sectors
