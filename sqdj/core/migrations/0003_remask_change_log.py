"""The change log's personal numbers masked again by today's policy (core.pii: the ID number shows its province
only, a phone number its carrier prefix and last two). Rows written under the older mask (region and last four of
an ID number: with the birth date beside it, the whole number) are rewritten; the keyed hash after "·" stays."""

from django.db import migrations

BATCH = 2000


def remask_change_log(apps, schema_editor):
    from django.apps import apps as live_apps  # the maskers are code, not part of the historical models

    from sqdj.core.pii import remask

    ObjectChange = apps.get_model("core", "ObjectChange")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in live_apps.get_models():
        maskers = {f.name: f.masker for f in model._meta.concrete_fields if getattr(f, "pii", False)}
        ct = ContentType.objects.filter(app_label=model._meta.app_label, model=model._meta.model_name).first()
        if not maskers or ct is None:
            continue
        batch = []
        rows = ObjectChange.objects.filter(content_type_id=ct.pk).only("pk", "prechange_data", "postchange_data")
        for change in rows.iterator(chunk_size=BATCH):
            changed = False
            for attr in ("prechange_data", "postchange_data"):
                data = getattr(change, attr)
                for name, masker in maskers.items():
                    if isinstance(data, dict) and data.get(name):
                        again = remask(data[name], masker)
                        if again != data[name]:
                            data[name], changed = again, True
            if changed:
                batch.append(change)
            if len(batch) >= BATCH:
                ObjectChange.objects.bulk_update(batch, ["prechange_data", "postchange_data"])
                batch = []
        if batch:
            ObjectChange.objects.bulk_update(batch, ["prechange_data", "postchange_data"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_count_function"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(remask_change_log, migrations.RunPython.noop, elidable=True)]
