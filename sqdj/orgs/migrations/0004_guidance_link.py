"""GuidanceLink (属地管理 / 双重管理 / 指导协调, issue 13): an org guided by an org other than its parent."""


import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0003_org_sector"),
    ]

    operations = [
        migrations.CreateModel(
            name="GuidanceLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created", models.DateTimeField(auto_now_add=True, null=True, verbose_name="created")),
                ("last_updated", models.DateTimeField(auto_now=True, null=True, verbose_name="last updated")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("territorial", "Territorial management"),
                            ("dual", "Dual management"),
                            ("coordination", "Guidance and coordination"),
                        ],
                        max_length=20,
                        verbose_name="kind of guidance",
                    ),
                ),
                ("started_on", models.DateField(verbose_name="since")),
                ("ended_on", models.DateField(blank=True, null=True, verbose_name="link ended on")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                (
                    "guide",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="guided_links",
                        to="orgs.org",
                        verbose_name="guiding organization",
                    ),
                ),
                (
                    "org",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="guidance_links",
                        to="orgs.org",
                        verbose_name="guided organization",
                    ),
                ),
            ],
            options={
                "verbose_name": "guidance link",
                "verbose_name_plural": "guidance links",
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("ended_on__isnull", True)),
                        fields=("guide", "org"),
                        name="orgs_one_open_guidance_link",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("guide", models.F("org")), _negated=True), name="orgs_guidance_not_itself"
                    ),
                ],
            },
        ),
    ]
