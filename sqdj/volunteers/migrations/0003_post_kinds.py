"""The national post catalogue: the 五员 of the Tianjin book (seed 001: 党的路线方针政策的宣传员、社区精神文明建设的示范员、
先进文化的传播员、扶贫帮困的服务员、邻里纠纷的调解员). Frozen here; reversing leaves the rows (posts may use them)."""

from django.db import migrations

KINDS = [
    ("xuanchuan", "宣传员", "党的路线方针政策的宣传员"),
    ("shifan", "示范员", "社区精神文明建设的示范员"),
    ("chuanbo", "传播员", "先进文化的传播员"),
    ("fuwu", "服务员", "扶贫帮困的服务员"),
    ("tiaojie", "调解员", "邻里纠纷的调解员"),
]


def seed(apps, schema_editor):
    PostKind = apps.get_model("volunteers", "PostKind")
    for position, (code, name, duties) in enumerate(KINDS, start=1):
        PostKind.objects.get_or_create(code=code, defaults={"name": name, "duties": duties, "position": position * 10})


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0002_posts_activities_hours")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
