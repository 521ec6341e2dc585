"""在职党员报到 with both sides (issue 16, part 1): the unit side's confirmation (or the automatic one after the
rulebook's days), and the end's date and reason. Nullable columns without a default or a key: SQLite adds and drops
them without rebuilding the table, and so keeps the triggers of 0010. Registrations recorded before count as
confirmed (no `confirm_by`)."""

from django.db import migrations, models

from sqdj.core.rulebook_seed import seed_rulebook

ROWS = [
    {
        "rule_id": "registration.confirm_days",
        "value": 15,
        "unit": "days",
        "regulation": "中共中央组织部关于进一步加强和改进街道社区党的建设工作的意见（中共中央办公厅2004年10月4日转发）",
        "article": "五（街道、社区党组织要与在职党员所在单位基层党组织加强联系）",
        "trust": "U",
        "effective_from": "2004-10-04",
        "note": "在职党员到社区报到后，所在单位党组织在此天数内确认；逾期未确认的视为已确认（默认值，未见全国统一时限，"
        "可设本地版本）。",
    },
]


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("members", "0011_drop_redundant_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="confirm_by",
            field=models.DateField(blank=True, null=True, verbose_name="confirmed automatically on"),
        ),
        migrations.AddField(
            model_name="registration",
            name="confirmed_on",
            field=models.DateField(blank=True, null=True, verbose_name="confirmed on"),
        ),
        migrations.AddField(
            model_name="registration",
            name="end_note",
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name="note on the end"),
        ),
        migrations.AddField(
            model_name="registration",
            name="end_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("moved", "The member moved house"),
                    ("asked", "At the member's request"),
                    ("membership_moved", "The membership moved to another organization"),
                    ("not_in_service", "No longer in service"),
                    ("other", "Other"),
                ],
                max_length=20,
                null=True,
                verbose_name="why it ended",
            ),
        ),
        migrations.AddField(
            model_name="registration",
            name="ended_on",
            field=models.DateField(blank=True, null=True, verbose_name="ended on"),
        ),
        seed_rulebook(ROWS),
    ]
