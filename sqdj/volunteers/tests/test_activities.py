"""Activities (issue 16 item 3): the organizing side publishes, changes and cancels them; members of the community
sign up (both sides of the capacity, not twice, not once cancelled or started; two members taking the last place at
once: one success, one refusal) and withdraw before the start (the row stays); the roster shows each user only the
sign-ups they may see; the organizer's attendance is optional and after the start. Bad input: a Chinese message and
nothing written. The pages and both endpoints through the scope gate (ScopedViewTests, ScopedAPITests)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core.models import ObjectChange
from sqdj.core.services import Conflict, ScopeViolation
from sqdj.members.self_service import do_link_user
from sqdj.members.services import do_create_member
from sqdj.orgs.services import do_create_org
from sqdj.testing import PASSWORD, ScopedViewTests, build_world
from sqdj.testing.api import ScopedAPITests, api_client
from sqdj.testing.concurrency import race
from sqdj.testing.members import member_data
from sqdj.volunteers import activities as services
from sqdj.volunteers.activity_views import ActivityViews
from sqdj.volunteers.activity_workbench import todos
from sqdj.volunteers.models import Activity, Signup, Team

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def member_user(username, member, org):
    user = do_create_user(username, password=PASSWORD, validate=False)
    do_grant_role(user, role="member", org=org, descendants=True)
    do_link_user(member, user, acting_user=None)
    member.refresh_from_db()
    return user


def activity(org, *, title="社区环境整治", start_in=2 * DAY, **over):
    starts = timezone.now() + start_in
    data = {"org": org, "organizer": "community", "service_area": "environment", "title": title, "place": "社区广场",
            "starts_at": starts, "ends_at": starts + 2 * HOUR, **over}  # fmt: skip
    return services.do_create_activity(acting_user=None, **data)


def activity_world():
    """Community 1's org publishes `a1` (two places) and `free` (no limit); community 2's `away`. `me` (branch 1,
    with a member account) and `mate` may sign up in community 1; `stranger` lives in community 2."""
    w = build_world()
    w.unit = do_create_org(acting_user=None, parent=w.community1, code="DWZB1", name="甲公司党支部", type="branch")
    w.me = do_create_member(acting_user=None, **member_data(w.branch1, seq=51, name="孙自己"))
    w.mate = do_create_member(acting_user=None, **member_data(w.branch1, seq=52, name="周同支"))
    w.third = do_create_member(acting_user=None, **member_data(w.branch1, seq=53, name="吴第三"))
    w.stranger = do_create_member(acting_user=None, **member_data(w.branch2, seq=54, name="郑他社"))
    w.me_user = member_user("dangyuan", w.me, w.branch1)
    w.mate_user = member_user("dangyuan2", w.mate, w.branch1)
    w.stranger_user = member_user("dangyuan3", w.stranger, w.branch2)
    w.a1 = activity(w.community1, capacity=2, title="助老送餐")
    w.free = activity(w.community1, title="文明劝导")
    w.away = activity(w.community2, title="乙社区义诊")
    return w


@pytest.fixture
def w(db):
    return activity_world()


def messages_of(exc) -> str:
    return " ".join(exc.value.messages)


def test_publishing_checks_every_field_and_writes_nothing_when_wrong(w):
    before = (Activity.objects.count(), ObjectChange.objects.count())
    starts = timezone.now() + DAY
    with pytest.raises(ValidationError) as exc:
        services.do_create_activity(acting_user=w.admin1, org=w.community1, organizer="team", service_area="",
                                    title=" ", place="", starts_at=starts, ends_at=starts, capacity=0)  # fmt: skip
    assert set(exc.value.message_dict) == {"team", "service_area", "title", "place", "ends_at", "capacity"}
    assert "结束" in " ".join(exc.value.message_dict["ends_at"])
    with pytest.raises(ScopeViolation):  # community 2's org is not admin1's
        services.do_create_activity(acting_user=w.admin1, org=w.community2, organizer="community",
                                    service_area="other", title="义诊", place="乙", starts_at=starts,
                                    ends_at=starts + HOUR)  # fmt: skip
    with pytest.raises(ValidationError) as exc:  # a community's own org: its own community only
        services.do_create_activity(acting_user=w.admin1, org=w.community1, community=w.community_area2,
                                    organizer="community", service_area="other", title="义诊", place="甲",
                                    starts_at=starts, ends_at=starts + HOUR)  # fmt: skip
    assert "甲社区" in messages_of(exc)
    with pytest.raises(ValidationError) as exc:  # a unit's org (not placed in a community) chooses one
        services.do_create_activity(acting_user=w.admin1, org=w.unit, organizer="unit", service_area="other",
                                    title="义诊", place="甲", starts_at=starts, ends_at=starts + HOUR)  # fmt: skip
    assert set(exc.value.message_dict) == {"community"}
    assert (Activity.objects.count(), ObjectChange.objects.count()) == before
    made = services.do_create_activity(acting_user=w.admin1, org=w.unit, organizer="unit", service_area="other",
                                       community=w.community_area2, title=" 义诊 ", place="乙社区活动室",
                                       starts_at=starts, ends_at=starts + HOUR, capacity=1)  # fmt: skip
    assert (made.community, made.title, made.capacity, made.takes_attendance) == (w.community_area2, "义诊", 1, False)
    own = services.do_create_activity(acting_user=w.admin1, org=w.community1, organizer="community",
                                      service_area="other", title="宣讲", place="甲", starts_at=starts,
                                      ends_at=starts + HOUR)  # fmt: skip
    assert own.community == w.community_area1  # taken from the org


def test_a_team_organizes_only_for_its_own_org(w):
    team = Team.objects.create(org=w.community1, community=w.community_area1, name="红色先锋队",
                               service_area="safety", founded_on=datetime.date(2025, 1, 1))  # fmt: skip
    other = Team.objects.create(org=w.community2, community=w.community_area2, name="乙队", service_area="safety",
                                founded_on=datetime.date(2025, 1, 1))  # fmt: skip
    starts = timezone.now() + DAY
    data = {"org": w.community1, "organizer": "team", "service_area": "safety", "title": "巡逻", "place": "甲",
            "starts_at": starts, "ends_at": starts + HOUR}  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.do_create_activity(acting_user=w.admin1, team=other, **data)
    assert set(exc.value.message_dict) == {"team"}
    made = services.do_create_activity(acting_user=w.admin1, team=team, **data)
    assert made.team == team
    changed = services.do_update_activity(made, acting_user=w.admin1, organizer="community")
    assert changed.team is None  # only a team's activity names a team


def test_both_sides_of_the_capacity(w):
    services.do_signup(acting_user=w.me_user, activity=w.a1, member=w.me)
    second = services.do_signup(acting_user=w.mate_user, activity=w.a1, member=w.mate)  # the last place
    assert second.withdrawn_at is None
    before = (Signup.objects.count(), ObjectChange.objects.count())
    with pytest.raises(ValidationError) as exc:  # one over
        services.do_signup(acting_user=w.admin1, activity=w.a1, member=w.third)
    assert "已满" in messages_of(exc)
    assert (Signup.objects.count(), ObjectChange.objects.count()) == before
    with pytest.raises(ValidationError) as exc:  # the capacity never below the places taken
        services.do_update_activity(w.a1, acting_user=w.admin1, capacity=1)
    assert set(exc.value.message_dict) == {"capacity"}
    services.do_withdraw(second, acting_user=w.mate_user)  # a place again
    assert services.do_signup(acting_user=w.admin1, activity=w.a1, member=w.third).member == w.third


def test_twice_cancelled_started_and_someone_else_are_refused(w):
    first = services.do_signup(acting_user=w.me_user, activity=w.free, member=w.me)

    def written():
        return Signup.objects.count(), ObjectChange.objects.filter(content_type__model="signup").count()

    before = written()
    with pytest.raises(ValidationError) as exc:
        services.do_signup(acting_user=w.me_user, activity=w.free, member=w.me)
    assert set(exc.value.message_dict) == {"member"} and "已报名" in messages_of(exc)
    with pytest.raises(ScopeViolation):  # a member signs up themself only
        services.do_signup(acting_user=w.me_user, activity=w.free, member=w.mate)
    with pytest.raises(ScopeViolation):  # an activity of another community: not theirs to see
        services.do_signup(acting_user=w.stranger_user, activity=w.free, member=w.stranger)
    started = activity(w.community1, title="已开始", start_in=-HOUR)
    with pytest.raises(ValidationError) as exc:
        services.do_signup(acting_user=w.me_user, activity=started, member=w.me)
    assert "已开始" in messages_of(exc)
    services.do_cancel_activity(w.a1, acting_user=w.admin1, reason="天气原因")
    with pytest.raises(ValidationError) as exc:
        services.do_signup(acting_user=w.me_user, activity=w.a1, member=w.me)
    assert "已取消" in messages_of(exc)
    assert written() == before
    # withdrawn before the start: the row stays; twice: a conflict; again after: a new row
    services.do_withdraw(first, acting_user=w.me_user)
    first.refresh_from_db()
    assert first.withdrawn_at is not None
    with pytest.raises(Conflict):
        services.do_withdraw(first, acting_user=w.me_user)
    again = services.do_signup(acting_user=w.me_user, activity=w.free, member=w.me)
    assert again.pk != first.pk and Signup.objects.filter(activity=w.free, member=w.me).count() == 2


def test_cancel_needs_a_reason_and_happens_once(w):
    with pytest.raises(ValidationError) as exc:
        services.do_cancel_activity(w.a1, acting_user=w.admin1, reason=" ",
                                    cancelled_on=datetime.date.today() + 3 * DAY)  # fmt: skip
    assert set(exc.value.message_dict) == {"reason", "cancelled_on"}
    with pytest.raises(ScopeViolation):
        services.do_cancel_activity(w.away, acting_user=w.admin1, reason="下雨")
    done = services.do_cancel_activity(w.a1, acting_user=w.admin1, reason="下雨")
    assert done.cancel_reason == "下雨" and done.cancelled_on is not None
    with pytest.raises(Conflict):
        services.do_cancel_activity(w.a1, acting_user=w.admin1, reason="下雨")
    with pytest.raises(ValidationError):
        services.do_update_activity(w.a1, acting_user=w.admin1, title="改")


def test_attendance_is_optional_after_the_start_and_a_todo_until_taken(w, client):
    past = activity(w.community1, title="已结束的宣讲", capacity=5, start_in=DAY, takes_attendance=True)
    s1 = services.do_signup(acting_user=w.me_user, activity=past, member=w.me)
    s2 = services.do_signup(acting_user=w.mate_user, activity=past, member=w.mate)
    with pytest.raises(ValidationError) as exc:  # not before it starts
        services.do_take_attendance(past, acting_user=w.admin1, attended=[s1.pk])
    assert "开始" in messages_of(exc)
    Activity.objects.filter(pk=past.pk).update(starts_at=timezone.now() - 3 * HOUR, ends_at=timezone.now() - HOUR)
    with pytest.raises(ValidationError):  # an activity without attendance: nothing to take
        Activity.objects.filter(pk=w.free.pk).update(starts_at=timezone.now() - 3 * HOUR)
        services.do_take_attendance(w.free, acting_user=w.admin1, attended=[])
    with pytest.raises(ScopeViolation):  # a member does not take attendance
        services.do_take_attendance(past, acting_user=w.me_user, attended=[s1.pk])

    def todo_count(user):
        found = [c for source in todos for c in source.collect(user)]
        return found[0].count if found else 0, found[0].url if found else None

    count, url = todo_count(w.admin1)
    assert count == 1
    client.force_login(w.admin1)
    listed = client.get(url)
    assert {row.record.pk for row in listed.context["table"].page.object_list} == {past.pk}
    assert todo_count(w.me_user) == (0, None) and todo_count(w.viewer1) == (0, None)
    assert services.do_take_attendance(past, acting_user=w.admin1, attended=[str(s1.pk)]) == 2
    s1.refresh_from_db()
    s2.refresh_from_db()
    assert (s1.attended, s2.attended) == (True, False)
    assert todo_count(w.admin1) == (0, None)


def test_member_pages_sign_up_withdraw_and_the_roster(w, client):
    services.do_signup(acting_user=w.mate_user, activity=w.a1, member=w.mate)
    client.force_login(w.me_user)
    listed = client.get(reverse("volunteers:activity_list"))
    assert {row.record.pk for row in listed.context["table"].page.object_list} == {w.a1.pk, w.free.pk}
    assert client.get(reverse("volunteers:activity", args=[w.away.pk])).status_code == 404
    page = client.get(reverse("volunteers:activity", args=[w.a1.pk]))
    assert page.context["may_signup"] and not page.context["may_cancel"]
    assert client.get(reverse("volunteers:activity_edit", args=[w.a1.pk])).status_code == 403
    assert client.get(reverse("volunteers:activity_cancel", args=[w.a1.pk])).status_code == 404
    assert client.get(reverse("volunteers:activity_attendance", args=[w.a1.pk])).status_code == 404
    r = client.post(reverse("volunteers:activity_signup", args=[w.a1.pk]))
    assert r.status_code == 302
    assert Signup.objects.filter(activity=w.a1, member=w.me, withdrawn_at__isnull=True).exists()
    roster = client.get(reverse("volunteers:activity_roster", args=[w.a1.pk]))
    names = [s.member.name for s, _url in roster.context["roster"]]
    assert names == ["孙自己"]  # their own, not the other member's
    assert "周同支" not in roster.content.decode()
    r = client.post(reverse("volunteers:activity_signup", args=[w.a1.pk]), follow=True)  # twice: a message
    assert "已报名" in r.content.decode()
    r = client.post(reverse("volunteers:activity_withdraw", args=[w.a1.pk]))
    assert r.status_code == 302
    assert Signup.objects.filter(activity=w.a1, member=w.me, withdrawn_at__isnull=False).exists()
    assert client.post(reverse("volunteers:activity_withdraw", args=[w.a1.pk])).status_code == 404
    assert client.post(reverse("volunteers:activity_signup", args=[w.away.pk])).status_code == 404
    # the organizer sees every name, a link to the members they may open; the print view too
    services.do_signup(acting_user=w.me_user, activity=w.a1, member=w.me)
    client.force_login(w.admin1)
    roster = client.get(reverse("volunteers:activity_roster", args=[w.a1.pk]))
    assert sorted(s.member.name for s, url in roster.context["roster"] if url) == ["周同支", "孙自己"]
    printed = client.get(reverse("volunteers:activity_roster", args=[w.a1.pk]), {"print": "1"})
    assert "周同支" in printed.content.decode() and "sidebar" not in printed.content.decode()


def test_cancel_and_attendance_pages(w, client):
    client.force_login(w.admin1)
    url = reverse("volunteers:activity_cancel", args=[w.a1.pk])
    r = client.post(url, {"cancelled_on": str(datetime.date.today())})  # no reason: the form again
    assert r.status_code == 200 and r.context["form"].errors["reason"]
    assert client.post(url, {"cancelled_on": str(datetime.date.today()), "reason": "场地占用"}).status_code == 302
    w.a1.refresh_from_db()
    assert w.a1.cancel_reason == "场地占用"
    past = activity(w.community1, title="讲座", capacity=5, takes_attendance=True)
    signup = services.do_signup(acting_user=w.me_user, activity=past, member=w.me)
    Activity.objects.filter(pk=past.pk).update(starts_at=timezone.now() - 3 * HOUR, ends_at=timezone.now() - HOUR)
    url = reverse("volunteers:activity_attendance", args=[past.pk])
    assert "孙自己" in client.get(url).content.decode()
    assert client.post(url, {"attended": [str(signup.pk)]}).status_code == 302
    signup.refresh_from_db()
    assert signup.attended is True
    client.force_login(w.viewer1)
    assert client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking between two connections needs PostgreSQL")
def test_two_members_taking_the_last_place_at_once():
    w = activity_world()
    last = activity(w.community1, title="最后一个名额", capacity=1)
    results = race(
        lambda: services.do_signup(acting_user=w.me_user, activity=last, member=w.me),
        lambda: services.do_signup(acting_user=w.mate_user, activity=last, member=w.mate),
    )
    assert sum(isinstance(r, Signup) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    assert Signup.objects.filter(activity=last).count() == 1


class ActivityPageTests(ScopedViewTests, TestCase):
    views = ActivityViews

    @classmethod
    def setUpTestData(cls):
        cls.world = activity_world()

    def in_scope(self):
        obj = self.world.a1
        obj.name = obj.title  # what the list shows (ScopedViewTests looks for `name`)
        return obj

    def out_of_scope(self):
        obj = self.world.away
        obj.name = obj.title
        return obj

    def marker(self, obj):
        return obj.title

    def search_term(self, obj):
        return obj.title[1:]

    def create_data(self):
        starts = timezone.localtime(timezone.now() + 5 * DAY)
        return {"org": self.world.community1.pk, "organizer": "community", "service_area": "culture",
                "title": "读书分享会", "place": "甲社区图书室", "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (starts + HOUR).strftime("%Y-%m-%dT%H:%M"), "capacity": "20"}  # fmt: skip

    def created(self):
        return Activity.objects.get(title="读书分享会")

    def update_data(self, obj):
        return {**self.create_data(), "title": "助老送餐（改）", "capacity": "3"}

    def foreign_scope_data(self, obj):
        return {**self.update_data(obj), "org": self.world.community2.pk}

    def test_export_holds_only_the_scope(self):
        """The list has no export: `?export=` shows the list page, still the scope only."""
        self.login(self.world.admin1)
        r = self.client.get(self.url("list"), {"export": "csv"})
        self.assertTrue(r["Content-Type"].startswith("text/html"))
        self.assertContains(r, self.marker(self.in_scope()))
        self.assertNotContains(r, self.marker(self.out_of_scope()))

    def test_filters(self):
        self.login(self.world.admin1)
        w = self.world

        def shown(**params):
            r = self.client.get(self.url("list"), params, follow=True)
            return {row.record.pk for row in r.context["table"].page.object_list}

        past = activity(w.community1, title="上月活动", start_in=-40 * DAY)
        services.do_signup(acting_user=None, activity=w.a1, member=w.me)
        services.do_signup(acting_user=None, activity=w.a1, member=w.mate)  # full
        month = timezone.localtime(past.starts_at).strftime("%Y-%m")
        self.assertEqual(shown(q="送餐"), {w.a1.pk})
        self.assertEqual(shown(upcoming="true"), {w.a1.pk, w.free.pk})
        self.assertEqual(shown(upcoming="false"), {past.pk})
        self.assertEqual(shown(open="true"), {w.free.pk})
        r = self.client.get(self.url("list"), {"open": "false"}, follow=True)
        taken = {row.record.pk: row.record.taken for row in r.context["table"].page.object_list}
        self.assertEqual(taken, {w.a1.pk: 2, past.pk: 0})  # counted once, though `open` filters on the count
        self.assertEqual(shown(month=month), {past.pk})
        self.assertEqual(shown(community="T01001001", organizer="community", service_area="environment"),
                         {w.a1.pk, w.free.pk, past.pk})  # fmt: skip
        self.assertEqual(shown(org="SQT1", descendants="false"), {w.a1.pk, w.free.pk, past.pk})
        # no such month: nothing listed (any string is a valid query: the API's schema says so)
        self.assertEqual(shown(month="2026-13"), set())

    def test_a_phone_sees_cards(self):
        self.login(self.world.me_user)
        r = self.client.get(self.url("list"), {"upcoming": "true"})
        self.assertContains(r, 'id="activity-cards"')
        self.assertContains(r, "助老送餐")
        self.assertNotContains(r, "乙社区义诊")


class ActivityAPITests(ScopedAPITests, TestCase):
    basename = "activity"
    scope_field = "org"
    object_actions = {"cancel": {"reason": "下雨"}}

    @classmethod
    def setUpTestData(cls):
        cls.world = activity_world()

    def in_scope(self):
        return self.world.a1

    def out_of_scope(self):
        return self.world.away

    def create_data(self):
        starts = timezone.now() + 3 * DAY
        return {"org": "SQT1", "organizer": "community", "service_area": "culture", "title": "书法交流",
                "place": "甲社区活动室", "starts_at": starts.isoformat(),
                "ends_at": (starts + HOUR).isoformat()}  # fmt: skip

    def update_data(self, obj):
        return {"title": "助老送餐（第二期）"}

    def foreign_value(self):
        return "SQT2"

    def test_filters_and_bad_input(self):
        client = api_client(self.admin)
        for bad in ({"open": "yes"}, {"organizer": ""}):
            self.assertEqual(client.get(self.list_url(), bad).status_code, 400, bad)
        self.assertEqual(self.listed_ids(client.get(self.list_url(), {"month": "2026-13"})), set())
        self.assertEqual(
            self.listed_ids(client.get(self.list_url(), {"open": "true"})), {self.world.a1.pk, self.world.free.pk}
        )
        r = client.get(self.list_url(), {"upcoming": "true", "q": "送餐"})
        self.assertEqual(self.listed_ids(r), {self.world.a1.pk})
        rows = Activity.objects.count()
        r = client.post(self.list_url(), {**self.create_data(), "capacity": 0, "title": "a\x00b"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(set(r.json()), {"capacity", "title"})
        data = self.create_data()
        r = client.post(self.list_url(), {**data, "ends_at": data["starts_at"]})
        self.assertEqual(r.status_code, 400)
        self.assertIn("结束", " ".join(r.json()["ends_at"]))
        self.assertEqual(Activity.objects.count(), rows)
        r = client.post(self.action_url(self.world.a1.pk, "cancel"), {"reason": "下雨"})
        self.assertEqual((r.status_code, r.json()["cancel_reason"]), (200, "下雨"))
        self.assertEqual(client.post(self.action_url(self.world.a1.pk, "cancel"), {"reason": "下雨"}).status_code, 409)

    def test_a_member_reads_their_communities_only(self):
        r = api_client(self.world.me_user).get(self.list_url())
        self.assertEqual(self.listed_ids(r), {self.world.a1.pk, self.world.free.pk})


class SignupAPITests(ScopedAPITests, TestCase):
    basename = "signup"
    scope_field = "activity"
    object_actions = {"withdraw": {}}

    @classmethod
    def setUpTestData(cls):
        cls.world = w = activity_world()
        cls.inside = services.do_signup(acting_user=None, activity=w.a1, member=w.me)
        cls.outside = services.do_signup(acting_user=None, activity=w.away, member=w.stranger)

    def in_scope(self):
        return self.inside

    def out_of_scope(self):
        return self.outside

    def create_data(self):
        return {"activity": self.world.free.pk, "member": self.world.mate.pk}

    def update_data(self, obj):
        return {"attended": True}

    def foreign_value(self):
        return self.world.away.pk

    def test_a_member_signs_up_and_withdraws_themself(self):
        w = self.world
        client = api_client(w.mate_user)
        r = client.post(self.list_url(), {"activity": w.a1.pk})  # the member: their own record by default
        self.assertEqual(r.status_code, 201, r.content)
        mine = r.json()["id"]
        self.assertEqual(self.listed_ids(client.get(self.list_url())), {mine})  # not `me`'s
        r = client.post(self.list_url(), {"activity": w.a1.pk, "member": w.third.pk})  # not theirs to see
        self.assertEqual(r.status_code, 400)
        r = api_client(w.admin1).post(self.list_url(), {"activity": w.a1.pk, "member": w.third.pk})  # full
        self.assertEqual(r.status_code, 400)
        self.assertIn("已满", " ".join(r.json()["activity"]))
        self.assertEqual(client.post(self.action_url(mine, "withdraw")).status_code, 200)
        self.assertEqual(client.post(self.action_url(mine, "withdraw")).status_code, 409)
        self.assertEqual(client.post(self.action_url(self.inside.pk, "withdraw")).status_code, 404)
        # a viewer neither adds sign-ups nor has a member record to sign up
        self.assertEqual(api_client(w.viewer1).post(self.list_url(), {"activity": w.free.pk}).status_code, 403)


def test_the_pages_read_in_chinese(w, client):
    """What a user reads on every activity page is Chinese (tests/test_crawl.py's rule, on this part's pages)."""
    import re
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.words, self.hidden = [], 0

        def handle_starttag(self, tag, attrs):
            self.hidden += tag in ("script", "style")

        def handle_endtag(self, tag):
            self.hidden -= tag in ("script", "style") and self.hidden > 0

        def handle_data(self, data):
            if not self.hidden:
                self.words += re.findall(r"\b[A-Za-z]{3,}\b", data)

    past = activity(w.community1, title="讲座", capacity=5, takes_attendance=True)
    services.do_signup(acting_user=w.me_user, activity=past, member=w.me)
    Activity.objects.filter(pk=past.pk).update(starts_at=timezone.now() - 3 * HOUR, ends_at=timezone.now() - HOUR)
    pages = {
        w.admin1: [("activity_list", []), ("activity_add", []), ("activity", [past.pk]), ("activity_edit", [w.a1.pk]),
                   ("activity_cancel", [w.a1.pk]), ("activity_roster", [past.pk]),
                   ("activity_attendance", [past.pk])],  # (the change history: core's, shows a yes/no as False)
        w.me_user: [("activity_list", []), ("activity", [w.a1.pk]), ("activity", [past.pk]),
                    ("activity_roster", [past.pk])],
    }  # fmt: skip
    for user, names in pages.items():
        client.force_login(user)
        for name, args in names:
            r = client.get(reverse(f"volunteers:{name}", args=args))
            assert r.status_code == 200, name
            text = Text()
            text.feed(r.content.decode().split('id="main">', 1)[1])  # this part's own: not the menu of the others
            english = {word for word in text.words if word.lower() not in {"sqdj", "pdf", "csv", "excel", "api"}}
            english -= {"admin1", "dangyuan"}
            assert not english, (name, english)
    r = client.get(reverse("volunteers:activity_roster", args=[past.pk]), {"print": "1"})
    assert r.status_code == 200


def test_an_admin_signs_up_only_the_community_s_or_the_organizer_s_members(w):
    """The stranger lives in community 2: community 1's activity does not take them, even from an admin who may act
    for them; the organizing org's own members and the community's are taken."""
    before = Signup.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.do_signup(acting_user=None, activity=w.free, member=w.stranger)
    assert set(exc.value.message_dict) == {"member"} and "报到" in messages_of(exc)
    assert Signup.objects.count() == before
    assert services.do_signup(acting_user=w.admin1, activity=w.free, member=w.third).member == w.third
    # a unit org's activity in community 2 takes the unit org's own members
    worker = do_create_member(acting_user=None, **member_data(w.unit, seq=55, name="钱单位"))
    starts = timezone.now() + DAY
    theirs = services.do_create_activity(acting_user=None, org=w.unit, organizer="unit", service_area="other",
                                         community=w.community_area2, title="义诊", place="乙", starts_at=starts,
                                         ends_at=starts + HOUR)  # fmt: skip
    assert services.do_signup(acting_user=None, activity=theirs, member=worker).member == worker
    with pytest.raises(ValidationError):  # community 1's member is neither community 2's nor the unit's
        services.do_signup(acting_user=None, activity=theirs, member=w.third)


def test_an_activity_may_serve_a_post_of_its_own_community(w):
    from sqdj.volunteers.models import PostKind
    from sqdj.volunteers.posts import do_close_post, do_create_post

    kind = PostKind.objects.filter(org__isnull=True).first()
    today = timezone.localdate()
    post = do_create_post(acting_user=None, org=w.community1, kind=kind, service_area="safety", title="楼栋长",
                          starts_on=today - DAY)  # fmt: skip
    away = do_create_post(acting_user=None, org=w.community2, kind=kind, service_area="safety", title="乙楼栋长",
                          starts_on=today - DAY)  # fmt: skip
    starts = timezone.now() + DAY
    data = {"org": w.community1, "organizer": "community", "service_area": "safety", "title": "楼栋走访",
            "place": "甲", "starts_at": starts, "ends_at": starts + HOUR}  # fmt: skip
    before = Activity.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.do_create_activity(acting_user=w.admin1, post=away, **data)
    assert set(exc.value.message_dict) == {"post"}  # another community's post: not admin1's to see
    made = services.do_create_activity(acting_user=w.admin1, post=post, **data)
    assert made.post == post and Activity.objects.count() == before + 1
    do_close_post(post, acting_user=None, closed_on=today)
    with pytest.raises(ValidationError) as exc:  # a closed post takes no new activity
        services.do_create_activity(acting_user=w.admin1, post=post, **data)
    assert "岗位" in messages_of(exc)
    changed = services.do_update_activity(made, acting_user=w.admin1, title="楼栋走访（改）")
    assert changed.post == post  # an activity linked before the post closed keeps it through an edit
