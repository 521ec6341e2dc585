"""The figures of help for households and of visits (issue 17 items 4–5). Frozen here: a changed figure is a new
row in a new migration."""

from django.db import migrations

from sqdj.core.rulebook_seed import seed_rulebook

PIPL = "中华人民共和国个人信息保护法（2021年8月20日通过，2021年11月1日起施行）"

ROWS = [
    {
        "rule_id": "services.household_retention_years",
        "value": 3,
        "unit": "years",
        "regulation": PIPL,
        "article": "第十九条、第四十七条",
        "trust": "U",
        "effective_from": "2021-11-01",
        "note": "帮扶结束后困难家庭记录的保存年限；期满由每日任务匿名化（联系人、门牌、备注清除，统计数保留）。"
        "法律只要求“为实现处理目的所必需的最短时间”，年限为本系统默认值，可设本地版本。",
    },
    {
        "rule_id": "services.household_review_months",
        "value": 12,
        "unit": "months",
        "regulation": "中共中央组织部关于进一步加强和改进街道社区党的建设工作的意见（中共中央办公厅2004年10月4日转发）",
        "article": "四（关心帮助困难群众）",
        "trust": "U",
        "effective_from": "2004-10-04",
        "note": "困难家庭帮扶的复核周期（月）：自帮扶开始或上次复核起满此月数未复核的，列入待办。",
    },
    {
        "rule_id": "services.visit_coverage_months",
        "value": 12,
        "unit": "months",
        "regulation": "中共中央组织部关于进一步加强和改进街道社区党的建设工作的意见（中共中央办公厅2004年10月4日转发）",
        "article": "四（进百家门、知百家情、解百家难）",
        "trust": "U",
        "effective_from": "2004-10-04",
        "note": "走访覆盖：此月数内没有走访记录的楼栋列为未覆盖（默认值，可设本地版本）。",
    },
]


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("services", "0003_wishes_households_visits")]
    operations = [seed_rulebook(ROWS)]
