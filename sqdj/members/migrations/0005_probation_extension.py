"""延长预备期 on the member (once, by months) and the figures around the end of a probation: the shortest
extension (the longest is 0002's) and how early the branch is reminded that a probation is ending."""

from django.db import migrations, models

from sqdj.core.rulebook_seed import seed_rulebook

ROWS = [
    {
        "rule_id": "member.min_probation_extension_months",
        "value": 6,
        "unit": "months",
        "regulation": "中国共产党发展党员工作细则",
        "article": "第三十二条",
        "trust": "V1",
        "effective_from": "2014-06-10",
        "note": "需要继续考察和教育的，可以延长一次预备期，延长时间不能少于半年，最长不超过一年",
    },
    {
        "rule_id": "member.probation_reminder_days",
        "value": 30,
        "unit": "days",
        "regulation": "中国共产党发展党员工作细则（预备期满，党支部应当及时讨论其能否转为正式党员）",
        "article": "第三十二条",
        "trust": "U",
        "effective_from": "2014-06-10",
        "note": "预备期满前提醒党支部的天数（默认值）；细则要求及时讨论，未规定提前天数，可按本地要求调整。",
    },
]


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("members", "0004_name_pinyin_by_character")]

    operations = [
        migrations.AddField(
            model_name="member",
            name="probation_extended_months",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="probation extended by (months)"
            ),
        ),
        seed_rulebook(ROWS),
    ]
