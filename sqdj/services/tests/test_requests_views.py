"""The request part's pages: the scope contract of the list, detail, intake and steps (ScopedViewTests) and of the
category catalogue; the detail's masked contact, timeline and buttons; the step pages; the to-dos (each count = the
rows of the list its link opens); a member sees only the requests assigned to them."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django.urls import reverse

from sqdj.core.models import AuditEvent, ObjectChange
from sqdj.services import requests as services
from sqdj.services.choices import RequestState
from sqdj.services.models import Category, Request
from sqdj.services.request_views import CategoryViews, RequestViews
from sqdj.services.request_workbench import todos
from sqdj.testing import ScopedViewTests

from .test_requests import RequestWorld

S = RequestState


def _named(request):
    request.name = request.summary  # what the shared tests look for in a page
    return request


class RequestViewTests(ScopedViewTests, TestCase):
    """A request changes by its steps: the contract's "edit" page is the first step (accept)."""

    views = RequestViews

    @classmethod
    def setUpTestData(cls):
        cls.world = RequestWorld()

    def url(self, action="", *args):
        if action == "edit":
            return reverse("services:request_step", args=[*args, "accept"])
        return super().url(action, *args)

    def in_scope(self):
        return _named(Request.objects.get(pk=self.world.req1.pk))

    def out_of_scope(self):
        return _named(Request.objects.get(pk=self.world.req2.pk))

    def marker(self, obj):
        return obj.number

    def create_data(self):
        w = self.world
        return {"category": w.category.pk, "summary": "新诉求甲", "description": "井盖松动", "area": w.grid1.pk,
                "location": "3号楼前", "urgency": "normal", "source": "counter", "contact_name": "李四",
                "contact_phone": "13812345678", "consent": "on"}  # fmt: skip

    def created(self):
        return Request.objects.get(summary="新诉求甲")

    def update_data(self, obj):
        return {"version": obj.version, "note": "受理", "public_note": "已受理"}

    def foreign_scope_data(self, obj):
        return {"version": obj.version, "public_note": "联系13812345678"}  # refused: a phone in a public note

    def test_export_masks_the_contact_and_there_is_no_import(self):
        self.login(self.world.admin1)
        text = self.client.get(self.url("list"), {"export": "csv"}).content.decode("utf-8-sig")
        assert self.world.req1.contact_phone_masked in text and "13812345678" not in text
        assert self.client.get(self.url("import")).status_code == 404
        assert self.url("import") not in self.client.get(self.url("list")).content.decode()

    # ---- the pages' own --------------------------------------------------------------------------------------
    def test_detail_masks_the_contact_and_shows_the_steps_and_buttons(self):
        self.login(self.world.admin1)
        r = self.client.get(self.url("", self.world.req1.pk))
        html = r.content.decode()
        assert "13812345678" not in html and "李四" not in html
        assert self.world.req1.contact_phone_masked in html
        assert 'id="request-steps"' in html and 'id="request-accept"' in html and 'id="request-assign"' in html
        self.login(self.world.viewer1)
        html = self.client.get(self.url("", self.world.req1.pk)).content.decode()
        assert 'id="request-accept"' not in html and 'id="request-assign"' not in html

    def test_the_contact_in_full_once_with_a_reason_logged(self):
        """The responsible side reads the resident's contact in full after a reason (an audit event naming the
        fields and the reason, never the values); a viewer may not; out of scope: 404."""
        w = self.world
        url = reverse("services:request_reveal", args=[w.req1.pk])
        self.login(w.admin1)
        assert 'id="pii-block"' in self.client.get(self.url("", w.req1.pk)).content.decode()
        r = self.client.post(url, {"reason": " "})
        assert r.status_code == 400 and "13812345678" not in r.content.decode()
        r = self.client.post(url, {"reason": "回访"})
        html = r.content.decode()
        assert r.status_code == 200 and "13812345678" in html and "李四" in html
        assert r["Cache-Control"] == "no-store"
        event = AuditEvent.objects.filter(event="reveal", object_type="services.request").latest("pk")
        assert event.detail["reason"] == "回访" and "13812345678" not in str(event.detail)
        self.login(w.viewer1)
        r = self.client.post(url, {"reason": "回访"})
        assert r.status_code == 403 and "13812345678" not in r.content.decode()
        self.login(w.nobody)  # sees no request
        assert self.client.post(url, {"reason": "回访"}).status_code == 404

    def test_list_filters(self):
        w = self.world
        self.login(w.admin1)

        def shown(**params):
            page = self.client.get(self.url("list"), params, follow=True)
            return {row.record.pk for row in page.context["table"].page.object_list}

        assert shown(category="linli") == {w.req1.pk} and shown(category="huanjing") == set()
        assert shown(state="received", area=w.grid1.code, source="visit") == {w.req1.pk}
        assert shown(overdue="true") == set() and shown(escalated="true") == set()
        assert '<option value="linli">' in self.client.get(self.url("list"), follow=True).content.decode()

    def test_intake_without_consent_keeps_nothing(self):
        self.login(self.world.admin1)
        data = {**self.create_data(), "summary": "无同意"}
        data.pop("consent")
        before = ObjectChange.objects.count()
        r = self.client.post(self.url("add"), data)
        assert r.status_code == 200 and r.context["form"].errors["consent"]
        assert ObjectChange.objects.count() == before and not Request.objects.filter(summary="无同意").exists()

    def test_steps_through_the_pages(self):
        w = self.world
        self.login(w.admin1)
        r = Request.objects.get(pk=w.req1.pk)
        step = lambda name, **data: self.client.post(  # noqa: E731
            reverse("services:request_step", args=[r.pk, name]), {"version": Request.objects.get(pk=r.pk).version,
                                                                    **data})  # fmt: skip
        assert step("accept").status_code == 302
        assert step("assign", member=w.member.pk, note="请跟进").status_code == 302
        assert Request.objects.get(pk=r.pk).assigned_member_id == w.member.pk
        page = step("resolve", outcome="")
        assert page.status_code == 200 and page.context["form"].errors["outcome"]
        assert step("resolve", outcome="已处理").status_code == 302
        assert step("rate", satisfaction="unsatisfied").status_code == 302
        assert Request.objects.get(pk=r.pk).state == S.IN_PROGRESS
        stale = self.client.post(reverse("services:request_step", args=[r.pk, "resolve"]),
                                 {"version": 1, "outcome": "x"})  # fmt: skip
        assert stale.status_code == 302 and Request.objects.get(pk=r.pk).state == S.IN_PROGRESS  # a conflict
        assert self.client.get(reverse("services:request_step", args=[r.pk, "accept"])).status_code == 403
        assert self.client.get(f"/services/requests/{r.pk}/nonsense/").status_code == 404  # no such step

    def test_the_assigned_member_sees_only_theirs_and_starts_it(self):
        w = self.world
        r = Request.objects.get(pk=w.req1.pk)
        self.login(w.member_user)
        assert self.client.get(self.url("", r.pk)).status_code == 404
        r = services.do_accept(r, acting_user=w.admin1, version=r.version)
        services.do_assign(r, acting_user=w.admin1, version=r.version, member=w.member)
        assert self.client.get(self.url("", r.pk)).status_code == 200
        assert self.client.get(self.url("", w.req2.pk)).status_code == 404
        listed = self.client.get(self.url("list"), {"assigned_to_me": "true"})
        assert {row.record.pk for row in listed.context["table"].page.object_list} == {r.pk}
        page = reverse("services:request_step", args=[r.pk, "start"])
        assert self.client.get(page).status_code == 200
        assert self.client.get(reverse("services:request_step", args=[r.pk, "accept"])).status_code == 403
        assert self.client.post(page, {"version": Request.objects.get(pk=r.pk).version}).status_code == 302
        assert Request.objects.get(pk=r.pk).state == S.IN_PROGRESS

    def test_todos_count_the_rows_of_their_lists(self):
        w = self.world
        r = Request.objects.get(pk=w.req1.pk)
        services.do_assign(r, acting_user=w.admin1, version=r.version, member=w.member)
        late = r.received_at.replace(year=r.received_at.year - 1)
        Request.objects.filter(pk=r.pk).update(received_at=late, due_at=late)
        services.escalate_due()
        for user in (w.admin1, w.sub_admin, w.member_user, w.viewer1):
            self.login(user)
            for source in todos:
                for todo in source.collect(user):
                    listed = self.client.get(todo.url, follow=True)
                    assert listed.status_code == 200
                    assert listed.context["table"].paginator.count == todo.count, (user, todo.key)
        keys = lambda user: {t.key for s in todos for t in s.collect(user)}  # noqa: E731
        assert keys(w.admin1) == {"requests-overdue"}
        assert "requests-escalated" in keys(w.sub_admin)
        assert keys(w.member_user) == {"requests-assigned"}
        assert keys(w.nobody) == set()


class CategoryViewTests(ScopedViewTests, TestCase):
    views = CategoryViews

    @classmethod
    def setUpTestData(cls):
        cls.world = RequestWorld()
        cls.mine = Category.objects.create(org=cls.world.community1, code="own1", name="本社区类别")
        cls.theirs = Category.objects.create(org=cls.world.community2, code="own2", name="乙社区类别")

    def in_scope(self):
        return self.mine

    def out_of_scope(self):
        return self.theirs

    def create_data(self):
        return {"org": self.world.community1.pk, "code": "new1", "name": "新类别", "position": 5, "active": "on"}

    def update_data(self, obj):
        return {"code": obj.code, "name": "改名类别", "position": 7, "active": "on"}

    def test_export_holds_only_the_scope(self):
        pytest.skip("the catalogue has no export")

    def test_cannot_save_into_a_foreign_scope(self):
        """The org stays once made; a new category of an org out of scope is refused."""
        self.login(self.world.admin1)
        before = ObjectChange.objects.count()
        r = self.client.post(self.url("add"), {**self.create_data(), "org": self.world.community2.pk})
        assert r.status_code == 200 and r.context["form"].errors
        r = self.client.post(self.url("add"), {**self.create_data(), "org": ""})  # national: a superuser's
        assert r.status_code == 200 and r.context["form"].errors
        assert ObjectChange.objects.count() == before

    def test_national_categories_are_seen_not_changed(self):
        self.login(self.world.admin1)
        national = Category.objects.get(code="linli")
        html = self.client.get(self.url("", national.pk)).content.decode()
        assert national.name in html and self.url("edit", national.pk) not in html
        r = self.client.post(self.url("edit", national.pk), self.update_data(national))
        assert r.status_code == 200 and Category.objects.get(pk=national.pk).name == national.name
