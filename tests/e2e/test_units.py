"""Issue 15 in the browser: a community admin takes a unit from the registration authority's list (待对接) to a unit
with a 党建工作指导员 and a visit (工作覆盖), follows a joint-council decision on it to done on time, and matches a
community need with the unit's venue in a project; the unit's liaison then sees their own unit's part only."""

from __future__ import annotations

import datetime
import io
import re

from openpyxl import Workbook
from playwright.sync_api import expect
from stdnum.cn import uscc

from sqdj.core import dates
from sqdj.members.models import Member
from sqdj.units.intake_importers import HEADERS
from sqdj.units.models import AuthorityEntry, Council, Decision, Need, Project, Resource, Unit, UnitContact

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NAME = "翠园数字科技有限公司"


def _as(page, login, username):
    page.context.clear_cookies()
    login(username)


def _free_credit_code() -> str:
    """A valid 统一社会信用代码 no unit of the demo city has."""
    for n in range(1, 10_000):
        code = f"91110101MA{n:07d}"
        code += uscc.calc_check_digit(code)
        if uscc.is_valid(code) and not Unit.objects.filter(credit_code=code).exists():
            return code
    raise AssertionError("no free credit code")


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def _todo_count(page, key: str) -> int:
    page.goto("/")
    card = page.locator(f"#todo-{key}")
    return int(card.get_attribute("data-count")) if card.count() else 0


def _row(page, scope: str, text: str):
    return page.locator(f"{scope} tr", has_text=text)


def _saved(page):
    expect(page.locator(".alert-success").first).to_contain_text(re.compile("已保存|已新增"))


def test_community_admin_takes_a_new_unit_to_coverage_a_decision_and_a_project(page, demo, login):
    community = demo.own
    area = community.area
    assert area is not None
    today = dates.today()
    code = _free_credit_code()
    council = Council.objects.filter(org=community).order_by("pk").first()
    assert council is not None  # the demo city gives sq_admin's community its 联席会

    # ---- 1. the authority's list imported through the wizard: the new unit waits as 待对接 ----------------------
    _as(page, login, "sq_admin")
    pending_before = _todo_count(page, "units-intake-open")
    page.goto("/units/intake/")  # 登记机关名单
    page.locator("main").get_by_role("link", name="导入").click()
    expect(page).to_have_url(re.compile(r"/units/intake/import/$"))
    expect(page.locator("main")).to_contain_text("、".join(HEADERS))
    data = _xlsx([["市场监管", "设立", code, NAME, "非公有制企业", today, area.code, "翠园路8号"]])
    form = page.locator('form[enctype="multipart/form-data"]')
    form.locator('input[type="file"][name="file"]').set_input_files(
        files=[{"name": "changes.xlsx", "mimeType": XLSX, "buffer": data}]
    )
    form.locator('button[type="submit"]').click()
    result = page.locator("#import-result")
    status = result.locator('.alert[role="status"]')
    expect(status).to_be_visible()
    assert _numbers(status.inner_text()) == [1, 0, 0], status.inner_text()
    assert not Unit.objects.filter(credit_code=code).exists()  # the preview writes nothing
    confirm = result.locator("form:has(input[name='token'])").locator('button[type="submit"]:not([name="cancel"])')
    expect(confirm).to_contain_text("确认")
    confirm.click()
    expect(page.locator("#import-result .alert-success")).to_be_visible()
    unit = Unit.objects.get(credit_code=code)
    entry = AuthorityEntry.objects.get(credit_code=code)
    assert (unit.name, unit.area, entry.unit) == (NAME, area, unit)

    # the to-do home counts it; its card leads to the entries awaiting contact, ours among them as 待对接
    assert _todo_count(page, "units-intake-open") == pending_before + 1
    page.locator("#todo-units-intake-open").click()
    expect(page).to_have_url(re.compile(r"/units/intake/\?due=open"))
    row = _row(page, "main table tbody", NAME)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("待对接")
    expect(row).to_contain_text(code)

    # ---- 2. contacted; an instructor assigned, a visit recorded: 工作覆盖 -------------------------------------------
    row.get_by_role("link", name=NAME).click()
    expect(page).to_have_url(re.compile(rf"/units/intake/{entry.pk}/$"))
    expect(page.locator("h1")).to_contain_text("待对接")
    page.fill("#mark-contacted [name=note]", "电话联系企业负责人，约定走访")
    page.locator("#mark-contacted button[type=submit]").click()
    _saved(page)
    expect(page.locator("h1")).to_contain_text("已对接")
    expect(page.locator("#mark-contacted")).to_have_count(0)
    entry.refresh_from_db()
    assert (entry.status, entry.contacted_on) == ("connected", today)
    assert _todo_count(page, "units-intake-open") == pending_before

    page.goto(entry.get_absolute_url())
    page.locator("main").get_by_role("link", name=NAME).click()
    expect(page).to_have_url(re.compile(rf"/units/{unit.pk}/$"))
    coverage = page.locator("#coverage")
    expect(coverage).to_contain_text("无指导员")
    add = page.locator("#unit-instructor-add")
    expect(add).to_have_text(re.compile("选派指导员或联络员"))
    add.click()
    page.select_option("#id_kind", "instructor")
    page.fill("#id_name", "韩指导")
    page.fill("#id_sent_by", "街道综合党委")
    page.locator("#action-form button[type=submit]").click()
    _saved(page)
    expect(page.locator("main")).to_contain_text("党建工作指导员")
    page.locator("#visits").get_by_role("link", name="登记走访").click()
    page.fill("#id_content", "宣讲党的政策，了解职工中党员情况")
    page.fill("#id_next_step", "摸排流动党员")
    page.locator("#action-form button[type=submit]").click()
    _saved(page)
    expect(_row(page, "#visits tbody", "宣讲党的政策")).to_contain_text(today.isoformat())

    page.goto(unit.get_absolute_url())
    expect(coverage).to_contain_text("韩指导")
    expect(coverage).not_to_contain_text("无指导员")
    expect(_row(page, "#instructors tbody", "韩指导")).to_contain_text(today.isoformat())  # last visit

    # ---- 3. the community's 联席会: a seat for the unit, a decision it owns, followed to done on time -------------
    page.goto("/units/councils/")
    page.locator("main table").get_by_role("link", name=council.name).click()
    on_time_before = int(page.locator("#record-on-time").inner_text())
    page.get_by_role("link", name="添加成员").click()
    page.select_option("#id_unit", str(unit.pk))
    page.fill("#id_representative", "赵经理")
    page.locator("#action-form button[type=submit]").click()
    expect(_row(page, "#seats tbody", NAME)).to_contain_text("赵经理")

    page.get_by_role("link", name="添加议定事项").click()
    due = today + datetime.timedelta(days=30)
    page.fill("#id_title", "开放会议室供居民议事")
    page.select_option("#id_owner", str(unit.pk))
    page.fill("#id_due_on", due.isoformat())
    page.locator("#parented-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/units/decisions/\d+/$"))  # saved: the decision's own page
    decision = Decision.objects.get(council=council, title="开放会议室供居民议事")
    assert page.url.endswith(f"/units/decisions/{decision.pk}/")
    facts = page.locator("main table").first
    expect(facts).to_contain_text(NAME)
    expect(facts).to_contain_text(due.isoformat())
    for value, shown in (("in_progress", "推进中"), ("done", "已完成")):
        page.select_option("#decision-status [name=status]", value)
        page.locator("#decision-status button[type=submit]").click()
        expect(page.locator(".alert-success").first).to_contain_text("状态")
        expect(_row(page, "main table", "状态").first).to_contain_text(shown)
    expect(page.locator("#decision-status")).to_have_count(0)  # closed: no further step
    expect(facts).to_contain_text(today.isoformat())  # closed on
    page.locator("main table").get_by_role("link", name=council.name).click()
    expect(page.locator("#record-on-time")).to_have_text(str(on_time_before + 1))
    expect(_row(page, "#decisions tbody", "开放会议室供居民议事")).to_contain_text("按期")

    # ---- 4. the three lists: the unit offers a venue; a need finds it; a project takes both --------------------
    page.goto("/units/resources/")  # no page links to ?unit= yet: the unit is chosen on the form
    page.locator("main").get_by_role("link", name="新增").click()
    page.select_option("#id_unit", str(unit.pk))
    page.select_option("#id_category", "venue")
    page.fill("#id_title", "二楼多功能会议室")
    page.fill("#id_capacity", "60")
    page.fill("#id_opening_hours", "工作日 18:00-21:00")
    page.locator("main form button[type=submit]").click()
    _saved(page)
    resource = Resource.objects.get(unit=unit, title="二楼多功能会议室")

    page.goto("/units/needs/")
    page.locator("main").get_by_role("link", name="新增").click()
    page.fill("#id_org_search", community.code)
    page.locator(f'#id_org_results .sqdj-pick-item[data-code="{community.code}"]').click()
    expect(page.locator("#id_org")).to_have_value(str(community.pk))
    page.select_option("#id_category", "venue")
    page.fill("#id_title", "居民议事会场地")
    page.fill("#id_beneficiaries", "社区居民代表")
    page.fill("#id_wanted_from", today.isoformat())
    page.fill("#id_wanted_until", (today + datetime.timedelta(days=90)).isoformat())
    page.fill("#id_people", "40")
    page.locator("main form button[type=submit]").click()
    _saved(page)
    need = Need.objects.get(org=community, title="居民议事会场地")
    expect(page).to_have_url(re.compile(rf"/units/needs/{need.pk}/$"))
    suggestion = page.locator(f'#suggestions tr.suggestion[data-resource="{resource.pk}"]')
    expect(suggestion).to_contain_text("二楼多功能会议室")
    expect(suggestion).to_contain_text(NAME)
    start = suggestion.get_by_role("link", name="以此资源发起项目")
    expect(start).to_be_visible()
    start.click()
    expect(page.locator("#id_need")).to_have_value(str(need.pk))  # prefilled: the need, its org, the resource
    expect(page.locator("#id_org")).to_have_value(str(community.pk))
    assert page.locator("#id_resources").evaluate("s => [...s.selectedOptions].map(o => o.value)") == [str(resource.pk)]
    page.fill("#id_title", "居民议事会进企业")
    page.fill("#id_starts_on", today.isoformat())
    page.locator("main form button[type=submit]").click()
    _saved(page)
    project = Project.objects.get(need=need)
    assert list(project.resources.all()) == [resource]
    expect(_row(page, "#project-resources tbody", "二楼多功能会议室")).to_contain_text(NAME)
    page.locator("main table").first.get_by_role("link", name="居民议事会场地").click()
    expect(_row(page, "main table", "状态").first).to_contain_text("已匹配")
    expect(_row(page, "#related-projects tbody", "居民议事会进企业")).to_be_visible()
    expect(page.locator(f'#suggestions tr.suggestion[data-resource="{resource.pk}"]')).to_have_count(0)


def test_unit_liaison_sees_only_their_own_unit(page, demo, login):
    mine = UnitContact.objects.get(user__username="danwei", ended_on__isnull=True).unit
    other = Unit.objects.exclude(pk=mine.pk).order_by("pk").first()
    owned = Decision.objects.filter(owner=mine).order_by("pk").first()
    assert owned is not None  # the demo liaison's unit owns its council's first decision
    member = Member.objects.order_by("pk").first()

    _as(page, login, "danwei")
    response = page.goto(mine.get_absolute_url())
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_contain_text(mine.name)
    expect(page.locator("#coverage")).to_contain_text("党的工作覆盖")
    decision = page.locator("#decisions").get_by_role("link", name=owned.title)
    expect(decision).to_be_visible()  # its council decisions, each opening
    expect(page.locator("#unit-instructor-add")).to_have_count(0)  # read only
    decision.click()
    expect(page.locator("h1")).to_contain_text(owned.title)
    expect(page.locator("#decision-status")).to_have_count(0)

    # its projects and agreements, and nobody else's: the projects from the menu (the needs are the community's)
    page.get_by_role("link", name="共建项目").first.click()
    expect(page).to_have_url(re.compile(r"/units/projects/$"))
    projects = Project.objects.filter(resources__unit=mine).distinct()
    assert projects.exists()
    expect(page.locator("main table tbody tr")).to_have_count(projects.count())
    expect(page.locator("main table tbody")).to_contain_text(projects[0].title)
    page.goto("/units/agreements/")
    expect(page.locator("main table tbody tr")).to_have_count(mine.agreements.count())

    response = page.goto(other.get_absolute_url())
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("页面不存在")
    expect(page.locator("body")).not_to_contain_text(other.name)

    # no member's personal data: neither the members list nor a member's page
    response = page.goto("/members/")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("没有权限")
    expect(page.locator("main table tbody tr")).to_have_count(0)
    response = page.goto(member.get_absolute_url())
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text(member.name)
