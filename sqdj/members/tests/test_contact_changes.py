"""A member's request to change their phone number or residence (issue 16 item 7): asked by the member themself,
approved (applied through the members' update service: record, indexes, change log) or declined with a note by
whoever may change the member; masked everywhere but to a user who may reveal the member, with a reason; one
pending request at a time; two admins at once → one success, one conflict; the pages keep the scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core.models import AuditEvent, ObjectChange
from sqdj.core.services import Conflict, ScopeViolation
from sqdj.members.contact_changes import (
    do_approve_contact_change,
    do_decline_contact_change,
    do_request_contact_change,
)
from sqdj.members.models import ContactChange, Member, PiiReveal, phone_suffix_index
from sqdj.members.self_service import do_link_user
from sqdj.members.selfservice_views import ContactChangeViews
from sqdj.members.services import do_create_member
from sqdj.members.workbench import _contact_changes
from sqdj.testing import PASSWORD, ScopedViewTests, build_world
from sqdj.testing.concurrency import race
from sqdj.testing.members import member_data

NEW = "13900001234"


def contact_world():
    """admin1 (community 1) may change `me` (branch 1); `me` has an account with the member role; `other` is of the
    second community, with its own account and admin2."""
    w = build_world()
    w.me = do_create_member(acting_user=None, **member_data(w.branch1, seq=51, name="周自己"))
    w.me_user = do_create_user("dy_me", password=PASSWORD, validate=False)
    do_grant_role(w.me_user, role="member", org=w.branch1, descendants=False)
    do_link_user(w.me, w.me_user, acting_user=None)
    w.other = do_create_member(acting_user=None, **member_data(w.branch2, seq=52, name="吴他人"))
    w.other_user = do_create_user("dy_other", password=PASSWORD, validate=False)
    do_grant_role(w.other_user, role="member", org=w.branch2, descendants=False)
    do_link_user(w.other, w.other_user, acting_user=None)
    w.admin2 = do_create_user("admin2", password=PASSWORD, validate=False)
    do_grant_role(w.admin2, role="community_admin", org=w.community2, descendants=True)
    w.me.refresh_from_db()
    w.other.refresh_from_db()
    return w


@pytest.fixture
def w(db):
    return contact_world()


def _ask(w, **kw):
    return do_request_contact_change(w.me, acting_user=w.me_user, **kw)


def _written():
    return ContactChange.objects.count(), ObjectChange.objects.count()


def test_request_then_approve_updates_the_record_its_indexes_and_the_log(w):
    change = _ask(w, phone=NEW, home_area=w.community_area1, address_note="3号楼2单元")
    assert (change.state, change.phone, change.home_area) == ("pending", NEW, w.community_area1)
    # the change log holds the mask, never the number
    logged = ObjectChange.objects.filter(content_type__model="contactchange", object_id=change.pk).get()
    assert NEW not in str(logged.postchange_data) and "139******34" in str(logged.postchange_data)
    done = do_approve_contact_change(change, acting_user=w.admin1, note="已核实")
    assert (done.state, done.decided_by, done.decision_note) == ("approved", w.admin1, "已核实")
    member = Member.objects.get(pk=w.me.pk)
    assert (member.phone, member.home_area) == (NEW, w.community_area1)
    assert member.phone_suffix_index == phone_suffix_index(NEW)  # the search by the last 4 digits finds it
    assert Member.objects.filter(phone_index=member.phone_index).get() == member
    update = ObjectChange.objects.filter(content_type__model="member", object_id=member.pk, action="update")
    assert update.latest("pk").user == w.admin1 and NEW not in str(update.latest("pk").postchange_data)


def test_decline_needs_a_note_and_changes_nothing(w):
    change = _ask(w, phone=NEW)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        do_decline_contact_change(change, acting_user=w.admin1, note="")
    assert "理由" in " ".join(e.value.messages)
    done = do_decline_contact_change(change, acting_user=w.admin1, note="号码有误")
    assert (done.state, done.decision_note) == ("declined", "号码有误")
    assert Member.objects.get(pk=w.me.pk).phone == w.me.phone
    with pytest.raises(Conflict):  # decided: neither decision again
        do_approve_contact_change(change, acting_user=w.admin1)


@pytest.mark.parametrize("phone", ["12345", "1390000123", "23900001234", "abc"])
def test_bad_phone_is_a_chinese_message_nothing_written(w, phone):
    before = _written()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        _ask(w, phone=phone)
    assert "手机" in " ".join(e.value.message_dict["phone"])
    assert _written() == before


def test_good_phones_both_sides(w):
    assert _ask(w, phone="022-12345678").phone == "022-12345678"  # a landline, as members take it


def test_one_pending_request_at_a_time(w):
    _ask(w, phone=NEW)
    before = _written()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        _ask(w, phone="13900005678")
    assert "等待审核" in " ".join(e.value.messages)
    assert _written() == before
    do_decline_contact_change(ContactChange.objects.get(), acting_user=w.admin1, note="请核对")
    assert _ask(w, phone="13900005678").state == "pending"  # decided: a new one may be sent


def test_nothing_new_is_refused(w):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        _ask(w, phone=w.me.phone)
    assert "新的手机号" in " ".join(e.value.messages)
    assert not ContactChange.objects.exists()


def test_only_the_member_themself_asks_and_only_the_org_line_decides(w):
    for user in (w.admin1, w.other_user, w.superuser):
        with pytest.raises(ScopeViolation):
            do_request_contact_change(w.me, acting_user=user, phone=NEW)
    change = _ask(w, phone=NEW)
    for user in (w.admin2, w.viewer1, w.me_user, w.nobody):  # another community, read-only, the member themself
        with pytest.raises(ScopeViolation):
            do_approve_contact_change(change, acting_user=user)
        with pytest.raises(ScopeViolation):
            do_decline_contact_change(change, acting_user=user, note="不同意")
    assert ContactChange.objects.get().state == "pending"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking between two connections needs PostgreSQL")
def test_two_admins_at_once_one_wins_one_conflicts():
    w = contact_world()
    change = _ask(w, phone=NEW)
    admin3 = do_create_user("admin3", password=PASSWORD, validate=False)
    do_grant_role(admin3, role="branch_admin", org=w.branch1, descendants=True)
    results = race(
        lambda: do_approve_contact_change(ContactChange.objects.get(pk=change.pk), acting_user=w.admin1),
        lambda: do_decline_contact_change(ContactChange.objects.get(pk=change.pk), acting_user=admin3, note="重复"),
    )
    assert sum(isinstance(r, ContactChange) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    changes = ObjectChange.objects.filter(content_type__model="contactchange", object_id=change.pk, action="update")
    assert changes.count() == 1


# ---- pages -----------------------------------------------------------------------------------------------------


def test_member_form_on_a_phone_bad_and_good_input(w, client):
    client.force_login(w.me_user)
    url = reverse("members:member_contact_change")
    r = client.get(url)
    assert r.status_code == 200 and 'inputmode="tel"' in r.content.decode()
    with translation.override("zh-hans"):
        r = client.post(url, {"phone": "12345"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200 and "手机" in " ".join(r.context["form"].errors["phone"])
    assert not ContactChange.objects.exists()
    r = client.post(url, {"phone": NEW, "address_note": "5号楼"})
    assert r.status_code == 302 and NEW not in r["Location"]
    r = client.get(url)
    assert "contact-pending" in r.content.decode() and NEW not in r.content.decode()  # masked to the member too
    # the residence is chosen with the public area picker, which a member may search
    r = client.get(reverse("areas:area_pick"), {"q": "乙社区"})
    assert f'data-value="{w.community_area2.pk}"' in r.content.decode()
    ContactChange.objects.update(state="declined")
    assert client.post(url, {"home_area": w.community_area2.pk}).status_code == 302
    assert ContactChange.objects.get(state="pending").home_area == w.community_area2
    client.force_login(w.admin1)  # no member record of their own
    assert client.get(url).status_code == 404


def test_admin_pages_masked_reveal_with_reason_approve(w, client):
    change = _ask(w, phone=NEW)
    client.force_login(w.admin1)
    r = client.get(reverse("members:contactchange_list"))
    assert r.status_code == 200 and "周自己" in r.content.decode() and NEW not in r.content.decode()
    r = client.get(change.get_absolute_url())
    assert r.status_code == 200 and NEW not in r.content.decode() and "contactchange-approve" in r.content.decode()
    r = client.get(reverse("members:contactchange_changes", args=[change.pk]))
    assert r.status_code == 200 and NEW not in r.content.decode()
    reveal = reverse("members:contactchange_reveal", args=[change.pk])
    assert client.post(reveal, {"reason": ""}).status_code == 400
    r = client.post(reveal, {"reason": "核实号码"})
    assert r.status_code == 200 and NEW in r.content.decode() and "no-store" in r["Cache-Control"]
    assert PiiReveal.objects.filter(user=w.admin1, member=w.me, fields="contactchange.phone").count() == 1
    assert AuditEvent.objects.filter(event="reveal", object_type="members.contactchange").count() == 1
    client.force_login(w.viewer1)  # may view, not reveal, not decide
    r = client.get(change.get_absolute_url())
    assert r.status_code == 200 and "contactchange-approve" not in r.content.decode()
    assert client.post(reveal, {"reason": "核实号码"}).status_code == 403
    assert client.get(reverse("members:contactchange_approve", args=[change.pk])).status_code == 403
    client.force_login(w.admin1)
    r = client.post(reverse("members:contactchange_approve", args=[change.pk]), {"note": ""})
    assert r.status_code == 302
    assert Member.objects.get(pk=w.me.pk).phone == NEW
    r = client.post(reverse("members:contactchange_decline", args=[change.pk]), {"note": "晚了"}, follow=True)
    assert ContactChange.objects.get(pk=change.pk).state == "approved"  # decided: the page says so


def test_decline_page_needs_a_note(w, client):
    change = _ask(w, phone=NEW)
    client.force_login(w.admin1)
    url = reverse("members:contactchange_decline", args=[change.pk])
    r = client.post(url, {"note": ""})
    assert r.status_code == 200 and r.context["form"].errors["note"]
    assert client.post(url, {"note": "号码有误"}).status_code == 302
    assert ContactChange.objects.get(pk=change.pk).state == "declined"


def test_member_sees_only_their_own(w, client):
    mine = _ask(w, phone=NEW)
    theirs = do_request_contact_change(w.other, acting_user=w.other_user, phone="13900005678")
    client.force_login(w.me_user)
    r = client.get(reverse("members:contactchange_list"))
    assert [row.record.pk for row in r.context["table"].page.object_list] == [mine.pk]
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    for name in ("contactchange_approve", "contactchange_decline", "contactchange_changes"):
        assert client.get(reverse(f"members:{name}", args=[theirs.pk])).status_code == 404, name
    assert client.get(reverse("members:contactchange_approve", args=[mine.pk])).status_code == 403


def test_todo_counts_the_rows_of_its_list(w, client):
    _ask(w, phone=NEW)
    do_request_contact_change(w.other, acting_user=w.other_user, phone="13900005678")
    for user, expected in ((w.admin1, 1), (w.admin2, 1), (w.viewer1, 0), (w.me_user, 0)):
        found = _contact_changes(user)
        assert sum(t.count for t in found) == expected, user
        if found:
            client.force_login(user)
            r = client.get(found[0].url)
            assert r.context["table"].paginator.count == expected


class ContactChangeViewTests(ScopedViewTests, TestCase):
    """The scope contract of the list and the detail (no add, edit or export: requests come from the member's form
    and are decided on their page)."""

    views = ContactChangeViews

    @classmethod
    def setUpTestData(cls):
        cls.world = w = contact_world()
        cls.mine = do_request_contact_change(w.me, acting_user=w.me_user, phone=NEW)
        cls.theirs = do_request_contact_change(w.other, acting_user=w.other_user, phone="13900005678")

    def in_scope(self):
        obj = ContactChange.objects.get(pk=self.mine.pk)
        obj.name = obj.member.name
        return obj

    def out_of_scope(self):
        obj = ContactChange.objects.get(pk=self.theirs.pk)
        obj.name = obj.member.name
        return obj

    def marker(self, obj):
        return obj.member.name

    def search_term(self, obj):
        return obj.member.name

    def test_anonymous_goes_to_login(self):
        for url in (self.url("list"), self.url("", self.in_scope().pk), self.url("changes", self.in_scope().pk)):
            r = self.client.get(url)
            self.assertEqual(r.status_code, 302, url)
            self.assertIn(reverse("login"), r["Location"])

    def test_no_role(self):
        self.login(self.world.nobody)
        self.assertEqual(self.client.get(self.url("list")).status_code, 403)
        self.assertEqual(self.client.get(self.url("", self.in_scope().pk)).status_code, 404)

    def test_out_of_scope_is_404_everywhere(self):
        self.login(self.world.admin1)
        obj = self.out_of_scope()
        for name in ("contactchange", "contactchange_changes", "contactchange_approve", "contactchange_decline"):
            self.assertEqual(self.client.get(reverse(f"members:{name}", args=[obj.pk])).status_code, 404, name)
        self.assertEqual(self.client.post(reverse("members:contactchange_reveal", args=[obj.pk]),
                                          {"reason": "核实号码"}).status_code, 404)  # fmt: skip
        r = self.client.get(self.url("list"), {"q": obj.member.name}, follow=True)
        self.assertEqual(list(r.context["table"].page.object_list), [])

    def test_through_a_guidance_link_read_only(self):
        """Requests follow the member's line of membership, never a guidance link."""
        from sqdj.testing import guide_out_of_scope

        guide_out_of_scope(self.world)
        self.login(self.world.admin1)
        self.assertEqual(self.client.get(self.url("", self.out_of_scope().pk)).status_code, 404)

    def test_export_holds_only_the_scope(self):
        """No export: `?export=` shows the list page, still the scope only."""
        self.login(self.world.admin1)
        r = self.client.get(self.url("list"), {"export": "csv"})
        self.assertTrue(r["Content-Type"].startswith("text/html"))
        self.assertContains(r, self.marker(self.in_scope()))
        self.assertNotContains(r, self.marker(self.out_of_scope()))

    def test_viewer_may_see_but_not_change(self):
        self.login(self.world.viewer1)
        obj = self.in_scope()
        self.assertEqual(self.client.get(self.url("", obj.pk)).status_code, 200)
        for name in ("contactchange_approve", "contactchange_decline"):
            self.assertEqual(self.client.post(reverse(f"members:{name}", args=[obj.pk]), {"note": "好"}).status_code,
                             403)  # fmt: skip
        self.assertEqual(ContactChange.objects.get(pk=obj.pk).state, "pending")

    def test_create_writes_one_change_row(self):
        """Made by the member's own form: one change row, by the member."""
        w = self.world
        ContactChange.objects.filter(pk=self.mine.pk).update(state="declined")
        self.login(w.me_user)
        before = ObjectChange.objects.count()
        r = self.client.post(reverse("members:member_contact_change"), {"phone": "13900007777"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(ObjectChange.objects.count(), before + 1)
        change = ObjectChange.objects.first()
        self.assertEqual((change.action, change.user_id), ("create", w.me_user.pk))

    def test_update_writes_one_change_row(self):
        """A decline writes one change row on the request (and nothing on the member)."""
        self.login(self.world.admin1)
        obj = self.in_scope()
        before = ObjectChange.objects.count()
        r = self.client.post(reverse("members:contactchange_decline", args=[obj.pk]), {"note": "号码有误"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(ObjectChange.objects.count(), before + 1)
        self.assertEqual(ObjectChange.objects.first().action, "update")

    def test_cannot_save_into_a_foreign_scope(self):
        """The foreign admin cannot decide this org's request."""
        self.login(self.world.admin2)
        obj = self.in_scope()
        r = self.client.post(reverse("members:contactchange_approve", args=[obj.pk]), {"note": ""})
        self.assertEqual(r.status_code, 404)
        self.assertEqual(Member.objects.get(pk=self.world.me.pk).phone, self.world.me.phone)
