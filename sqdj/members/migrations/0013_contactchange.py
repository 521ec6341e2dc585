"""Members' requests to change their phone number or residence (issue 16 item 7): a new table only (members_member
is not altered: on SQLite that would rebuild it and drop the triggers of 0010)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import sqdj.core.pii


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0005_area_pinyin"),
        ("members", "0012_registration_both_sides"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ContactChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created", models.DateTimeField(auto_now_add=True, null=True, verbose_name="created")),
                ("last_updated", models.DateTimeField(auto_now=True, null=True, verbose_name="last updated")),
                ("phone", sqdj.core.pii.EncryptedCharField(blank=True, verbose_name="new phone number")),
                ("address_note", models.CharField(blank=True, max_length=100, verbose_name="address note")),
                (
                    "state",
                    models.CharField(
                        choices=[("pending", "Waiting for the branch's approval"), ("approved", "Approved"), ("declined", "Declined")],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("requested_at", models.DateTimeField(verbose_name="requested at")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="time of the decision")),
                ("decision_note", models.CharField(blank=True, max_length=200, verbose_name="decision note")),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "home_area",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="areas.area",
                        verbose_name="new area of residence",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contact_changes",
                        to="members.member",
                        verbose_name="party member",
                    ),
                ),
            ],
            options={
                "verbose_name": "contact change request",
                "verbose_name_plural": "contact change requests",
                "ordering": ["-requested_at", "-pk"],
                "indexes": [models.Index(fields=["state", "requested_at"], name="members_contactchange_state")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("state", "pending")),
                        fields=("member",),
                        name="members_one_pending_contact_change",
                        violation_error_message="You already have a request awaiting approval.",
                    )
                ],
            },
        ),
    ]
