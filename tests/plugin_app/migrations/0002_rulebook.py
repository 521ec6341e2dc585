"""The plug-in's own regulatory figure, frozen in its own migration."""

from django.db import migrations

from sqdj.core.rulebook_seed import seed_rulebook

ROWS = [
    {
        "rule_id": "plugin.max_notes",
        "value": 2,
        "unit": "notes",
        "regulation": "测试用规定",
        "article": "第一条",
        "trust": "LOCAL",
        "effective_from": "2020-01-01",
        "note": "随手记一般不超过2条（仅用于测试插件机制）。",
    }
]


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("plugin_app", "0001_initial")]
    operations = [seed_rulebook(ROWS)]
