"""API test helpers every app reuses: an authenticated client, and the scope contract of a REST resource.

    client = api_client(world.admin1)            # a real API token, JSON bodies by default
    client.patch(url, {"name": "新"})

A resource's tests are a subclass that supplies only data (style.md §6.14), like `ScopedViewTests` for pages:

    class MemberAPITests(ScopedAPITests, TestCase):
        basename = "member"                      # the router basename (`routes` in the app's api/urls.py)
        scope_field, pii_fields = "org", ("id_number", "phone")
        def in_scope(self): ...                  # an object admin1 may change, viewer1 may only read
        def out_of_scope(self): ...              # an object neither of them sees
        def create_data(self): ...               # a valid POST body (admin1's scope)
        def update_data(self, obj): ...          # a valid PATCH body for `obj`
        def foreign_value(self): ...             # a value of `scope_field` outside admin1's scope

Report endpoints (statistics, checks) get the parts that apply: `ScopedReportAPITests`.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, resolve, reverse
from rest_framework.test import APIClient

from sqdj.accounts.services import do_issue_token
from sqdj.core.models import ObjectChange

from . import ScopedData, build_world, changes_for, follows_guidance, guide_out_of_scope


def api_client(user=None, *, token: str | None = None, format: str = "json") -> APIClient:
    """A DRF test client that authenticates as `user` with a freshly issued API token (or with `token`; neither:
    anonymous). Request bodies are encoded as `format` (JSON) unless a call gives `content_type`, in which case
    the body is sent as given (a raw string)."""
    client = APIClient()
    client.default_format = format
    if user is not None:
        token = do_issue_token(user)
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _changes(obj):
    return ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).order_by("-pk")


def last_change(obj) -> tuple[str, int | None] | None:
    """(action, user id) of the newest change row of `obj`."""
    change = _changes(obj).first()
    return (change.action, change.user_id) if change else None


def _snapshot(model, pk):
    """Every column of one row, to see that a refused write changed nothing."""
    return model.objects.filter(pk=pk).values().first()


class ScopedAPITests(ScopedData):
    """The scope contract of a REST resource (a `ScopedModelViewSet`): anonymous → 401; no role → 403 (the list, an
    object and a create alike: the role is checked before any lookup); out of scope → 404 (read, update, delete, the
    object's actions); a viewer reads but may not write (403); create, update and delete work in scope and log one
    change row of the object; a write that would put the object out of scope is refused and writes nothing;
    personal numbers are masked in the list and the detail (full only through the reveal action, if any).

    The users are the shared world's: `admin1` administers community 1, `viewer1` may read it, `nobody` holds no
    role. Which methods a resource has (no DELETE for members, no PUT for transfers, …) comes from its viewset's
    `http_method_names`; the tests of a method it lacks do nothing.
    """

    basename: str = ""  # the router basename, e.g. "member" → api:member-list, api:member-detail
    scope_field: str | None = None  # the body field that places an object in a scope ("org", "parent", …)
    foreign_status = 400  # the answer to a write whose scope_field is outside the scope (400: "does not exist")
    pii_fields: tuple[str, ...] = ()  # read back only as `<field>_masked`, never in full
    reveal_action: str | None = None  # a detail action that answers the full numbers, e.g. "reveal"
    reveal_body: dict = {"reason": "办理业务"}
    # detail actions (name → body) that must answer 404 out of scope and 403 to a viewer, writing nothing
    object_actions: dict[str, dict] = {}

    def foreign_value(self):
        """A value of `scope_field` outside admin1's scope (only with a `scope_field`)."""
        raise NotImplementedError

    def pii_values(self, obj) -> dict[str, str]:
        """The full personal numbers of `obj` (the `pii_fields`), which no answer may contain."""
        return {f: getattr(obj, f) for f in self.pii_fields if getattr(obj, f)}

    # the users ----------------------------------------------------------------------------------
    @property
    def admin(self):
        return self.world.admin1

    @property
    def viewer(self):
        return self.world.viewer1

    @property
    def nobody(self):
        return self.world.nobody

    # helpers ------------------------------------------------------------------------------------
    def list_url(self):
        return reverse(f"api:{self.basename}-list")

    def detail_url(self, pk):
        return reverse(f"api:{self.basename}-detail", args=[pk])

    def action_url(self, pk, action):
        return reverse(f"api:{self.basename}-{action}", args=[pk])

    @property
    def viewset(self):
        return resolve(self.list_url()).func.cls

    @property
    def model(self):
        return self.viewset.queryset.model

    def has(self, method: str) -> bool:
        return method in self.viewset.http_method_names

    def api(self, user=None) -> APIClient:
        return api_client(user)

    def created(self, body: dict):
        """The object a 201 answer describes."""
        return self.model.objects.get(pk=body["id"])

    def listed_ids(self, response) -> set:
        self.assertEqual(response.status_code, 200, response.content)
        return {row["id"] for row in response.json()["results"]}

    def assertNothingWritten(self, obj, before_row, before_changes, response):
        self.assertEqual(_snapshot(self.model, obj.pk), before_row, response.content)
        self.assertEqual(ObjectChange.objects.count(), before_changes, response.content)

    # the contract -------------------------------------------------------------------------------
    def test_anonymous_gets_401(self):
        client, pk = self.api(), self.in_scope().pk
        calls = [("get", self.list_url()), ("get", self.detail_url(pk)), ("post", self.list_url())]
        calls += [(m, self.detail_url(pk)) for m in ("patch", "delete") if self.has(m)]
        for method, url in calls:
            r = getattr(client, method)(url)
            self.assertEqual(r.status_code, 401, (method, url))
            self.assertEqual(r["WWW-Authenticate"], "Token")

    def test_no_role_is_403(self):
        client, obj = self.api(self.nobody), self.in_scope()
        self.assertEqual(client.get(self.list_url()).status_code, 403)
        self.assertEqual(client.get(self.detail_url(obj.pk)).status_code, 403)
        before = ObjectChange.objects.count()
        self.assertEqual(client.post(self.list_url(), self.create_data()).status_code, 403)
        self.assertEqual(ObjectChange.objects.count(), before)

    def test_in_scope_is_listed_and_readable(self):
        client, obj = self.api(self.admin), self.in_scope()
        ids = self.listed_ids(client.get(self.list_url(), {"limit": 1000}))
        self.assertIn(obj.pk, ids)
        self.assertLessEqual(ids, set(self.model.objects.restrict(self.admin, "view").values_list("pk", flat=True)))
        r = client.get(self.detail_url(obj.pk))
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["id"], obj.pk)

    def test_out_of_scope_is_404(self):
        client, obj = self.api(self.admin), self.out_of_scope()
        self.assertNotIn(obj.pk, self.listed_ids(client.get(self.list_url(), {"limit": 1000})))
        self.assertEqual(client.get(self.detail_url(obj.pk)).status_code, 404)
        row, changes = _snapshot(self.model, obj.pk), ObjectChange.objects.count()
        calls = [("patch", self.detail_url(obj.pk), self.update_data(obj))] if self.has("patch") else []
        calls += [("delete", self.detail_url(obj.pk), None)] if self.has("delete") else []
        calls += [("post", self.action_url(obj.pk, a), body) for a, body in self.object_actions.items()]
        for method, url, body in calls:
            r = getattr(client, method)(url, body)
            self.assertEqual(r.status_code, 404, (method, url, r.content))
            self.assertNothingWritten(obj, row, changes, r)

    def test_through_a_guidance_link_read_only(self):
        """As the pages (sqdj.testing.ScopedViewTests): seen read only through a guidance link where the model
        follows guidance, 404 elsewhere; nothing written either way."""
        client, obj = self.api(self.admin), self.out_of_scope()
        guide_out_of_scope(self.world)
        seen = follows_guidance(obj, self.world)
        self.assertEqual(obj.pk in self.listed_ids(client.get(self.list_url(), {"limit": 1000})), seen)
        self.assertEqual(client.get(self.detail_url(obj.pk)).status_code, 200 if seen else 404)
        row, changes = _snapshot(self.model, obj.pk), ObjectChange.objects.count()
        calls = [("patch", self.detail_url(obj.pk), self.update_data(obj))] if self.has("patch") else []
        calls += [("delete", self.detail_url(obj.pk), None)] if self.has("delete") else []
        for method, url, body in calls:
            r = getattr(client, method)(url, body)
            self.assertEqual(r.status_code, 403 if seen else 404, (method, url, r.content))
            self.assertNothingWritten(obj, row, changes, r)

    def test_viewer_may_read_but_not_write(self):
        client, obj = self.api(self.viewer), self.in_scope()
        self.assertIn(obj.pk, self.listed_ids(client.get(self.list_url(), {"limit": 1000})))
        self.assertEqual(client.get(self.detail_url(obj.pk)).status_code, 200)
        row, changes = _snapshot(self.model, obj.pk), ObjectChange.objects.count()
        calls = [("post", self.list_url(), self.create_data())]
        calls += [("patch", self.detail_url(obj.pk), self.update_data(obj))] if self.has("patch") else []
        calls += [("delete", self.detail_url(obj.pk), None)] if self.has("delete") else []
        calls += [("post", self.action_url(obj.pk, a), body) for a, body in self.object_actions.items()]
        for method, url, body in calls:
            r = getattr(client, method)(url, body)
            self.assertEqual(r.status_code, 403, (method, url, r.content))
            self.assertNothingWritten(obj, row, changes, r)

    def test_create_writes_one_change_row(self):
        r = self.api(self.admin).post(self.list_url(), self.create_data())
        self.assertEqual(r.status_code, 201, r.content)
        obj = self.created(r.json())
        self.assertEqual(changes_for(obj), 1)
        self.assertEqual(last_change(obj), ("create", self.admin.pk))

    def test_update_writes_one_change_row(self):
        obj = self.in_scope()
        if not self.has("patch"):  # the resource is not changed through the API: the method does not exist
            self.assertEqual(self.api(self.admin).patch(self.detail_url(obj.pk), {}).status_code, 405)
            return
        before = changes_for(obj)
        r = self.api(self.admin).patch(self.detail_url(obj.pk), self.update_data(obj))
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(changes_for(obj), before + 1)
        self.assertEqual(last_change(obj), ("update", self.admin.pk))
        self.assertTrue(_changes(obj).first().diff())

    def test_delete_writes_one_change_row(self):
        """The object `create_data()` makes is deleted again."""
        client = self.api(self.admin)
        if not self.has("delete"):  # not deleted through the API (members leave by the services): no such method
            self.assertEqual(client.delete(self.detail_url(self.in_scope().pk)).status_code, 405)
            return
        r = client.post(self.list_url(), self.create_data())
        self.assertEqual(r.status_code, 201, r.content)
        obj = self.created(r.json())
        r = client.delete(self.detail_url(obj.pk))
        self.assertEqual(r.status_code, 204, r.content)
        self.assertFalse(self.model.objects.filter(pk=obj.pk).exists())
        self.assertEqual(changes_for(obj), 2)
        self.assertEqual(last_change(obj), ("delete", self.admin.pk))

    def _assert_refused(self, response):
        self.assertEqual(response.status_code, self.foreign_status, response.content)
        if self.foreign_status == 400:
            self.assertIn(self.scope_field, response.json())

    def test_write_out_of_scope_is_refused(self):
        """The write re-check: a create or update placing the object outside the scope writes nothing."""
        if self.scope_field is None:
            self.skipTest("no field of this resource places it in a scope (see the resource's own tests)")
        client, obj = self.api(self.admin), self.in_scope()
        rows, changes = self.model.objects.count(), ObjectChange.objects.count()
        r = client.post(self.list_url(), {**self.create_data(), self.scope_field: self.foreign_value()})
        self._assert_refused(r)
        self.assertEqual((self.model.objects.count(), ObjectChange.objects.count()), (rows, changes))
        if self.has("patch"):
            row = _snapshot(self.model, obj.pk)
            r = client.patch(self.detail_url(obj.pk), {**self.update_data(obj), self.scope_field: self.foreign_value()})
            self._assert_refused(r)
            self.assertNothingWritten(obj, row, changes, r)

    def test_personal_numbers_are_masked(self):
        if not self.pii_fields:  # a resource without personal numbers answers no masked field at all
            body = self.api(self.admin).get(self.detail_url(self.in_scope().pk)).json()
            self.assertFalse([k for k in body if k.endswith("_masked")])
            return
        client, obj = self.api(self.admin), self.in_scope()
        full = self.pii_values(obj)
        self.assertTrue(full, "the in-scope object has no personal numbers to mask")
        listing = client.get(self.list_url(), {"limit": 1000})
        rows = [row for row in listing.json()["results"] if row["id"] == obj.pk]
        detail = client.get(self.detail_url(obj.pk))
        for response, row in ((listing, rows[0]), (detail, detail.json())):
            text = response.content.decode()
            for field, value in full.items():
                self.assertNotIn(value, text, field)
                self.assertNotIn(field, row)
                self.assertEqual(row[f"{field}_masked"], getattr(obj, f"{field}_masked"), field)
                self.assertIn("*", row[f"{field}_masked"], field)

    def test_reveal_shows_the_full_numbers(self):
        if self.reveal_action is None:  # nothing to reveal: the resource has no reveal route
            with self.assertRaises(NoReverseMatch):
                reverse(f"api:{self.basename}-reveal", args=[1])
            return
        obj = self.in_scope()
        r = self.api(self.admin).post(self.action_url(obj.pk, self.reveal_action), self.reveal_body)
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r["Cache-Control"], "no-store")
        self.assertEqual({f: r.json()[f] for f in self.pii_values(obj)}, self.pii_values(obj))
        # shown once: the object itself is still read back masked
        text = self.api(self.admin).get(self.detail_url(obj.pk)).content.decode()
        for value in self.pii_values(obj).values():
            self.assertNotIn(value, text)


class ScopedReportAPITests:
    """The parts of the contract a report over an org subtree has (`?org=CODE`: statistics, checks): anonymous →
    401; no role → 403; an org outside the scope, or unknown → 404, the same answer; an org in scope → 200."""

    url_name: str = ""  # e.g. "api:stats"
    in_scope_org = "SQT1"  # codes in the shared world: admin1 administers community 1 …
    out_of_scope_orgs = ("SQT2", "GWT01001", "NO-SUCH")  # … not its sibling, not the street above it

    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()

    def url(self):
        return reverse(self.url_name)

    def test_anonymous_gets_401(self):
        r = api_client().get(self.url(), {"org": self.in_scope_org})
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r["WWW-Authenticate"], "Token")

    def test_no_role_is_403(self):
        self.assertEqual(api_client(self.world.nobody).get(self.url(), {"org": self.in_scope_org}).status_code, 403)

    def test_out_of_scope_is_404(self):
        client = api_client(self.world.admin1)
        for code in self.out_of_scope_orgs:
            r = client.get(self.url(), {"org": code})
            self.assertEqual((r.status_code, r.json()), (404, {"detail": "未找到。"}), code)

    def test_in_scope_is_200(self):
        r = api_client(self.world.admin1).get(self.url(), {"org": self.in_scope_org})
        self.assertEqual(r.status_code, 200, r.content)
