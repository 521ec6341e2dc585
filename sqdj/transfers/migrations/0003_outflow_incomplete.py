"""The incomplete outflow (destination unknown), and the data migration of the old category 流动 (issue 13).

A member whose old category was 流动 with no open outflow (nor an open inflow with their ID number) keeps being
流动: an open outflow is recorded for them, marked incomplete, dated the day of the migration (when they left is
unknown), with no destination — the check mobile.outflow_incomplete lists each one until staff complete it. Then
the stored category is derived afresh for everybody whose mobility the records show: a member with an open outflow
or inflow is 流动 (members.services.derive_category). Nothing the user gave is dropped: the work status keeps the
rest (members.0006)."""

from django.db import migrations, models
from django.utils import timezone

from sqdj.core import dates


def record_incomplete_outflows(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    Outflow = apps.get_model("transfers", "Outflow")
    Inflow = apps.get_model("transfers", "Inflow")
    open_inflows = Inflow.objects.filter(ended_on__isnull=True).values("id_number_index")
    open_outflows = Outflow.objects.filter(ended_on__isnull=True).values("member_id")
    missing = (
        Member.objects.filter(category="mobile")
        .exclude(pk__in=open_outflows)
        .exclude(id_number_index__in=open_inflows)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    today = dates.today()
    now = timezone.now()
    recorded = 0
    batch = []
    for pk in missing.iterator(chunk_size=2000):
        batch.append(Outflow(member_id=pk, left_on=today, destination="", last_contact_on=today, incomplete=True,
                             created=now, last_updated=now))  # fmt: skip
        if len(batch) >= 1000:
            Outflow.objects.bulk_create(batch)
            recorded += len(batch)
            batch = []
    Outflow.objects.bulk_create(batch)
    recorded += len(batch)

    # derived again: an open outflow or inflow makes a member 流动 whatever the old category said
    mobile = Member.objects.filter(
        models.Q(pk__in=Outflow.objects.filter(ended_on__isnull=True).values("member_id"))
        | models.Q(id_number_index__in=Inflow.objects.filter(ended_on__isnull=True).values("id_number_index"))
    ).exclude(category="mobile")
    moved = mobile.update(category="mobile")
    if recorded or moved:
        print(  # noqa: T201 — the operator's record of what the migration did
            f"\n  transfers.0003: {recorded} 流动 member(s) without an outflow record: incomplete outflows recorded "
            f"(see `sqdj check`, rule mobile.outflow_incomplete); {moved} member(s) with an open outflow or inflow "
            "now counted as 流动."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("transfers", "0002_rulebook"),
        ("members", "0006_work_status"),
    ]

    operations = [
        migrations.AddField(
            model_name="outflow",
            name="incomplete",
            field=models.BooleanField(default=False, editable=False, verbose_name="incomplete (destination unknown)"),
        ),
        migrations.RunPython(record_incomplete_outflows, migrations.RunPython.noop, elidable=False),
    ]
