"""The public pages (issue 17 item 2): a community's page (public stations, requests marked public — no person, no
description), the resident's form (bad input in Chinese and nothing written, the challenge wrong / expired /
replayed, the honeypot, the rate limit per address, HTML shown inert), the tracking page (public notes only, one
plain answer for an unknown code, every try logged without the code)."""

from __future__ import annotations

import re
import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from sqdj.core.models import AuditEvent, ObjectChange
from sqdj.services import public, stations
from sqdj.services.choices import RequestState
from sqdj.services.models import Category, Request
from sqdj.services.requests import _step, do_create_request
from sqdj.testing import build_world

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sqdj-public-tests"}}
PHONE = "13987654329"


@pytest.fixture(autouse=True)
def _own_cache():
    """The challenge's nonces and the rate counters in a cache of these tests alone, empty at the start."""
    with override_settings(CACHES=LOCMEM):
        cache.clear()
        yield
        cache.clear()


def public_world():
    w = build_world()
    w.category = Category.objects.filter(active=True, org__isnull=True).order_by("position", "code").first()
    w.station = stations.do_create_station(acting_user=None, org=w.community1, area=w.community_area1,
                                           name="甲社区党群服务站", address="幸福路1号", hours="8:30-17:30",
                                           services="代办、咨询", phone="022-12345678")  # fmt: skip
    w.hidden_station = stations.do_create_station(acting_user=None, org=w.community1, area=w.community_area1,
                                                  name="内部值班室", address="幸福路3号", public=False)  # fmt: skip

    def make(summary, *, public_=False, area=None, contact=True):
        return do_create_request(
            acting_user=None, summary=summary, description=f"{summary}的详细描述（内部）",
            area=area or w.community_area1, source="web", category=w.category, contact_name="张三丰" if contact else "",
            contact_phone=PHONE if contact else "", consent=contact, consent_version="2026-1", public=public_,
        )  # fmt: skip

    w.shown = make("路灯不亮", public_=True)
    w.private = make("邻里纠纷", public_=False)
    w.elsewhere = make("乙社区井盖缺失", public_=True, area=w.community_area2)
    _step(w.shown, RequestState.ACCEPTED, by=None, at=w.shown.received_at, note="内部备注：已派网格员",
          public_note="已受理，正在安排维修")  # fmt: skip
    Request.objects.filter(pk=w.shown.pk).update(state=RequestState.ACCEPTED, accepted_at=w.shown.received_at)
    return w


@pytest.fixture
def w(db):
    return public_world()


def page_url(w, name="public_community"):
    return reverse(f"services:{name}", args=[w.community_area1.code])


def form_data(w, **extra):
    """A valid submission, the challenge answered."""
    q = public.new_challenge()
    data = {"category": w.category.pk, "summary": "楼道灯坏了", "description": "三号楼二单元楼道灯不亮一周了",
            "area": w.community_area1.pk, "location": "三号楼", "contact_name": "", "contact_phone": "",
            "website": "", "answer": q.a + q.b, "challenge": q.token}  # fmt: skip
    data.update(extra)
    return data


def post_new(client, w, data, address="10.0.0.1"):
    return client.post(page_url(w, "public_request_new"), data, REMOTE_ADDR=address)


# ---- the community's page ------------------------------------------------------------------------------------------


def test_community_page_shows_public_things_and_no_person(w, client):
    r = client.get(page_url(w))
    assert r.status_code == 200
    text = r.content.decode()
    assert "甲社区党群服务站" in text and "幸福路1号" in text and "022-12345678" in text and "8:30-17:30" in text
    assert "内部值班室" not in text  # not public
    assert "路灯不亮" in text and "已受理" in text  # the summary and its state (Chinese)
    assert "邻里纠纷" not in text  # not marked public: never listed
    assert "乙社区井盖缺失" not in text  # another community's
    for secret in ("张三丰", "张*", PHONE, PHONE[-4:], "详细描述", w.shown.tracking_code, w.shown.number):
        assert secret not in text, secret
    assert 'id="sqdj-sidebar"' not in text  # the public layout: no staff menu


def test_the_public_layout_also_for_a_signed_in_user(w, client):
    client.force_login(w.admin1)
    text = client.get(page_url(w)).content.decode()
    assert 'id="sqdj-sidebar"' not in text and "路灯不亮" in text


def test_unknown_or_non_community_code_is_404(w, client):
    for code in ("NO-SUCH", w.street_area.code, w.district_area.code):
        assert client.get(reverse("services:public_community", args=[code])).status_code == 404
        assert client.get(reverse("services:public_request_new", args=[code])).status_code == 404


def test_public_list_is_paged_newest_first(w, client):
    for i in range(public_views_page_size() + 1):
        do_create_request(acting_user=None, summary=f"事项{i:02d}", description="描述", area=w.community_area1,
                          source="web", public=True)  # fmt: skip
    first = client.get(page_url(w)).content.decode()
    assert f"事项{public_views_page_size():02d}" in first and "路灯不亮" not in first
    second = client.get(page_url(w), {"page": 2}).content.decode()
    assert "路灯不亮" in second
    assert client.get(page_url(w), {"page": "x<script>"}).status_code == 200


def public_views_page_size():
    from sqdj.services.public_views import PAGE_SIZE

    return PAGE_SIZE


# ---- the resident's form -------------------------------------------------------------------------------------------


def test_the_form_renders_with_a_question_and_the_places_of_the_community(w, client):
    r = client.get(page_url(w, "public_request_new"))
    assert r.status_code == 200
    text = r.content.decode()
    assert re.search(r"\d 加 \d|\d\s*\+\s*\d|\d 加上 \d", text) or "多少" in text
    assert w.community_area1.name in text and w.community_area2.name not in text
    assert 'name="website"' in text and "visually-hidden" in text
    assert "2026-1" in text  # the consent text's version


def test_a_valid_submission_gives_the_tracking_code_once(w, client):
    before = Request.objects.count()
    r = post_new(client, w, form_data(w, contact_name="李四", contact_phone=PHONE, consent="on"))
    assert r.status_code == 200, r.content.decode()[:3000]
    made = Request.objects.order_by("-pk").first()
    assert Request.objects.count() == before + 1
    assert (made.source, made.created_by, made.area, made.org) == ("web", None, w.community_area1, w.community1)
    assert made.consent_version == public.CONSENT_VERSION and made.consent_at is not None
    assert not made.public
    text = r.content.decode()
    assert made.tracking_code in text and "记下" in text or made.tracking_code in text
    assert PHONE not in text and "李四" not in text
    assert "Cache-Control" in r and "no-cache" in r["Cache-Control"] or "no-store" in r["Cache-Control"]
    # the code is the resident's key to the status page: the change history never holds it
    changes = ObjectChange.objects.filter(object_id=made.pk, content_type__model="request")
    assert changes.exists() and not any("tracking_code" in (c.postchange_data or {}) for c in changes)


def test_bad_input_chinese_messages_nothing_written(w, client):
    before = Request.objects.count()
    cases = [
        ({"summary": ""}, "summary"),
        ({"description": ""}, "description"),
        ({"summary": "长" * 101}, "summary"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"contact_name": "王五"}, "consent"),  # a contact without consent
        ({"area": w.community_area2.pk}, "area"),  # a place of another community
        ({"category": ""}, "category"),
    ]
    for extra, field in cases:
        r = post_new(client, w, form_data(w, **extra))
        assert r.status_code == 200
        errors = r.context["form"].errors
        assert field in errors, (field, errors)
        assert re.search(r"[\u4e00-\u9fff]", errors[field][0]), errors[field]
    assert Request.objects.count() == before


def test_the_challenge_wrong_expired_replayed(w, client):
    before = Request.objects.count()
    data = form_data(w)
    r = post_new(client, w, {**data, "answer": data["answer"] + 1})
    assert "answer" in r.context["form"].errors and "不对" in r.context["form"].errors["answer"][0]
    # the page asks a new question: the old token is not written back
    assert data["challenge"] not in r.content.decode()
    r = post_new(client, w, data)  # the right answer, but that question was used by the wrong try
    assert "answer" in r.context["form"].errors
    assert Request.objects.count() == before
    r = post_new(client, w, {**form_data(w), "challenge": "forged"})
    assert "answer" in r.context["form"].errors
    # expired: one second past the limit, refused; one second before, accepted
    with override_settings(SQDJ_PUBLIC_CHALLENGE_MAX_AGE=60):
        with mock.patch("django.core.signing.time.time", return_value=time.time() - 61):
            old = form_data(w)
        r = post_new(client, w, old)
        assert "过期" in r.context["form"].errors["answer"][0]
        with mock.patch("django.core.signing.time.time", return_value=time.time() - 58):
            recent = form_data(w)
        assert post_new(client, w, recent).context.get("tracking_code")
    assert Request.objects.count() == before + 1
    # replayed: the same accepted form sent again writes nothing
    good = form_data(w)
    assert post_new(client, w, good).context.get("tracking_code")
    r = post_new(client, w, good)
    assert "answer" in r.context["form"].errors
    assert Request.objects.count() == before + 2
    refused = AuditEvent.objects.filter(event=public.INTAKE_EVENT, detail__why="challenge").count()
    assert refused >= 4


def test_the_honeypot(w, client):
    before = Request.objects.count()
    r = post_new(client, w, form_data(w, website="http://spam.example"))
    assert r.status_code == 400
    assert Request.objects.count() == before
    assert AuditEvent.objects.filter(event=public.INTAKE_EVENT, detail__why="honeypot").exists()


def test_html_is_stored_as_text_and_shown_inert(w, client):
    evil = "<script>alert(1)</script><b>粗</b>"
    r = post_new(client, w, form_data(w, summary=evil, description=evil, location="<img src=x onerror=alert(1)>"))
    made = Request.objects.get(tracking_code=r.context["tracking_code"])
    assert made.summary == evil and made.description == evil  # stored as typed
    Request.objects.filter(pk=made.pk).update(public=True)
    text = client.get(page_url(w)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;粗&lt;/b&gt;" in text
    assert "<script>alert(1)" not in text and "<b>粗</b>" not in text
    text = client.post(reverse("services:public_track"), {"code": made.tracking_code}).content.decode()
    assert "&lt;script&gt;" in text and "<script>alert(1)" not in text


@override_settings(SQDJ_PUBLIC_REQUEST_RATE="3/min")
def test_many_from_one_address_throttled_from_many_accepted(w, client):
    before = Request.objects.count()
    answers = [post_new(client, w, form_data(w), address="10.0.0.9").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 429, 429]
    assert Request.objects.count() == before + 3
    for i in range(6):  # other addresses: each its own counter
        assert post_new(client, w, form_data(w), address=f"10.0.1.{i}").context.get("tracking_code")
    assert Request.objects.count() == before + 9
    assert AuditEvent.objects.filter(event=public.INTAKE_EVENT, detail__why="throttled").count() == 2


def test_the_form_only_writes_on_post(w, client):
    before = Request.objects.count()
    client.get(page_url(w, "public_request_new"), form_data(w))
    assert Request.objects.count() == before
    assert client.put(page_url(w, "public_request_new")).status_code == 405


# ---- tracking ------------------------------------------------------------------------------------------------------


def test_tracking_shows_public_notes_only(w, client):
    r = client.post(reverse("services:public_track"), {"code": w.shown.tracking_code.lower()})
    assert r.status_code == 200
    text = r.content.decode()
    assert "路灯不亮" in text and "已受理，正在安排维修" in text
    assert "内部备注" not in text and "详细描述" not in text and "张三丰" not in text and PHONE not in text
    assert w.shown.number not in text
    assert w.shown.tracking_code not in text  # not written back into the page
    logged = AuditEvent.objects.filter(event=public.TRACK_EVENT).first()
    assert logged.outcome == "ok" and logged.detail["found"] is True
    assert w.shown.tracking_code not in str(logged.detail)
    assert logged.detail["code_prefix"] == w.shown.tracking_code[: public.CODE_PREFIX_LOGGED]


def test_tracking_an_unknown_code_one_plain_answer(w, client):
    answers = set()
    for code in ("ZZZZZZZZZZ", "abc", w.shown.tracking_code[:-1] + "#"):
        r = client.post(reverse("services:public_track"), {"code": code})
        assert r.status_code == 200
        assert r.context["not_found"]
        answers.add(re.sub(r"\s+", " ", re.search(r'id="track-not-found">([^<]*)<', r.content.decode()).group(1)))
    assert len(answers) == 1
    assert AuditEvent.objects.filter(event=public.TRACK_EVENT, outcome="failed").count() == 3
    assert client.get(reverse("services:public_track"), {"code": w.shown.tracking_code}).context.get("found") is None


@override_settings(SQDJ_PUBLIC_TRACK_RATE="2/min")
def test_tracking_is_throttled_per_address(w, client):
    url = reverse("services:public_track")
    codes = [client.post(url, {"code": "ZZZZZZZZZZ"}, REMOTE_ADDR="10.0.0.5").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.post(url, {"code": w.shown.tracking_code}, REMOTE_ADDR="10.0.0.6").context["found"] == w.shown
    assert AuditEvent.objects.filter(event=public.TRACK_EVENT).count() == 3  # the refused try looked nothing up


def test_no_english_on_the_public_pages(w, client):
    from tests.test_crawl import _Page, _unreadable

    pages = [client.get(page_url(w)), client.get(page_url(w, "public_request_new")),
             client.get(reverse("services:public_track")),
             post_new(client, w, form_data(w, summary="")),  # the form with its errors
             post_new(client, w, form_data(w)),  # the answer with the tracking code
             client.post(reverse("services:public_track"), {"code": w.shown.tracking_code}),
             client.post(reverse("services:public_track"), {"code": "ZZZZZZZZZZ"})]  # fmt: skip
    for r in pages:
        assert r.status_code == 200
        page = _Page()
        page.feed(r.content.decode())
        assert _unreadable(" ".join(page.text), set()) == [], r.request["PATH_INFO"]


def test_the_address_throttle_at_its_default_rate(rf):
    """The reusable class (accounts.throttling): the rate from the setting, its default meanwhile; per address."""
    from sqdj.accounts.throttling import AddressRateThrottle

    def allowed(address):
        request = rf.post("/", REMOTE_ADDR=address)
        return AddressRateThrottle("public_test", "SQDJ_NO_SUCH_RATE", public.REQUEST_RATE_DEFAULT).allow(request)

    assert public.REQUEST_RATE_DEFAULT == "10/min"
    assert [allowed("10.9.9.9") for _ in range(11)] == [True] * 10 + [False]
    assert all(allowed(f"10.9.8.{i}") for i in range(20))  # many addresses: each its own counter
    with override_settings(SQDJ_NO_SUCH_RATE="1000/min"):
        assert [allowed("10.9.7.1") for _ in range(1001)].count(False) == 1
