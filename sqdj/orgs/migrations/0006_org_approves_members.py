"""Org.approves_members (具有审批预备党员权限, issue 13): the 基层党委 with it transfer and receive memberships
directly (rules.md 6.3). Existing orgs are filled top-down the way new orgs get theirs (orgs.choices.
default_approves_members, frozen here so later changes to the defaults do not rewrite history): 市委, 区委, 街道党工委,
街道党委, and a 综合党委 or 党委 not under a 街道 (rules.md 4.15: 街道党委所属的基层党委 cannot approve)."""

from django.db import migrations, models

APPROVING = {
    "city_committee",
    "district_committee",
    "subdistrict_committee",
    "subdistrict_party_committee",
    "comprehensive_committee",
    "committee",
}
SUBDISTRICT = {"subdistrict_committee", "subdistrict_party_committee"}


def fill(apps, schema_editor):
    Org = apps.get_model("orgs", "Org")
    steplen = 4
    below_subdistrict: dict[str, bool] = {}  # path → whether the org is a 街道 committee or below one
    approving = []
    for pk, path, org_type in Org.objects.order_by("path").values_list("pk", "path", "type"):
        under = below_subdistrict.get(path[:-steplen], False)
        below_subdistrict[path] = under or org_type in SUBDISTRICT
        if org_type in APPROVING and (org_type in SUBDISTRICT or not under):
            approving.append(pk)
    for i in range(0, len(approving), 1000):
        Org.objects.filter(pk__in=approving[i : i + 1000]).update(approves_members=True)


class Migration(migrations.Migration):
    dependencies = [("orgs", "0005_path_statistics_coarser")]

    operations = [
        migrations.AddField(
            model_name="org",
            name="approves_members",
            field=models.BooleanField(
                db_default=False,
                help_text="A primary party committee with the authority to approve probationary members transfers "
                "and receives memberships directly, anywhere in the country.",
                verbose_name="may approve probationary members",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
