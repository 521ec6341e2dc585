import pytest
from django.core.management import call_command

from sqdj.core.models import ObjectChange, RuleParameter
from sqdj.core.rulebook_seed import seeded_rows as seed_rows


@pytest.mark.django_db(transaction=True)
def test_the_national_rows_come_back_after_a_flush():
    """A flush (as between transactional and browser tests, or a database emptied by hand) is followed by the
    seed: the checks never run without the regulations, and reloading logs no changes."""
    RuleParameter.objects.filter(rule_id="org.branch_max_members").delete()
    call_command("flush", interactive=False, verbosity=0)
    assert RuleParameter.objects.filter(local=False).count() == len(seed_rows())
    assert RuleParameter.objects.get(rule_id="org.branch_max_members").value == 50
    assert not ObjectChange.objects.exists()


@pytest.mark.django_db
def test_seed_rows_are_unique_and_sourced():
    keys = [(r["rule_id"], r["effective_from"]) for r in seed_rows()]
    assert len(keys) == len(set(keys))
    for row in seed_rows():
        assert row["regulation"] and row["trust"] in {"V1", "V2", "V3", "LOCAL", "U"}
