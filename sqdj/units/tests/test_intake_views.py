"""The pages of the authority lists and the instructors: scope (in scope 200, out of scope 404, viewer read only),
mark contacted, the end of a unit, assigning an instructor (member picker in the scope), the phone masked, the import
wizard's page and the export."""

from __future__ import annotations

import datetime
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from sqdj.core.models import ObjectChange
from sqdj.members.services import do_create_member
from sqdj.testing import build_world
from sqdj.testing.members import member_data
from sqdj.units import intake, navigation
from sqdj.units.choices import ChangeKind, IntakeStatus, UnitStatus
from sqdj.units.models import AuthorityEntry, Instructor

from .test_intake import code, csv, line, make_unit

PHONE = "13655556666"


class IntakePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        w = cls.world = build_world()
        cls.unit = make_unit(w, 1)
        cls.other = make_unit(w, 2, second=True)
        cls.entry_in = cls._entry(cls.unit, w.community_area1)
        cls.entry_out = cls._entry(cls.other, w.community_area2)
        cls.instr_in = intake.do_add_instructor(cls.unit, acting_user=None, name="陈指导", phone=PHONE,
                                                started_on=datetime.date(2025, 1, 1), sent_by="街道党工委")  # fmt: skip
        cls.instr_out = intake.do_add_instructor(cls.other, acting_user=None, name="褚指导",
                                                 started_on=datetime.date(2025, 1, 1))  # fmt: skip
        cls.member_in = do_create_member(acting_user=None, **member_data(w.branch1, seq=11, name="卫党员"))
        cls.member_out = do_create_member(acting_user=None, **member_data(w.branch2, seq=12, name="蒋党员"))

    @classmethod
    def _entry(cls, unit, area):
        return AuthorityEntry.objects.create(authority="market_regulation", kind=ChangeKind.REGISTERED,
                                             credit_code=unit.credit_code, name=unit.name,
                                             changed_on=datetime.date(2026, 1, 5), area=area, unit=unit,
                                             due_on=datetime.date(2026, 2, 4))  # fmt: skip

    def login(self, user):
        self.client.force_login(user)

    def test_scope_of_every_page(self):
        w = self.world
        self.login(w.admin1)
        pages_in = [reverse("units:authorityentry", args=[self.entry_in.pk]),
                    reverse("units:authorityentry_contacted", args=[self.entry_in.pk]),
                    reverse("units:instructor", args=[self.instr_in.pk]),
                    reverse("units:instructor_edit", args=[self.instr_in.pk]),
                    reverse("units:instructor_end", args=[self.instr_in.pk]),
                    reverse("units:visit_add", args=[self.instr_in.pk]),
                    reverse("units:instructor_add", args=[self.unit.pk]),
                    reverse("units:unit_end", args=[self.unit.pk])]  # fmt: skip
        pages_out = [p.replace(f"/{self.entry_in.pk}/", f"/{self.entry_out.pk}/") for p in pages_in[:2]]
        pages_out += [p.replace(f"/{self.instr_in.pk}/", f"/{self.instr_out.pk}/") for p in pages_in[2:6]]
        pages_out += [p.replace(f"/{self.unit.pk}/", f"/{self.other.pk}/") for p in pages_in[6:]]
        for url in pages_in:
            self.assertEqual(self.client.get(url).status_code, 200, url)
        for i, url in enumerate(pages_out):
            self.assertEqual(self.client.get(url).status_code, 404, url)
            if i not in (0, 2):  # the forms (the detail pages take no POST)
                self.assertEqual(self.client.post(url, {}).status_code, 404, url)
        for name in ("units:authorityentry_list", "units:instructor_list"):
            r = self.client.get(reverse(name))
            shown = {row.record.pk for row in r.context["table"].page.object_list}
            self.assertIn(self.entry_in.pk if "authority" in name else self.instr_in.pk, shown)
            self.assertNotIn(self.entry_out.pk if "authority" in name else self.instr_out.pk, shown)
        # a viewer reads, never acts
        self.login(w.viewer1)
        for url in pages_in[:1] + pages_in[2:3]:
            r = self.client.get(url)
            self.assertEqual(r.status_code, 200, url)
            self.assertNotContains(r, 'id="mark-contacted"')
            self.assertNotContains(r, 'id="instructor-end"')
        before = ObjectChange.objects.count()
        for url in pages_in[1:2] + pages_in[3:]:
            self.assertEqual(self.client.get(url).status_code, 403, url)
            self.assertEqual(self.client.post(url, {}).status_code, 403, url)
        self.assertEqual(ObjectChange.objects.count(), before)
        # no role: no list
        self.login(w.nobody)
        self.assertEqual(self.client.get(reverse("units:authorityentry_list")).status_code, 403)

    def test_mark_contacted(self):
        self.login(self.world.admin1)
        url = reverse("units:authorityentry_contacted", args=[self.entry_in.pk])
        r = self.client.post(url, {"contacted_on": "2026-01-01", "note": ""})  # before the registration
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["form"].errors["contacted_on"])
        r = self.client.post(url, {"contacted_on": "2026-01-10", "note": "上门对接"})
        self.assertRedirects(r, self.entry_in.get_absolute_url())
        self.entry_in.refresh_from_db()
        self.assertEqual((self.entry_in.status, self.entry_in.contacted_on), (IntakeStatus.CONNECTED,
                                                                              datetime.date(2026, 1, 10)))  # fmt: skip

    def test_end_unit_page(self):
        self.login(self.world.admin1)
        r = self.client.post(reverse("units:unit_end", args=[self.unit.pk]),
                             {"status": "deregistered", "ended_on": "2026-03-01", "reason": "注销"})  # fmt: skip
        self.assertEqual(r.status_code, 302)
        self.unit.refresh_from_db()
        self.instr_in.refresh_from_db()
        self.assertEqual(self.unit.status, UnitStatus.DEREGISTERED)
        self.assertEqual(self.instr_in.ended_on, datetime.date(2026, 3, 1))
        self.assertTrue(Instructor.objects.filter(pk=self.instr_in.pk).exists())

    def test_add_instructor_and_visit(self):
        self.login(self.world.admin1)
        url = reverse("units:instructor_add", args=[self.unit.pk])
        data = {"kind": "liaison", "member": self.member_out.pk, "name": "", "sent_by": "", "phone": "",
                "started_on": "2026-01-02"}  # fmt: skip
        r = self.client.post(url, data)
        self.assertEqual(r.status_code, 200)  # a member outside the scope is no choice
        self.assertTrue(r.context["form"].errors["member"])
        r = self.client.post(url, {**data, "member": self.member_in.pk})
        added = Instructor.objects.get(unit=self.unit, member=self.member_in)
        self.assertRedirects(r, added.get_absolute_url())
        self.assertEqual((added.name, added.kind), ("卫党员", "liaison"))
        visit = {"visited_on": "2026-01-03", "content": "了解用工情况", "next_step": "筹建支部"}
        r = self.client.post(reverse("units:visit_add", args=[added.pk]), visit)
        self.assertRedirects(r, added.get_absolute_url())
        self.assertContains(self.client.get(added.get_absolute_url()), "筹建支部")

    def test_member_picker_finds_only_the_scope(self):
        self.login(self.world.admin1)
        url = reverse("members:member_pick")
        for member, found in ((self.member_in, True), (self.member_out, False)):
            r = self.client.get(url, {"q": member.name})
            self.assertEqual(r.status_code, 200)
            self.assertEqual(f'data-value="{member.pk}"' in r.content.decode(), found)

    def test_phone_is_masked(self):
        self.login(self.world.admin1)
        r = self.client.get(reverse("units:instructor", args=[self.instr_in.pk]))
        self.assertNotContains(r, PHONE)
        self.assertContains(r, "136******66")
        r = self.client.get(reverse("units:instructor_changes", args=[self.instr_in.pk]))
        self.assertNotContains(r, PHONE)

    def test_import_page_and_export(self):
        self.login(self.world.admin1)
        self.assertEqual(self.client.get(reverse("units:authorityentry_import")).status_code, 200)
        r = self.client.get(reverse("units:authorityentry_list"), {"export": "csv"})
        text = r.content.decode("utf-8-sig")
        self.assertTrue(text.startswith("登记管理机关,变动类型,统一社会信用代码"))
        self.assertIn(code(1), text)
        self.assertNotIn(code(2), text)

    def test_pages_read_in_chinese(self):
        """As the crawl (tests/test_crawl.py) reads a page: no English word a user reads."""
        from tests.test_crawl import _Page, _unreadable  # noqa: PLC0415 - the crawl's own reading of a page

        # the app's menu group is the lead's to translate (navigation.py), not this part's
        group = set(re.findall(r"[A-Za-z]+", str(navigation.menu[0].label)))

        self.login(self.world.admin1)
        intake.do_record_visit(self.instr_in, acting_user=None, visited_on=datetime.date(2025, 2, 1), content="座谈")
        urls = [reverse("units:authorityentry_list"), reverse("units:authorityentry", args=[self.entry_in.pk]),
                reverse("units:authorityentry_contacted", args=[self.entry_in.pk]),
                reverse("units:authorityentry_import"), reverse("units:instructor_list"),
                reverse("units:instructor", args=[self.instr_in.pk]),
                reverse("units:instructor_edit", args=[self.instr_in.pk]),
                reverse("units:instructor_end", args=[self.instr_in.pk]),
                reverse("units:visit_add", args=[self.instr_in.pk]),
                reverse("units:instructor_add", args=[self.unit.pk]), reverse("units:unit_end", args=[self.unit.pk]),
                reverse("todo_list") + "?list=units-visits-overdue"]  # fmt: skip
        for url in urls:
            r = self.client.get(url)
            self.assertEqual(r.status_code, 200, url)
            page = _Page()
            page.feed(r.content.decode())
            self.assertEqual([w for w in _unreadable(" ".join(page.text), {"admin1"}) if w not in group], [], url)

    def test_import_wizard(self):
        """Upload → preview (nothing written) → confirm → written, through the pipeline's background job."""
        self.login(self.world.admin1)
        url = reverse("units:authorityentry_import")
        upload = SimpleUploadedFile("list.csv", csv([line(31)]), content_type="text/csv")
        r = self.client.post(url, {"file": upload})
        self.assertEqual(r.status_code, 302)
        preview = self.client.get(r["Location"])
        self.assertEqual(preview.status_code, 200)
        self.assertFalse(AuthorityEntry.objects.filter(credit_code=code(31)).exists())
        batch = r["Location"].split("batch=")[1]
        r = self.client.post(url, {"token": batch})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(self.client.get(r["Location"]).status_code, 200)
        self.assertTrue(AuthorityEntry.objects.filter(credit_code=code(31), status=IntakeStatus.PENDING).exists())
