"""Guidance links (属地管理, 双重管理, 指导协调): what the guide's admins see through them, and the links refused."""

import datetime

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import translation

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core.services import ScopeViolation
from sqdj.leadership.models import Position
from sqdj.members.models import Member
from sqdj.members.panels import _org_members
from sqdj.members.services import do_create_member
from sqdj.orgs.choices import GuidanceKind
from sqdj.orgs.models import GuidanceLink, Org
from sqdj.orgs.services import do_create_org, do_end_guidance, do_link_guidance
from sqdj.testing import build_world
from sqdj.testing.members import member_data

DAY = datetime.date(2024, 3, 1)


class GuidanceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.w = w = build_world()
        # a unit's party branch on the district's line (机关 sector), located in c1's community: its membership
        # line runs to the district committee, the subdistrict guides it where it stands
        cls.unit = do_create_org(
            acting_user=None,
            parent=w.district,
            code="JGT1",
            name="中共某局机关支部委员会",
            type="branch",
            area=w.community_area1,
        )
        cls.unit_member = do_create_member(acting_user=None, **member_data(cls.unit, seq=1, name="单位党员"))
        cls.district_admin = do_create_user("qu", password=None, validate=False)
        do_grant_role(cls.district_admin, role="district_admin", org=w.district, descendants=True)
        cls.street_admin = do_create_user("jd", password=None, validate=False)
        do_grant_role(cls.street_admin, role="subdistrict_admin", org=w.street, descendants=True)

    def link(self, guide=None, org=None, **kw):
        data = {"kind": GuidanceKind.TERRITORIAL, "started_on": DAY, **kw}
        return do_link_guidance(
            acting_user=self.district_admin, guide=guide or self.w.street, org=org or self.unit, **data
        )

    def fresh(self, user):
        return type(user).objects.get(pk=user.pk)  # the scope is read once per user object

    def test_the_guide_sees_the_org_read_only_and_not_its_members(self):
        user = self.street_admin
        self.assertFalse(Org.objects.restrict(user, "view").filter(pk=self.unit.pk).exists())
        self.link()
        user = self.fresh(user)
        self.assertTrue(Org.objects.restrict(user, "view").filter(pk=self.unit.pk).exists())
        self.assertFalse(Org.objects.restrict(user, "change").filter(pk=self.unit.pk).exists())
        self.assertFalse(Member.objects.restrict(user, "view").filter(pk=self.unit_member.pk).exists())

    def test_the_guided_orgs_leadership_is_seen(self):
        position = Position.objects.create(org=self.unit, member=self.unit_member, role="secretary", started_on=DAY)
        self.assertFalse(Position.objects.restrict(self.street_admin, "view").filter(pk=position.pk).exists())
        self.link()
        self.assertTrue(
            Position.objects.restrict(self.fresh(self.street_admin), "view").filter(pk=position.pk).exists()
        )

    def test_an_ended_link_shows_nothing_and_keeps_its_history(self):
        link = self.link()
        do_end_guidance(link, acting_user=self.district_admin, ended_on=DAY + datetime.timedelta(days=30))
        self.assertFalse(Org.objects.restrict(self.fresh(self.street_admin), "view").filter(pk=self.unit.pk).exists())
        self.assertEqual(GuidanceLink.objects.filter(org=self.unit).count(), 1)
        with self.assertRaises(ValidationError):
            do_end_guidance(link, acting_user=self.district_admin, ended_on=DAY)  # already ended

    def test_the_end_cannot_precede_the_start(self):
        link = self.link()
        with self.assertRaises(ValidationError):
            do_end_guidance(link, acting_user=self.district_admin, ended_on=DAY - datetime.timedelta(days=1))

    def test_refused_links_in_chinese_and_nothing_written(self):
        w = self.w
        cases = {
            "itself": (self.unit, self.unit, "不能指导自身"),
            "an org above it": (w.district, self.unit, "上级"),
            "an org below it": (w.branch1, w.community1, "下级"),
        }
        with translation.override("zh-hans"):
            for name, (guide, org, words) in cases.items():
                with self.subTest(name), self.assertRaises(ValidationError) as caught:
                    self.link(guide=guide, org=org)
                self.assertIn(words, "".join(caught.exception.messages))
            self.link()
            with self.assertRaises(ValidationError) as caught:  # the same link twice
                self.link()
            self.assertIn("已在指导", "".join(caught.exception.messages))
            with self.assertRaises(ValidationError) as caught:  # the unit guides the street: a loop
                self.link(guide=self.unit, org=w.street)
            self.assertIn("闭环", "".join(caught.exception.messages))
        self.assertEqual(GuidanceLink.objects.count(), 1)

    def test_a_loop_through_a_subtree_is_refused(self):
        """c2 guides the unit; the unit would then guide the street, c2's parent: c2 would see itself through the
        unit. (The unit guiding c2's branch b2 closes nothing: b2 does not see c2.)"""
        self.link(guide=self.w.community2)
        with self.assertRaises(ValidationError):
            self.link(guide=self.unit, org=self.w.street)
        self.link(guide=self.unit, org=self.w.branch2)
        self.assertEqual(GuidanceLink.objects.count(), 2)

    def test_only_who_may_change_the_guided_org_links_it(self):
        with self.assertRaises(ScopeViolation):  # the street admin cannot change the district's unit org
            do_link_guidance(
                acting_user=self.street_admin, guide=self.w.street, org=self.unit, kind="dual", started_on=DAY
            )
        self.assertFalse(GuidanceLink.objects.exists())

    def test_the_org_page_shows_the_link_and_the_figures_whole(self):
        self.link()
        self.client.force_login(self.street_admin)
        r = self.client.get(self.unit.get_absolute_url())
        self.assertEqual(r.status_code, 200)
        page = r.content.decode()
        self.assertIn("中共测试街道工作委员会", page.split('id="guidance"', 1)[1])  # the guide, in the links section
        self.assertNotIn('id="org-members-link"', page)  # the count, no way into the members
        shown = _org_members(self.unit, self.fresh(self.street_admin))
        self.assertEqual((shown["member_count"], shown["member_list_link"]), (1, False))  # counted, not seen
        own = _org_members(self.unit, self.fresh(self.district_admin))
        self.assertEqual((own["member_count"], own["member_list_link"]), (1, True))

    def test_linking_and_ending_on_the_page(self):
        self.client.force_login(self.district_admin)
        r = self.client.post(
            f"/orgs/{self.unit.pk}/guidance/",
            {"guide": self.w.street.pk, "kind": "territorial", "started_on": "2024-03-01", "note": ""},
            follow=True,
        )
        self.assertEqual(r.status_code, 200)
        link = GuidanceLink.objects.get(org=self.unit)
        self.assertEqual((link.guide, link.kind), (self.w.street, "territorial"))
        # ending it first says what will change (issue 14: confirmations)
        page = self.client.get(self.unit.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        self.assertIn(f"记录后：{self.w.street.name} 的管理员将不再能看到本组织", page)
        r = self.client.post(f"/orgs/guidance/{link.pk}/end/", {"ended_on": "2024-05-01"}, follow=True)
        link.refresh_from_db()
        self.assertEqual(link.ended_on, datetime.date(2024, 5, 1))
        self.client.force_login(self.street_admin)  # the guide's admin may not end it
        r = self.client.post(f"/orgs/{self.unit.pk}/guidance/", {"guide": self.w.street.pk, "kind": "dual"})
        self.assertEqual(r.status_code, 404)  # the link has ended: the unit is out of sight again
