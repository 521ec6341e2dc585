"""/api/v1/outflows/ and /api/v1/inflows/: scope (out of scope 404), masking, validation errors (400), the steps."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.test import Client

from sqdj.accounts.services import do_issue_token
from sqdj.testing.members import make_id_number
from sqdj.testing.transfers import build_transfer_world
from sqdj.transfers import mobile_services as M
from sqdj.transfers.models import Inflow, Outflow

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
CHINESE = re.compile(r"[\u4e00-\u9fff]")
ID = make_id_number(datetime.date(1980, 3, 2), 41)


@pytest.fixture
def tw():
    return build_transfer_world()


def api(user):
    c = Client()
    c.defaults["HTTP_AUTHORIZATION"] = f"Token {do_issue_token(user)}"
    return c


def post(c, url, data, method="post"):
    return getattr(c, method)(url, json.dumps(data), content_type="application/json")


def test_outflow_create_read_masked_and_scoped(tw):
    c = api(tw.sender)
    body = {
        "member": tw.member.pk,
        "left_on": str(TODAY - 200 * DAY),
        "destination": "深圳市",
        "contact": "13912345678",
    }
    r = post(c, "/api/v1/outflows/", body)
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["contact_masked"] == "139****5678" and "contact" not in data
    assert "13912345678" not in r.content.decode()
    assert data["org"] == tw.world.branch1.code and data["months_away"] == 6
    pk = data["id"]
    listing = c.get("/api/v1/outflows/").content.decode()
    assert "13912345678" not in listing and str(pk) in listing
    # the receiving end's admin sees nothing of it
    other = api(tw.receiver)
    assert other.get(f"/api/v1/outflows/{pk}/").status_code == 404
    assert post(other, f"/api/v1/outflows/{pk}/lost/", {}).status_code == 404
    assert post(other, f"/api/v1/outflows/{pk}/", {"destination": "x"}, "patch").status_code == 404
    assert other.get("/api/v1/outflows/").json()["results"] == []


def test_outflow_bad_input_is_400_and_saves_nothing(tw):
    c = api(tw.sender)
    r = post(c, "/api/v1/outflows/", {"member": tw.member.pk, "left_on": str(TODAY + DAY), "destination": "深圳"})
    assert r.status_code == 400
    assert CHINESE.search(r.json()["left_on"][0])  # "Cannot be in the future." in Chinese
    # a member out of scope does not exist for the caller
    r = post(api(tw.receiver), "/api/v1/outflows/", {"member": tw.member.pk, "left_on": str(TODAY), "destination": "x"})
    assert r.status_code == 400 and "member" in r.json()
    assert not Outflow.objects.exists()


def test_outflow_steps(tw):
    o = M.do_record_outflow(tw.member, acting_user=tw.sender, left_on=TODAY - 300 * DAY, destination="深圳")
    c = api(tw.sender)
    r = post(c, f"/api/v1/outflows/{o.pk}/lost/", {"since": str(TODAY)})
    assert r.status_code == 200 and r.json()["lost_contact_since"] == str(TODAY)
    r = post(c, f"/api/v1/outflows/{o.pk}/contact/", {"on": str(TODAY + DAY)})
    assert r.status_code == 400 and "on" in r.json()
    r = post(c, f"/api/v1/outflows/{o.pk}/end/", {"end_reason": "returned"})
    assert r.status_code == 200 and r.json()["ended_on"] == str(TODAY)
    r = post(c, f"/api/v1/outflows/{o.pk}/", {"destination": "别处"}, "patch")
    assert r.status_code == 400


def test_inflow_masked_verified_then_branch(tw):
    c = api(tw.receiver)
    body = {"name": "王流入", "id_number": ID, "phone": "13712345678", "home_org_name": "外地支部",
            "arrived_on": str(TODAY - 10 * DAY), "host_org": tw.branch3.code}  # fmt: skip
    r = post(c, "/api/v1/inflows/", body)
    assert r.status_code == 201, r.content
    text = r.content.decode()
    assert ID not in text and "13712345678" not in text
    pk = r.json()["id"]
    assert r.json()["id_number_masked"] == ID[:6] + "********" + ID[-4:]
    assert post(c, "/api/v1/inflows/", body).status_code == 400  # one open inflow per person
    r = post(c, f"/api/v1/inflows/{pk}/branch/", {"branch": tw.branch3.code})
    assert r.status_code == 400 and "branch" in r.json()
    r = post(c, f"/api/v1/inflows/{pk}/verify/", {"note": "查验身份证"})
    assert r.status_code == 200 and r.json()["verified_by"] == "receiver"
    r = post(c, f"/api/v1/inflows/{pk}/branch/", {"branch": tw.branch3.code})
    assert r.status_code == 200 and r.json()["branch"] == tw.branch3.code
    # out of scope: 404
    other = api(tw.sender)
    assert other.get(f"/api/v1/inflows/{pk}/").status_code == 404
    assert post(other, f"/api/v1/inflows/{pk}/verify/", {"note": "查验"}).status_code == 404
    assert Inflow.objects.count() == 1


def test_inflow_bad_id_number_is_400_in_chinese(tw):
    body = {"name": "王流入", "id_number": ID[:17] + ("0" if ID[17] != "0" else "1"), "home_org_name": "外地支部",
            "arrived_on": str(TODAY), "host_org": tw.branch3.code}  # fmt: skip
    r = post(api(tw.receiver), "/api/v1/inflows/", body)
    assert r.status_code == 400 and CHINESE.search(r.json()["id_number"][0])
    assert not Inflow.objects.exists()
