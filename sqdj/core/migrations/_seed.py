"""Loads the rows of `rulebook_seed.json` that are not in the table yet; every seed migration calls it, so a
new release adds its rows and never touches a row (or a local variant) already there."""


def seed(apps, schema_editor):
    from sqdj.core.rules import seed_rows

    RuleParameter = apps.get_model("core", "RuleParameter")
    for row in seed_rows():
        if not RuleParameter.objects.filter(
            rule_id=row["rule_id"], effective_from=row["effective_from"], local=False
        ).exists():
            RuleParameter.objects.create(**row)
