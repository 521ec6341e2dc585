"""组织体检 page, its Excel export and the workbench tiles, on a hand-built world whose findings are known:

build_world() plus, for admin1's community 甲社区 (SQT1): branch ZBT1 with 51 active full members and no
committee → org.committee_composition (error), org.branch_size (warning, > 50), org.may_become_general_branch
(reminder, 50–99). Outside admin1's scope: branch ZBT2 (乙社区) whose term started 6 years ago → org.term_expired
(error); and 丙社区, a community area with 3 full members living there and no org → org.required (error, an area).
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from sqdj.areas.services import do_create_area
from sqdj.core.dates import today
from sqdj.health import views as health_views
from sqdj.health.exporting import COLUMNS, HEADER_ROW
from sqdj.members.services import do_create_member
from sqdj.orgs.choices import OrgType
from sqdj.orgs.services import do_update_org
from sqdj.testing import build_world
from sqdj.testing.members import member_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    w = build_world()
    for seq in range(1, 52):
        do_create_member(acting_user=None, **member_data(w.branch1, seq=seq, name=f"甲成员{seq}"))
    do_update_org(w.branch2, acting_user=None, term_started_on=today().replace(year=today().year - 6))
    w.community_area3 = do_create_area(
        acting_user=None, parent=w.street_area, code="T01001003", name="丙社区", type="community"
    )
    for seq in range(60, 63):
        do_create_member(
            acting_user=None,
            **member_data(w.branch2, seq=seq, name=f"丙居民{seq}", home_area=w.community_area3, category="retired"),
        )
    return w


def client(user):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def page_url(org, **query):
    return reverse("health:org_health", args=[org.pk]), query


def export_url(org):
    return reverse("health:org_health_export", args=[org.pk])


def rules_of(findings):
    return sorted((f.rule, f.object_code) for f in findings)


def test_page_groups_findings_by_severity(world):
    r = client(world.admin1).get(*page_url(world.community1))
    assert r.status_code == 200
    sections = {s["severity"]: s for s in r.context["sections"]}
    assert list(sections) == ["error", "warning", "reminder"]
    assert rules_of(sections["error"]["findings"]) == [("org.committee_composition", "ZBT1")]
    assert rules_of(sections["warning"]["findings"]) == [("org.branch_size", "ZBT1")]
    assert rules_of(sections["reminder"]["findings"]) == [("org.may_become_general_branch", "ZBT1")]
    html = r.content.decode()
    # each group is its own section, in page order, and the finding sits in its severity's section
    warning = html[html.index('id="health-warning"') : html.index('id="health-reminder"')]
    assert 'data-rule="org.branch_size"' in warning and 'data-rule="org.committee_composition"' not in warning
    assert f'<a class="health-object" href="{world.branch1.get_absolute_url()}">{world.branch1.name}</a>' in warning
    size = sections["warning"]["findings"][0]
    # the article cited, linked to the parameter's versions as in force on the checked day
    rule_url = reverse("rulebook:rule", args=[size.basis])
    assert f'<a href="{rule_url}?on={today().isoformat()}">{size.source}</a>' in warning
    assert sections["warning"]["findings"][0].action in warning
    assert 'data-count="1"' in html and 'id="health-empty"' not in html
    # nothing of the sibling community's subtree
    assert "ZBT2" not in html and "丙社区" not in html


def test_area_finding_without_url_is_plain_text(world):
    r = client(world.superuser).get(*page_url(world.district))
    assert r.status_code == 200
    codes = rules_of(r.context["findings"])
    assert ("org.required", "T01001003") in codes and ("org.term_expired", "ZBT2") in codes
    html = r.content.decode()
    area = world.community_area3
    assert f'href="{area.get_absolute_url()}">丙社区</a>' in html  # the checks give the area its page


def test_out_of_scope_org_is_404_for_page_and_export(world):
    for user in (world.admin1, world.nobody):
        c = client(user)
        assert c.get(*page_url(world.community2)).status_code == 404
        assert c.get(export_url(world.community2)).status_code == 404
    r = Client().get(export_url(world.community1))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


def test_export_opens_with_openpyxl_and_has_the_page_rows(world):
    c = client(world.admin1)
    on = today().isoformat()
    r = c.get(export_url(world.community1), {"on": on})
    assert r.status_code == 200
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r["Content-Disposition"] == f'attachment; filename="health-SQT1-{on}.xlsx"'
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.cell(2, 2).value == "SQT1" and ws.cell(2, 4).value == on
    header = tuple(c.value for c in ws[HEADER_ROW])
    assert header == COLUMNS == ("严重程度", "规则", "对象类型", "对象编码", "对象名称", "问题", "依据", "建议")
    body = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=HEADER_ROW + 1)]
    page = c.get(*page_url(world.community1, on=on)).context["findings"]
    assert [(row[1], row[3]) for row in body] == [(f.rule, f.object_code) for f in page]
    assert [row[0] for row in body] == ["错误", "警告", "提醒"]
    warning = body[1]
    assert warning[2] == "党组织" and warning[4] == world.branch1.name
    assert warning[5] == page[1].message and warning[6] == page[1].source and warning[7] == page[1].action
    assert "ZBT2" not in str(body)


def test_another_date_is_checked(world):
    # before the members joined (1995-07-01) nothing is judged; the rules of 2015 do apply (issue 13: the charter's
    # and the 2004 意见's versions), so a date in 2015 would remind 甲社区's branch of 51 of a general branch
    r = client(world.admin1).get(*page_url(world.community1, on="1995-01-01"))
    assert r.status_code == 200
    assert r.context["on"] == datetime.date(1995, 1, 1) and r.context["findings"] == []
    html = r.content.decode()
    assert 'id="health-empty"' in html and 'value="1995-01-01"' in html
    assert "on=1995-01-01" in r.context["export_url"]


@pytest.mark.parametrize("bad", ["2025-13-01", "yesterday", "1800-01-01", "9999-12-31"])
def test_bad_date_is_a_clear_message(world, bad):
    c = client(world.admin1)
    r = c.get(*page_url(world.community1, on=bad))
    assert r.status_code == 400
    assert r.context["findings"] is None and r.context["error"]
    html = r.content.decode()
    assert 'id="health-error"' in html and 'aria-invalid="true"' in html
    if bad in ("2025-13-01", "yesterday"):
        assert "日期格式不对" in html  # the translated message, not a traceback
    assert c.get(export_url(world.community1), {"on": bad}).status_code == 400


def test_level_filter(world):
    c = client(world.superuser)
    r = c.get(*page_url(world.district, level=3))
    assert rules_of(r.context["findings"]) == [("org.required", "T01001003")]  # areas count at community level
    r = c.get(*page_url(world.district, level=4))
    assert ("org.term_expired", "ZBT2") in rules_of(r.context["findings"])
    assert ("org.required", "T01001003") not in rules_of(r.context["findings"])
    assert c.get(*page_url(world.district, level="x")).status_code == 400


def test_workbench_tiles_count_per_level(world):
    r = client(world.admin1).get(reverse("health:workbench_tiles"))
    assert r.status_code == 200
    [tile] = r.context["health_tiles"]
    assert tile["org"] == world.community1
    levels = {lv["depth"]: lv for lv in tile["levels"]}
    assert sorted(levels) == [3, 4]  # 社区党组织, 党支部; the 党小组 level is not judged
    counts = {d: {c["severity"]: c["n"] for c in lv["counts"]} for d, lv in levels.items()}
    assert counts == {3: {"error": 0, "warning": 0, "reminder": 0}, 4: {"error": 1, "warning": 1, "reminder": 1}}
    assert levels[3]["orgs"] == 1 and levels[4]["orgs"] == 1
    html = r.content.decode()
    assert f'href="{reverse("health:org_health", args=[world.community1.pk])}?level=4"' in html

    r = client(world.superuser).get(reverse("health:workbench_tiles"))
    [tile] = r.context["health_tiles"]
    counts = {lv["depth"]: {c["severity"]: c["n"] for c in lv["counts"]} for lv in tile["levels"]}
    assert sorted(counts) == [1, 2, 3, 4]
    assert counts[3]["error"] == 1  # 丙社区 without an org, counted with the community organizations
    assert counts[4] == {"error": 2, "warning": 1, "reminder": 1}  # + ZBT2's expired term
    labels = [lv["label"] for lv in tile["levels"]]
    assert labels[:2] == [OrgType.DISTRICT_COMMITTEE.label, OrgType.SUBDISTRICT_COMMITTEE.label]
    assert labels[3] == OrgType.BRANCH.label


def test_workbench_without_roles_has_no_tiles(world):
    r = client(world.nobody).get(reverse("health:workbench_tiles"))
    assert r.status_code == 200 and r.context["health_tiles"] == []


def test_org_page_links_to_the_health_check(world):
    r = client(world.admin1).get(world.community1.get_absolute_url())
    url = reverse("health:org_health", args=[world.community1.pk])
    assert f'id="org-health-link" href="{url}"' in r.content.decode()


def test_workbench_loads_the_tiles_after_the_page(world):
    """The workbench itself runs no checks: it asks for the tiles once it is shown."""
    r = client(world.admin1).get(reverse("home"))
    assert r.status_code == 200 and "health_tiles" not in r.context
    assert f'hx-get="{reverse("health:workbench_tiles")}"' in r.content.decode()
    assert client(None).get(reverse("health:workbench_tiles")).status_code == 302


def test_large_sections_show_a_page_at_a_time(world, monkeypatch):
    """A city's tens of thousands of findings are not rendered at once: each severity shows its first rows, with a
    link to see the rest of that severity page by page."""
    monkeypatch.setattr(health_views, "ROWS_PER_SECTION", 2)
    c = client(world.superuser)
    r = c.get(*page_url(world.district))
    errors = {s["severity"]: s for s in r.context["sections"]}["error"]
    assert errors["n"] >= 3 and len(errors["findings"]) == 2
    assert errors["more_url"].endswith("&severity=error")
    html = r.content.decode()
    assert html.count('class="health-finding"') <= 2 * 3 and "显示前 2 条" in html
    seen = []
    for number in (1, 2):
        page = c.get(*page_url(world.district, severity="error", page=number))
        sections = {s["severity"]: s for s in page.context["sections"]}
        assert sections["warning"]["findings"] == [] and sections["reminder"]["findings"] == []
        seen += [(f.rule, f.object_code) for f in sections["error"]["findings"]]
    in_order = [(f.rule, f.object_code) for f in r.context["findings"] if f.severity == "error"]
    assert seen == in_order[:4]  # page 2 goes on where page 1 stopped
    assert c.get(*page_url(world.district, severity="fatal")).status_code == 400
