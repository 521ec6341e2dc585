"""The term rule decides by the org's sector (issue 13), not by where the org is located: 村和社区的党委、总支、支部
serve 5 years (rules.md 2.2), every other 总支/支部 3 years and a 基层党委 5 — an enterprise branch under a 综合党委
located in a 网格 serves 3. The sectors that take the community term are a rulebook row, with its source.

The elected 街道党委 is a 党的基层委员会 (5 years, `org.term_years.committee`); the appointed 街道党工委 has no term
(rules.md 2.4) — both by type, in orgs.choices.TERM_TYPES / COMMITTEE_TYPES."""

from django.db import migrations

from sqdj.core.rulebook_seed import seed_rulebook

ROWS = [
    {
        "rule_id": "org.term_sectors.community",
        "value": ["community", "village"],
        "unit": "sectors",
        "regulation": "中共中央办公厅《关于党的基层组织任期的意见》；中国共产党支部工作条例（试行）",
        "article": "任期意见一；支部工作条例第二十一条",
        "trust": "V1",
        "effective_from": "2018-07-01",
        "note": "按组织所属领域（社区、村）适用“村和社区的党委、总支、支部每届任期5年”，不按组织所在地域推断："
        "综合党委下设在网格内的企业党支部任期3年。",
    },
]


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("leadership", "0005_election_approved_on"), ("orgs", "0003_org_sector")]

    operations = [seed_rulebook(ROWS)]
