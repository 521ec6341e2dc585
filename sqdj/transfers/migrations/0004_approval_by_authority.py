"""Transfer approval by the 基层党委 with the authority to approve probationary members on each side (issue 13;
rules.md 6.3 [V1]): "具有审批预备党员权限的基层党委，可以在全国范围直接相互转移和接收党员组织关系" (党员教育管理工作
条例第二十五条, 中共中央 2019-05-06 发布). The row of 0002 made escalation the default (跨街道 → 区委组织部, 跨区 →
市委组织部): that is a local practice, not the national rule. The new national version starts on the day the 条例 was published and
ends the old one the day before (an existing database; a fresh one gets both rows from the migrations, and `param()`
takes the later start). A locality that escalates adds a local variant, e.g. {"community": "authority",
"subdistrict": "authority", "district": "district", "city": "city", "outside": "authority"} (the note says how).

Also the figures of rules.md 6.2 for the checks member.transfer_due and mobile.transfer_due."""

import datetime

from django.db import migrations

from sqdj.core.rulebook_seed import seed_rulebook

ROWS = [
    {
        "rule_id": "transfer.approval_level",
        "value": {
            "community": "authority",
            "subdistrict": "authority",
            "district": "authority",
            "city": "authority",
            "outside": "authority",
        },
        "unit": "levels",
        "regulation": "中国共产党党员教育管理工作条例",
        "article": "第二十五条",
        "trust": "V1",
        "effective_from": "2019-05-06",
        "note": "具有审批预备党员权限的基层党委，可以在全国范围直接相互转移和接收党员组织关系：转出由转出组织或其"
        "最近的有审批权限的上级党委审批，转入由转入组织或其最近的有审批权限的上级党委接收，不论两端相距多远"
        "（authority）。组织是否有审批权限见组织信息“可审批预备党员”。按转出、转入组织的共同上级所在层级（同一社区 "
        "community、同一街道 subdistrict、同一区 district、跨区 city、系统外 outside）可设本地版本改由某一层级办理"
        "两端，例如跨街道由区委组织部、跨区由市委组织部办理：district 填 district，city 填 city，其余填 authority。",
    },
    # rules.md 6.2 (member.transfer_due, mobile.transfer_due in transfers/checks.py)
    {
        "rule_id": "transfer.due_months_away",
        "value": 6,
        "unit": "months",
        "regulation": "中国共产党党员教育管理工作条例",
        "article": "第二十五条",
        "trust": "V1",
        "effective_from": "2019-05-06",
        "note": "外出学习、工作、生活6个月以上并且地点相对固定的，应当转移组织关系。外出记录满6个月、尚未转移组织关系的"
        "提醒核实：地点是否相对固定系统无记录，由党组织判断。",
    },
    {
        "rule_id": "transfer.due_days_after_change",
        "value": 30,
        "unit": "days",
        "regulation": "中国共产党党员教育管理工作条例",
        "article": "第二十五条",
        "trust": "U",
        "effective_from": "2019-05-06",
        "note": "党员工作单位、经常居住地发生变动的，应当转移组织关系；条例未规定期限。系统以变更记录之日起30天未办理"
        "转接为提示时点（设计默认值，可设本地版本）。",
    },
]

OLD_START = datetime.date(2019, 5, 1)
NEW_START = datetime.date(2019, 5, 6)


def end_escalation_default(apps, schema_editor):
    RuleParameter = apps.get_model("core", "RuleParameter")
    RuleParameter.objects.filter(
        rule_id="transfer.approval_level", local=False, effective_from=OLD_START, effective_to__isnull=True
    ).update(effective_to=NEW_START - datetime.timedelta(days=1))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("transfers", "0003_outflow_incomplete"),
        ("orgs", "0006_org_approves_members"),
    ]

    operations = [seed_rulebook(ROWS), migrations.RunPython(end_escalation_default, migrations.RunPython.noop)]
