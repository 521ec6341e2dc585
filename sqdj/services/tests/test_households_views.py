"""The household pages: the scope contract (ScopedViewTests), every view of the details logged, the contact masked
and revealed once with a logged reason, the list without contact and its filters, add from a visit, the action
pages, a paired member's view, the to-dos (each count = the rows of the list its link opens), HTML shown inert."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from sqdj.core.models import AuditEvent
from sqdj.services import households as services
from sqdj.services.household_views import HouseholdViews
from sqdj.services.household_workbench import todos
from sqdj.services.models import Household, Visit
from sqdj.testing import ScopedViewTests

from .test_households import HouseholdWorld, today


def _named(household):
    household.name = household.get_absolute_url()  # what the shared tests look for in a page: the row's link
    return household


class HouseholdViewTests(ScopedViewTests, TestCase):
    views = HouseholdViews

    @classmethod
    def setUpTestData(cls):
        cls.world = HouseholdWorld()

    def in_scope(self):
        return _named(Household.objects.get(pk=self.world.hh1.pk))

    def out_of_scope(self):
        return _named(Household.objects.get(pk=self.world.hh2.pk))

    def marker(self, obj):
        return obj.number

    def create_data(self):
        return {"area": self.world.grid1.pk, "room": "1单元101", "contact_name": "李四", "contact_phone": "13812345678",
                "size": "1", "hardships": ["disability", "unemployed"], "needs": "新帮扶", "basis": "consent",
                "consent": "on", "opened_on": today().isoformat()}  # fmt: skip

    def created(self):
        return Household.objects.get(needs="新帮扶")

    def update_data(self, obj):
        return {"area": self.world.grid1.pk, "room": obj.room, "contact_name": "", "contact_phone": "",
                "hardships": ["dibao"], "needs": "改：送医", "basis": "consent", "consent": "on",
                "version": obj.version}  # fmt: skip

    def foreign_scope_data(self, obj):
        return {**self.update_data(obj), "area": self.world.community_area2.pk}

    # ---- the pages' own --------------------------------------------------------------------------------------
    def test_every_view_of_the_details_is_logged_and_the_contact_masked(self):
        w = self.world
        self.login(w.admin1)
        before = AuditEvent.objects.filter(event=AuditEvent.Event.SENSITIVE_VIEW).count()
        html = self.client.get(self.url("", w.hh1.pk)).content.decode()
        assert "13912345678" not in html and "张三" not in html and w.hh1.contact_phone_masked in html
        assert 'id="household-actions"' in html and 'id="pii-block"' in html
        event = AuditEvent.objects.filter(event=AuditEvent.Event.SENSITIVE_VIEW).latest("pk")
        assert AuditEvent.objects.filter(event=AuditEvent.Event.SENSITIVE_VIEW).count() == before + 1
        assert (event.object_type, event.object_id, event.user_id) == ("services.household", str(w.hh1.pk), w.admin1.pk)
        assert "张三" not in str(event.detail) and "3单元502" not in str(event.detail)
        self.login(w.viewer1)  # reads, masked, no buttons
        html = self.client.get(self.url("", w.hh1.pk)).content.decode()
        assert 'id="household-actions"' not in html and "13912345678" not in html

    def test_the_change_history_is_logged_and_names_the_hardships(self):
        w = self.world
        self.login(w.admin1)
        before = AuditEvent.objects.filter(event=AuditEvent.Event.SENSITIVE_VIEW).count()
        html = self.client.get(reverse("services:household_changes", args=[w.hh1.pk])).content.decode()
        event = AuditEvent.objects.filter(event=AuditEvent.Event.SENSITIVE_VIEW).latest("pk")
        assert AuditEvent.objects.filter(event=AuditEvent.Event.SENSITIVE_VIEW).count() == before + 1
        assert event.detail == {"view": "changes"} and event.object_id == str(w.hh1.pk)
        assert "低保" in html and "dibao" not in html  # the kinds by their names, not their codes

    def test_the_list_and_export_hold_no_contact_no_room(self):
        self.login(self.world.admin1)
        html = self.client.get(self.url("list"), follow=True).content.decode()
        csv = self.client.get(self.url("list"), {"export": "csv"}).content.decode("utf-8-sig")
        for text in (html, csv):
            assert self.world.hh1.number in text and "低保" in text
            for secret in ("张三", "139", "3单元502", "买菜"):
                assert secret not in text, secret
        assert self.client.get(self.url("import")).status_code == 404

    def test_the_contact_in_full_once_with_a_reason_logged(self):
        w = self.world
        url = reverse("services:household_reveal", args=[w.hh1.pk])
        self.login(w.admin1)
        r = self.client.post(url, {"reason": " "})
        assert r.status_code == 400 and "13912345678" not in r.content.decode()
        r = self.client.post(url, {"reason": "走访"})
        assert r.status_code == 200 and "13912345678" in r.content.decode() and r["Cache-Control"] == "no-store"
        event = AuditEvent.objects.filter(event="reveal", object_type="services.household").latest("pk")
        assert event.detail["reason"] == "走访" and "13912345678" not in str(event.detail)
        self.login(w.viewer1)
        assert self.client.post(url, {"reason": "走访"}).status_code == 403
        self.login(w.nobody)
        assert self.client.post(url, {"reason": "走访"}).status_code == 404

    def test_list_filters(self):
        w = self.world

        def shown(**params):
            page = self.client.get(self.url("list"), params, follow=True)
            return {row.record.pk for row in page.context["table"].page.object_list}

        self.login(w.admin1)
        assert shown(hardship="dibao") == {w.hh1.pk} and shown(hardship="disability") == set()
        assert shown(state="open", area=w.grid1.code) == {w.hh1.pk}
        assert shown(review_due="true") == {w.hh1.pk}  # help started six years ago, never reviewed
        services.do_review(w.hh1, acting_user=w.admin1, outcome="continue")
        assert shown(review_due="true") == set()
        assert shown(paired_with_me="true") == set()
        assert self.client.get(self.url("list"), {"hardship": "\x00x"}, follow=True).status_code == 200

    def test_to_dos_count_the_rows_their_list_opens(self):
        w = self.world
        self.login(w.admin1)
        (due,) = next(t for t in todos if t.key == "households-review-due").counts(w.admin1)
        rows = self.client.get(due.url, follow=True).context["table"].paginator.count
        assert due.count == rows == 1
        services.do_pair(w.hh1, acting_user=w.admin1, member=w.member)
        (mine,) = next(t for t in todos if t.key == "households-paired").counts(w.member_user)
        self.login(w.member_user)
        page = self.client.get(mine.url, follow=True)
        assert mine.count == page.context["table"].paginator.count == 1
        assert next(t for t in todos if t.key == "households-review-due").counts(w.member_user) == []

    def test_a_paired_member_sees_only_their_household_read_only(self):
        w = self.world
        self.login(w.member_user)
        assert self.client.get(self.url("", w.hh1.pk)).status_code == 404
        services.do_pair(w.hh1, acting_user=w.admin1, member=w.member)
        html = self.client.get(self.url("", w.hh1.pk)).content.decode()
        assert 'id="household-actions"' not in html and "13912345678" not in html and 'id="pii-block"' in html
        assert self.client.get(self.url("", w.hh2.pk)).status_code == 404
        assert self.client.get(self.url("edit", w.hh1.pk)).status_code == 403
        pair = reverse("services:household_action", args=[w.hh1.pk, "pair"])
        assert self.client.get(pair).status_code == 403

    def test_html_in_needs_is_stored_and_shown_inert(self):
        w = self.world
        self.login(w.admin1)
        r = self.client.post(self.url("add"), {**self.create_data(), "needs": "<script>alert(1)</script>"})
        assert r.status_code == 302
        h = Household.objects.get(needs="<script>alert(1)</script>")
        html = self.client.get(self.url("", h.pk)).content.decode()
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    def test_add_without_consent_is_refused_in_chinese(self):
        self.login(self.world.admin1)
        r = self.client.post(self.url("add"), {**self.create_data(), "consent": ""})
        assert r.status_code == 200 and "consent" in r.context["form"].errors
        assert not Household.objects.filter(needs="新帮扶").exists()
        assert "同意" in r.content.decode()

    def test_add_from_a_visit(self):
        w = self.world
        visit = Visit.objects.create(org=w.community1, area=w.grid1, visited_on=today(), heard="生活困难")
        other = Visit.objects.create(org=w.community2, area=w.community_area2, visited_on=today(), heard="其他")
        self.login(w.admin1)
        page = self.client.get(self.url("add"), {"visit": visit.pk})
        assert page.context["form"].initial == {"visit": visit.pk, "area": w.grid1.pk}
        assert 'id="from-visit"' in page.content.decode()
        assert "visit" not in self.client.get(self.url("add"), {"visit": other.pk}).context["form"].initial
        r = self.client.post(self.url("add") + f"?visit={visit.pk}", {**self.create_data(), "visit": visit.pk})
        assert r.status_code == 302
        assert Household.objects.get(needs="新帮扶").visit == visit

    def test_the_action_pages(self):
        w = self.world
        h = w.hh1
        self.login(w.admin1)
        page = lambda name: reverse("services:household_action", args=[h.pk, name])  # noqa: E731
        for name in ("pair", "support", "review", "close"):
            assert self.client.get(page(name)).status_code == 200
        r = self.client.post(page("pair"), {"member": w.member.pk, "started_on": today().isoformat()})
        assert r.status_code == 302 and h.assistances.get().member == w.member
        r = self.client.post(page("support"), {"given_on": today().isoformat(), "kind": "money", "what": "慰问金"})
        assert r.status_code == 200 and "金额" in r.content.decode()  # money without an amount: refused
        r = self.client.post(page("support"), {"given_on": today().isoformat(), "kind": "money", "what": "慰问金",
                                               "amount": "200", "unit": "某公司"})  # fmt: skip
        assert r.status_code == 302 and h.supports.get().unit == w.unit
        pairing = h.assistances.get()
        end = reverse("services:pairing_end", args=[pairing.pk])
        assert self.client.post(end, {"ended_on": today().isoformat()}).status_code == 302
        r = self.client.post(page("review"), {"reviewed_on": today().isoformat(), "outcome": "continue"})
        assert r.status_code == 302 and h.reviews.count() == 1
        r = self.client.post(page("review"), {"reviewed_on": today().isoformat(), "outcome": "continue"})
        assert r.status_code == 200 and "本年度已复核" in r.content.decode()
        r = self.client.post(page("close"), {"closed_on": today().isoformat(), "end_reason": "recovered", "version": 7})
        assert r.status_code == 302  # a stale version: back to the page, nothing written
        h.refresh_from_db()
        assert h.state == "open"
        r = self.client.post(page("close"), {"closed_on": today().isoformat(), "end_reason": "recovered",
                                             "version": h.version})  # fmt: skip
        h.refresh_from_db()
        assert r.status_code == 302 and h.state == "closed"
        assert 'id="household-actions"' not in self.client.get(self.url("", h.pk)).content.decode()
        self.login(w.viewer1)
        assert self.client.get(page("pair")).status_code == 403
        self.login(w.admin1)
        other = reverse("services:household_action", args=[w.hh2.pk, "pair"])
        assert self.client.get(other).status_code == 404
