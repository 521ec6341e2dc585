"""Older versions of `org.min_full_members` (issue 13): three full members have required an organization since the
1982 charter, and in a community since the 2004 意见 ("凡有3名以上正式党员的社区，都要单独建立社区党组织"), so a check
as of 2005 or 2010 applies them instead of skipping the rule (the 2018 row of 0002 starts on 2018-10-28)."""

from django.db import migrations

from sqdj.core.rulebook_seed import seed_rulebook

ROWS = [
    {
        "rule_id": "org.min_full_members",
        "value": 3,
        "unit": "members",
        "regulation": "中国共产党章程",
        "article": "第三十条",
        "trust": "V2",
        "effective_from": "1982-09-06",
        "effective_to": "2004-10-03",
        "note": "凡是有正式党员三人以上的，都应当成立党的基层组织（1982年党章起各版一致）。",
    },
    {
        "rule_id": "org.min_full_members",
        "value": 3,
        "unit": "members",
        "regulation": "中共中央组织部关于进一步加强和改进街道社区党的建设工作的意见（中共中央办公厅2004年10月4日转发）",
        "article": "五",
        "trust": "V1",
        "effective_from": "2004-10-04",
        "effective_to": "2018-10-27",
        "note": "凡有3名以上正式党员的社区，都要单独建立社区党组织。在调整社区设置时，要同步调整、健全社区党组织。",
    },
]


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("leadership", "0003_election_office_quorum")]

    operations = [seed_rulebook(ROWS)]
