import datetime
import re

from django.test import TestCase
from django.urls import reverse

from sqdj.core.models import ObjectChange
from sqdj.members.models import Member, MembershipEvent, PiiReveal
from sqdj.members.services import do_create_member, do_register
from sqdj.members.views import MemberViews
from sqdj.testing import ScopedViewTests, build_world
from sqdj.testing.members import member_data

FULL_ID = re.compile(r"\b\d{17}[\dX]\b")
FULL_PHONE = re.compile(r"\b1[3-9]\d{9}\b")


def form_data(member: Member, **over) -> dict:
    d = {
        "name": member.name, "sex": member.sex, "ethnicity": member.ethnicity, "birth_date": member.birth_date,
        "education": member.education, "member_type": member.member_type, "joined_on": member.joined_on,
        "confirmed_on": member.confirmed_on or "", "work_status": member.work_status, "org": member.org_id,
        "home_area": member.home_area_id or "", "work_unit": member.work_unit, "new_id_number": "", "new_phone": "",
    }  # fmt: skip
    d.update(over)
    return d


class MemberViewTests(ScopedViewTests, TestCase):
    views = MemberViews

    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()
        w = cls.world
        cls.m1 = do_create_member(acting_user=None, **member_data(w.branch1, seq=1, name="张三丰"))
        cls.m2 = do_create_member(acting_user=None, **member_data(w.branch2, seq=2, name="李四光"))

    def in_scope(self):
        return self.m1

    def out_of_scope(self):
        return self.m2

    def marker(self, obj):
        return obj.name

    def search_term(self, obj):
        return obj.name_initials

    def create_data(self):
        d = member_data(self.world.branch1, seq=7, name="王五")
        return form_data(
            Member(**{k: v for k, v in d.items() if k not in ("org",)}, org=self.world.branch1),
            new_id_number=d["id_number"],
            new_phone=d["phone"],
        )

    def created(self):
        return Member.objects.get(name="王五")

    def update_data(self, obj):
        return form_data(obj, work_unit="新单位")

    def foreign_scope_data(self, obj):
        return form_data(obj, org=self.world.branch2.pk)

    # members only ------------------------------------------------------------------------------------
    def test_search_by_pinyin_initials_full_pinyin_and_exact_id(self):
        self.client.force_login(self.world.admin1)
        for q in ("zsf", "ZSF", "zhangsan", "张三", self.m1.id_number, self.m1.phone):
            r = self.client.get(reverse("members:member_list"), {"q": q}, follow=True)  # a number: via `?s=`
            self.assertContains(r, "张三丰", msg_prefix=q)
        r = self.client.get(reverse("members:member_list"), {"q": self.m2.id_number}, follow=True)  # out of scope
        self.assertNotContains(r, "李四光")

    def test_numbers_are_masked_in_list_detail_and_edit_form(self):
        self.client.force_login(self.world.admin1)
        for url in (
            reverse("members:member_list"),
            self.m1.get_absolute_url(),
            reverse("members:member_edit", args=[self.m1.pk]),
        ):
            html = self.client.get(url).content.decode()
            self.assertNotIn(self.m1.id_number, html, url)
            self.assertNotIn(self.m1.phone, html, url)
            self.assertIn(self.m1.id_number_masked, html, url)

    def test_reveal_needs_a_reason_and_is_logged(self):
        self.client.force_login(self.world.admin1)
        url = reverse("members:member_reveal", args=[self.m1.pk])
        r = self.client.post(url, {"reason": ""})
        self.assertEqual(r.status_code, 400)
        self.assertFalse(PiiReveal.objects.exists())
        r = self.client.post(url, {"reason": "办理组织关系转接"})
        self.assertContains(r, self.m1.id_number)
        self.assertEqual(r["Cache-Control"], "no-store")
        log = PiiReveal.objects.get()
        self.assertEqual((log.user, log.member, log.reason), (self.world.admin1, self.m1, "办理组织关系转接"))

    def test_viewer_cannot_reveal_and_out_of_scope_is_404(self):
        self.client.force_login(self.world.viewer1)
        r = self.client.post(reverse("members:member_reveal", args=[self.m1.pk]), {"reason": "想看看"})
        self.assertEqual(r.status_code, 403)
        self.assertNotIn(self.m1.id_number, r.content.decode())
        self.client.force_login(self.world.admin1)
        r = self.client.post(reverse("members:member_reveal", args=[self.m2.pk]), {"reason": "想看看"})
        self.assertEqual(r.status_code, 404)
        self.assertFalse(PiiReveal.objects.exists())

    def test_edit_keeps_numbers_when_left_empty_and_logs_the_category_change_outside_the_ledger(self):
        self.client.force_login(self.world.admin1)
        data = form_data(self.m1, work_status="retired", category="mobile")  # the category is derived, not typed
        r = self.client.post(reverse("members:member_edit", args=[self.m1.pk]), data)
        self.assertEqual(r.status_code, 302)
        m = Member.objects.get(pk=self.m1.pk)
        self.assertEqual((m.id_number, m.phone, m.category), (self.m1.id_number, self.m1.phone, "retired"))
        # issue 13: a category changes no count: the change log has it, the count ledger does not
        self.assertEqual(list(m.events.values_list("kind", flat=True)), ["joined", "confirmed"])
        change = ObjectChange.objects.filter(content_type__model="member", object_id=m.pk).order_by("-pk").first()
        self.assertEqual(change.diff()["category"], ("employed", "retired"))

    def test_registered_member_is_seen_by_the_community_but_not_changed(self):
        w = self.world
        outsider = do_create_member(acting_user=None, **member_data(w.branch2, seq=9, name="赵六"))
        do_register(outsider, acting_user=None, community=w.community_area1, registered_on=datetime.date(2026, 1, 5))
        self.client.force_login(w.admin1)
        self.assertContains(self.client.get(reverse("members:member_list")), "赵六")
        self.assertEqual(self.client.get(outsider.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get(reverse("members:member_edit", args=[outsider.pk])).status_code, 403)
        r = self.client.post(reverse("members:member_reveal", args=[outsider.pk]), {"reason": "核对"})
        self.assertEqual(r.status_code, 403)
        # the member's own org keeps the membership and still sees them
        self.assertEqual(Member.objects.get(pk=outsider.pk).org, w.branch2)

    def test_register_from_the_detail_page(self):
        self.client.force_login(self.world.admin1)
        r = self.client.post(
            reverse("members:member_register", args=[self.m1.pk]),
            {
                "community": self.world.community_area2.pk,
                "registered_on": "2026-03-01",
                "posts_of_interest": "楼门长",
                "skills": "法律咨询",
            },
        )
        self.assertEqual(r.status_code, 302)
        reg = self.m1.registrations.get()
        self.assertEqual((reg.community, reg.active), (self.world.community_area2, True))
        # issue 13: a registration changes no count (the change log has it)
        self.assertFalse(MembershipEvent.objects.filter(member=self.m1).exclude(kind__in=["joined", "confirmed"]))
        r = self.client.post(
            reverse("members:member_register", args=[self.m1.pk]),
            {"community": self.world.community_area1.pk, "registered_on": "2026-03-02"},
        )
        self.assertEqual(self.m1.registrations.count(), 1)  # one active registration at a time

    def test_org_page_and_home_count_as_the_list_does(self):
        """The org page's member count and the home tile count the way the member list does (core.paging), and
        agree with it: the active members of the subtree that the user sees."""
        w = self.world
        self.client.force_login(w.admin1)
        visible = Member.objects.restrict(w.admin1, "view").filter(standing="active")
        in_subtree = visible.filter(org__path__startswith=w.community1.path).count()
        org_page = self.client.get(reverse("orgs:org", args=[w.community1.pk]))
        self.assertEqual((org_page.context["member_count"], org_page.context["member_count_exact"]), (in_subtree, True))
        home = self.client.get("/")
        tile = next(t for t in home.context["tiles"] if t["key"] == "members")
        self.assertEqual((tile["count"], tile["count_exact"]), (visible.count(), True))
        self.assertContains(home, f'<div class="sqdj-count">{visible.count()}</div>', html=False)

    def test_registration_community_is_searched_not_listed(self):
        """The 报到 form finds the residence community by search (any community of the city: divisions are
        public) instead of rendering every community as an option."""
        w = self.world
        self.m1.category = "employed"
        self.m1.save(update_fields=["category"])
        self.client.force_login(w.admin1)
        page = self.client.get(reverse("members:member", args=[self.m1.pk])).content.decode()
        self.assertIn('class="sqdj-picker"', page)
        self.assertNotIn(f'<option value="{w.community_area2.pk}"', page)
        found = self.client.get(
            reverse("areas:area_pick"), {"q": w.community_area2.code, "type": "community"}
        ).content.decode()
        self.assertIn(f'data-value="{w.community_area2.pk}"', found)
        self.assertIn(w.community_area2.name_with_code, found)
        none = self.client.get(reverse("areas:area_pick"), {"q": w.community_area2.code, "type": "grid"})
        self.assertNotContains(none, "data-value=")
        self.assertContains(none, "没有找到")

    def test_bad_form_input_is_a_chinese_error_and_writes_nothing(self):
        self.client.force_login(self.world.admin1)
        data = self.create_data()
        data["new_id_number"] = data["new_id_number"][:17] + ("0" if data["new_id_number"][17] != "0" else "1")
        r = self.client.post(reverse("members:member_add"), data)
        self.assertEqual(r.status_code, 200)
        self.assertIn(
            "校验位", " ".join(r.context["form"].errors.get("new_id_number", []) + r.context["form"].non_field_errors())
        )
        self.assertFalse(Member.objects.filter(name="王五").exists())

    def test_no_unmasked_numbers_anywhere_in_pages(self):
        self.client.force_login(self.world.admin1)
        for url in (reverse("members:member_list"), self.m1.get_absolute_url(), reverse("home")):
            html = self.client.get(url).content.decode()
            self.assertFalse(FULL_ID.search(html), url)
            self.assertFalse(FULL_PHONE.search(html), url)
