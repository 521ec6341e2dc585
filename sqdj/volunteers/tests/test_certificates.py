"""志愿服务证明 (issue 16, item 6): issuing counts the member's verified records of the issuing community over the
period, both ends in; bad input is refused in Chinese with nothing written; numbers are gapless per year and carry
check digits; revoking; the A4 PDF with the CJK font; the public verification (check digits before any lookup, one
answer for an unknown number and a wrong name, rate-limited per address, every try logged without the name, no other
personal data); the pages and the API through the scope gate."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core import dates
from sqdj.core.models import ObjectChange
from sqdj.core.numbering import with_check
from sqdj.core.services import Conflict, ScopeViolation
from sqdj.members.self_service import do_link_user
from sqdj.members.services import do_create_member
from sqdj.testing import PASSWORD, ScopedViewTests, build_world
from sqdj.testing.api import ScopedAPITests, api_client
from sqdj.testing.concurrency import race
from sqdj.testing.members import member_data
from sqdj.testing.pdf import assert_cjk_fonts_embedded, read_pdf
from sqdj.volunteers.certificate_views import CertificateViews, certificate_pdf_bytes
from sqdj.volunteers.certificates import do_issue_certificate, do_revoke_certificate
from sqdj.volunteers.choices import HoursSource, HoursState
from sqdj.volunteers.models import Certificate, CertificateCheck, ServiceHours

D = datetime.date
START, END = D(2025, 1, 1), D(2025, 1, 31)
VERIFY = "/volunteers/verify/"


def record(member, org, community, day, hours, state=HoursState.VERIFIED, content="清扫楼道"):
    return ServiceHours.objects.create(member=member, org=org, community=community, served_on=day,
                                       hours=Decimal(hours), content=content, place="一号楼",
                                       source=HoursSource.RECORDED, state=state,
                                       recorded_at=timezone.now())  # fmt: skip


def cert_world():
    """Two members of branch 1 (孙自己 with a member account) and one of branch 2; records of 孙自己 in January 2025
    in 甲社区: verified on both ends of the month, one pending, one rejected, one a day late; one in 乙社区."""
    w = build_world()
    w.me = do_create_member(acting_user=None, **member_data(w.branch1, seq=1, name="孙自己"))
    w.other = do_create_member(acting_user=None, **member_data(w.branch1, seq=2, name="王二小"))
    w.away = do_create_member(acting_user=None, **member_data(w.branch2, seq=3, name="李四光"))
    w.member_user = do_create_user("dangyuan1", password=PASSWORD, validate=False)
    do_grant_role(w.member_user, role="member", org=w.branch1)
    do_link_user(w.me, w.member_user, acting_user=None)
    c1, a1 = w.community1, w.community_area1
    record(w.me, c1, a1, START, "2.0")
    record(w.me, c1, a1, END, "1.5", content="政策宣讲")
    record(w.me, c1, a1, D(2025, 1, 15), "3.0", state=HoursState.PENDING)
    record(w.me, c1, a1, D(2025, 1, 16), "4.0", state=HoursState.REJECTED)
    record(w.me, c1, a1, D(2025, 2, 1), "5.0")
    record(w.me, w.community2, w.community_area2, D(2025, 1, 20), "6.0")
    record(w.other, c1, a1, D(2025, 1, 10), "1.0")
    record(w.away, w.community2, w.community_area2, D(2025, 1, 10), "2.5")
    w.mine = do_issue_certificate(acting_user=None, member=w.me, org=c1, period_start=START, period_end=END)
    w.others = do_issue_certificate(acting_user=None, member=w.other, org=c1, period_start=START, period_end=END)
    w.foreign = do_issue_certificate(acting_user=None, member=w.away, org=w.community2, period_start=START,
                                     period_end=END)  # fmt: skip
    return w


@pytest.fixture
def w(db):
    cache.clear()  # the verification's rate counters
    return cert_world()


def issue(w, **over):
    data = {"member": w.me, "org": w.community1, "period_start": START, "period_end": END, **over}
    return do_issue_certificate(acting_user=w.admin1, **data)


# ---- issuing ------------------------------------------------------------------------------------------------------


def test_the_totals_count_verified_records_of_this_community_both_ends_in(w):
    cert = issue(w)
    assert (cert.hours, cert.records) == (Decimal("3.5"), 2)  # not pending, rejected, February, 乙社区
    assert (cert.community, cert.issued_by, cert.issued_on) == (w.community_area1, w.admin1, dates.today())
    assert ObjectChange.objects.filter(content_type__model="certificate", object_id=cert.pk).count() == 1
    one_day = issue(w, period_start=END, period_end=END)
    assert (one_day.hours, one_day.records) == (Decimal("1.5"), 1)
    there = do_issue_certificate(acting_user=None, member=w.me, org=w.community2, period_start=START,
                                 period_end=END)  # fmt: skip
    assert (there.hours, there.records, there.community) == (Decimal("6.0"), 1, w.community_area2)


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"period_start": D(2025, 1, 16), "period_end": D(2025, 1, 30)}, "member", "没有经核实的服务时长"),
        ({"period_start": D(2025, 1, 31), "period_end": D(2025, 1, 30)}, "period_end", "截止日期不能早于起始日期"),
        ({"period_end": "future"}, "period_end", "不能晚于今天"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_written(w, over, field, message):
    if over.get("period_end") == "future":
        over = {"period_end": dates.today() + datetime.timedelta(days=1)}
    rows, changes = Certificate.objects.count(), ObjectChange.objects.count()
    with pytest.raises(ValidationError) as exc:
        issue(w, **over)
    assert message in exc.value.message_dict[field][0]
    assert (Certificate.objects.count(), ObjectChange.objects.count()) == (rows, changes)
    # the number was not taken: the next certificate has the next one
    assert issue(w).number[6:12] == f"{Certificate.objects.count():06d}"


def test_issuing_needs_the_org_and_the_member_in_scope(w):
    with pytest.raises(ScopeViolation):  # not admin1's org
        issue(w, org=w.community2, member=w.me)
    with pytest.raises(ScopeViolation):  # a member admin1 may not see
        issue(w, member=w.away)
    with pytest.raises(ScopeViolation):
        do_issue_certificate(acting_user=w.viewer1, member=w.me, org=w.community1, period_start=START, period_end=END)
    with pytest.raises(ValidationError) as exc:  # an org above the communities stands in none
        do_issue_certificate(acting_user=None, member=w.me, org=w.street, period_start=START, period_end=END)
    assert "不在任何社区" in exc.value.message_dict["org"][0]


def test_numbers_are_unique_gapless_per_year_with_check_digits(w):
    year = dates.today().year
    numbers = [w.mine.number, w.others.number, w.foreign.number, issue(w).number, issue(w).number]
    assert numbers == [with_check("ZM", f"{year}{n:06d}") for n in range(1, 6)]
    assert len(set(numbers)) == 5


# ---- revoking -----------------------------------------------------------------------------------------------------


def test_the_issuing_side_revokes_with_a_reason_once(w):
    with pytest.raises(ValidationError) as exc:
        do_revoke_certificate(w.mine, acting_user=w.admin1, reason="  ")
    assert "撤销原因" in exc.value.message_dict["reason"][0]
    with pytest.raises(ScopeViolation):
        do_revoke_certificate(w.foreign, acting_user=w.admin1, reason="有误")
    with pytest.raises(ScopeViolation):
        do_revoke_certificate(w.mine, acting_user=w.viewer1, reason="有误")
    cert = do_revoke_certificate(w.mine, acting_user=w.admin1, reason="记录有误")
    assert (cert.revoked_on, cert.revoke_reason) == (dates.today(), "记录有误")
    with pytest.raises(Conflict):
        do_revoke_certificate(cert, acting_user=w.admin1, reason="再次")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking between two connections needs PostgreSQL")
def test_two_revocations_at_once_one_wins_one_conflicts():
    w = cert_world()
    results = race(
        lambda: do_revoke_certificate(Certificate.objects.get(pk=w.mine.pk), acting_user=w.admin1, reason="甲"),
        lambda: do_revoke_certificate(Certificate.objects.get(pk=w.mine.pk), acting_user=w.admin1, reason="乙"),
    )
    assert sum(isinstance(r, Certificate) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    changes = ObjectChange.objects.filter(content_type__model="certificate", object_id=w.mine.pk, action="update")
    assert changes.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking between two connections needs PostgreSQL")
def test_two_issues_at_once_take_two_numbers():
    w = cert_world()
    results = race(lambda: issue(w), lambda: issue(w))
    assert all(isinstance(r, Certificate) for r in results), results
    year = dates.today().year
    assert sorted(r.number for r in results) == [with_check("ZM", f"{year}{n:06d}") for n in (4, 5)]


# ---- the PDF ------------------------------------------------------------------------------------------------------


def test_the_pdf_says_who_what_when_with_the_cjk_font_embedded(w):
    reader, text = read_pdf(certificate_pdf_bytes(w.mine, "https://dj.example.cn/volunteers/verify/"))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    compact = text.replace("\n", "").replace(" ", "")
    parts = ["志愿服务证明", w.mine.number, "孙自己", "2025年1月1日", "2025年1月31日", "3.5", "2025-01-01",
             "2025-01-31", "政策宣讲", "一号楼", w.community1.name, "dj.example.cn/volunteers/verify/"]  # fmt: skip
    for part in parts:
        assert part.replace(" ", "") in compact, part
    assert w.me.id_number not in compact and w.me.phone not in compact
    assert "2025-02-01" not in compact and "2025-01-15" not in compact  # outside the period, not verified
    assert_cjk_fonts_embedded(reader)
    do_revoke_certificate(w.mine, acting_user=w.admin1, reason="有误")
    w.mine.refresh_from_db()
    _reader, text = read_pdf(certificate_pdf_bytes(w.mine, "https://dj.example.cn/volunteers/verify/"))
    assert "已于" in text and "撤销" in text


# ---- the pages ----------------------------------------------------------------------------------------------------


def test_issue_page_and_revoke_page(w, client):
    client.force_login(w.admin1)
    r = client.get(reverse("volunteers:certificate_issue"), {"member": w.me.pk})
    assert r.status_code == 200 and r.context["form"]["member"].value() == w.me.pk
    data = {"member": w.me.pk, "org": w.community1.pk, "period_start": "2025-01-16", "period_end": "2025-01-30"}
    url = reverse("volunteers:certificate_issue")
    r = client.post(url, data)
    assert r.status_code == 200 and "没有经核实的服务时长" in r.context["form"].errors["member"][0]
    r = client.post(url, {**data, "member": w.away.pk, "period_start": "2025-01-01"})
    assert r.status_code == 200 and r.context["form"].errors["member"]  # not among the choices
    r = client.post(url, {**data, "period_start": "2025-01-01"})
    assert r.status_code == 302
    cert = Certificate.objects.latest("pk")
    assert r["Location"] == cert.get_absolute_url() and cert.hours == Decimal("2.0")
    page = client.get(cert.get_absolute_url())
    assert page.status_code == 200 and reverse("volunteers:certificate_revoke", args=[cert.pk]) in page.content.decode()
    r = client.post(reverse("volunteers:certificate_revoke", args=[cert.pk]), {"reason": "重开"})
    assert r.status_code == 302
    page = client.get(cert.get_absolute_url()).content.decode()
    assert "已撤销" in page and reverse("volunteers:certificate_revoke", args=[cert.pk]) not in page
    # the member picker: by name, only members admin1 may see, with verified hours, no ID number
    pick = client.get(reverse("volunteers:certificate_member_pick"), {"q": "孙"}).content.decode()
    assert f'data-value="{w.me.pk}"' in pick and w.me.id_number not in pick
    assert "李四光" not in client.get(reverse("volunteers:certificate_member_pick"), {"q": "李"}).content.decode()


def test_the_member_sees_and_downloads_their_own_only(w, client):
    client.force_login(w.member_user)
    listed = client.get(reverse("volunteers:certificate_list"))
    assert {row.record.pk for row in listed.context["table"].page.object_list} == {w.mine.pk}
    assert client.get(w.mine.get_absolute_url()).status_code == 200
    r = client.get(reverse("volunteers:certificate_pdf", args=[w.mine.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r["Cache-Control"] == "private, no-store"
    for cert in (w.others, w.foreign):
        assert client.get(cert.get_absolute_url()).status_code == 404
        assert client.get(reverse("volunteers:certificate_pdf", args=[cert.pk])).status_code == 404
    assert client.get(reverse("volunteers:certificate_issue")).status_code == 403
    assert client.get(reverse("volunteers:certificate_revoke", args=[w.mine.pk])).status_code == 403


def test_the_list_filters(w, client):
    client.force_login(w.admin1)

    def listed(**params):
        r = client.get(reverse("volunteers:certificate_list"), params, follow=True)
        return {row.record.pk for row in r.context["table"].page.object_list}

    assert listed(q=w.mine.number) == {w.mine.pk}
    assert listed(q=w.mine.number[:4] + " " + w.mine.number[4:]) == {w.mine.pk}
    assert listed(q="王二") == {w.others.pk}
    assert listed(community=w.community_area1.code) == {w.mine.pk, w.others.pk}
    assert listed(org=w.community1.code, year=str(dates.today().year)) == {w.mine.pk, w.others.pk}
    assert listed(year="2001") == set()
    do_revoke_certificate(w.others, acting_user=w.admin1, reason="有误")
    assert listed(revoked="true") == {w.others.pk}
    assert listed(revoked="false") == {w.mine.pk}


# ---- the public verification --------------------------------------------------------------------------------------


def verify(client, number, name, address="203.0.113.5"):
    return client.post(VERIFY, {"number": number, "name": name}, REMOTE_ADDR=address)


def test_verification_is_public_and_says_genuine_with_the_totals_only(w, client):
    assert client.get(VERIFY).status_code == 200  # no sign-in
    r = verify(client, w.mine.number, "孙自己")
    text = r.content.decode()
    assert r.status_code == 200 and "该证明真实有效" in text
    for part in ("孙自己", "2025-01-01", "2025-01-31", "3.5", w.community1.name, f"{dates.today():%Y-%m-%d}"):
        assert part in text, part
    me = w.me
    for secret in (me.id_number, me.id_number_masked, me.phone, f"{me.birth_date:%Y-%m-%d}", str(me.birth_date.year),
                   me.org.name, me.work_unit, "政策宣讲"):  # fmt: skip
        assert secret not in text, secret
    check = CertificateCheck.objects.latest("at")
    assert (check.number, check.matched, check.certificate, check.address) == (w.mine.number, True, w.mine,
                                                                               "203.0.113.5")  # fmt: skip
    # spaces and lower case as typed from paper
    spaced = " ".join(w.mine.number[i : i + 4] for i in range(0, len(w.mine.number), 4)).lower()
    assert "该证明真实有效" in verify(client, spaced, " 孙自己 ").content.decode()


def test_a_revoked_certificate_says_so(w, client):
    do_revoke_certificate(w.mine, acting_user=w.admin1, reason="有误")
    text = verify(client, w.mine.number, "孙自己").content.decode()
    assert "已被撤销" in text and "真实有效" not in text


def test_mistyped_forged_and_wrong_name(w, client):
    number = w.mine.number
    typo = number[:-3] + str((int(number[-3]) + 1) % 10) + number[-2:]
    with CaptureQueriesContext(connection) as queries:
        r = verify(client, typo, "孙自己")
    assert "证明编号有误，请核对" in r.content.decode()
    assert not [q for q in queries.captured_queries if 'volunteers_certificate"' in q["sql"].split("FROM")[-1]]
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    forged = with_check("ZM", f"{dates.today().year}999999")
    unknown = verify(client, forged, "孙自己").content.decode()
    wrong_name = verify(client, number, "孙他人").content.decode()
    assert "未找到与该编号和姓名相符的证明" in unknown and "未找到与该编号和姓名相符的证明" in wrong_name
    assert "证明编号有误" not in unknown and "孙自己" not in wrong_name and "3.5" not in wrong_name
    checks = list(CertificateCheck.objects.order_by("at", "pk").values_list("number", "matched", "certificate"))
    assert checks == [(typo, False, None), (forged, False, None), (number, False, None)]


def test_every_try_is_logged_without_the_name(w, client):
    verify(client, w.mine.number, "孙自己")
    verify(client, w.mine.number, "某某某")
    assert CertificateCheck.objects.count() == 2
    for row in CertificateCheck.objects.values():
        assert "孙自己" not in str(row.values()) and "某某某" not in str(row.values())


@override_settings(SQDJ_CERTIFICATE_VERIFY_RATE="10/min")
def test_tries_are_rate_limited_per_address(w, client):
    for _ in range(10):
        assert verify(client, w.mine.number, "孙自己").status_code == 200
    r = verify(client, w.mine.number, "孙自己")
    assert r.status_code == 429 and "查验次数过多" in r.content.decode()
    assert CertificateCheck.objects.count() == 10  # the refused try looked nothing up
    assert verify(client, w.mine.number, "孙自己", address="198.51.100.7").status_code == 200


def test_the_verification_takes_no_number_in_the_url(w, client):
    r = client.get(VERIFY, {"number": w.mine.number, "name": "孙自己"})
    assert "真实有效" not in r.content.decode() and CertificateCheck.objects.count() == 0


# ---- the scope contracts ------------------------------------------------------------------------------------------


class CertificateViewTests(ScopedViewTests, TestCase):
    """The generic contract with the issue page as "add" and the revoke page as "edit" (a certificate changes only
    by being revoked)."""

    views = CertificateViews
    PAGES = {"add": "issue", "edit": "revoke"}

    @classmethod
    def setUpTestData(cls):
        cls.world = cert_world()

    def url(self, action="", *args):
        return reverse(f"volunteers:certificate_{self.PAGES.get(action, action)}" if action
                       else "volunteers:certificate", args=args)  # fmt: skip

    def has(self, action):
        return action not in ("delete", "import")

    def _named(self, cert):
        cert.name = cert.member.name  # what the pages show (ScopedViewTests looks for `name`)
        return cert

    def in_scope(self):
        return self._named(self.world.mine)

    def out_of_scope(self):
        return self._named(self.world.foreign)

    def marker(self, obj):
        return obj.number

    def create_data(self):
        return {"member": self.world.other.pk, "org": self.world.community1.pk, "period_start": "2025-01-01",
                "period_end": "2025-01-31"}  # fmt: skip

    def created(self):
        return Certificate.objects.latest("pk")

    def update_data(self, obj):
        return {"reason": "记录有误"}

    def foreign_scope_data(self, obj):
        return {"reason": ""}  # nothing moves a certificate: an empty revocation is refused on the form

    def test_export_holds_only_the_scope(self):
        """No export of certificates: `?export=` shows the list page, still the scope only."""
        self.login(self.world.admin1)
        r = self.client.get(self.url("list"), {"export": "csv"})
        self.assertTrue(r["Content-Type"].startswith("text/html"))
        self.assertContains(r, self.marker(self.in_scope()))
        self.assertNotContains(r, self.marker(self.out_of_scope()))


class CertificateAPITests(ScopedAPITests, TestCase):
    basename = "certificate"
    scope_field = "org"
    object_actions = {"revoke": {"reason": "记录有误"}}

    @classmethod
    def setUpTestData(cls):
        cls.world = cert_world()

    def in_scope(self):
        return self.world.mine

    def out_of_scope(self):
        return self.world.foreign

    def create_data(self):
        return {"member": self.world.other.pk, "org": "SQT1", "period_start": "2025-01-01",
                "period_end": "2025-01-31"}  # fmt: skip

    def update_data(self, obj):
        return {"period_end": "2025-01-30"}

    def foreign_value(self):
        return "SQT2"

    def test_issue_and_revoke(self):
        client = api_client(self.admin)
        r = client.post(self.list_url(), {**self.create_data(), "period_start": "2025-01-11"})
        self.assertEqual(r.status_code, 400, r.content)
        self.assertIn("没有经核实的服务时长", r.json()["member"][0])
        r = client.post(self.list_url(), self.create_data())
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()
        self.assertEqual((body["hours"], body["records"], body["community"], body["member_name"]),
                         ("1.0", 1, "T01001001", "王二小"))  # fmt: skip
        url = self.action_url(body["id"], "revoke")
        self.assertEqual(client.post(url, {"reason": "a\x00b"}).status_code, 400)
        r = client.post(url, {"reason": "记录有误"})
        self.assertEqual((r.status_code, r.json()["revoke_reason"]), (200, "记录有误"))
        self.assertEqual(client.post(url, {"reason": "再次"}).status_code, 409)
        ids = self.listed_ids(client.get(self.list_url(), {"revoked": "true", "limit": 1000}))
        self.assertEqual(ids, {body["id"]})

    def test_the_member_reads_their_own(self):
        ids = self.listed_ids(api_client(self.world.member_user).get(self.list_url()))
        self.assertEqual(ids, {self.world.mine.pk})
