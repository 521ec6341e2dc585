from django.db import migrations


def seed(apps, schema_editor):
    from sqdj.core.rules import seed_rows

    RuleParameter = apps.get_model("core", "RuleParameter")
    for row in seed_rows():
        if not RuleParameter.objects.filter(
            rule_id=row["rule_id"], effective_from=row["effective_from"], local=False
        ).exists():
            RuleParameter.objects.create(**row)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_rule_parameter")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
