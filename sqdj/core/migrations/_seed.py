"""Loads the rows of `rulebook_seed.json` that are not in the table yet; every seed migration calls it (and
`core.apps.ensure_rulebook` after each migrate or flush), so a new release adds its rows and never touches a
row (or a local variant) already there."""

import datetime


def seed(apps, schema_editor):
    from sqdj.core.rules import seed_rows

    RuleParameter = apps.get_model("core", "RuleParameter")
    have = set(RuleParameter.objects.filter(local=False).values_list("rule_id", "effective_from"))
    missing = [
        row for row in seed_rows() if (row["rule_id"], datetime.date.fromisoformat(row["effective_from"])) not in have
    ]
    if missing:
        RuleParameter.objects.bulk_create([RuleParameter(**row) for row in missing])
