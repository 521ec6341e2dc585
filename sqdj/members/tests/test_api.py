import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sqdj.accounts.services import do_issue_token
from sqdj.core.models import ObjectChange
from sqdj.members.models import Member, PiiReveal
from sqdj.members.services import do_create_member
from sqdj.testing import build_world
from sqdj.testing.members import member_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = build_world()
    w.m1 = do_create_member(acting_user=None, **member_data(w.branch1, seq=1, name="张三丰"))
    w.m2 = do_create_member(acting_user=None, **member_data(w.branch2, seq=2, name="李四光"))
    return w


def api(user):
    c = Client()
    c.defaults["HTTP_AUTHORIZATION"] = f"Token {do_issue_token(user)}"
    return c


def post(c, url, data, method="post"):
    return getattr(c, method)(url, json.dumps(data, default=str), content_type="application/json")


def test_list_is_scoped_and_masked(world):
    r = api(world.admin1).get("/api/v1/members/")
    assert r.status_code == 200
    rows = r.json()["results"]
    assert [m["name"] for m in rows] == ["张三丰"]
    assert rows[0]["id_number_masked"] == world.m1.id_number_masked and "id_number" not in rows[0]
    assert world.m1.id_number not in r.content.decode() and world.m1.phone not in r.content.decode()
    assert api(world.admin1).get(f"/api/v1/members/{world.m2.pk}/").status_code == 404
    assert api(world.admin1).get("/api/v1/members/", {"q": "zsf"}).json()["count"] == 1


def test_create_validates_and_logs(world):
    c = api(world.admin1)
    data = member_data(world.branch1, seq=5, name="王五")
    data["org"] = "ZBT1"
    data.pop("home_area")
    bad = {**data, "id_number": data["id_number"][:17] + ("0" if data["id_number"][17] != "0" else "1")}
    before = ObjectChange.objects.count()
    r = post(c, "/api/v1/members/", bad)
    assert r.status_code == 400 and "id_number" in r.json()
    assert ObjectChange.objects.count() == before and not Member.objects.filter(name="王五").exists()
    r = post(c, "/api/v1/members/", {**data, "org": "ZBT2"})  # a sibling's branch
    assert r.status_code == 400 and "org" in r.json()
    r = post(c, "/api/v1/members/", data)
    assert r.status_code == 201, r.json()
    assert r.json()["id_number_masked"].startswith(data["id_number"][:6]) and "*" in r.json()["id_number_masked"]
    assert ObjectChange.objects.count() == before + 1
    change = ObjectChange.objects.first()
    assert data["id_number"] not in json.dumps(change.postchange_data, ensure_ascii=False)


def test_update_keeps_numbers_and_viewer_is_refused(world):
    r = post(api(world.admin1), f"/api/v1/members/{world.m1.pk}/", {"work_unit": "新单位"}, method="patch")
    assert r.status_code == 200
    m = Member.objects.get(pk=world.m1.pk)
    assert (m.work_unit, m.id_number) == ("新单位", world.m1.id_number)
    r = post(api(world.viewer1), f"/api/v1/members/{world.m1.pk}/", {"work_unit": "x"}, method="patch")
    assert r.status_code == 403
    assert api(world.admin1).delete(f"/api/v1/members/{world.m1.pk}/").status_code == 405


def test_reveal(world):
    url = f"/api/v1/members/{world.m1.pk}/reveal/"
    r = post(api(world.admin1), url, {"reason": "办理接转"})
    assert r.status_code == 200 and r.json() == {"id_number": world.m1.id_number, "phone": world.m1.phone}
    assert r["Cache-Control"] == "no-store"
    assert PiiReveal.objects.filter(user=world.admin1, member=world.m1, reason="办理接转").count() == 1
    assert post(api(world.admin1), url, {"reason": ""}).status_code == 400
    assert post(api(world.viewer1), url, {"reason": "看看"}).status_code == 403
    assert post(api(world.admin1), f"/api/v1/members/{world.m2.pk}/reveal/", {"reason": "看看"}).status_code == 404
    assert PiiReveal.objects.count() == 1


def test_queries_do_not_grow_with_the_page(world):
    c = api(world.superuser)
    for i in range(10, 40):
        do_create_member(acting_user=None, **member_data(world.branch1, seq=i, name=f"成员{i}"))
    counts = []
    for limit in (3, 30):
        with CaptureQueriesContext(connection) as q:
            assert c.get("/api/v1/members/", {"limit": limit}).status_code == 200
        counts.append(len(q))
    assert counts[0] == counts[1]
