"""Older versions of two probation rules (issue 13): since the 1982 charter "预备期满，党的支部应当及时讨论他能否转为
正式党员" and a probation may be extended "但不能超过一年" (党章 第七条, the same words in every version since), so a
check as of 2005 reports a probation left undecided and applies the longest extension; the rows of 0002/0005 begin
with the 2014 细则 (2014-06-10)."""

from django.db import migrations

from sqdj.core.rulebook_seed import seed_rulebook

CHARTER = "中国共产党章程"
ROWS = [
    {
        "rule_id": "member.probation_reminder_days",
        "value": 30,
        "unit": "days",
        "regulation": f"{CHARTER}（预备期满，党的支部应当及时讨论他能否转为正式党员）",
        "article": "第七条",
        "trust": "U",
        "effective_from": "1982-09-06",
        "effective_to": "2014-06-09",
        "note": "预备期满前提醒党支部的天数（默认值）；党章要求及时讨论，未规定提前天数，可按本地要求调整。",
    },
    {
        "rule_id": "member.max_probation_extension_months",
        "value": 12,
        "unit": "months",
        "regulation": CHARTER,
        "article": "第七条",
        "trust": "V2",
        "effective_from": "1982-09-06",
        "effective_to": "2014-06-09",
        "note": "需要继续考察和教育的，可以延长预备期，但不能超过一年（1982年党章起各版一致；最短半年见2014年细则）。",
    },
]


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("members", "0007_count_ledger")]

    operations = [seed_rulebook(ROWS)]
