"""Issue 15 item 9: the synthetic city's units are deterministic for a size, a seed and a day, and a larger
population has the shares of a large city. Each test generates its own city (rolled back after it): apart from the
module of test_units_demo.py, whose city stays loaded for its tests."""

from __future__ import annotations

import datetime
from collections import Counter
from unittest import mock

import pytest
from django.db import transaction

from sqdj.demo import synthetic
from sqdj.demo import units as demo_units
from sqdj.units.choices import UnitCategory
from sqdj.units.models import Unit

TODAY = datetime.date(2026, 11, 22)


def _registry():
    return list(
        Unit.objects.order_by("credit_code").values_list(
            "credit_code", "name", "category", "employees", "party_members", "org__code", "area__code", "status"
        )
    )


def _generated(size="small", seed=2026):
    """The registry of a city generated in a transaction that is rolled back."""
    with transaction.atomic():
        synthetic.generate(size, seed, today=TODAY)
        out = _registry()
        transaction.set_rollback(True)
    return out


@pytest.mark.django_db
def test_same_seed_same_units_other_seed_other_units():
    first, second = _generated(), _generated()
    assert first == second and 30 <= len(first) <= 60
    other = _generated(seed=7)
    assert {r[0] for r in other}.isdisjoint({r[0] for r in first}) and [r[1] for r in other] != [r[1] for r in first]


def test_the_quotas_of_the_medium_and_city_sizes():
    for n in (demo_units.UNIT_COUNTS["medium"], demo_units.UNIT_COUNTS["city"]):
        quotas = demo_units._quotas(n, demo_units.CATEGORY_SHARES)
        assert sum(quotas.values()) == n
        assert quotas[UnitCategory.NON_PUBLIC_ENTERPRISE] == 0.8 * n and quotas[UnitCategory.GOVERNMENT] == 0.02 * n


@pytest.mark.django_db
def test_a_larger_population_has_the_shares_of_a_large_city():
    """2,000 units on the small city's trees (the units with an org are fixed by the trees; the rest fill up to the
    shares): each category within a point of its share, trades weighted as in a city centre, head counts small."""
    with mock.patch.dict(demo_units.UNIT_COUNTS, {"small": 2000}):
        synthetic.generate("small", today=TODAY)
    units = list(Unit.objects.values_list("category", "industry", "employees", "party_members", "org", "premises"))
    assert len(units) == 2000
    shares = Counter(u[0] for u in units)
    for category, percent in demo_units.CATEGORY_SHARES.items():
        assert abs(100 * shares[category] / len(units) - percent) <= 1, (category, shares)
    enterprises = [u for u in units if u[0] == UnitCategory.NON_PUBLIC_ENTERPRISE]
    assert sum(u[1] in "FHILMO" for u in enterprises) > 0.75 * len(enterprises)
    assert 0.5 < sum(u[2] < 10 for u in enterprises) / len(enterprises) < 0.7  # most 1-9, then 10-49
    assert sum(u[2] < 50 for u in enterprises) > 0.85 * len(enterprises)
    free = [u for u in units if u[4] is None]
    assert sum(u[3] <= 2 for u in free) > 0.95 * len(free) and any(u[3] >= 3 for u in free)
    premises = Counter(u[5] for u in units)
    assert premises["building"] > 0.15 * len(units) and premises["park"] > 0.03 * len(units)
