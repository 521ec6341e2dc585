"""Search by the last 4 digits of an ID or phone number (issue 14): two keyed indexes (HMAC with the blind-index key,
core.pii), never the plain digits. The columns are added, every member's indexes computed from its decrypted numbers
(2,000 members at a time, read by key order: no server-side cursor, constant memory), then the indexes are built
(once, after the writes). The computation is frozen here, as members.models.*_suffix_index does it today."""

from django.db import migrations, models

from sqdj.core.pii import blind_index

CHUNK = 2000


def _id_suffix(value):
    value = (value or "").strip().upper()
    return blind_index(f"id-suffix:{value[-4:]}") if len(value) >= 4 else ""


def _phone_suffix(value):
    digits = "".join(c for c in value or "" if c.isdigit())
    return blind_index(f"phone-suffix:{digits[-4:]}") if len(digits) >= 4 else ""


def backfill(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    last = 0
    while True:
        # the historical model's EncryptedCharField decrypts as it reads
        rows = list(Member.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "id_number", "phone")[:CHUNK])
        if not rows:
            break
        Member.objects.bulk_update(
            [
                Member(pk=pk, id_number_suffix_index=_id_suffix(id_number), phone_suffix_index=_phone_suffix(phone))
                for pk, id_number, phone in rows
            ],
            ["id_number_suffix_index", "phone_suffix_index"],
            batch_size=500,
        )
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("members", "0008_probation_rules_since_1982")]

    operations = [
        migrations.AddField(
            model_name="member",
            name="id_number_suffix_index",
            field=models.CharField(blank=True, db_default="", default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="member",
            name="phone_suffix_index",
            field=models.CharField(blank=True, db_default="", default="", editable=False, max_length=64),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["id_number_suffix_index"], name="members_id_suffix"),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["phone_suffix_index"], name="members_phone_suffix"),
        ),
    ]
