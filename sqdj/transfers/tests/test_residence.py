"""Receiving retired, unemployed and unit-less members into their residence community: the target org, the
member page's button with the prefilled form, and the list of such members in the user's scope."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from sqdj.members.services import do_create_member
from sqdj.testing.members import member_data
from sqdj.testing.transfers import build_transfer_world
from sqdj.transfers import residence, services
from sqdj.transfers.models import Transfer


class ResidenceFlowTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tw = tw = build_transfer_world()
        w = tw.world
        ca3 = tw.community3.area  # 丙社区, in the other subdistrict

        def member(seq, name, **over):
            return do_create_member(acting_user=None, **member_data(w.branch1, seq=seq, name=name, **over))

        cls.retired = member(20, "周退休", category="retired", home_area=ca3)
        cls.unemployed = member(21, "吴失业", category="unemployed", home_area=ca3)
        cls.no_unit = member(22, "郑无单位", category="resident", work_unit="", home_area=ca3)
        cls.employed = member(23, "王在职", category="employed", home_area=ca3)  # has a work unit
        cls.at_home = member(24, "冯本社区", category="retired", home_area=w.community_area1)  # C1 holds them
        cls.no_area = member(25, "陈未填", category="retired")
        cls.lixiu = member(27, "卫离休", category="veteran_retired", work_unit="", home_area=ca3)
        cls.held = do_create_member(
            acting_user=None, **member_data(tw.branch3, seq=26, name="褚已转入", category="retired", home_area=ca3)
        )

    def test_the_target_is_the_community_org_of_the_home_area(self):
        # 丙社区 has a committee and a branch located in it: the community's own org is the committee
        self.assertEqual(residence.community_org(self.tw.community3.area), self.tw.community3)
        self.assertEqual(residence.target_org(self.retired), self.tw.community3)
        self.assertEqual(residence.target_org(self.unemployed), self.tw.community3)
        self.assertEqual(residence.target_org(self.no_unit), self.tw.community3)
        for m in (self.employed, self.at_home, self.no_area, self.held):
            self.assertIsNone(residence.target_org(m), m.name)
        self.assertEqual(residence.reason_for(self.retired), "retirement")
        self.assertEqual(residence.reason_for(self.unemployed), "unemployment")
        self.assertEqual(residence.reason_for(self.no_unit), "unemployment")

    def test_member_page_button_opens_the_prefilled_form(self):
        self.client.force_login(self.tw.sender)
        r = self.client.get(self.retired.get_absolute_url())
        self.assertContains(r, 'id="start-residence-transfer"')
        url = reverse("transfers:transfer_create", args=[self.retired.pk]) + "?to_org=SQT3&amp;reason=retirement"
        self.assertContains(r, f'href="{url}"')
        self.assertNotContains(self.client.get(self.employed.get_absolute_url()), 'id="start-residence-transfer"')
        self.assertNotContains(self.client.get(self.at_home.get_absolute_url()), 'id="start-residence-transfer"')
        r = self.client.get(url.replace("&amp;", "&"))
        form = r.context["form"]
        self.assertEqual((form["to_org"].value(), form["reason"].value()), ("SQT3", "retirement"))
        r = self.client.post(url.replace("&amp;", "&"), {"to_org": "SQT3", "reason": "retirement", "submit": ""})
        self.assertEqual(r.status_code, 302)
        case = Transfer.objects.get(member=self.retired)
        self.assertEqual((case.state, case.to_org, case.reason), ("submitted", self.tw.community3, "retirement"))
        # with the case open, the button is gone
        self.assertNotContains(self.client.get(self.retired.get_absolute_url()), 'id="start-residence-transfer"')

    def test_list_of_members_to_receive(self):
        self.client.force_login(self.tw.sender)
        url = reverse("transfers:residence_list")
        r = self.client.get(url)
        listed = {row["member"].pk for row in r.context["rows"]}
        self.assertEqual(listed, {self.retired.pk, self.unemployed.pk, self.no_unit.pk})
        self.assertContains(r, f'data-member="{self.retired.pk}"')
        # 离休: only at the member's request, from the member's page; the list does not offer it
        self.assertNotIn(self.lixiu.pk, listed)
        self.assertEqual(residence.target_org(self.lixiu), self.tw.community3)
        self.assertContains(self.client.get(self.lixiu.get_absolute_url()), 'id="start-residence-transfer"')
        # a member with an open case leaves the list
        services.do_create_transfer(acting_user=self.tw.sender, member=self.unemployed, reason="unemployment",
                                    to_org=self.tw.community3)  # fmt: skip
        listed = {row["member"].pk for row in self.client.get(url).context["rows"]}
        self.assertEqual(listed, {self.retired.pk, self.no_unit.pk})
        # only the user's scope: the receiving side's admin does not list branch 1's members
        self.client.force_login(self.tw.receiver)
        self.assertEqual(self.client.get(url).context["rows"], [])
        self.client.force_login(self.tw.world.viewer1)
        self.assertEqual(self.client.get(url).status_code, 403)
