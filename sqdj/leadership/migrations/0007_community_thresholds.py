"""The 总支/党委 thresholds of a community org cite the community's own sources (issue 13; rules.md 1.7, 1.8).

The rows of 0002 (`org.general_branch_min_members`, `org.committee_min_members`) cite the 机关条例 (2019), which
governs 机关 orgs only, and start in 2019: a community org was told to cite the 机关 regulation, and a check as of
2005 skipped the rule. A community sets up a 总支 or a 党委 "根据工作需要和党员人数，经街道党工委（乡镇党委）批准或者
决定" (社区党组织工作规则 第四条; before it, 党章第三十条: "经上级党组织批准"). Neither text fixes a number: 50 and 100
are the general standard of organization work, and "可以…" makes them reminders, never an error or a warning. The
2004 意见 fixes only the three full members of a community's own organization (`org.min_full_members`, 0004), not
the 总支/党委 sizes, so it is not cited here.

The check reads `<rule>.<sector>` when a row is in force for the org's sector, else the rule itself (机关 orgs keep
the 机关条例 rows).
"""

from django.db import migrations

from sqdj.core.rulebook_seed import seed_rulebook

_CHARTER_NOTE = (
    "社区党组织：党章规定党的基层组织“根据工作需要和党员人数，经上级党组织批准”分别设立基层委员会、总支部委员会、"
    "支部委员会，未规定人数（1982年党章起各版一致，条文编号按现行党章）；“{figure}”是组织工作的通行标准（“一般情况下”）。"
    "“可以”：只作提醒，不作为错误或警告。2004年《关于进一步加强和改进街道社区党的建设工作的意见》只规定有3名以上"
    "正式党员的社区单独建立党组织（见 org.min_full_members），未规定总支、党委的人数。"
)
_RULES_NOTE = (
    "按照党内有关规定，根据工作需要和党员人数，经街道党工委（乡镇党委）批准或者决定，在社区设立党的支部委员会、"
    "总支部委员会、基层委员会。规则不定人数，“{figure}”沿用组织工作的通行标准；“可以”：只作提醒，不作为错误或警告。"
    "发布机关和日期未核实：规则援引2021年5月22日发布的《中国共产党组织工作条例》，按该日录入（最早可能的日期）。"
)
_GENERAL_BRANCH = "党员50人以上、不足100人的，可以设立总支部委员会"
_COMMITTEE = "党员100人以上的，可以设立党的基层委员会（100人按可设党委处理）"

ROWS = [
    {
        "rule_id": "org.general_branch_min_members.community",
        "value": 50,
        "unit": "members",
        "regulation": "中国共产党章程",
        "article": "第三十条",
        "trust": "V3",
        "effective_from": "1982-09-06",
        "effective_to": "2021-05-21",
        "note": _CHARTER_NOTE.format(figure=_GENERAL_BRANCH),
    },
    {
        "rule_id": "org.general_branch_min_members.community",
        "value": 50,
        "unit": "members",
        "regulation": "社区党组织工作规则",
        "article": "第四条",
        "trust": "V3",
        "effective_from": "2021-05-22",
        "note": _RULES_NOTE.format(figure=_GENERAL_BRANCH),
    },
    {
        "rule_id": "org.committee_min_members.community",
        "value": 100,
        "unit": "members",
        "regulation": "中国共产党章程",
        "article": "第三十条",
        "trust": "V3",
        "effective_from": "1982-09-06",
        "effective_to": "2021-05-21",
        "note": _CHARTER_NOTE.format(figure=_COMMITTEE),
    },
    {
        "rule_id": "org.committee_min_members.community",
        "value": 100,
        "unit": "members",
        "regulation": "社区党组织工作规则",
        "article": "第四条",
        "trust": "V3",
        "effective_from": "2021-05-22",
        "note": _RULES_NOTE.format(figure=_COMMITTEE),
    },
]


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("leadership", "0006_term_by_sector")]

    operations = [seed_rulebook(ROWS)]
