"""The work orders' pages, API and to-dos: in scope / out of scope 404 / viewer read only; 待分派 and placing;
the replies button; the warnings' to-dos count what their lists show."""

from __future__ import annotations

import datetime

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from sqdj.core.models import ObjectChange
from sqdj.services import workorder_workbench
from sqdj.services.choices import RequestState
from sqdj.services.importers import HEADERS, WorkOrderImporter
from sqdj.services.models import Request, RequestStep, WorkOrder
from sqdj.testing.api import ScopedAPITests, api_client

from .test_workorders import row, run, wo_world


@pytest.fixture
def world(db, tmp_path):
    w = wo_world()
    now = timezone.localtime()
    text = (now - datetime.timedelta(hours=30)).strftime("%Y-%m-%d %H:%M")
    due = (now + datetime.timedelta(days=5)).strftime("%Y-%m-%d %H:%M")
    rows = [row("GD1", received=text, due=due, area="T01001001"),  # 甲: red (no response for 30 h)
            row("GD2", received=text, due=due, area="T01001002"),  # 乙
            row("GD3", received=text, due=due, area="", address="无名路")]  # waiting at the street  # fmt: skip
    assert run(rows, w.street_admin, tmp_path=tmp_path).ok
    w.o1, w.o2, w.o3 = (WorkOrder.objects.select_related("request").get(number=n) for n in ("GD1", "GD2", "GD3"))
    return w


def listed(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [r.record.number for r in response.context["table"].paginated_rows]


# ---- pages ---------------------------------------------------------------------------------------------------------


def test_the_list_shows_the_scope_only(world, client):
    client.force_login(world.admin1)
    assert listed(client, reverse("services:workorder_list") + "?q=GD") == ["GD1"]
    assert client.get(reverse("services:workorder", args=[world.o1.pk])).status_code == 200
    for order in (world.o2, world.o3):  # the other community's; the street's waiting one
        assert client.get(reverse("services:workorder", args=[order.pk])).status_code == 404
        assert client.get(reverse("services:workorder_place", args=[order.pk])).status_code == 404
    client.force_login(world.street_admin)
    assert sorted(listed(client, reverse("services:workorder_list") + "?q=GD")) == ["GD1", "GD2", "GD3"]
    assert listed(client, reverse("services:workorder_unplaced") + "?q=GD") == ["GD3"]
    page = client.get(reverse("services:workorder_list") + "?q=GD").content.decode()
    assert reverse("services:workorder_replies") in page and reverse("services:workorder_import") in page


def test_placing_from_the_page(world, client):
    client.force_login(world.street_admin)
    url = reverse("services:workorder_place", args=[world.o3.pk])
    detail = client.get(reverse("services:workorder", args=[world.o3.pk])).content.decode()
    assert url in detail
    assert client.get(url).status_code == 200
    r = client.post(url, {"area": world.street_area.pk, "version": 1})  # not a place: the form says so
    assert r.status_code == 200 and not Request.objects.get(pk=world.o3.request_id).placed
    r = client.post(url, {"area": world.peace.pk, "version": 1})
    assert r.status_code == 302 and r["Location"] == reverse("services:workorder", args=[world.o3.pk])
    assert Request.objects.get(pk=world.o3.request_id).area == world.peace
    r = client.post(url, {"area": world.peace.pk, "version": 2})  # placed already: a conflict, nothing written
    assert r.status_code == 302


def test_a_viewer_reads_but_cannot_place(world, client):
    client.force_login(world.street_viewer)
    assert client.get(reverse("services:workorder", args=[world.o3.pk])).status_code == 200
    before = ObjectChange.objects.count()
    r = client.post(reverse("services:workorder_place", args=[world.o3.pk]), {"area": world.peace.pk, "version": 1})
    assert r.status_code == 403 and ObjectChange.objects.count() == before


def test_the_replies_page_downloads_the_file(world, client):
    Request.objects.filter(pk=world.o1.request_id).update(state=RequestState.RESOLVED, resolved_at=timezone.now(),
                                                          resolution="已处理")  # fmt: skip
    client.force_login(world.admin1)
    url = reverse("services:workorder_replies")
    assert client.get(url).status_code == 200
    r = client.get(url, {"fmt": "csv", "date_from": "", "date_to": ""})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "工单编号,办理结果,办结时间,回访满意度" and "GD1,已处理" in text
    r = client.get(url, {"fmt": "xlsx", "date_from": "2026-03-02", "date_to": "2026-03-01"})
    assert r.status_code == 200 and "form" in r.context  # the end before the start: the form again
    client.force_login(world.nobody)
    assert client.get(url).status_code == 403


# ---- to-dos -------------------------------------------------------------------------------------------------------


def test_the_todos_count_what_their_lists_show(world, client):
    # GD2 has a yellow warning only: accepted, no step for longer than the rulebook's days
    Request.objects.filter(pk=world.o2.request_id).update(state=RequestState.ACCEPTED, accepted_at=timezone.now())
    RequestStep.objects.filter(request_id=world.o2.request_id).update(at=timezone.now() - datetime.timedelta(days=30))
    client.force_login(world.street_admin)
    found = {t.key: t for t in workorder_workbench._counts(world.street_admin)}
    assert set(found) == {"workorders-red", "workorders-yellow", "workorders-unplaced"}
    assert (found["workorders-red"].count, found["workorders-yellow"].count) == (2, 1)  # GD1, GD3; GD2
    for todo in found.values():
        assert len(listed(client, todo.url)) == todo.count, todo.key
    assert {t.key for t in workorder_workbench._counts(world.admin1)} == {"workorders-red"}
    assert workorder_workbench._counts(world.street_viewer) == []


# ---- API ----------------------------------------------------------------------------------------------------------


def test_the_api_reads_the_scope_and_places(world):
    client = api_client(world.admin1)
    r = client.get(reverse("api:workorder-list"), {"q": "GD"})
    assert r.status_code == 200 and [x["number"] for x in r.json()["results"]] == ["GD1"]
    body = client.get(reverse("api:workorder-detail", args=[world.o1.pk])).json()
    assert (body["area"], body["placed"], body["state"], body["dispatched_to"]) == (
        "T01001001",
        True,
        "received",
        "T01001",
    )
    assert client.get(reverse("api:workorder-detail", args=[world.o3.pk])).status_code == 404
    place = reverse("api:workorder-place", args=[world.o3.pk])
    assert client.post(place, {"area": "T01001001802"}).status_code == 404
    assert client.post(reverse("api:workorder-list"), {}).status_code == 405
    assert client.patch(reverse("api:workorder-detail", args=[world.o1.pk]), {}).status_code == 405
    assert client.get(reverse("api:workorder-list"), {"warning": "red", "placed": "true"}).status_code == 200
    assert client.get(reverse("api:workorder-list"), {"figure": "\x00x"}).status_code == 400
    assert api_client().get(reverse("api:workorder-list")).status_code == 401
    assert api_client(world.nobody).get(reverse("api:workorder-list")).status_code == 403

    viewer = api_client(world.street_viewer)
    before = ObjectChange.objects.count()
    assert viewer.post(place, {"area": "T01001001802"}).status_code == 403
    assert ObjectChange.objects.count() == before
    admin = api_client(world.street_admin)
    r = admin.post(place, {"area": "T01"})
    assert r.status_code == 400 and "area" in r.json()
    r = admin.post(place, {"area": "T01001001802", "version": 1})
    assert r.status_code == 200, r.content
    assert (r.json()["area"], r.json()["placed"], r.json()["version"]) == ("T01001001802", True, 2)
    assert admin.post(place, {"area": "T01001001802"}).status_code == 409


def test_the_pages_speak_chinese(world, client):
    from tests.test_crawl import _Page, _unreadable

    client.force_login(world.street_admin)
    urls = [reverse("services:workorder_list"), reverse("services:workorder_unplaced"),
            reverse("services:workorder_replies"), reverse("services:workorder_import"),
            reverse("services:workorder", args=[world.o3.pk]), reverse("services:workorder_place", args=[world.o3.pk]),
            reverse("services:workorder_list") + "?warning=red&figure=resolved",
            reverse("services:workorder_changes", args=[world.o3.pk])]  # fmt: skip
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, url
        page = _Page()
        page.feed(response.content.decode())
        assert _unreadable(" ".join(page.text), {"streetadmin"}) == [], url


class WorkOrderAPITests(ScopedAPITests, TestCase):
    """The scope contract of /api/v1/work-orders/: read only (no create, update, delete), the `place` action."""

    basename = "workorder"
    object_actions = {"place": {"area": "T01001001802"}}

    @classmethod
    def setUpTestData(cls):
        cls.world = wo_world()
        rows = [row("GD1", area="T01001001"), row("GD2", area="T01001002")]
        text = "\n".join(",".join(r) for r in [HEADERS, *rows]).encode()
        assert WorkOrderImporter(user=None).run(text, "wo.csv").ok
        cls.o1, cls.o2 = (WorkOrder.objects.get(number=n) for n in ("GD1", "GD2"))

    def in_scope(self):
        return self.o1

    def out_of_scope(self):
        return self.o2

    def create_data(self):
        return {}

    def update_data(self, obj):
        return {"content": "改"}

    def test_create_writes_one_change_row(self):
        """Orders come only from the platform's file: POST on the list is not allowed, and writes nothing."""
        before = ObjectChange.objects.count()
        self.assertEqual(self.api(self.admin).post(self.list_url(), {}).status_code, 405)
        self.assertEqual(ObjectChange.objects.count(), before)


def test_the_import_wizard(world, client):
    """Upload → preview (nothing written) → confirm → written, through the pipeline's background job."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.street_admin)
    url = reverse("services:workorder_import")
    text = "\n".join(",".join(r) for r in [HEADERS, row("GD77", area="", address="阳光花园")]).encode()
    r = client.post(url, {"file": SimpleUploadedFile("wo.csv", text, content_type="text/csv")})
    assert r.status_code == 302
    assert client.get(r["Location"]).status_code == 200
    assert not WorkOrder.objects.filter(number="GD77").exists()
    r = client.post(url, {"token": r["Location"].split("batch=")[1]})
    assert r.status_code == 302 and client.get(r["Location"]).status_code == 200
    assert WorkOrder.objects.get(number="GD77").request.area == world.sunny_garden


def test_the_statistics_page_shows_the_section_with_its_links(world, client):
    client.force_login(world.street_admin)
    r = client.get(reverse("stats:stats"), {"org": "GWT01001"})
    assert r.status_code == 200
    page = r.content.decode()
    assert "12345接诉即办" in page and "响应率（%）" in page
    assert reverse("services:workorder_list") + "?area=T01001" in page.replace("&amp;", "&")
