"""Service records and hours (issue 16, item 4): recorded by the organizer (verified at once on the community's side,
else waiting), declared by the member and verified by the community — two steps with who and when; corrections keep
the history and go back for verification; bad input is a Chinese message with nothing written; two verifiers at
once: one success, one conflict. The pages through the scope gate (ScopedViewTests), a member sees their own only,
the unit side (the member's own org) reads but does not verify."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.areas.services import do_create_area
from sqdj.core import dates
from sqdj.core.models import ObjectChange
from sqdj.core.services import Conflict, ScopeViolation
from sqdj.members.self_service import do_link_user
from sqdj.members.services import do_create_member, do_register
from sqdj.orgs.services import do_create_org
from sqdj.testing import PASSWORD, ScopedViewTests, build_world
from sqdj.testing.concurrency import race
from sqdj.testing.members import member_data
from sqdj.volunteers import hours as services
from sqdj.volunteers.hours_views import ServiceHoursViews
from sqdj.volunteers.hours_workbench import todos
from sqdj.volunteers.models import Activity, ServiceHours, Signup

DAY = datetime.timedelta(days=1)


def _on():
    return dates.today() - 10 * DAY  # read when a world is built: no clock at import


def hours_world():
    """甲社区 (admin1's territory) with its org, a local member and an in-service member of 乙社区's branch registered
    there (admin2 holds that member: the unit side); the member `person` has an account; an activity of 甲社区 with
    both signed up; a unit org placed on a grid of 甲社区 whose admin records but is not on the community's side.
    Records: one verified in 甲社区, one declared and waiting there, one in 乙社区 (outside admin1's scope)."""
    w: Any = build_world()  # the shared world, with this part's people and records added
    w.on = on = _on()
    w.admin2 = do_create_user("admin2", password=PASSWORD, validate=False)
    do_grant_role(w.admin2, role="community_admin", org=w.community2, descendants=True)
    w.grid = do_create_area(acting_user=None, parent=w.community_area1, code="T01001001901", name="一网格", type="grid")
    w.community_area3 = do_create_area(acting_user=None, parent=w.street_area, code="T01001003", name="丙社区",
                                       type="community")  # fmt: skip
    w.unit = do_create_org(acting_user=None, parent=w.community1, code="DWHZ1", name="甲公司党支部", type="branch",
                           area=w.grid)  # fmt: skip
    w.unit_admin = do_create_user("unitadmin", password=PASSWORD, validate=False)
    do_grant_role(w.unit_admin, role="branch_admin", org=w.unit, descendants=True)
    w.local = do_create_member(acting_user=None, **member_data(w.branch1, seq=61, name="甲本地"))
    w.worker = do_create_member(acting_user=None, **member_data(w.unit, seq=62, name="孙单位"))
    w.inservice = do_create_member(acting_user=None, **member_data(w.branch2, seq=63, name="乙在职"))
    w.other = do_create_member(acting_user=None, **member_data(w.branch2, seq=64, name="丙他处"))
    do_register(w.inservice, acting_user=None, community=w.community_area1, registered_on=on - 30 * DAY)
    w.person = do_create_user("person", password=PASSWORD, validate=False)
    do_grant_role(w.person, role="member", org=w.branch2, descendants=False)
    w.inservice = do_link_user(w.inservice, w.person, acting_user=None)
    start = timezone.make_aware(datetime.datetime.combine(on, datetime.time(9)))
    w.activity = Activity.objects.create(org=w.community1, community=w.community_area1, service_area="other",
                                         title="清扫楼道", place="3号楼", starts_at=start,
                                         ends_at=start + datetime.timedelta(hours=3))  # fmt: skip
    for member in (w.local, w.inservice):
        Signup.objects.create(activity=w.activity, member=member, signed_up_at=start - DAY)
    common = {"served_on": on, "content": "楼道清扫", "place": "3号楼"}
    w.rec_here = services.do_record_hours(acting_user=w.admin1, member=w.local, org=w.community1, hours="2",
                                          **common)  # fmt: skip
    w.rec_pending = services.do_declare_hours(w.inservice, acting_user=w.person, community=w.community_area1,
                                              hours="1.5", **common)  # fmt: skip
    w.rec_away = services.do_record_hours(acting_user=w.admin2, member=w.other, org=w.community2, hours="3",
                                          **common)  # fmt: skip
    return w


@pytest.fixture
def w(db):
    return hours_world()


def _snapshot():
    return ServiceHours.objects.count(), ObjectChange.objects.count()


# ---- recording and declaring ---------------------------------------------------------------------


def test_recorded_on_the_community_side_is_verified_at_once(w):
    r = w.rec_here
    assert (r.state, r.source, r.verified_by, r.recorded_by) == ("verified", "recorded", w.admin1, w.admin1)
    assert r.verified_at is not None and (r.org, r.community) == (w.community1, w.community_area1)
    assert ObjectChange.objects.filter(content_type__model="servicehours", object_id=r.pk).count() == 1


def test_recorded_by_an_org_off_the_community_side_waits_for_the_community(w):
    r = services.do_record_hours(acting_user=w.unit_admin, member=w.worker, org=w.unit, served_on=w.on, hours="1",
                                 content="义诊", place="社区卫生站")  # fmt: skip
    assert (r.state, r.org, r.community, r.verified_by) == ("pending", w.unit, w.community_area1, None)
    assert not services.may_verify(r, w.unit_admin) and services.may_verify(r, w.admin1)
    done = services.do_verify_hours(r, acting_user=w.admin1, version=r.version)
    assert (done.state, done.verified_by) == ("verified", w.admin1)


def test_an_activity_gives_its_org_and_community(w):
    r = services.do_record_hours(acting_user=w.admin1, member=w.inservice, activity=w.activity, served_on=w.on,
                                 hours="2", content="清扫", place="3号楼")  # fmt: skip
    assert (r.org, r.community, r.activity, r.state) == (w.community1, w.community_area1, w.activity, "verified")
    with pytest.raises(ScopeViolation):  # the activity is not admin2's to record
        services.do_record_hours(acting_user=w.admin2, member=w.inservice, activity=w.activity, served_on=w.on,
                                 hours="1", content="清扫", place="3号楼")  # fmt: skip
    with pytest.raises(ScopeViolation):  # nor is a member admin1 cannot see
        services.do_record_hours(acting_user=w.admin1, member=w.other, org=w.community1, served_on=w.on, hours="1",
                                 content="清扫", place="3号楼")  # fmt: skip


def test_the_member_declares_in_own_communities_only(w):
    r = w.rec_pending
    assert (r.state, r.source, r.recorded_by, r.org, r.verified_by) == ("pending", "declared", w.person,
                                                                         w.community1, None)  # fmt: skip
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        services.do_declare_hours(w.inservice, acting_user=w.person, community=w.community_area3, served_on=w.on,
                                  hours="1", content="x", place="y")  # fmt: skip
    assert "社区" in exc.value.message_dict["community"][0]
    with pytest.raises(ScopeViolation):  # someone else's record
        services.do_declare_hours(w.local, acting_user=w.person, community=w.community_area1, served_on=w.on,
                                  hours="1", content="x", place="y")  # fmt: skip
    assert _snapshot() == before


# ---- bad input: both sides of each limit ---------------------------------------------------------


def _declare(w, **over):
    data = {"community": w.community_area1, "served_on": w.on - DAY, "hours": "1", "content": "讲解", "place": "活动室"}
    return services.do_declare_hours(w.inservice, acting_user=w.person, **{**data, **over})


@pytest.mark.parametrize(
    "over, field, message, good",
    [
        (
            {"served_on": lambda w: dates.today() + DAY},
            "served_on",
            "不能晚于今天",
            {"served_on": lambda w: dates.today()},
        ),
        ({"hours": "0"}, "hours", "大于 0", {"hours": "0.5"}),
        ({"hours": "-1"}, "hours", "大于 0", {"hours": "1"}),
        ({"hours": "24.5"}, "hours", "不超过 24", {"hours": "24"}),
        ({"hours": "1.25"}, "hours", "半小时", {"hours": "1.5"}),
        ({"hours": "abc"}, "hours", "数字", {"hours": "2"}),
        ({"content": "  "}, "content", "服务内容", {"content": "讲解"}),
        ({"place": ""}, "place", "地点", {"place": "活动室"}),
    ],
)
def test_bad_input_is_refused_and_nothing_written(w, over, field, message, good):
    def resolve(d):
        return {k: v(w) if callable(v) else v for k, v in d.items()}

    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        _declare(w, **resolve(over))
    assert message in exc.value.message_dict[field][0], exc.value.message_dict
    assert _snapshot() == before
    assert _declare(w, **resolve(good)).pk  # the other side of the limit is taken


def test_a_day_holds_24_hours_of_records_not_more(w):
    day = w.on - 2 * DAY
    _declare(w, served_on=day, hours="20")
    rejected = _declare(w, served_on=day, hours="4")
    services.do_reject_hours(rejected, acting_user=w.admin1, version=rejected.version, reason="重复申报")
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        _declare(w, served_on=day, hours="4.5")  # 20 + 4.5: the rejected 4 do not count
    assert "24 小时" in exc.value.message_dict["hours"][0] and "20" in exc.value.message_dict["hours"][0]
    assert _snapshot() == before
    assert _declare(w, served_on=day, hours="4").hours == Decimal("4")  # 24 exactly


def test_an_activity_record_is_not_before_its_day(w):
    common = {"acting_user": w.admin1, "member": w.local, "activity": w.activity, "hours": "1", "content": "清扫",
              "place": "3号楼"}  # fmt: skip
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        services.do_record_hours(served_on=w.on - DAY, **common)
    assert "活动" in exc.value.message_dict["served_on"][0]
    assert _snapshot() == before
    assert services.do_record_hours(served_on=w.on, **common).served_on == w.on


# ---- verification --------------------------------------------------------------------------------


def test_verify_and_reject_by_the_community_side_with_who_and_when(w):
    r = w.rec_pending
    for user in (w.admin2, w.viewer1, w.person):  # the unit side reads, the viewer reads, the member declared
        with pytest.raises(ScopeViolation):
            services.do_verify_hours(r, acting_user=user, version=r.version)
    with pytest.raises(Conflict, match="已被他人处理"):  # the page was read before a change
        services.do_verify_hours(r, acting_user=w.admin1, version=r.version + 1)
    done = services.do_verify_hours(r, acting_user=w.admin1, version=r.version)
    assert (done.state, done.verified_by) == ("verified", w.admin1) and done.verified_at is not None
    with pytest.raises(Conflict, match="已被他人处理"):  # decided already
        services.do_verify_hours(r, acting_user=w.admin1, version=done.version)
    with pytest.raises(Conflict):
        services.do_reject_hours(r, acting_user=w.admin1, version=done.version, reason="不实")


def test_reject_needs_a_reason(w):
    r = w.rec_pending
    with pytest.raises(ValidationError) as exc:
        services.do_reject_hours(r, acting_user=w.admin1, version=r.version, reason=" ")
    assert "reason" in exc.value.message_dict
    r.refresh_from_db()
    assert r.state == "pending"
    done = services.do_reject_hours(r, acting_user=w.admin1, version=r.version, reason="当天无此活动")
    assert (done.state, done.reject_reason) == ("rejected", "当天无此活动")


# ---- correction ----------------------------------------------------------------------------------


def test_a_correction_keeps_the_history_and_goes_back_for_verification(w):
    r = w.rec_here
    with pytest.raises(ScopeViolation):  # the unit side reads only
        services.do_correct_hours(r, acting_user=w.admin2, correction_reason="x", hours="3")
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        services.do_correct_hours(r, acting_user=w.admin1, correction_reason="", hours="3")
    assert "correction_reason" in exc.value.message_dict
    with pytest.raises(ValidationError, match="没有改动"):
        services.do_correct_hours(r, acting_user=w.admin1, correction_reason="核对", hours=r.hours)
    with pytest.raises(Conflict):
        services.do_correct_hours(r, acting_user=w.admin1, correction_reason="核对", hours="3", version=r.version + 1)
    assert _snapshot() == before
    done = services.do_correct_hours(r, acting_user=w.admin1, correction_reason="签到表核对", hours="3",
                                     version=r.version)  # fmt: skip
    assert (done.hours, done.version, done.state, done.verified_by) == (Decimal("3"), 2, "pending", None)
    change = ObjectChange.objects.filter(content_type__model="servicehours", object_id=r.pk).order_by("-pk")[0]
    diff = change.diff()
    assert diff["hours"] == ("2.0", "3") or diff["hours"][1] in ("3", "3.0", 3), diff
    assert diff["correction_reason"][1] == "签到表核对" and change.user == w.admin1
    assert services.do_verify_hours(done, acting_user=w.admin1, version=2).state == "verified"


# ---- the activity's roster -----------------------------------------------------------------------


def test_the_roster_form_records_all_rows_or_none(w, client):
    url = reverse("volunteers:activity_hours", args=[w.activity.pk])
    client.force_login(w.admin2)
    assert client.get(url).status_code == 404  # not admin2's activity, not even seen
    client.force_login(w.viewer1)
    assert client.get(url).status_code == 403
    client.force_login(w.admin1)
    page = client.get(url)
    assert page.status_code == 200 and "甲本地" in page.content.decode() and "乙在职" in page.content.decode()
    data = {"served_on": str(w.on), "content": "清扫楼道", "place": "3号楼",
            f"hours_{w.local.pk}": "2", f"hours_{w.inservice.pk}": "1.25"}  # fmt: skip
    before = _snapshot()
    r = client.post(url, data)
    assert r.status_code == 200 and r.context["form"].errors[f"hours_{w.inservice.pk}"]
    assert _snapshot() == before  # one bad row: nothing written
    r = client.post(url, {**data, f"hours_{w.inservice.pk}": "1.5"})
    assert r.status_code == 302
    made = ServiceHours.objects.filter(activity=w.activity).order_by("member__name")
    assert {(m.member_id, m.hours, m.state) for m in made} == {
        (w.local.pk, Decimal("2"), "verified"),
        (w.inservice.pk, Decimal("1.5"), "verified"),
    }
    page = client.get(url)  # recorded once: the rows are closed now
    assert f"hours_{w.local.pk}" not in page.context["form"].fields


# ---- pages ---------------------------------------------------------------------------------------


def _listed(client, query=""):
    r = client.get(reverse("volunteers:servicehours_list") + query)
    assert r.status_code == 200
    return {row.record.pk for row in r.context["table"].page.object_list}, r


def test_both_sides_list_and_a_member_sees_own_only(w, client):
    client.force_login(w.admin1)
    shown, r = _listed(client)
    assert shown == {w.rec_here.pk, w.rec_pending.pk}
    assert "3.5" in r.content.decode()  # the totals row: 2 + 1.5
    assert _listed(client, f"?month={w.on:%Y-%m}")[0] == shown
    assert _listed(client, "?month=2001-01")[0] == set()
    assert _listed(client, "?source=declared")[0] == {w.rec_pending.pk}
    assert _listed(client, f"?member={w.local.pk}")[0] == {w.rec_here.pk}
    client.force_login(w.admin2)  # the unit side reads its member's record (and its own territory's)
    assert _listed(client)[0] == {w.rec_pending.pk, w.rec_away.pk}
    assert client.get(w.rec_pending.get_absolute_url()).status_code == 200
    assert 'id="hours-verify"' not in client.get(w.rec_pending.get_absolute_url()).content.decode()
    r = client.post(reverse("volunteers:servicehours_verify", args=[w.rec_pending.pk]), {"version": 1})
    assert r.status_code == 403
    client.force_login(w.person)
    assert _listed(client)[0] == {w.rec_pending.pk}
    assert client.get(w.rec_here.get_absolute_url()).status_code == 404
    assert client.get(w.rec_pending.get_absolute_url()).status_code == 200


def test_verify_and_reject_through_the_pages(w, client):
    client.force_login(w.admin1)
    page = client.get(w.rec_pending.get_absolute_url()).content.decode()
    assert 'id="hours-verify"' in page and 'id="hours-correct"' in page
    url = reverse("volunteers:servicehours_verify", args=[w.rec_pending.pk])
    assert client.post(url, {"version": 1}).status_code == 302
    w.rec_pending.refresh_from_db()
    assert w.rec_pending.state == "verified"
    r = client.post(url, {"version": 1}, follow=True)  # again: someone (we) did it first
    assert "已被他人处理" in r.content.decode()
    r = client.post(reverse("volunteers:servicehours_reject", args=[w.rec_away.pk]), {"version": 1, "reason": "x"})
    assert r.status_code == 404
    declared = _declare(w)
    url = reverse("volunteers:servicehours_reject", args=[declared.pk])
    r = client.post(url, {"version": declared.version})
    assert r.status_code == 200 and r.context["form"].errors["reason"]
    assert client.post(url, {"version": declared.version, "reason": "无记录"}).status_code == 302
    declared.refresh_from_db()
    assert declared.state == "rejected"


def test_the_member_declares_on_a_phone_form(w, client):
    url = reverse("volunteers:servicehours_declare")
    client.force_login(w.admin1)
    assert client.get(url).status_code == 404  # no member record of their own
    client.force_login(w.person)
    assert client.get(url).status_code == 200
    data = {"community": w.community_area1.pk, "served_on": str(dates.today() + DAY), "hours": "2", "content": "讲解",
            "place": "活动室"}  # fmt: skip
    before = _snapshot()
    r = client.post(url, data)
    assert r.status_code == 200 and "不能晚于今天" in r.context["form"].errors["served_on"][0]
    assert _snapshot() == before
    r = client.post(url, {**data, "served_on": str(dates.today())})
    assert r.status_code == 302
    made = ServiceHours.objects.filter(member=w.inservice).latest("pk")
    assert (made.source, made.state, made.recorded_by) == ("declared", "pending", w.person)


def test_the_correction_page_and_the_history(w, client):
    client.force_login(w.viewer1)
    url = reverse("volunteers:servicehours_correct", args=[w.rec_here.pk])
    assert client.get(url).status_code == 403
    client.force_login(w.admin1)
    data = {"served_on": str(w.on), "hours": "2.5", "content": "楼道清扫", "place": "3号楼", "version": 1}
    r = client.post(url, data)
    assert r.status_code == 200 and r.context["form"].errors["correction_reason"]
    r = client.post(url, {**data, "correction_reason": "补记半小时"})
    assert r.status_code == 302
    page = client.get(w.rec_here.get_absolute_url()).content.decode()
    assert "补记半小时" in page and reverse("volunteers:servicehours_changes", args=[w.rec_here.pk]) in page
    r = client.post(url, {**data, "hours": "3", "correction_reason": "再改"}, follow=True)  # the old version
    assert "已被他人处理" in r.content.decode()


def test_the_todo_counts_what_the_list_it_opens_shows(w, client):
    (source,) = todos
    (todo,) = source.collect(w.admin1)
    client.force_login(w.admin1)
    assert todo.count == 1 and len(_listed(client, "?to_verify=true")[0]) == 1
    assert todo.url.endswith("?to_verify=true")
    client.force_login(w.admin2)  # sees the waiting record (the unit side), has nothing to verify
    assert source.collect(w.admin2) == [] and _listed(client, "?to_verify=true")[0] == set()
    assert source.collect(w.person) == []


# ---- two verifiers at once -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking between two connections needs PostgreSQL")
def test_two_verifiers_at_once_one_wins():
    w = hours_world()
    second = do_create_user("admin1b", password=PASSWORD, validate=False)
    do_grant_role(second, role="community_admin", org=w.community1, descendants=True)
    r = w.rec_pending
    results = race(
        lambda: services.do_verify_hours(r, acting_user=w.admin1, version=r.version),
        lambda: services.do_verify_hours(r, acting_user=second, version=r.version),
    )
    assert sorted(type(x).__name__ for x in results) == ["Conflict", "ServiceHours"], results
    r.refresh_from_db()
    assert r.state == "verified"
    assert ObjectChange.objects.filter(content_type__model="servicehours", object_id=r.pk, action="update").count() == 1


# ---- the scope contract of the pages -------------------------------------------------------------


class ServiceHoursViewTests(ScopedViewTests, TestCase):
    views = ServiceHoursViews

    @classmethod
    def setUpTestData(cls):
        cls.world = hours_world()

    @staticmethod
    def _named(record):
        record.name = record.member.name  # what the shared tests look for in a page: the member's name
        return record

    def in_scope(self):
        return self._named(self.world.rec_here)

    def out_of_scope(self):
        return self._named(self.world.rec_away)

    def marker(self, obj):
        return obj.member.name

    def search_term(self, obj):
        return obj.member.name_pinyin  # not the name: the page must not show it merely because it was typed

    def create_data(self):
        return {"member": self.world.local.pk, "org": self.world.community1.pk, "served_on": str(self.world.on),
                "hours": "1.5", "content": "政策宣讲", "place": "活动室"}  # fmt: skip

    def created(self):
        return ServiceHours.objects.get(content="政策宣讲")

    def update_data(self, obj):
        return {"served_on": str(obj.served_on), "hours": "2.5", "content": obj.content, "place": obj.place,
                "correction_reason": "核对签到表", "version": obj.version}  # fmt: skip

    def test_export_holds_only_the_scope(self):
        """The list has no export (no import template exists for service records)."""

    def test_cannot_save_into_a_foreign_scope(self):
        """A correction never moves a record; recording for an org outside the scope is refused, nothing written."""
        self.login(self.world.admin1)
        before = _snapshot()
        r = self.client.post(self.url("add"), {**self.create_data(), "org": self.world.community2.pk})
        self.assertEqual(r.status_code, 200)
        self.assertIn("org", r.context["form"].errors)
        self.assertEqual(_snapshot(), before)
