"""The national request categories and the services app's figures (issue 17). Frozen here: a changed figure is a new
row in a new migration; the categories are reference data (apps.py keeps them after a flush).

No national regulation fixes a community's time to answer a resident: the hotline platforms' own figures (响应 within
24 hours; a time limit per order) are practice, marked [U] and set locally where a city's rules differ."""

from django.db import migrations

from sqdj.core.rulebook_seed import seed_rulebook

CATEGORIES = [
    ("huanjing", "市容环境"),
    ("wuye", "物业管理"),
    ("sheshi", "公共设施"),
    ("linli", "邻里纠纷"),
    ("anquan", "治安安全"),
    ("baozhang", "社会保障"),
    ("yanglao", "养老助残"),
    ("jiuye", "就业服务"),
    ("zixun", "政策咨询"),
    ("qita", "其他"),
]

SOURCE = "中共中央组织部关于进一步加强和改进街道社区党的建设工作的意见（中共中央办公厅2004年10月4日转发）"

ROWS = [
    {
        "rule_id": "services.request_due_days",
        "value": {"default": 7, "linli": 15, "zixun": 3},
        "unit": "days",
        "regulation": SOURCE,
        "article": "四（为群众办实事、解难事）",
        "trust": "U",
        "effective_from": "2004-10-04",
        "note": "群众诉求按类别的办理时限（天，按类别编码；default 为其余类别）。未见全国统一时限，为本系统默认值，可设本地版本。",
    },
    {
        "rule_id": "services.urgent_due_days",
        "value": 1,
        "unit": "days",
        "regulation": SOURCE,
        "article": "四",
        "trust": "U",
        "effective_from": "2004-10-04",
        "note": "紧急诉求的办理时限（天），短于类别时限时适用（默认值，可设本地版本）。",
    },
    {
        "rule_id": "services.escalate_after_days",
        "value": 3,
        "unit": "days",
        "regulation": SOURCE,
        "article": "四",
        "trust": "U",
        "effective_from": "2004-10-04",
        "note": "逾期后再过此天数仍未办结的诉求提交街道党工委督办（默认值，可设本地版本）。",
    },
    {
        "rule_id": "workorder.response_hours",
        "value": 24,
        "unit": "hours",
        "regulation": "12345政务服务便民热线接诉即办（各地通行做法）",
        "article": "",
        "trust": "U",
        "effective_from": "2004-10-04",
        "note": "工单受理后此小时数内未响应（未受理）时红色预警；响应率按此计（默认值，各地要求不一，可设本地版本）。",
    },
    {
        "rule_id": "workorder.progress_days",
        "value": 3,
        "unit": "days",
        "regulation": "12345政务服务便民热线接诉即办（各地通行做法）",
        "article": "",
        "trust": "U",
        "effective_from": "2004-10-04",
        "note": "工单此天数内无办理进展时黄色预警（默认值，可设本地版本）。",
    },
    {
        "rule_id": "workorder.unsatisfied_streak",
        "value": 2,
        "unit": "times",
        "regulation": "12345政务服务便民热线接诉即办（各地通行做法）",
        "article": "",
        "trust": "U",
        "effective_from": "2004-10-04",
        "note": "同一工单连续此次数回访“不满意”时红色预警（默认值，可设本地版本）。",
    },
]


def seed_categories(apps, schema_editor):
    Category = apps.get_model("services", "Category")
    for position, (code, name) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(code=code, defaults={"name": name, "position": position * 10})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("services", "0001_initial")]
    operations = [seed_rulebook(ROWS), migrations.RunPython(seed_categories, migrations.RunPython.noop)]
