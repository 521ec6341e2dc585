"""工作状况 (work status) on the member, and the 党员分类 (category) derived from it (issue 13).

The old category mixed two dimensions; its values map onto the work status as follows (docs/usage.md):
在职 employed, 退休职工 retired, 离休干部 veteran_retired, 下岗失业 unemployed keep their value; 居民 → 其他 (other:
none of the four, nothing more is known — not 无固定职业, which nobody said); 流动 → 其他 too (流动 said nothing
about work). Every member keeps their row and their category: resident stays resident (其他 derives 居民), and
mobile stays mobile through the outflow that transfers.0003 records for those without one (marked incomplete and
listed by the check mobile.outflow_incomplete). The list index carries the work status as it carries the category,
so that the statistics count both from the index alone."""

from django.db import migrations, models

# frozen: the old category values that are also work statuses
SAME_VALUE = ("employed", "retired", "veteran_retired", "unemployed")


def map_work_status(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    for value in SAME_VALUE:
        Member.objects.filter(category=value).update(work_status=value)
    # resident and mobile keep the field's default, other


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0005_probation_extension"),
        ("orgs", "0003_org_sector"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="work_status",
            field=models.CharField(
                choices=[
                    ("employed", "In service"),
                    ("retired", "Retired"),
                    ("veteran_retired", "Retired cadre (lixiu)"),
                    ("unemployed", "Laid off or unemployed"),
                    ("no_fixed_job", "No fixed occupation"),
                    ("student", "Student"),
                    ("other", "Other"),
                ],
                default="other",
                max_length=20,
                verbose_name="work status",
            ),
        ),
        migrations.AlterField(
            model_name="member",
            name="category",
            field=models.CharField(
                choices=[
                    ("employed", "In-service member"),
                    ("retired", "Retired worker member"),
                    ("veteran_retired", "Retired cadre (lixiu) member"),
                    ("unemployed", "Laid-off or unemployed member"),
                    ("mobile", "Mobile member"),
                    ("resident", "Resident member"),
                ],
                default="resident",
                editable=False,
                max_length=20,
                verbose_name="member category",
            ),
        ),
        migrations.RunPython(map_work_status, migrations.RunPython.noop, elidable=False),
        migrations.RemoveIndex(model_name="member", name="members_list"),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                fields=["org", "name", "id"],
                include=(
                    "name_pinyin",
                    "name_initials",
                    "category",
                    "work_status",
                    "member_type",
                    "sex",
                    "education",
                    "standing",
                    "birth_date",
                    "confirmed_on",
                    "joined_on",
                    "ethnicity",
                ),  # fmt: skip
                name="members_list",
            ),
        ),
    ]
