"""Org.sector (领域, issue 13): every org gets one, filled for existing orgs top-down the way new orgs get theirs
(orgs.choices.default_sector, frozen here so later changes to the defaults do not rewrite history)."""

from django.db import migrations, models

SECTORS = [
    ("community", "Community"),
    ("subdistrict", "Subdistrict"),
    ("government", "Government organ"),
    ("institution", "Public institution"),
    ("state_enterprise", "State-owned enterprise"),
    ("non_public_enterprise", "Non-public enterprise"),
    ("social_organization", "Social organization"),
    ("office_building", "Office building"),
    ("park", "Park"),
    ("village", "Village"),
    ("joint", "Joint"),
    ("mobile", "Mobile members"),
    ("other", "Other"),
]
TYPE_SECTORS = {
    "city_committee": "government",
    "district_committee": "government",
    "subdistrict_committee": "subdistrict",
    "subdistrict_party_committee": "subdistrict",
    "comprehensive_committee": "non_public_enterprise",
    "joint_branch": "joint",
    "mobile_branch": "mobile",
}
LEADING = {"government", "subdistrict"}
# community-level orgs (located in a community or below) are community orgs
AREA_SECTORS = {
    "village": "village",
    "office_building": "office_building",
    "park": "park",
    "community": "community",
    "grid": "community",
    "estate": "community",
    "building": "community",
    "entrance": "community",
}


def _sector(org_type, parent_sector, area_type):
    if org_type in TYPE_SECTORS:
        return TYPE_SECTORS[org_type]
    if parent_sector and parent_sector not in LEADING:
        return parent_sector
    if area_type in AREA_SECTORS:
        return AREA_SECTORS[area_type]
    if parent_sector == "government":
        return "government"
    return "other"


def fill(apps, schema_editor):
    Org = apps.get_model("orgs", "Org")
    steplen = 4
    sectors = {}
    # by path: every parent is filled before its children
    for pk, path, org_type, area_type in Org.objects.order_by("path").values_list("pk", "path", "type", "area__type"):
        sector = _sector(org_type, sectors.get(path[:-steplen]), area_type)
        sectors[path] = sector
        Org.objects.filter(pk=pk).update(sector=sector)


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0002_path_statistics"),
        ("orgs", "0002_path_statistics"),
    ]

    operations = [
        migrations.AddField(
            model_name="org",
            name="sector",
            field=models.CharField(
                choices=SECTORS, db_index=True, default="other", max_length=30, verbose_name="sector"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="org",
            name="type",
            field=models.CharField(
                choices=[
                    ("city_committee", "City party committee"),
                    ("district_committee", "District party committee"),
                    ("subdistrict_committee", "Subdistrict party working committee"),
                    ("subdistrict_party_committee", "Subdistrict party committee"),
                    ("comprehensive_committee", "Comprehensive party committee"),
                    ("committee", "Party committee"),
                    ("general_branch", "General party branch"),
                    ("branch", "Party branch"),
                    ("joint_branch", "Joint party branch"),
                    ("temporary_branch", "Temporary party branch"),
                    ("mobile_branch", "Mobile members' party branch"),
                    ("group", "Party group"),
                ],
                db_index=True,
                max_length=30,
                verbose_name="organization type",
            ),
        ),
    ]
