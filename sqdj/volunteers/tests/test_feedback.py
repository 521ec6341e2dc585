"""Feedback letters to the members' units (反馈, issue 16 item 5): drafted by the community side from the records
of its community for a quarter or a year, edited, signed off with a number (then final); the unit side reads only
signed letters, a third org nothing. Bad input: a Chinese message and nothing written; two admins at once: one wins."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core import audit, dates
from sqdj.core.models import AuditEvent, ObjectChange
from sqdj.core.plugins import todo_sources
from sqdj.core.services import Conflict, ScopeViolation
from sqdj.members.services import do_create_member, do_end_registration, do_register
from sqdj.orgs.services import do_create_org
from sqdj.testing import PASSWORD, ScopedViewTests, build_world
from sqdj.testing.api import ScopedAPITests, api_client
from sqdj.testing.concurrency import race
from sqdj.testing.members import member_data
from sqdj.testing.pdf import assert_cjk_fonts_embedded, read_pdf
from sqdj.volunteers import feedback as services
from sqdj.volunteers.feedback_views import FeedbackViews, feedback_pdf_bytes
from sqdj.volunteers.models import (
    Activity,
    Feedback,
    Post,
    PostClaim,
    PostKind,
    ServiceHours,
    Signup,
    Team,
    TeamMember,
)

D = datetime.date
START, END = D(2025, 7, 1), D(2025, 9, 30)  # 2025 Q3
DAY = datetime.timedelta(days=1)
FEB = D(2025, 2, 1)
TZ = timezone.get_current_timezone()


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)


class FeedbackWorld:
    """A unit's org (outside both communities' lines) whose members registered with 甲社区 (admin1's) and 乙社区
    (admin2's); the unit's admin is the unit side. Records in and around 2025 Q3 for 赵一."""

    def __init__(self):
        self.w = w = build_world()
        self.unit = do_create_org(acting_user=None, parent=w.district, code="DWZB9", name="丙公司党支部", type="branch")
        self.unit_admin = do_create_user("unitadmin", password=PASSWORD, validate=False)
        do_grant_role(self.unit_admin, role="branch_admin", org=self.unit, descendants=True)
        self.admin2 = do_create_user("admin2", password=PASSWORD, validate=False)
        do_grant_role(self.admin2, role="community_admin", org=w.community2, descendants=True)
        ca1, ca2 = w.community_area1, w.community_area2

        def member(seq, name, community, on):
            m = do_create_member(acting_user=None, **member_data(self.unit, seq=seq, name=name))
            return m, do_register(m, acting_user=None, community=community, registered_on=on)

        self.m1, self.reg1 = member(61, "赵一", ca1, D(2025, 1, 10))
        self.m2, self.reg2 = member(62, "钱二", ca1, END)  # registered on the period's last day: in
        self.m3, self.reg3 = member(63, "孙三", ca2, D(2025, 1, 10))  # the other community
        self.m4, self.reg4 = member(64, "李四", ca1, D(2025, 1, 10))
        do_end_registration(self.reg4, acting_user=None, reason="moved", ended_on=START - DAY)  # ended the day before
        self.m5, self.reg5 = member(65, "周五", ca1, D(2025, 1, 10))
        do_end_registration(self.reg5, acting_user=None, reason="moved", ended_on=START)  # ended on the first day: in
        self.m6, self.reg6 = member(66, "吴六", ca1, END + DAY)  # registered the day after: out
        self.records()

    def records(self):
        w, m = self.w, self.m1
        ca1, ca2 = w.community_area1, w.community_area2
        kind = PostKind.objects.create(code="XCY", name="宣传员")

        def post(title, community=ca1, org=w.community1, **kw):
            return Post.objects.create(org=org, community=community, kind=kind, service_area="culture", title=title,
                                       starts_on=D(2025, 1, 1), **kw)  # fmt: skip

        def claim(p, state="approved", decided=FEB, **kw):
            return PostClaim.objects.create(post=p, member=m, state=state, applied_on=D(2025, 1, 20),
                                            decided_at=at(decided) if decided else None, **kw)  # fmt: skip

        claim(post("楼栋宣传员"))
        claim(post("矛盾调解员"), state="ended", ended_on=START - DAY, end_reason="asked")  # ended before: out
        claim(post("垃圾分类示范员"), decided=END)  # approved on the last day: in
        claim(post("政策传播员"), state="ended", decided=None, ended_on=START, end_reason="asked")  # ended in it: in
        claim(post("便民服务员"), state="pending", decided=None)  # not approved: out
        claim(post("外社区岗位", community=ca2, org=w.community2))  # another community: out
        claim(post("新岗位"), decided=END + DAY)  # approved after: out

        def team(name, community=ca1):
            return Team.objects.create(org=w.community1, community=community, name=name, service_area="safety",
                                       founded_on=D(2024, 1, 1))  # fmt: skip

        TeamMember.objects.create(team=team("平安志愿队"), member=m, state="approved", applied_on=D(2025, 1, 5),
                                  decided_at=at(D(2025, 1, 6)))  # fmt: skip
        TeamMember.objects.create(team=team("文艺队"), member=m, state="declined", applied_on=D(2025, 1, 5))

        def activity(title, starts, community=ca1, **kw):
            return Activity.objects.create(org=w.community1, community=community, service_area="other", title=title,
                                           place="社区广场", starts_at=starts,
                                           ends_at=starts + datetime.timedelta(minutes=30), **kw)  # fmt: skip

        def signup(a, **kw):
            return Signup.objects.create(activity=a, member=m, signed_up_at=a.starts_at - 3 * DAY, **kw)

        signup(activity("第一天", at(START, 0, 0)))  # in
        signup(activity("最后一天", at(END, 23, 0)))  # in
        signup(activity("到场", at(D(2025, 8, 1))), attended=True)  # in
        signup(activity("前一天", at(START - DAY, 23, 30)))  # out
        signup(activity("后一天", at(END + DAY, 0, 0)))  # out
        signup(activity("取消了", at(D(2025, 8, 2)), cancelled_on=D(2025, 7, 30), cancel_reason="下雨"))  # out
        signup(activity("退出了", at(D(2025, 8, 3))), withdrawn_at=at(D(2025, 7, 20)))  # out
        signup(activity("缺席", at(D(2025, 8, 4))), attended=False)  # out
        signup(activity("外社区", at(D(2025, 8, 5)), community=ca2))  # out

        def hours(day, h, state="verified", community=ca1):
            return ServiceHours.objects.create(member=m, org=w.community1, community=community, served_on=day,
                                               hours=Decimal(h), content="服务", place="社区", source="recorded",
                                               state=state, recorded_at=at(day))  # fmt: skip

        hours(START, "2.5")  # in
        hours(END, "3")  # in
        hours(START - DAY, "4")  # out
        hours(END + DAY, "4")  # out
        hours(D(2025, 8, 1), "5", state="pending")  # out
        hours(D(2025, 8, 1), "6", state="rejected")  # out
        hours(D(2025, 8, 1), "7", community=ca2)  # out

    def draft(self, user=None):
        return services.do_draft_feedback(acting_user=user or self.w.admin1, org=self.w.community1,
                                          period_kind="quarter", year=2025, quarter=3)  # fmt: skip

    def letter(self, member):
        return Feedback.objects.get(member=member, period_start=START)

    def signed(self, member, evaluation="good"):
        fb = self.letter(member)
        fb = services.do_edit_feedback(fb, acting_user=self.w.admin1, evaluation=evaluation, note="表现突出")
        return services.do_sign_feedback(fb, acting_user=self.w.admin1, version=fb.version)


@pytest.fixture
def fw(db):
    return FeedbackWorld()


# ---- drafting -----------------------------------------------------------------------------------------------


def test_the_round_is_drafted_from_the_records_of_the_period(fw):
    before = ObjectChange.objects.filter(content_type__model="feedback").count()
    assert fw.draft() == (3, 0)
    drafted = {fb.member_id: fb for fb in Feedback.objects.filter(period_start=START)}
    # registered during the period (on its last day; ended on its first day): in; ended before, registered after,
    # another community: out
    assert set(drafted) == {fw.m1.pk, fw.m2.pk, fw.m5.pk}
    fb = drafted[fw.m1.pk]
    assert set(fb.posts.split("、")) == {"楼栋宣传员", "垃圾分类示范员", "政策传播员"}
    assert fb.teams == "平安志愿队"
    assert fb.activities == 3
    assert fb.hours == Decimal("5.5")
    assert (fb.org, fb.community, fb.unit_org) == (fw.w.community1, fw.w.community_area1, fw.unit)
    assert (fb.period_kind, fb.period_start, fb.period_end, fb.state) == ("quarter", START, END, "draft")
    empty = drafted[fw.m2.pk]
    assert (empty.posts, empty.teams, empty.activities, empty.hours) == ("", "", 0, 0)
    # one change-log row each, attributed
    changes = ObjectChange.objects.filter(content_type__model="feedback")
    assert changes.count() == before + 3 and set(changes.values_list("user", flat=True)) == {fw.w.admin1.pk}
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.event, event.object_type, event.detail["created"]) == ("import", "volunteers.feedback", 3)
    assert audit.verify()["ok"]
    # again: every member has a letter for the period
    assert fw.draft() == (0, 3)
    # the year's round counts the whole year
    created, _skipped = services.do_draft_feedback(acting_user=fw.w.admin1, org=fw.w.community1, period_kind="year",
                                                   year=2025)  # fmt: skip
    year = Feedback.objects.get(member=fw.m1, period_kind="year")
    assert created == 5 and (year.period_start, year.period_end) == (D(2025, 1, 1), D(2025, 12, 31))
    assert year.hours == Decimal("13.5") and year.activities == 5
    assert set(year.posts.split("、")) == {"楼栋宣传员", "矛盾调解员", "垃圾分类示范员", "政策传播员", "新岗位"}


def test_drafting_takes_a_few_queries_whatever_the_number_of_members(fw, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        fw.draft()


@pytest.mark.parametrize(
    "kwargs, field, message",
    [
        ({"period_kind": "month", "year": 2025}, "period_kind", "请选择季度或年度"),
        ({"period_kind": "quarter", "year": 2025, "quarter": 5}, "quarter", "请选择季度"),
        ({"period_kind": "quarter", "year": 2025}, "quarter", "请选择季度"),
        ({"period_kind": "year", "year": 1999}, "year", "2000"),
        ({"period_kind": "year", "year": 9999}, "year", "2000"),
    ],
)
def test_a_bad_period_is_refused_and_nothing_written(fw, kwargs, field, message):
    with pytest.raises(ValidationError) as exc:
        services.do_draft_feedback(acting_user=fw.w.admin1, org=fw.w.community1, **kwargs)
    assert message in exc.value.message_dict[field][0]
    assert not Feedback.objects.exists()


def test_a_period_not_yet_begun_is_refused(fw, monkeypatch):
    monkeypatch.setattr(dates, "today", lambda: D(2026, 5, 10))
    with pytest.raises(ValidationError) as exc:
        services.do_draft_feedback(acting_user=fw.w.admin1, org=fw.w.community1, period_kind="quarter", year=2026,
                                   quarter=3)  # fmt: skip
    assert "尚未开始" in exc.value.message_dict["quarter"][0]
    # the quarter in progress may be drafted
    assert services.do_draft_feedback(acting_user=fw.w.admin1, org=fw.w.community1, period_kind="quarter",
                                      year=2026, quarter=2)[0] >= 1  # fmt: skip


def test_who_drafts_and_for_which_org(fw):
    with pytest.raises(ScopeViolation):  # another community's org
        services.do_draft_feedback(acting_user=fw.w.admin1, org=fw.w.community2, period_kind="year", year=2025)
    with pytest.raises(ScopeViolation):  # the unit side does not write letters
        services.do_draft_one(fw.reg1, acting_user=fw.unit_admin, period_kind="year", year=2025)
    with pytest.raises(ValidationError) as exc:  # an org above the communities
        services.do_draft_feedback(acting_user=fw.w.superuser, org=fw.w.street, period_kind="year", year=2025)
    assert "社区" in exc.value.message_dict["org"][0]
    assert not Feedback.objects.exists()


def test_one_members_letter_and_its_bad_inputs(fw):
    with pytest.raises(ValidationError) as exc:
        services.do_draft_one(fw.reg4, acting_user=fw.w.admin1, period_kind="quarter", year=2025, quarter=3)
    assert exc.value.message_dict["registration"] == ["该党员的报到在此期间之前已结束"]
    with pytest.raises(ValidationError) as exc:
        services.do_draft_one(fw.reg6, acting_user=fw.w.admin1, period_kind="quarter", year=2025, quarter=3)
    assert "registration" in exc.value.message_dict
    assert not Feedback.objects.exists()
    fb = services.do_draft_one(fw.reg1, acting_user=fw.w.admin1, period_kind="quarter", year=2025, quarter=3)
    assert (fb.hours, fb.activities, fb.org) == (Decimal("5.5"), 3, fw.w.community1)
    with pytest.raises(ValidationError) as exc:
        services.do_draft_one(fw.reg1, acting_user=fw.w.admin1, period_kind="quarter", year=2025, quarter=3)
    assert "已有" in exc.value.message_dict["registration"][0]


# ---- editing and signing off ----------------------------------------------------------------------------------


def test_edit_refresh_sign_and_then_final(fw):
    fw.draft()
    fb = fw.letter(fw.m1)
    with pytest.raises(ValidationError) as exc:
        services.do_sign_feedback(fb, acting_user=fw.w.admin1, version=fb.version)
    assert "评价" in exc.value.message_dict["evaluation"][0]
    with pytest.raises(ValidationError):
        services.do_edit_feedback(fb, acting_user=fw.w.admin1, evaluation="excellent")
    fb.refresh_from_db()
    assert (fb.evaluation, fb.version, fb.state) == ("", 1, "draft")
    ServiceHours.objects.create(member=fw.m1, org=fw.w.community1, community=fw.w.community_area1,
                                served_on=D(2025, 8, 8), hours=Decimal("1.5"), content="补录", place="社区",
                                source="recorded", state="verified", recorded_at=at(D(2025, 8, 8)))  # fmt: skip
    fb = services.do_edit_feedback(fb, acting_user=fw.w.admin1, evaluation="fairly_good", note="积极参加",
                                   version=1, refresh=True)  # fmt: skip
    assert (fb.evaluation, fb.note, fb.hours, fb.version) == ("fairly_good", "积极参加", Decimal("7.0"), 2)
    with pytest.raises(Conflict):  # a stale version: someone saved in between
        services.do_edit_feedback(fb, acting_user=fw.w.admin1, evaluation="good", version=1)
    fb = services.do_sign_feedback(fb, acting_user=fw.w.admin1, version=2)
    today = dates.today()
    assert fb.state == "signed" and fb.number == f"FK{today.year}-000001"
    assert (fb.signed_by, fb.signed_on) == (fw.w.admin1, today)
    second = fw.signed(fw.m2)
    assert second.number == f"FK{today.year}-000002"
    for call in (lambda: services.do_edit_feedback(fb, acting_user=fw.w.admin1, evaluation="poor"),
                 lambda: services.do_sign_feedback(fb, acting_user=fw.w.admin1, version=fb.version)):  # fmt: skip
        with pytest.raises(Conflict, match="已签发"):
            call()
    fb.refresh_from_db()
    assert (fb.evaluation, fb.number) == ("fairly_good", f"FK{today.year}-000001")


def test_the_unit_side_and_a_third_org_never_write(fw):
    fw.draft()
    fb = fw.letter(fw.m1)
    for user in (fw.unit_admin, fw.admin2):
        with pytest.raises(ScopeViolation):
            services.do_edit_feedback(fb, acting_user=user, evaluation="poor")
        with pytest.raises(ScopeViolation):
            services.do_sign_feedback(fb, acting_user=user, version=1)
    fb.refresh_from_db()
    assert (fb.evaluation, fb.state) == ("", "draft")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking between two connections needs PostgreSQL")
def test_two_admins_signing_at_once_one_wins_one_conflicts():
    fw = FeedbackWorld()
    fw.draft()
    fb = fw.letter(fw.m1)
    fb = services.do_edit_feedback(fb, acting_user=fw.w.admin1, evaluation="good")
    other = do_create_user("admin1b", password=PASSWORD, validate=False)
    do_grant_role(other, role="community_admin", org=fw.w.community1, descendants=True)
    results = race(
        lambda: services.do_sign_feedback(Feedback.objects.get(pk=fb.pk), acting_user=fw.w.admin1, version=2),
        lambda: services.do_edit_feedback(
            Feedback.objects.get(pk=fb.pk), acting_user=other, evaluation="poor", version=2
        ),  # fmt: skip
    )
    assert sum(isinstance(r, Feedback) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    if Feedback.objects.get(pk=fb.pk).state == "draft":  # the edit won: now two signs race
        results = race(*(lambda u=u: services.do_sign_feedback(Feedback.objects.get(pk=fb.pk), acting_user=u,
                                                               version=3) for u in (fw.w.admin1, other)))  # fmt: skip
        assert sum(isinstance(r, Feedback) for r in results) == 1, results
        assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert Feedback.objects.filter(number__isnull=False).count() == 1


# ---- the pages, both sides -------------------------------------------------------------------------------------


def test_the_unit_side_sees_only_signed_letters_and_a_third_org_nothing(fw, client):
    fw.draft()
    signed, draft = fw.signed(fw.m1), fw.letter(fw.m2)
    client.force_login(fw.unit_admin)
    listed = client.get(reverse("volunteers:feedback_list"))
    assert {row.record.pk for row in listed.context["table"].page.object_list} == {signed.pk}
    html = listed.content.decode()
    assert "feedback-draft-form" in html  # a branch admin may draft for an org of theirs standing in a community
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("volunteers:feedback_pdf", args=[draft.pk])).status_code == 404
    page = client.get(signed.get_absolute_url())
    assert page.status_code == 200 and 'id="feedback-pdf"' in page.content.decode()
    assert 'id="feedback-sign"' not in page.content.decode()
    assert client.get(reverse("volunteers:feedback_edit", args=[signed.pk])).status_code == 403
    r = client.get(reverse("volunteers:feedback_pdf", args=[signed.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    client.force_login(fw.admin2)
    for fb in (signed, draft):
        for name in ("feedback", "feedback_edit", "feedback_sign", "feedback_pdf", "feedback_changes"):
            assert client.get(reverse(f"volunteers:{name}", args=[fb.pk])).status_code == 404, name
    listed = client.get(reverse("volunteers:feedback_list"))
    assert not list(listed.context["table"].page.object_list)


def test_the_community_side_drafts_edits_and_signs_on_its_pages(fw, client):
    client.force_login(fw.w.admin1)
    page = client.get(reverse("volunteers:feedback_list"))
    assert 'id="feedback-draft-form"' in page.content.decode()
    r = client.post(reverse("volunteers:feedback_draft"), {"org": fw.w.community1.pk, "period_kind": "quarter",
                                                           "year": 2025, "quarter": ""},
                    HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert r.status_code == 200 and "请选择季度" in r.content.decode()
    assert not Feedback.objects.exists()
    r = client.post(reverse("volunteers:feedback_draft"), {"org": fw.w.community1.pk, "period_kind": "quarter",
                                                           "year": 2025, "quarter": 3})  # fmt: skip
    assert r.status_code == 302 and Feedback.objects.count() == 3
    fb = fw.letter(fw.m1)
    detail = client.get(fb.get_absolute_url()).content.decode()
    assert 'id="feedback-sign"' in detail and "feedback-pdf" not in detail
    assert client.get(reverse("volunteers:feedback_pdf", args=[fb.pk])).status_code == 404  # a draft: no PDF
    edit = reverse("volunteers:feedback_edit", args=[fb.pk])
    r = client.post(edit, {"evaluation": "good", "note": "热心服务", "version": 1})
    assert r.status_code == 302
    r = client.post(edit, {"evaluation": "poor", "note": "", "version": 1}, follow=True,
                    HTTP_ACCEPT_LANGUAGE="zh-hans")  # a stale page: told, nothing written  # fmt: skip
    assert "已有他人先行修改" in r.content.decode()
    fb.refresh_from_db()
    assert (fb.evaluation, fb.version) == ("good", 2)
    r = client.post(reverse("volunteers:feedback_sign", args=[fb.pk]), {"version": 2})
    assert r.status_code == 302
    fb.refresh_from_db()
    assert fb.state == "signed" and fb.number
    detail = client.get(fb.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="feedback-final"' in detail and 'id="feedback-sign"' not in detail
    assert client.get(edit).status_code == 403  # final
    todo = client.get(reverse("volunteers:feedback_list") + "?to_sign=true")
    assert {row.record.pk for row in todo.context["table"].page.object_list} == {
        f.pk for f in Feedback.objects.filter(state="draft")
    }


def test_the_todo_counts_the_rows_its_link_opens(fw, client):
    fw.draft()
    fw.signed(fw.m1)
    source = next(s for s in todo_sources() if s.key == "feedback-to-sign")
    assert source.collect(fw.unit_admin) == [] and source.collect(fw.admin2) == []
    (todo,) = source.collect(fw.w.admin1)
    client.force_login(fw.w.admin1)
    page = client.get(todo.url)
    assert todo.count == 2 == page.context["table"].paginator.count
    assert source.collect(fw.w.viewer1) == []


def test_the_pdf_says_who_to_whom_what_with_the_cjk_font_embedded(fw):
    fw.draft()
    fb = fw.signed(fw.m1, evaluation="fairly_good")
    with translation.override("zh-hans"):
        pdf = feedback_pdf_bytes(Feedback.objects.select_related("org", "unit_org", "member").get(pk=fb.pk))
    reader, text = read_pdf(pdf)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    text = text.replace("\n", "").replace(" ", "")
    for expected in (fw.w.community1.name, fw.unit.name, fb.number, "赵一", "5.5", "较好", "表现突出", "楼栋宣传员",
                     "2025年第3季度"):  # fmt: skip
        assert expected in text, expected
    assert_cjk_fonts_embedded(reader)


# ---- the scope contracts --------------------------------------------------------------------------------------


class FeedbackScope:
    @classmethod
    def setUpTestData(cls):
        cls.fw = FeedbackWorld()
        cls.world = cls.fw.w
        cls.fw.draft()
        cls.mine = cls.fw.letter(cls.fw.m1)
        cls.away = services.do_draft_one(cls.fw.reg3, acting_user=cls.fw.admin2, period_kind="quarter", year=2025,
                                         quarter=3)  # fmt: skip

    def in_scope(self):
        return self.mine

    def out_of_scope(self):
        return self.away


class FeedbackViewTests(FeedbackScope, ScopedViewTests, TestCase):
    views = FeedbackViews

    def marker(self, obj):
        return obj.member.name

    def search_term(self, obj):
        return obj.member.name

    def test_in_scope_is_visible(self):
        self.login(self.world.admin1)
        obj = self.in_scope()
        self.assertEqual(self.client.get(self.url("", obj.pk)).status_code, 200)
        r = self.client.get(self.url("list"), {"q": self.search_term(obj)}, follow=True)
        self.assertContains(r, obj.member.name)

    def test_out_of_scope_is_404_everywhere(self):
        self.login(self.world.admin1)
        obj = self.out_of_scope()
        for page in ("", "edit", "sign", "pdf", "changes"):
            self.assertEqual(self.client.get(self.url(page, obj.pk)).status_code, 404, page)
        self.assertEqual(self.client.post(self.url("edit", obj.pk), self.update_data(obj)).status_code, 404)
        r = self.client.get(self.url("list"), {"q": obj.member.name}, follow=True)  # (the box shows the words)
        self.assertFalse(list(r.context["table"].page.object_list))

    def create_data(self):
        return {"registration": self.fw.reg1.pk, "period_kind": "year", "year": 2025, "quarter": ""}

    def created(self):
        return Feedback.objects.get(member=self.fw.m1, period_kind="year")

    def update_data(self, obj):
        return {"evaluation": "good", "note": "认真负责", "version": obj.version}

    def test_export_holds_only_the_scope(self):
        """The letters have no export (no import template exists for them)."""

    def test_cannot_save_into_a_foreign_scope(self):
        """A letter never moves; one for a registration out of scope cannot be drafted, nothing is written."""
        self.login(self.world.admin1)
        before = Feedback.objects.count()
        r = self.client.post(self.url("add"), {**self.create_data(), "registration": self.fw.reg3.pk})
        self.assertEqual(r.status_code, 200)
        self.assertIn("registration", r.context["form"].errors)
        self.assertEqual(Feedback.objects.count(), before)


class FeedbackAPITests(FeedbackScope, ScopedAPITests, TestCase):
    basename = "feedback"
    scope_field = "registration"
    object_actions = {"sign": {"version": 1}}

    def create_data(self):
        return {"registration": self.fw.reg1.pk, "period_kind": "year", "year": 2025}

    def update_data(self, obj):
        return {"evaluation": "good", "note": "认真负责"}

    def foreign_value(self):
        return self.fw.reg3.pk

    def test_draft_sign_and_conflict(self):
        client = api_client(self.world.admin1)
        r = client.post(reverse("api:feedback-draft"), {"org": "SQT1", "period_kind": "year", "year": 2025})
        self.assertEqual((r.status_code, r.json()), (200, {"created": 5, "skipped": 0}))
        r = client.post(reverse("api:feedback-draft"), {"org": "SQT2", "period_kind": "year", "year": 2025})
        self.assertEqual(r.status_code, 400)  # an org out of scope: "does not exist"
        url = reverse("api:feedback-sign", args=[self.mine.pk])
        r = client.post(url, {"version": 1}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertEqual(r.status_code, 400)
        self.assertIn("evaluation", r.json())
        r = client.patch(self.detail_url(self.mine.pk), {"evaluation": "good"})
        self.assertEqual((r.status_code, r.json()["version"]), (200, 2))
        self.assertEqual(client.post(url, {"version": 1}).status_code, 409)
        r = client.post(url, {"version": 2})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertTrue(r.json()["number"].startswith("FK"))
        self.assertEqual(client.patch(self.detail_url(self.mine.pk), {"note": "再改"}).status_code, 409)
        # the unit side now reads it; a draft stays hidden from it
        unit = api_client(self.fw.unit_admin)
        self.assertEqual(unit.get(self.detail_url(self.mine.pk)).status_code, 200)
        draft = self.fw.letter(self.fw.m2)
        self.assertEqual(unit.get(self.detail_url(draft.pk)).status_code, 404)
        self.assertEqual(self.listed_ids(unit.get(self.list_url(), {"limit": 1000})), {self.mine.pk})

    def test_nul_and_bad_types_are_400(self):
        client = api_client(self.world.admin1)
        for body in ({"note": "a\x00b"}, {"refresh": "yes"}, {"evaluation": "excellent"}):
            r = client.patch(self.detail_url(self.mine.pk), body)
            self.assertEqual(r.status_code, 400, (body, r.content))


def test_every_feedback_page_reads_in_chinese(fw, client):
    """The crawl's rule (tests/test_crawl.py) on this part's pages, which the crawl of the demo may not reach: no
    English word among what a user reads in the page's main part."""
    from tests.test_crawl import _Page, _unreadable

    fw.draft()
    signed, draft = fw.signed(fw.m1), fw.letter(fw.m2)
    client.force_login(fw.w.admin1)
    urls = [reverse("volunteers:feedback_list"), reverse("volunteers:feedback_list") + "?to_sign=true",
            reverse("volunteers:feedback_add"), reverse("volunteers:feedback_draft"), signed.get_absolute_url(),
            draft.get_absolute_url(), reverse("volunteers:feedback_edit", args=[draft.pk]),
            reverse("volunteers:feedback_sign", args=[draft.pk]), reverse("volunteers:feedback_changes",
                                                                          args=[signed.pk])]  # fmt: skip
    for url in urls:
        r = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert r.status_code == 200, url
        html = r.content.decode()
        page = _Page()
        page.feed(html[html.index("<main") : html.index("</main>")])
        assert not _unreadable(" ".join(page.text), {"admin1"}), (url, _unreadable(" ".join(page.text), set()))
    client.force_login(fw.w.superuser)  # an org above the communities: the service's message on the form
    r = client.post(reverse("volunteers:feedback_draft"), {"org": fw.w.street.pk, "period_kind": "year",
                                                           "year": 2025}, HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert r.status_code == 200 and "该党组织不在任何社区内" in r.content.decode()
