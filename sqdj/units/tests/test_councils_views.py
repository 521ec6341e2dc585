"""Pages of councils, meetings, decisions and agreements: the scope contract (ScopedViewTests), the bad inputs in
Chinese, the status form's version conflict, the council's record, and the printable agreement."""

from __future__ import annotations

import datetime
import sys

from django.test import TestCase
from django.urls import reverse

from sqdj.testing import ScopedViewTests
from sqdj.units.council_views import AgreementViews, CouncilMeetingViews, CouncilViews, DecisionViews
from sqdj.units.models import Agreement, Council, CouncilMeeting, Decision
from sqdj.units.tests.test_councils import council_world

D = datetime.date


class CouncilPageTests(ScopedViewTests):
    inside = outside = ""
    label_field = "name"

    @classmethod
    def setUpTestData(cls):
        cls.world = council_world()

    def _named(self, obj):
        obj.name = getattr(obj, self.label_field)
        return obj

    def in_scope(self):
        return self._named(getattr(self.world, self.inside))

    def out_of_scope(self):
        return self._named(getattr(self.world, self.outside))

    def marker(self, obj):
        return obj.name

    def search_term(self, obj):
        return obj.name[1:]

    def test_export_holds_only_the_scope(self):
        """No export for these lists: `?export=` shows the list page, still the scope only."""
        self.login(self.world.admin1)
        r = self.client.get(self.url("list"), {"export": "csv"})
        self.assertTrue(r["Content-Type"].startswith("text/html"))
        self.assertContains(r, self.marker(self.in_scope()))
        self.assertNotContains(r, self.marker(self.out_of_scope()))


class CouncilViewTests(CouncilPageTests, TestCase):
    views, inside, outside = CouncilViews, "council1", "council2"

    def create_data(self):
        return {"org": self.world.community1.pk, "kind": "coordination", "name": "甲社区协调委员会",
                "term_started_on": "2025-01-01"}  # fmt: skip

    def created(self):
        return Council.objects.get(name="甲社区协调委员会")

    def update_data(self, obj):
        return {"org": obj.org_id, "kind": obj.kind, "name": obj.name, "term_started_on": "2024-02-01"}

    def foreign_scope_data(self, obj):
        return {**self.update_data(obj), "org": self.world.community2.pk}

    def test_record_on_the_council_page(self):
        w = self.world
        d = Decision.objects.create(council=w.council1, title="按期事项", owner=w.unit1, due_on=D(2025, 5, 1),
                                    status="done", closed_on=D(2025, 5, 1))  # fmt: skip
        Decision.objects.create(council=w.council1, title="逾期事项", owner=w.unit1, due_on=D(2020, 1, 1))
        self.login(w.viewer1)
        r = self.client.get(self.url("", w.council1.pk))
        record = r.context["record"]
        self.assertEqual((record.on_time, [x.title for x in record.overdue]), ([d], ["逾期事项"]))
        self.assertContains(r, '<td id="record-on-time">1</td>', html=True)
        self.assertNotContains(r, reverse("units:council_seat_add", args=[w.council1.pk]))  # read only

    def test_seat_pages_scope_and_errors(self):
        w = self.world
        url = reverse("units:council_seat_add", args=[w.council1.pk])
        self.login(w.viewer1)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.login(w.admin1)
        self.assertEqual(self.client.get(reverse("units:council_seat_add", args=[w.council2.pk])).status_code, 404)
        r = self.client.post(url, {"representative": "赵", "started_on": "2025-01-01"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertContains(r, "请选择一个单位或一个党组织（二者选一）。")
        end = reverse("units:councilmember_end", args=[w.seat1b.pk])
        self.assertEqual(self.client.post(end, {"ended_on": "2025-01-01"}).status_code, 302)
        self.assertEqual(self.client.get(reverse("units:councilmember_end", args=[w.seat2.pk])).status_code, 404)


class CouncilMeetingViewTests(CouncilPageTests, TestCase):
    views, inside, outside = CouncilMeetingViews, "meeting1", "meeting2"
    label_field = "place"

    def create_data(self):
        w = self.world
        return {"council": w.council1.pk, "held_on": "2024-05-01", "place": "新会议室", "agenda": "议题",
                "attendees": [w.seat1.pk, w.seat1b.pk], "minutes": ""}  # fmt: skip

    def created(self):
        return CouncilMeeting.objects.get(place="新会议室")

    def update_data(self, obj):
        return {"council": obj.council_id, "held_on": "2024-03-02", "place": obj.place, "agenda": "改",
                "minutes": "纪要"}  # fmt: skip

    def foreign_scope_data(self, obj):
        return {**self.update_data(obj), "attendees": [self.world.seat2.pk]}


class DecisionViewTests(CouncilPageTests, TestCase):
    views, inside, outside = DecisionViews, "decision1", "decision2"
    label_field = "title"

    def create_data(self):
        w = self.world
        return {"council": w.council1.pk, "title": "新事项", "owner": w.unit1b.pk, "due_on": "2099-06-01",
                "meeting": "", "detail": ""}  # fmt: skip

    def created(self):
        return Decision.objects.get(title="新事项")

    def update_data(self, obj):
        return {"council": obj.council_id, "title": obj.title, "owner": obj.owner_id, "due_on": "2099-07-01",
                "meeting": "", "detail": "补充", "version": Decision.objects.get(pk=obj.pk).version}  # fmt: skip

    def foreign_scope_data(self, obj):
        return {**self.update_data(obj), "owner": self.world.unit2.pk}

    def test_decision_without_owner_or_due_date_shows_chinese_errors(self):
        self.login(self.world.admin1)
        r = self.client.post(self.url("add"), {"council": self.world.council1.pk, "title": "无主"},
                             HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "议定事项须指定责任单位。")
        self.assertContains(r, "议定事项须指定完成时限。")
        self.assertFalse(Decision.objects.filter(title="无主").exists())

    def test_two_status_forms_one_success_one_conflict(self):
        w = self.world
        self.login(w.admin1)
        url = reverse("units:decision_status", args=[w.decision1.pk])
        form = {"status": "in_progress", "note": "", "version": 1}  # both pages loaded at version 1
        self.assertEqual(self.client.post(url, form).status_code, 302)
        r = self.client.post(url, {**form, "status": "done"}, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertContains(r, "该议定事项已被他人修改，请刷新后重试。")
        self.assertEqual(Decision.objects.get(pk=w.decision1.pk).status, "in_progress")
        self.login(w.viewer1)
        self.assertEqual(self.client.post(url, {**form, "version": 2}).status_code, 403)
        self.login(w.admin1)
        self.assertEqual(self.client.post(reverse("units:decision_status", args=[w.decision2.pk]), form).status_code,
                         404)  # fmt: skip

    def test_stale_edit_form_is_a_conflict(self):
        self.login(self.world.admin1)
        obj = self.world.decision1
        data = self.update_data(obj)
        self.assertEqual(self.client.post(self.url("edit", obj.pk), data).status_code, 302)
        r = self.client.post(self.url("edit", obj.pk), {**data, "title": "再改"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertContains(r, "该议定事项已被他人修改，请刷新后重试。")
        self.assertEqual(Decision.objects.get(pk=obj.pk).title, obj.title)


class AgreementViewTests(CouncilPageTests, TestCase):
    views, inside, outside = AgreementViews, "agreement1", "agreement2"
    label_field = "title"

    def create_data(self):
        w = self.world
        return {"org": w.community1.pk, "units": [w.unit1b.pk], "kind": "pairing", "title": "新结对协议",
                "number": "", "signed_on": "2025-01-01", "starts_on": "2025-01-01", "ends_on": "2026-12-31",
                "org_commitments": "场地", "unit_commitments": "志愿者"}  # fmt: skip

    def created(self):
        return Agreement.objects.get(title="新结对协议")

    def update_data(self, obj):
        return {**self.create_data(), "org": obj.org_id, "units": [self.world.unit1.pk], "title": obj.title,
                "unit_commitments": "改"}  # fmt: skip

    def foreign_scope_data(self, obj):
        return {**self.update_data(obj), "org": self.world.community2.pk}

    def test_ending_before_it_starts_shows_a_chinese_error(self):
        self.login(self.world.admin1)
        data = {**self.create_data(), "ends_on": "2024-12-31"}
        r = self.client.post(self.url("add"), data, HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertContains(r, "协议的终止日期不能早于开始日期。")
        self.assertFalse(Agreement.objects.filter(title="新结对协议").exists())

    def test_review_and_end_early_pages(self):
        w = self.world
        self.login(w.viewer1)
        self.assertEqual(self.client.get(reverse("units:agreement_review", args=[w.agreement1.pk])).status_code, 403)
        self.login(w.admin1)
        self.assertEqual(self.client.get(reverse("units:agreement_end", args=[w.agreement2.pk])).status_code, 404)
        url = reverse("units:agreement_review", args=[w.agreement1.pk])
        data = {"year": 2025, "reviewed_on": "2025-12-01", "note": "履约良好"}
        self.assertEqual(self.client.post(url, data).status_code, 302)
        r = self.client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertContains(r, "该年度的评估已填写。")
        r = self.client.post(reverse("units:agreement_end", args=[w.agreement1.pk]), {"ended_on": "2025-06-30"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Agreement.objects.get(pk=w.agreement1.pk).ended_on, D(2025, 6, 30))

    def test_printable_agreement(self):
        import io

        from pypdf import PdfReader

        w = self.world
        self.login(w.viewer1)
        r = self.client.get(reverse("units:agreement_pdf", args=[w.agreement1.pk]))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/pdf")
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
        for expected in (
            "共建协议书",
            "甲方",
            "乙方",
            w.community1.name,
            w.unit1.name,
            "开放党群服务中心",
            "提供志愿服务",
        ):
            self.assertIn(expected, text.replace(" ", "").replace("\n", ""))
        self.assertEqual(self.client.get(reverse("units:agreement_pdf", args=[w.agreement2.pk])).status_code, 404)

    def test_without_weasyprint_the_page_says_so(self):
        self.login(self.world.admin1)
        saved = sys.modules.get("weasyprint")
        sys.modules["weasyprint"] = None  # type: ignore[assignment]  # `import weasyprint` fails
        try:
            r = self.client.get(reverse("units:agreement_pdf", args=[self.world.agreement1.pk]),
                                HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
        finally:
            sys.modules["weasyprint"] = saved  # type: ignore[assignment]
        self.assertEqual(r.status_code, 503)
        self.assertIn("WeasyPrint", r.content.decode())
