"""Test helpers every app reuses: a small two-community world, and view test mixins.

A model's view tests are a subclass that supplies only data (style.md §6.14):
    class TestOrgViews(ScopedViewTests, TestCase):
        views = OrgViews
        def in_scope(self): ...
        def out_of_scope(self): ...
        def create_data(self): ...
        def update_data(self, obj): ...
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # public, not in the stubs
from django_tables2.rows import BoundRow

from sqdj.accounts.models import User
from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.areas.services import do_create_area
from sqdj.core.models import ObjectChange
from sqdj.orgs.choices import GuidanceKind
from sqdj.orgs.models import GuidanceLink
from sqdj.orgs.services import do_create_org

PASSWORD = "Test-Password-2026"


@dataclass
class World:
    """区 D → 街道 S → 社区 C1, C2 (siblings) with one branch and one group each, and the matching areas."""

    district_area: object
    street_area: object
    community_area1: object
    community_area2: object
    district: object
    street: object
    community1: object
    community2: object
    branch1: object
    branch2: object
    group1: object
    admin1: object  # community_admin on community1 and below
    viewer1: object  # viewer on community1 and below
    nobody: object  # signed in, no role
    superuser: object


def build_world() -> World:
    da = do_create_area(acting_user=None, parent=None, code="T01", name="测试区", type="district")
    sa = do_create_area(acting_user=None, parent=da, code="T01001", name="测试街道", type="subdistrict")
    ca1 = do_create_area(acting_user=None, parent=sa, code="T01001001", name="甲社区", type="community")
    ca2 = do_create_area(acting_user=None, parent=sa, code="T01001002", name="乙社区", type="community")
    d = do_create_org(
        acting_user=None, parent=None, code="DWT01", name="中共测试区委员会", type="district_committee", area=da
    )
    s = do_create_org(
        acting_user=None,
        parent=d,
        code="GWT01001",
        name="中共测试街道工作委员会",
        type="subdistrict_committee",
        area=sa,
    )
    c1 = do_create_org(
        acting_user=None, parent=s, code="SQT1", name="中共甲社区总支部委员会", type="general_branch", area=ca1
    )
    c2 = do_create_org(
        acting_user=None, parent=s, code="SQT2", name="中共乙社区总支部委员会", type="general_branch", area=ca2
    )
    b1 = do_create_org(acting_user=None, parent=c1, code="ZBT1", name="中共甲社区第一党支部", type="branch", area=ca1)
    b2 = do_create_org(acting_user=None, parent=c2, code="ZBT2", name="中共乙社区第一党支部", type="branch", area=ca2)
    g1 = do_create_org(acting_user=None, parent=b1, code="XZT1", name="甲社区第一党小组", type="group")
    admin1 = do_create_user("admin1", password=PASSWORD, validate=False)
    do_grant_role(admin1, role="community_admin", org=c1, descendants=True)
    viewer1 = do_create_user("viewer1", password=PASSWORD, validate=False)
    do_grant_role(viewer1, role="viewer", org=c1, descendants=True)
    nobody = do_create_user("nobody", password=PASSWORD, validate=False)
    root = User.objects.create_superuser("root", password=PASSWORD)
    return World(da, sa, ca1, ca2, d, s, c1, c2, b1, b2, g1, admin1, viewer1, nobody, root)


def _snapshot_row(obj) -> dict:
    return type(obj).objects.filter(pk=obj.pk).values().first()


def changes_for(obj) -> int:
    return ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).count()


class ScopedData:
    """What a scope test of pages or endpoints needs from its subclass: the world, an object in the user's scope
    and one outside it, the data of a create and of an update."""

    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()

    # data hooks ---------------------------------------------------------------------------------
    def in_scope(self):
        raise NotImplementedError

    def out_of_scope(self):
        raise NotImplementedError

    def create_data(self) -> dict:
        raise NotImplementedError

    def update_data(self, obj) -> dict:
        raise NotImplementedError


def org_of(obj):
    """The org `obj` hangs from (its model's `scope_org_field`), or None."""
    field = getattr(type(obj), "scope_org_field", None)
    if field is None:
        return None
    for name in filter(None, field.split("__")):
        obj = getattr(obj, name, None)
    return obj


def guide_out_of_scope(world) -> GuidanceLink:
    """The user's community org (c1) guides the other community's (c2), which is outside the user's scope."""
    link = GuidanceLink.objects.create(
        guide=world.community1,
        org=world.community2,
        kind=GuidanceKind.TERRITORIAL,
        started_on=datetime.date(2020, 1, 1),
    )
    return link


def follows_guidance(obj, world) -> bool:
    """Whether `obj` is seen through `guide_out_of_scope`'s link: its model follows guidance, it hangs under c2."""
    org = org_of(obj)
    model = type(obj)
    return bool(
        getattr(model, "scope_guidance", False) and org is not None and org.path.startswith(world.community2.path)
    )


class ScopedViewTests(ScopedData):
    """The scope contract of a model's pages: anonymous → login; no role → 403/404; out of scope → 404;
    in scope → 200; seen but not changeable → 403; one change row per write; export only the scope."""

    views = None  # the app's ModelViews subclass

    def marker(self, obj) -> str:
        """A string that identifies `obj` in a list search and in an export."""
        return obj.code

    def search_term(self, obj) -> str:
        """What to type into the list's search box to find `obj` (it must not contain the name itself)."""
        return self.marker(obj)

    def foreign_scope_data(self, obj) -> dict:
        """Form data that would move `obj` under something outside the scope."""
        return {**self.update_data(obj), "parent": self.out_of_scope().pk}

    def created(self):
        """The object `create_data()` made."""
        return self.views.model.objects.get(code=self.create_data()["code"])

    # helpers ------------------------------------------------------------------------------------
    def url(self, action="", *args):
        return reverse(self.views.url_name(action), args=args)

    def login(self, user):
        self.client.force_login(user)

    # the contract -------------------------------------------------------------------------------
    def has(self, action: str) -> bool:
        """Whether the model has this page (members, say, are never deleted: they leave the roll by an event)."""
        return {"delete": self.views.delete_service, "import": self.views.importer}.get(action, True) is not None

    def object_urls(self, obj, *actions):
        return [self.url(a, obj.pk) for a in actions if self.has(a)]

    def test_anonymous_goes_to_login(self):
        obj = self.in_scope()
        urls = [self.url("list"), self.url("add"), *([self.url("import")] if self.has("import") else [])]
        for url in urls + self.object_urls(obj, "", "edit", "delete"):
            r = self.client.get(url)
            self.assertEqual(r.status_code, 302, url)
            self.assertIn(reverse("login"), r["Location"])

    def test_no_role(self):
        self.login(self.world.nobody)
        self.assertEqual(self.client.get(self.url("list")).status_code, 403)
        self.assertEqual(self.client.get(self.url("add")).status_code, 403)
        self.assertEqual(self.client.get(self.url("", self.in_scope().pk)).status_code, 404)

    def test_in_scope_is_visible(self):
        self.login(self.world.admin1)
        obj = self.in_scope()
        self.assertEqual(self.client.get(self.url("", obj.pk)).status_code, 200)
        r = self.client.get(self.url("list"), {"q": self.search_term(obj)}, follow=True)  # a number: via `?s=`
        self.assertContains(r, obj.name)

    def test_out_of_scope_is_404_everywhere(self):
        self.login(self.world.admin1)
        obj = self.out_of_scope()
        for url in self.object_urls(obj, "", "edit", "delete", "changes"):
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertEqual(self.client.post(self.url("edit", obj.pk), self.update_data(obj)).status_code, 404)
        for url in self.object_urls(obj, "delete"):
            self.assertEqual(self.client.post(url).status_code, 404)
        r = self.client.get(self.url("list"), {"q": self.search_term(obj)}, follow=True)  # a number: via `?s=`
        self.assertNotContains(r, obj.name)

    def test_list_holds_only_the_scope(self):
        self.login(self.world.admin1)
        r = self.client.get(self.url("list"))
        self.assertEqual(r.status_code, 200)
        visible = set(self.views.model.objects.restrict(self.world.admin1, "view").values_list("pk", flat=True))
        shown = {row.record.pk for row in r.context["table"].page.object_list}
        self.assertTrue(shown)
        self.assertLessEqual(shown, visible)
        self.assertNotIn(self.out_of_scope().pk, shown)

    def test_through_a_guidance_link_read_only(self):
        """When the user's org guides the org an object outside the scope hangs from (属地管理 …), a model that
        follows guidance (orgs, their leadership) shows it, read only; every other model still answers 404 (the
        members stay with their line of membership). Ended, the link shows nothing."""
        obj = self.out_of_scope()
        link = guide_out_of_scope(self.world)
        seen = follows_guidance(obj, self.world)
        self.login(self.world.admin1)
        self.assertEqual(self.client.get(self.url("", obj.pk)).status_code, 200 if seen else 404)
        for url in self.object_urls(obj, "edit", "delete"):
            self.assertEqual(self.client.get(url).status_code, 403 if seen else 404, url)
        before = _snapshot_row(obj)
        self.assertIn(self.client.post(self.url("edit", obj.pk), self.update_data(obj)).status_code, (403, 404))
        self.assertEqual(_snapshot_row(obj), before)
        link.ended_on = datetime.date(2021, 1, 1)
        link.save()
        self.assertEqual(self.client.get(self.url("", obj.pk)).status_code, 404)

    def test_table_cells_as_the_library_makes_them(self):
        """The list's cells are made by a plan per column (core.tables) with django-tables2's semantics: the same
        values, and the same `<td>`s as its template writes, as the library's own row makes them."""
        self.login(self.world.admin1)
        table = self.client.get(self.url("list")).context["table"]
        rows = list(table.page.object_list)
        self.assertTrue(rows)
        for row in rows:
            theirs = [value for _column, value in BoundRow(row.record, table=table).items()]
            self.assertEqual([value for _column, value in row.items()], theirs)
            html = "".join(f"<td>{conditional_escape(localize(template_localtime(v)))}</td>" for v in theirs)
            self.assertEqual(row.cells_html(), html)

    def test_export_holds_only_the_scope(self):
        self.login(self.world.admin1)
        r = self.client.get(self.url("list"), {"export": "csv"})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r["Content-Type"].startswith("text/csv"), "the list has no export")
        text = r.content.decode("utf-8-sig")
        self.assertIn(self.marker(self.in_scope()), text)
        self.assertNotIn(self.marker(self.out_of_scope()), text)

    def test_picker_finds_only_the_scope(self):
        """The search picker's results (ModelViews.pick_fields) go through the gate unless the model is public."""
        if not self.views.pick_fields:
            with self.assertRaises(NoReverseMatch):  # no picker declared: no picker page either
                self.url("pick")
            return
        self.login(self.world.admin1)
        inside, outside = self.in_scope(), self.out_of_scope()
        for obj in (inside, outside):
            r = self.client.get(self.url("pick"), {"q": self.marker(obj)})
            self.assertEqual(r.status_code, 200)
            self.assertEqual(
                f'data-value="{obj.pk}"' in r.content.decode(), obj == inside or self.views.pick_public, obj
            )
        self.client.logout()
        self.assertEqual(self.client.get(self.url("pick"), {"q": self.marker(inside)}).status_code, 302)

    def test_viewer_may_see_but_not_change(self):
        self.login(self.world.viewer1)
        obj = self.in_scope()
        self.assertEqual(self.client.get(self.url("", obj.pk)).status_code, 200)
        self.assertEqual(self.client.get(self.url("edit", obj.pk)).status_code, 403)
        for url in self.object_urls(obj, "delete"):
            self.assertEqual(self.client.post(url).status_code, 403)
        self.assertEqual(self.client.get(self.url("add")).status_code, 403)

    def test_create_writes_one_change_row(self):
        self.login(self.world.admin1)
        before = ObjectChange.objects.count()
        r = self.client.post(self.url("add"), self.create_data())
        self.assertEqual(r.status_code, 302, getattr(r, "context", None) and r.context["form"].errors)
        obj = self.created()
        self.assertEqual(ObjectChange.objects.count(), before + 1)
        change = ObjectChange.objects.first()
        self.assertEqual((change.action, change.object_id, change.user_id), ("create", obj.pk, self.world.admin1.pk))

    def test_update_writes_one_change_row(self):
        self.login(self.world.admin1)
        obj = self.in_scope()
        before = changes_for(obj)
        r = self.client.post(self.url("edit", obj.pk), self.update_data(obj))
        self.assertEqual(r.status_code, 302, getattr(r, "context", None) and r.context["form"].errors)
        self.assertEqual(changes_for(obj), before + 1)
        change = ObjectChange.objects.first()
        self.assertEqual(change.action, "update")
        self.assertTrue(change.diff())

    def test_cannot_save_into_a_foreign_scope(self):
        """Moving an object under a parent outside the scope is refused and changes nothing."""
        self.login(self.world.admin1)
        obj = self.in_scope()
        data = self.foreign_scope_data(obj)
        before = changes_for(obj)
        r = self.client.post(self.url("edit", obj.pk), data)
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["form"].errors)
        self.assertEqual(changes_for(obj), before)
