"""Members' name pinyin recomputed: character by character with surname readings (sqdj/members/pinyin.py), no
longer with pypinyin's phrase dictionary (曾 zeng, 单 shan; 于思 yusi, not yusai). Only the rows that change are
written, a thousand at a time; the change log is not touched (derived columns)."""

from django.db import migrations

from sqdj.members.pinyin import name_pinyin


def recompute(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    last, changed = 0, []
    while True:
        batch = list(Member.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "name", "name_pinyin", "name_initials")[:5000])
        if not batch:
            break
        for pk, name, full, initials in batch:
            new = name_pinyin(name)
            if new != (full, initials):
                changed.append(Member(pk=pk, name_pinyin=new[0], name_initials=new[1]))
        last = batch[-1][0]
        if len(changed) >= 1000:
            Member.objects.bulk_update(changed, ["name_pinyin", "name_initials"], batch_size=1000)
            changed = []
    Member.objects.bulk_update(changed, ["name_pinyin", "name_initials"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [("members", "0003_list_indexes")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
