"""Pages of transfer cases: scope, the buttons each user gets, the steps through the pages, stale pages, the
list's filters and overdue flags, the open cases of an org, creating and editing cases, notifications, and the
members' edit form no longer moving a member.

The pages render in Chinese in tests; assertions look at ids, data attributes and states, not at text."""

from __future__ import annotations

import datetime
import re

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sqdj.core.models import Notification
from sqdj.core.pii import mask_id_number
from sqdj.members.models import Member
from sqdj.members.services import do_create_member
from sqdj.members.tests.test_views import form_data
from sqdj.testing.members import member_data
from sqdj.testing.transfers import build_transfer_world
from sqdj.transfers import services
from sqdj.transfers.models import Transfer

BUTTONS = ("submit", "approve", "return", "accept", "complete", "cancel")
FULL_ID = re.compile(r"\b\d{17}[\dX]\b")
FULL_PHONE = re.compile(r"\b1[3-9]\d{9}\b")


def buttons(response) -> set[str]:
    html = response.content.decode()
    return {b for b in BUTTONS if f'id="action-{b}"' in html}


class TransferPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tw = build_transfer_world()
        cls.w = cls.tw.world
        cls.case = services.do_create_transfer(
            acting_user=cls.tw.sender, member=cls.tw.member, reason="residence", to_org=cls.tw.branch3
        )

    def url(self, case=None):
        return reverse("transfers:transfer", args=[(case or self.case).pk])

    def act(self, user, action, case=None, **data):
        case = Transfer.objects.get(pk=(case or self.case).pk)
        self.client.force_login(user)
        data.setdefault("version", case.version)
        data.setdefault("confirmed", "1")  # past the confirmation page of cancel/return/complete (test_confirmations)
        return self.client.post(reverse("transfers:transfer_action", args=[case.pk, action]), data)

    def fresh(self, case=None) -> Transfer:
        return Transfer.objects.get(pk=(case or self.case).pk)

    # scope ---------------------------------------------------------------------------------------------------
    def test_anonymous_goes_to_login(self):
        for url in (
            reverse("transfers:transfer_list"),
            reverse("transfers:transfer_open"),
            reverse("transfers:residence_list"),
            self.url(),
            reverse("transfers:transfer_create", args=[self.tw.member.pk]),
            reverse("notifications"),
        ):
            r = self.client.get(url)
            self.assertEqual(r.status_code, 302, url)
            self.assertIn(reverse("login"), r["Location"])

    def test_receiving_side_does_not_see_a_draft(self):
        self.client.force_login(self.tw.receiver)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        r = self.client.get(reverse("transfers:transfer_list"))
        self.assertNotIn(self.case.pk, {row.record.pk for row in r.context["table"].page.object_list})
        self.assertEqual(self.act(self.tw.receiver, "cancel", reason="x").status_code, 404)
        self.assertEqual(self.act(self.tw.sender, "submit").status_code, 302)
        self.client.force_login(self.tw.receiver)
        self.assertEqual(self.client.get(self.url()).status_code, 200)

    def test_out_of_scope_is_404_for_page_and_every_action(self):
        self.client.force_login(self.w.nobody)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        for action in BUTTONS:
            self.assertEqual(self.act(self.w.nobody, action, reason="x").status_code, 404, action)
        self.assertEqual(self.fresh().state, "draft")
        self.assertEqual(self.fresh().version, self.case.version)

    def test_a_viewer_sees_the_case_but_no_button_and_cannot_act(self):
        self.client.force_login(self.w.viewer1)
        r = self.client.get(self.url())
        self.assertEqual(r.status_code, 200)
        self.assertEqual(buttons(r), set())
        self.assertEqual(self.act(self.w.viewer1, "submit").status_code, 404)
        self.assertEqual(self.fresh().state, "draft")

    def test_personal_numbers_are_masked(self):
        self.client.force_login(self.tw.sender)
        html = self.client.get(self.url()).content.decode()
        self.assertIn(self.tw.member.id_number_masked, html)
        self.assertIsNone(FULL_ID.search(html))
        self.assertIsNone(FULL_PHONE.search(html))

    def test_change_history_page_is_scoped(self):
        url = reverse("transfers:transfer_changes", args=[self.case.pk])
        self.client.force_login(self.tw.sender)
        self.assertEqual(self.client.get(url).status_code, 200)
        self.client.force_login(self.tw.receiver)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_an_incoming_case_shows_its_numbers_masked(self):
        data = member_data(self.tw.branch3, seq=30, name="蒋外来")
        details = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in data.items() if k != "org"}
        case = services.do_create_incoming(
            acting_user=self.tw.receiver, to_org=self.tw.branch3, details=details, letter_number="WS-2026-1",
            issued_on=datetime.date.today(), valid_until=datetime.date.today() + datetime.timedelta(days=30),
            external_org_name="外省某党支部",
        )  # fmt: skip
        self.client.force_login(self.tw.receiver)
        r = self.client.get(self.url(case))
        self.assertEqual(r.status_code, 200)
        html = r.content.decode()
        self.assertIsNone(FULL_ID.search(html))
        self.assertIsNone(FULL_PHONE.search(html))
        self.assertNotIn(data["id_number"], html)
        self.assertEqual(mask_id_number(data["id_number"]), r.context["masked_id"])  # masked, not empty
        self.assertEqual(buttons(r), set())  # the subdistrict above the branch accepts a letter from outside
        self.client.force_login(self.tw.district_admin)
        self.assertEqual(buttons(self.client.get(self.url(case))), {"accept", "return"})

    # the steps through the pages, and who gets which button -----------------------------------------------------
    def test_buttons_per_user_through_every_step_to_completion(self):
        tw = self.tw

        def shown(user):
            self.client.force_login(user)
            r = self.client.get(self.url())
            return buttons(r) if r.status_code == 200 else None

        self.assertEqual(shown(tw.sender), {"submit", "cancel"})
        self.assertIsNone(shown(tw.receiver))
        self.assertEqual(self.act(tw.sender, "submit").status_code, 302)

        self.assertEqual(shown(tw.sender), {"cancel"})
        self.assertEqual(shown(tw.district_admin), {"approve", "return", "cancel"})
        self.assertEqual(shown(tw.receiver), set())
        self.assertEqual(self.act(tw.district_admin, "approve").status_code, 302)
        case = self.fresh()
        self.assertEqual(case.state, "approved")
        self.assertTrue(case.letter_number)

        self.client.force_login(tw.sender)
        r = self.client.get(self.url())
        self.assertEqual(buttons(r), set())
        self.assertContains(r, reverse("transfers:transfer_letter", args=[case.pk]))
        self.assertNotContains(r, reverse("transfers:transfer_receipt", args=[case.pk]))
        self.assertEqual(shown(tw.district_admin), {"accept", "return"})
        self.assertEqual(shown(tw.receiver), set())
        self.assertEqual(self.act(tw.district_admin, "accept").status_code, 302)

        self.assertEqual(shown(tw.receiver), {"complete", "return"})
        self.assertEqual(shown(tw.sender), set())
        self.assertEqual(Member.objects.get(pk=tw.member.pk).org, self.w.branch1)  # not before completion
        self.assertEqual(self.act(tw.receiver, "complete").status_code, 302)

        self.assertEqual(self.fresh().state, "completed")
        self.assertEqual(Member.objects.get(pk=tw.member.pk).org, tw.branch3)
        self.client.force_login(tw.receiver)
        r = self.client.get(self.url())
        self.assertEqual(buttons(r), set())
        self.assertContains(r, reverse("transfers:transfer_receipt", args=[case.pk]))
        timeline = re.findall(r'<li class="border-start[^>]*data-state="(\w+)"', r.content.decode())
        self.assertEqual(timeline, ["draft", "submitted", "approved", "received", "completed"])

    def test_a_stale_page_gets_the_conflict_message_and_changes_nothing(self):
        self.act(self.tw.sender, "submit")
        stale = self.fresh().version
        self.assertEqual(self.act(self.tw.district_admin, "return", reason="材料不全").status_code, 302)
        self.act(self.tw.sender, "submit")
        before = self.fresh()
        r = self.act(self.tw.district_admin, "approve", version=stale)
        self.assertEqual(r.status_code, 409)
        self.assertContains(r, 'id="transfer-conflict"', status_code=409)
        after = self.fresh()
        self.assertEqual((after.state, after.version, after.letter_number), (before.state, before.version, ""))
        # the page it shows is the fresh one: its buttons carry the current version
        self.assertContains(r, f'name="version" value="{after.version}"', status_code=409)

    def test_return_and_cancel_need_a_reason(self):
        self.act(self.tw.sender, "submit")
        version = self.fresh().version
        r = self.act(self.tw.district_admin, "return", reason="  ")
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, 'id="transfer-error"', status_code=400)
        self.assertEqual((self.fresh().state, self.fresh().version), ("submitted", version))
        self.assertEqual(self.act(self.tw.sender, "cancel", reason="").status_code, 400)
        self.assertEqual(self.fresh().state, "submitted")
        self.assertEqual(self.act(self.tw.district_admin, "return", reason="材料不全").status_code, 302)
        case = self.fresh()
        self.assertEqual((case.state, case.return_reason), ("returned", "材料不全"))
        self.client.force_login(self.tw.sender)
        r = self.client.get(self.url())
        self.assertContains(r, 'id="transfer-return-reason"')
        self.assertEqual(buttons(r), {"submit", "cancel"})
        self.assertEqual(self.act(self.tw.sender, "cancel", reason="不再调动").status_code, 302)
        self.assertEqual(self.fresh().state, "cancelled")

    def test_an_unknown_action_is_404_and_get_is_refused(self):
        self.client.force_login(self.tw.sender)
        self.assertEqual(self.client.post(f"/transfers/{self.case.pk}/delete/").status_code, 404)
        url = reverse("transfers:transfer_action", args=[self.case.pk, "submit"])
        self.assertEqual(self.client.get(url).status_code, 405)
        self.assertEqual(self.fresh().state, "draft")

    # list, filters, overdue, open cases per org ------------------------------------------------------------
    def _second_case_overdue(self):
        other = do_create_member(acting_user=None, **member_data(self.w.branch1, seq=8, name="赵逾期"))
        late = services.do_create_transfer(
            acting_user=self.tw.sender, member=other, reason="work", to_org=self.w.branch2
        )
        services.do_submit(late, acting_user=self.tw.sender)
        services.do_submit(self.case, acting_user=self.tw.sender)
        long_ago = datetime.date.today() - datetime.timedelta(days=400)
        Transfer.objects.filter(pk=late.pk).update(state_changed_on=long_ago)  # the step began long ago
        return Transfer.objects.get(pk=late.pk)

    def test_list_flags_overdue_cases_and_filters_them(self):
        late = self._second_case_overdue()
        self.client.force_login(self.tw.street_admin)
        r = self.client.get(reverse("transfers:transfer_list"))
        html = r.content.decode()
        self.assertRegex(html, rf'id="transfer-{late.pk}"[^>]*data-overdue="1"')
        self.assertRegex(html, rf'id="transfer-{self.case.pk}"[^>]*data-overdue="0"')
        shown = lambda r: {row.record.pk for row in r.context["table"].page.object_list}  # noqa: E731
        self.assertEqual(shown(self.client.get(reverse("transfers:transfer_list"), {"overdue": "true"})), {late.pk})
        self.assertEqual(shown(self.client.get(reverse("transfers:transfer_list"), {"state": "draft"})), set())
        self.assertEqual(
            shown(self.client.get(reverse("transfers:transfer_list"), {"state": "submitted"})), {late.pk, self.case.pk}
        )
        # the org filter: either side, with everything below
        by_org = self.client.get(reverse("transfers:transfer_list"), {"org": self.w.community2.code})
        self.assertEqual(shown(by_org), {late.pk})
        self.assertEqual(shown(self.client.get(reverse("transfers:transfer_list"), {"q": "赵逾期"})), {late.pk})

    def test_open_cases_of_an_org(self):
        late = self._second_case_overdue()
        self.client.force_login(self.tw.district_admin)
        url = reverse("transfers:transfer_open")
        shown = lambda r: {row.record.pk for row in r.context["table"].page.object_list}  # noqa: E731
        r = self.client.get(url)
        self.assertEqual(shown(r), {late.pk, self.case.pk})
        self.assertContains(r, 'id="overdue-count"')
        self.assertEqual(shown(self.client.get(url, {"org": self.tw.street2.pk})), {self.case.pk})
        self.assertEqual(shown(self.client.get(url, {"org": self.w.community2.pk})), {late.pk})
        # the org page links to it
        self.assertContains(self.client.get(self.w.street.get_absolute_url()), f"{url}?org={self.w.street.pk}")
        # an org outside the scope is 404
        self.client.force_login(self.tw.receiver)
        self.assertEqual(self.client.get(url, {"org": self.w.street.pk}).status_code, 404)
        self.assertEqual(shown(self.client.get(url)), {self.case.pk})
        self.client.force_login(self.w.nobody)
        self.assertEqual(self.client.get(url).status_code, 403)

    # creating and editing ----------------------------------------------------------------------------------
    def _free_member(self, **over):
        return do_create_member(acting_user=None, **{**member_data(self.w.branch1, seq=9, name="钱自由"), **over})

    def test_member_page_buttons(self):
        free = self._free_member()
        self.client.force_login(self.tw.sender)
        r = self.client.get(free.get_absolute_url())
        self.assertContains(r, 'id="start-transfer"')
        self.assertNotContains(r, 'id="open-transfer-case"')
        r = self.client.get(self.tw.member.get_absolute_url())  # already has an open case
        self.assertNotContains(r, 'id="start-transfer"')
        self.assertContains(r, f'href="{self.url()}"')
        self.client.force_login(self.w.viewer1)
        self.assertNotContains(self.client.get(free.get_absolute_url()), 'id="start-transfer"')

    def test_create_a_draft_and_create_and_submit(self):
        free = self._free_member()
        url = reverse("transfers:transfer_create", args=[free.pk])
        self.client.force_login(self.tw.sender)
        self.assertEqual(self.client.get(url).status_code, 200)
        r = self.client.post(url, {"to_org": "ZBT3", "reason": "work", "note": "调动", "draft": ""})
        self.assertEqual(r.status_code, 302)
        case = Transfer.objects.get(member=free)
        self.assertEqual(
            (case.state, case.to_org, case.note, case.created_by), ("draft", self.tw.branch3, "调动", self.tw.sender)
        )
        services.do_cancel(case, acting_user=self.tw.sender, reason="重来")
        r = self.client.post(
            url, {"external_org_name": "外省某党支部", "external_org_contact": "010-1", "reason": "work", "submit": ""}
        )
        self.assertEqual(r.status_code, 302)
        case = Transfer.objects.get(member=free, state="submitted")
        self.assertEqual((case.direction, case.to_org), ("outgoing", None))

    def test_create_refuses_bad_input_and_saves_nothing(self):
        free = self._free_member()
        url = reverse("transfers:transfer_create", args=[free.pk])
        self.client.force_login(self.tw.sender)
        for data in (
            {"to_org": self.tw.street2.code, "reason": "work"},  # a subdistrict committee holds no membership
            {"to_org": "NO-SUCH", "reason": "work"},
            {"reason": "work"},  # neither an org here nor one outside
            {"to_org": self.w.branch1.code, "reason": "work"},  # the same org
            {"to_org": "ZBT3", "reason": ""},
        ):
            r = self.client.post(url, {**data, "submit": ""})
            self.assertEqual(r.status_code, 400, data)
            self.assertTrue(r.context["form"].errors, data)
        self.assertFalse(Transfer.objects.filter(member=free).exists())
        # a member with an open case
        r = self.client.post(
            reverse("transfers:transfer_create", args=[self.tw.member.pk]), {"to_org": "ZBT3", "reason": "work"}
        )
        self.assertEqual(r.status_code, 400)
        self.assertEqual(Transfer.objects.filter(member=self.tw.member).count(), 1)
        # out of scope: 404; seen but not changeable: 403
        other = do_create_member(acting_user=None, **member_data(self.w.branch2, seq=10, name="孙别处"))
        self.assertEqual(self.client.get(reverse("transfers:transfer_create", args=[other.pk])).status_code, 404)
        self.client.force_login(self.w.viewer1)
        self.assertEqual(self.client.get(url).status_code, 403)

    def test_edit_a_draft_with_its_version(self):
        url = reverse("transfers:transfer_edit", args=[self.case.pk])
        self.client.force_login(self.tw.sender)
        r = self.client.get(url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, f'name="to_org" value="{self.tw.branch3.code}"')
        version = self.fresh().version
        r = self.client.post(url, {"version": version, "to_org": "SQT3", "reason": "residence", "note": "改为社区党委"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual((self.fresh().to_org, self.fresh().note), (self.tw.community3, "改为社区党委"))
        r = self.client.post(url, {"version": version, "to_org": "ZBT3", "reason": "residence", "note": "旧页面"})
        self.assertEqual(r.status_code, 409)
        self.assertEqual(self.fresh().note, "改为社区党委")
        self.client.force_login(self.w.viewer1)  # sees the case, may not change it
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.tw.receiver)  # does not see a draft
        self.assertEqual(self.client.get(url).status_code, 404)
        # not editable once submitted
        services.do_submit(self.case, acting_user=self.tw.sender)
        self.client.force_login(self.tw.sender)
        self.assertEqual(self.client.get(url).status_code, 403)

    # notifications -----------------------------------------------------------------------------------------
    def test_notifications_page_badge_and_mark_read(self):
        self.act(self.tw.sender, "submit")  # the approver (district) is notified
        user = self.tw.district_admin
        mine = Notification.objects.filter(user=user)
        self.assertEqual(mine.count(), 1)
        self.client.force_login(user)
        r = self.client.get(reverse("home"))
        self.assertContains(r, 'id="notifications-badge" data-count="1"')
        r = self.client.get(reverse("notifications"))
        note = mine.get()
        self.assertContains(r, f'id="notification-{note.pk}"')
        self.assertContains(r, 'data-unread="1"')
        # opening it marks it read and leads to the case
        r = self.client.get(reverse("notification_open", args=[note.pk]))
        self.assertRedirects(r, self.url(), fetch_redirect_response=False)
        self.assertIsNotNone(Notification.objects.get(pk=note.pk).read_at)
        self.assertNotContains(self.client.get(reverse("home")), 'id="notifications-badge"')
        # mark all read
        Notification.objects.create(user=user, text="x")
        Notification.objects.create(user=user, text="y")
        self.assertContains(self.client.get(reverse("home")), 'data-count="2"')
        self.assertEqual(self.client.post(reverse("notifications_read")).status_code, 302)
        self.assertFalse(mine.filter(read_at__isnull=True).exists())
        # someone else's notification is not there
        self.client.force_login(self.tw.receiver)
        self.assertEqual(self.client.get(reverse("notification_open", args=[note.pk])).status_code, 404)

    def test_the_badge_is_one_query(self):
        self.client.force_login(self.tw.district_admin)

        with CaptureQueriesContext(connection) as ctx:
            self.client.get(reverse("home"))
        counts = [q["sql"] for q in ctx.captured_queries if "core_notification" in q["sql"] and "COUNT" in q["sql"]]
        self.assertEqual(len(counts), 1)

    # members' edit form ------------------------------------------------------------------------------------
    def test_the_member_edit_form_no_longer_moves_a_member(self):
        free = self._free_member()
        url = reverse("members:member_edit", args=[free.pk])
        self.client.force_login(self.w.superuser)
        r = self.client.get(url)
        self.assertTrue(r.context["form"].fields["org"].disabled)
        r = self.client.post(url, form_data(free, org=self.tw.branch3.pk))
        self.assertEqual(r.status_code, 200)
        self.assertIn("org", r.context["form"].errors)
        self.assertEqual(Member.objects.get(pk=free.pk).org, self.w.branch1)
        data = form_data(free, work_unit="新单位")
        del data["org"]  # a disabled field is not posted by the browser
        self.assertEqual(self.client.post(url, data).status_code, 302)
        free = Member.objects.get(pk=free.pk)
        self.assertEqual((free.org, free.work_unit), (self.w.branch1, "新单位"))


class WorkbenchTileTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tw = build_transfer_world()
        case = services.do_create_transfer(
            acting_user=cls.tw.sender, member=cls.tw.member, reason="work", to_org=cls.tw.branch3
        )
        cls.case = case

    def count(self, user) -> str:
        self.client.force_login(user)
        html = self.client.get(reverse("home")).content.decode()
        match = re.search(r'id="home-open-transfers".*?class="sqdj-count">(\d+)<', html, re.S)
        return match.group(1)

    def test_cases_waiting_for_the_user_and_overdue(self):
        # a draft waits for the sender; once submitted, for the district (the common ancestor), not the receiver
        self.assertEqual((self.count(self.tw.sender), self.count(self.tw.receiver)), ("1", "0"))
        case = services.do_submit(self.case, acting_user=self.tw.sender, version=self.case.version)
        self.assertEqual((self.count(self.tw.sender), self.count(self.tw.district_admin)), ("0", "1"))
        self.client.force_login(self.tw.world.nobody)  # no role: no tile at all
        self.assertNotIn('id="home-open-transfers"', self.client.get(reverse("home")).content.decode())
        self.assertEqual(services.waiting_for(self.tw.district_admin), (1, 0))
        late = services.due_date(case) + datetime.timedelta(days=1)
        self.assertEqual(services.waiting_for(self.tw.district_admin, late), (1, 1))
        case = services.do_approve(case, acting_user=self.tw.district_admin, version=case.version)
        case = services.do_accept(case, acting_user=self.tw.district_admin, version=case.version)
        # accepted: the receiving branch completes it (the district above it could too)
        self.assertEqual((self.count(self.tw.sender), self.count(self.tw.receiver)), ("0", "1"))
