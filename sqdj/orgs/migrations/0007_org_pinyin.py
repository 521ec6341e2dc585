"""The pinyin of organizations' names (full and initials), which the tree picker and the search find them by
(core.pinyin.text_pinyin); the existing rows backfilled a thousand at a time, the change log untouched (derived
columns)."""

from django.db import migrations, models

from sqdj.core.pinyin import text_pinyin


def backfill(apps, schema_editor):
    Org = apps.get_model("orgs", "Org")
    last = 0
    while True:
        batch = list(Org.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "name")[:1000])
        if not batch:
            break
        rows = []
        for pk, name in batch:
            full, initials = text_pinyin(name or "")
            rows.append(Org(pk=pk, name_pinyin=full, name_initials=initials))
        Org.objects.bulk_update(rows, ["name_pinyin", "name_initials"], batch_size=1000)
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [("orgs", "0006_org_approves_members")]

    operations = [
        migrations.AddField(
            model_name="org",
            name="name_pinyin",
            field=models.CharField(blank=True, default="", editable=False, max_length=400),
        ),
        migrations.AddField(
            model_name="org",
            name="name_initials",
            field=models.CharField(blank=True, default="", editable=False, max_length=100),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
