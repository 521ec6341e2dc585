"""The tree picker (core.picking behind `pick/`, core.widgets.SearchSelect) and what never asks twice (issue 14)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import TestCase
from django.urls import reverse

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.areas.filtersets import AreaFilterSet
from sqdj.areas.models import Area
from sqdj.areas.services import do_create_area
from sqdj.core.context import acting_as
from sqdj.core.pinyin import name_pinyin, text_pinyin
from sqdj.members.forms import MemberForm, RegistrationForm, home_community
from sqdj.members.models import Member
from sqdj.members.services import do_create_member
from sqdj.orgs.filtersets import OrgFilterSet
from sqdj.orgs.models import Org
from sqdj.orgs.services import do_create_org
from sqdj.testing import PASSWORD, build_world
from sqdj.testing.members import make_id_number, member_data
from sqdj.testing.migrations import migrate_to
from sqdj.transfers.forms import TransferForm

ORG_PICK = "orgs:org_pick"
AREA_PICK = "areas:area_pick"


def values(response) -> list[int]:
    """The pks a picker answer offers to choose (not those shown only as a way down the tree)."""
    return [
        int(v) for v in re.findall(r'class="[^"]*sqdj-pick-item[^"]*" data-value="(\d+)"', response.content.decode())
    ]


def shown(response) -> str:
    return response.content.decode()


class PinyinTests(TestCase):
    def test_text_pinyin_reads_each_character_without_surname_readings(self):
        self.assertEqual(text_pinyin("和平社区"), ("hepingshequ", "hpsq"))
        self.assertEqual(text_pinyin("单位党支部"), ("danweidangzhibu", "dwdzb"))  # a person's 单 is shan
        self.assertEqual(name_pinyin("单田芳")[0], "shantianfang")
        self.assertEqual(text_pinyin("第1党支部"), ("di1dangzhibu", "d1dzb"))  # digits kept whole

    def test_orgs_and_areas_store_their_pinyin_on_every_write(self):
        w = build_world()
        self.assertEqual((w.branch1.name_pinyin, w.branch1.name_initials), text_pinyin("中共甲社区第一党支部"))
        self.assertEqual(Area.objects.get(pk=w.community_area1.pk).name_initials, "jsq")
        # bulk writes (the synthetic city) do not run save(): the manager fills the pinyin
        (bulk,) = Area.objects.bulk_create(
            [Area(code="BULK1", name="和平社区", type="community", path="ZZZZ", depth=1)]
        )
        self.assertEqual(Area.objects.get(pk=bulk.pk).name_initials, "hpsq")
        # a rename recomputes it
        w.branch1.name = "和平第一党支部"
        w.branch1.save()
        self.assertEqual(Org.objects.get(pk=w.branch1.pk).name_initials, "hpdydzb")


class PickEndpointTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.w = build_world()
        # a community org with a pinyin-friendly name outside admin1's scope (under community 2)
        cls.heping = do_create_org(
            acting_user=None, parent=cls.w.community2, code="ZBHP", name="和平里党支部", type="branch"
        )
        cls.group2 = do_create_org(acting_user=None, parent=cls.heping, code="XZHP", name="和平里党小组", type="group")

    def get(self, user, name=ORG_PICK, **params):
        self.client.force_login(user)
        r = self.client.get(reverse(name), params)
        self.assertEqual(r.status_code, 200)
        return r

    def test_search_by_name_code_full_pinyin_and_initials(self):
        w = self.w
        for words in ("第一党支部", "ZBT1", "zbt1", "jiashequ", "jia she qu", "JSQDY", "jsqdydzb"):
            self.assertIn(w.branch1.pk, values(self.get(w.superuser, q=words)), words)
        self.assertEqual(values(self.get(w.superuser, q="xyz不存在")), [])

    def test_search_goes_through_the_scope_gate(self):
        w = self.w
        # admin1 holds community 1 and below: 乙社区's branch and 和平里 are not theirs, whichever way they are asked
        self.assertEqual(values(self.get(w.admin1, q="hpl")), [])
        self.assertEqual(values(self.get(w.admin1, q="yishequ")), [])
        self.assertIn(w.branch1.pk, values(self.get(w.admin1, q="jsq")))
        self.assertEqual(values(self.get(w.nobody, q="jsq")), [])
        self.client.logout()
        self.assertEqual(self.client.get(reverse(ORG_PICK), {"q": "jsq"}).status_code, 302)

    def test_type_filters_narrow_what_may_be_chosen(self):
        w = self.w
        r = self.get(w.superuser, q="jsq", type=["branch", "group"])
        self.assertEqual(sorted(values(r)), sorted([w.branch1.pk, w.group1.pk]))
        self.assertEqual(values(self.get(w.superuser, q="jsq", type="group")), [w.group1.pk])

    def test_receiving_set_offers_no_group_nor_administration_level_but_any_scope(self):
        w = self.w
        # admin1 sees neither 乙社区 nor 和平里, but may send a member there: the receiving set is public
        found = values(self.get(w.admin1, q="hpl", set="receiving"))
        self.assertEqual(found, [self.heping.pk])  # 和平里党支部, not 和平里党小组
        found = values(self.get(w.admin1, q="zhonggong", set="receiving"))
        self.assertNotIn(w.group1.pk, found)
        self.assertNotIn(w.district.pk, found)
        self.assertNotIn(w.street.pk, found)
        self.assertIn(w.community2.pk, found)
        self.assertEqual(values(self.get(w.nobody, q="hpl", set="receiving")), [])  # no role: no public set either
        for group in (w.group1, self.group2):
            self.assertNotIn(group.pk, values(self.get(w.admin1, q=group.code, set="receiving")))

    def test_transfer_form_refuses_a_group_as_receiving_org(self):
        form = TransferForm({"to_org": self.group2.code, "reason": "work"})
        self.assertFalse(form.is_valid())
        self.assertIn("to_org", form.errors)
        self.assertTrue(TransferForm({"to_org": self.heping.code, "reason": "work"}).is_valid())
        html = str(TransferForm({"to_org": self.heping.code})["to_org"])
        self.assertIn('data-value-field="code"', html)
        self.assertIn(f'value="{self.heping.code}"', html)
        self.assertIn("和平里党支部（ZBHP）", html)  # the label of the chosen org
        self.assertIn("set=receiving", html)

    def test_browse_starts_at_the_users_own_top_nodes(self):
        w = self.w
        self.assertEqual(values(self.get(w.admin1, browse=1)), [w.community1.pk])
        self.assertEqual(values(self.get(w.superuser, browse=1)), [w.district.pk])
        self.assertEqual(values(self.get(w.nobody, browse=1)), [])
        # the receiving set starts at the roots; the district is no choice but is the way down
        r = self.get(w.admin1, browse=1, set="receiving")
        self.assertEqual(values(r), [])
        self.assertIn(f'parent={w.district.pk}"', shown(r))
        self.assertIn("set=receiving", shown(r))  # an expand button asks within the same set

    def test_children_load_through_the_gate(self):
        w = self.w
        r = self.get(w.admin1, parent=w.community1.pk)
        self.assertEqual(values(r), [w.branch1.pk])
        self.assertIn(f'parent={w.branch1.pk}"', shown(r))  # the branch has a group below it: it expands
        # a node out of scope: nothing to expand
        self.client.force_login(w.admin1)
        self.assertEqual(self.client.get(reverse(ORG_PICK), {"parent": w.community2.pk}).status_code, 404)
        self.assertEqual(self.client.get(reverse(ORG_PICK), {"parent": w.street.pk}).status_code, 404)
        # the receiving set: the street holds no membership (not a choice) but leads to the communities
        r = self.get(w.admin1, parent=w.district.pk, set="receiving")
        self.assertEqual(values(r), [])
        self.assertIn(w.street.name, shown(r))
        r = self.get(w.admin1, parent=self.heping.pk, set="receiving")
        self.assertEqual(values(r), [])
        self.assertNotIn(self.group2.name, shown(r))  # a group is no choice and leads nowhere: not shown

    def test_add_action_limits_to_where_the_user_may_add(self):
        w = self.w
        self.assertEqual(values(self.get(w.viewer1, q="jsq", action="add")), [])
        self.assertIn(w.branch1.pk, values(self.get(w.viewer1, q="jsq")))
        self.assertIn(w.branch1.pk, values(self.get(w.admin1, q="jsq", action="add")))

    def test_area_picker_is_public_unless_scoped(self):
        w = self.w
        self.assertIn(w.community_area2.pk, values(self.get(w.admin1, AREA_PICK, q="ysq", type="community")))
        self.assertEqual(values(self.get(w.admin1, AREA_PICK, q="ysq", scoped="1")), [])
        self.assertEqual(values(self.get(w.admin1, AREA_PICK, browse=1, scoped="1")), [w.community_area1.pk])
        r = self.get(w.admin1, AREA_PICK, parent=w.street_area.pk, type="community")
        self.assertEqual(sorted(values(r)), sorted([w.community_area1.pk, w.community_area2.pk]))

    def test_search_results_name_the_parent(self):
        r = self.get(self.w.superuser, q="hpl", set="receiving")
        self.assertIn("· 中共乙社区总支部委员会", shown(r))

    def test_org_tree_search_links_to_the_org(self):
        r = self.get(self.w.admin1, q="jsqdy", links="1")
        self.assertIn(f'href="{self.w.branch1.get_absolute_url()}"', shown(r))

    def test_org_list_search_finds_by_pinyin(self):
        w = self.w
        fs = OrgFilterSet({"q": "jsqdydzb"}, queryset=Org.objects.all())
        self.assertEqual(list(fs.qs), [w.branch1])
        fs = AreaFilterSet({"q": "yishequ"}, queryset=Area.objects.all())
        self.assertEqual(list(fs.qs), [w.community_area2])

    def test_filter_keeps_taking_a_code_and_shows_its_label_within_scope(self):
        w = self.w
        self.client.force_login(w.admin1)
        fs = OrgFilterSet({"org": w.community1.code}, queryset=Org.objects.all())
        self.assertEqual(set(fs.qs), {w.community1, w.branch1})
        with acting_as(w.admin1):
            html = str(OrgFilterSet({"org": w.community1.code}, queryset=Org.objects.all()).form["org"])
            self.assertIn(f'value="{w.community1.code}"', html)
            self.assertIn(w.community1.name, html)
            outside = str(OrgFilterSet({"org": w.community2.code}, queryset=Org.objects.all()).form["org"])
            self.assertNotIn(w.community2.name, outside)  # the name of an org out of scope is not shown
        self.assertEqual(
            self.client.get(reverse("orgs:org_list"), {"org": w.community1.code}).status_code in (200, 303), True
        )


class NeverAskTwiceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.w = build_world()

    def member_post(self, org, **over):
        data = {
            "name": "李四",
            "ethnicity": "汉族",
            "new_id_number": make_id_number(datetime.date(1980, 2, 29), 7, female=True),
            "education": "bachelor",
            "member_type": "full",
            "joined_on": "2005-07-01",
            "confirmed_on": "2006-07-01",
            "work_status": "employed",
            "org": org.pk,
        }
        data.update(over)
        return data

    def test_birth_date_and_sex_come_from_the_id_number_when_left_empty(self):
        form = MemberForm(self.member_post(self.w.branch1), user=self.w.admin1)
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["birth_date"], datetime.date(1980, 2, 29))
        self.assertEqual(form.cleaned_data["sex"], "female")
        male = MemberForm(
            self.member_post(self.w.branch1, new_id_number=make_id_number(datetime.date(1975, 1, 2), 8)),
            user=self.w.admin1,
        )
        self.assertTrue(male.is_valid(), male.errors)
        self.assertEqual(
            (male.cleaned_data["birth_date"], male.cleaned_data["sex"]), (datetime.date(1975, 1, 2), "male")
        )

    def test_what_the_user_typed_is_kept_and_a_bad_number_still_asks(self):
        form = MemberForm(self.member_post(self.w.branch1, sex="male"), user=self.w.admin1)
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["sex"], "male")
        bad = MemberForm(self.member_post(self.w.branch1, new_id_number="12010119800229123X"), user=self.w.admin1)
        self.assertFalse(bad.is_valid())
        self.assertIn("birth_date", bad.errors)
        self.assertIn("sex", bad.errors)

    def test_the_new_member_page_saves_a_member_with_derived_fields(self):
        self.client.force_login(self.w.admin1)
        r = self.client.post(reverse("members:member_add"), self.member_post(self.w.branch1))
        self.assertIn(r.status_code, (302, 303), r.content.decode()[:2000])
        m = Member.objects.get(name="李四")
        self.assertEqual((m.birth_date, m.sex), (datetime.date(1980, 2, 29), "female"))

    def test_id_number_box_carries_the_fill_targets(self):
        html = str(MemberForm(user=self.w.admin1)["new_id_number"])
        self.assertIn("data-sqdj-idnumber", html)
        self.assertIn('data-birth-target="id_birth_date"', html)

    def test_org_is_preset_when_the_scope_offers_one(self):
        w = self.w
        single = do_create_user("single", password=PASSWORD, validate=False)
        do_grant_role(single, role="community_admin", org=w.branch2, descendants=False)
        self.assertEqual(MemberForm(user=single)["org"].value(), w.branch2.pk)
        self.assertIn(f'value="{w.branch2.pk}"', str(MemberForm(user=single)["org"]))
        self.assertIn(MemberForm(user=w.admin1)["org"].value(), (None, ""))  # several orgs: the user chooses

    def test_registration_starts_with_the_home_areas_community(self):
        w = self.w
        grid = do_create_area(
            acting_user=None, parent=w.community_area2, code="T01001002001", name="一网格", type="grid"
        )
        self.assertEqual(home_community(grid), w.community_area2)
        self.assertEqual(home_community(w.community_area1), w.community_area1)
        self.assertIsNone(home_community(w.street_area))
        member = Member(name="王五", home_area=grid, org=w.branch1)
        form = RegistrationForm(member=member)
        self.assertEqual(form["community"].value(), w.community_area2.pk)
        self.assertIn("乙社区（T01001002）", str(form["community"]))
        self.assertIn(RegistrationForm(member=Member(name="赵六", org=w.branch1))["community"].value(), (None, ""))
        # the member's page offers the form so filled
        saved = do_create_member(acting_user=None, **{**member_data(w.branch1, seq=7), "home_area": grid})
        self.client.force_login(w.admin1)
        page = self.client.get(saved.get_absolute_url()).content.decode()
        self.assertIn("乙社区（T01001002）", page)


@pytest.mark.django_db(transaction=True)
def test_migrations_backfill_the_pinyin_of_existing_orgs_and_areas():
    """orgs.0007_org_pinyin and areas.0005_area_pinyin: rows written before them get their names' pinyin."""
    w = build_world()
    try:
        apps = migrate_to([("orgs", "0006_org_approves_members"), ("areas", "0004_path_statistics_coarser")])
        apps.get_model("orgs", "Org").objects.filter(pk=w.branch1.pk).update(name="和平里党支部")
        apps.get_model("areas", "Area").objects.filter(pk=w.community_area2.pk).update(name="和平社区")
    finally:
        migrate_to()
    branch, area = Org.objects.get(pk=w.branch1.pk), Area.objects.get(pk=w.community_area2.pk)
    assert (branch.name_pinyin, branch.name_initials) == ("hepinglidangzhibu", "hpldzb")
    assert (area.name_pinyin, area.name_initials) == ("hepingshequ", "hpsq")
    assert Org.objects.get(pk=w.street.pk).name_initials == text_pinyin(w.street.name)[1]
