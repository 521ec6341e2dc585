"""The units app's figures (issue 15). No regulation sets them: each is a design default marked [U] that a district
sets locally (rules.md: a locality's practice is a parameter, never a national check). Frozen here: a changed figure
is a new row in a new migration."""

from django.db import migrations

from sqdj.core.rulebook_seed import seed_rulebook

ROWS = [
    {
        "rule_id": "unit.intake_days",
        "value": 30,
        "unit": "days",
        "regulation": "中共中央组织部关于进一步加强和改进街道社区党的建设工作的意见（中共中央办公厅2004年10月4日转发）",
        "article": "六（双向联系制度）",
        "trust": "U",
        "effective_from": "2004-10-04",
        "note": "登记管理机关、业务主管单位应将这些组织的注册登记情况及时通报其所在街道党（工）委；"
        "名单上新设立的单位由街道在此天数内完成对接（默认值，未见全国统一时限，可设本地版本）。",
    },
    {
        "rule_id": "unit.visit_interval_days",
        "value": 90,
        "unit": "days",
        "regulation": "党建工作指导员走访（各地通行做法）",
        "article": "",
        "trust": "U",
        "effective_from": "2004-10-04",
        "note": "选派党建工作指导员、联络员“把党的工作开展起来”；单位超过此天数无走访记录时提醒（默认值，各地要求不一，可设本地版本）。",
    },
    {
        "rule_id": "unit.agreement_renewal_days",
        "value": 60,
        "unit": "days",
        "regulation": "共建协议续签（本系统默认提醒期）",
        "article": "",
        "trust": "U",
        "effective_from": "2004-10-04",
        "note": "共建协议到期前此天数内提醒续签或终止（默认值，可设本地版本）。",
    },
]


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("units", "0001_initial")]

    operations = [seed_rulebook(ROWS)]
