"""The statistics of serving residents (issue 17 item 7): the figures against counts by hand on a small world (on
SQLite and on PostgreSQL: the median both ways), the scope (a community admin counts only theirs), the period's
edges, the stats section `requests`, the page and its JSON."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from sqdj.areas.services import do_create_area
from sqdj.core.scope import EVERYTHING
from sqdj.members.services import do_create_member
from sqdj.services import request_stats
from sqdj.services import requests as services
from sqdj.services import stats as section
from sqdj.services.choices import RequestState, Satisfaction
from sqdj.services.models import Category, Household, Request, Support, WishClaim
from sqdj.testing import build_world
from sqdj.testing.members import member_data

pytestmark = pytest.mark.django_db


def year() -> int:
    return timezone.localdate().year


def period() -> tuple[datetime.date, datetime.date]:
    return datetime.date(year(), 1, 1), datetime.date(year(), 12, 31)


def at(month, day, hour=10):
    return timezone.make_aware(datetime.datetime(year(), month, day, hour))


class StatsWorld:
    """甲社区 (a grid): r1 closed in 2 days on time, satisfied; r2 closed in 6 days, late, basically satisfied; r3
    open, in the community itself, no category; a wish fulfilled, a wish claimed, a wish open; last year's request.
    乙社区: r4 closed in 3.5 days, unsatisfied answer first. Households: one helped in 甲 with two supports (500
    yuan, goods), one ended last year; one in 乙 with 300 yuan."""

    def __init__(self):
        w = build_world()
        self.__dict__.update(w.__dict__)
        self.grid1 = do_create_area(acting_user=None, parent=w.community_area1, code="T01001001001", name="一网格",
                                    type="grid")  # fmt: skip
        self.linli = Category.objects.get(code="linli")
        self.other = Category.objects.exclude(code="linli").filter(org__isnull=True).order_by("code").first()
        self.member = do_create_member(acting_user=None, **member_data(w.branch1, seq=1, name="王五"))
        self.r1 = self.closed(self.new(self.grid1, self.linli, "visit", at(2, 1)), 2, Satisfaction.SATISFIED)
        self.r2 = self.closed(self.new(self.grid1, self.other, "hotline", at(3, 1)), 6, Satisfaction.BASICALLY,
                              due_days=5)  # fmt: skip
        self.r3 = self.new(w.community_area1, None, "counter", at(4, 1))
        self.r4 = self.closed(self.new(w.community_area2, self.linli, "visit", at(5, 1)), 3.5, Satisfaction.SATISFIED,
                              first=Satisfaction.UNSATISFIED)  # fmt: skip
        self.old = self.new(self.grid1, self.linli, "visit", timezone.make_aware(datetime.datetime(year() - 1, 6, 1)))
        self.wish1 = self.wish(at(2, 2), "fulfilled")
        self.wish2 = self.wish(at(2, 3), "claimed")
        self.wish3 = self.wish(at(2, 4), None)
        self.h1 = self.household(w.community1, self.grid1, datetime.date(year(), 1, 5), None)
        self.household(w.community1, self.grid1, datetime.date(year() - 2, 1, 5), datetime.date(year() - 1, 6, 30))
        self.h3 = self.household(w.community2, w.community_area2, datetime.date(year() - 1, 3, 1), None)
        Support.objects.create(household=self.h1, member=self.member, given_on=datetime.date(year(), 2, 1),
                               kind="money", what="慰问金", amount=Decimal("500"))  # fmt: skip
        Support.objects.create(household=self.h1, member=self.member, given_on=datetime.date(year(), 3, 1),
                               kind="goods", what="米面油")  # fmt: skip
        Support.objects.create(household=self.h1, member=self.member, given_on=datetime.date(year() - 1, 3, 1),
                               kind="money", what="去年的", amount=Decimal("9"))  # fmt: skip
        Support.objects.create(household=self.h3, org=w.community2, given_on=datetime.date(year(), 4, 1),
                               kind="money", what="慰问金", amount=Decimal("300"))  # fmt: skip

    def new(self, area, category, source, received_at):
        return services.do_create_request(acting_user=None, summary="诉求", description="情况", area=area,
                                          category=category, source=source, received_at=received_at)  # fmt: skip

    def closed(self, r, days, satisfaction, *, due_days=None, first=None):
        """Walked through the steps (the services), then dated by hand: closed `days` after it was received."""
        r = services.do_accept(r, acting_user=None, version=r.version)
        r = services.do_resolve(r, acting_user=None, version=r.version, outcome="已办")
        if first:  # 不满意 reopens it: resolved again
            r = services.do_rate(r, acting_user=None, version=r.version, satisfaction=first)
            r = services.do_resolve(r, acting_user=None, version=r.version, outcome="再办")
        r = services.do_rate(r, acting_user=None, version=r.version, satisfaction=satisfaction)
        r = services.do_close(r, acting_user=None, version=r.version)
        dates = {"closed_at": r.received_at + datetime.timedelta(days=days)}
        if due_days is not None:
            dates["due_at"] = r.received_at + datetime.timedelta(days=due_days)
        else:
            dates["due_at"] = dates["closed_at"] + datetime.timedelta(days=1)
        Request.objects.filter(pk=r.pk).update(**dates)
        return Request.objects.get(pk=r.pk)

    def wish(self, received_at, claim):
        r = services.do_create_request(acting_user=None, kind="wish", summary="心愿", description="一台收音机",
                                       area=self.grid1, source="visit", beneficiary="某独居老人",
                                       wanted_by=(received_at + datetime.timedelta(days=30)).date(),
                                       received_at=received_at)  # fmt: skip
        if claim:
            WishClaim.objects.create(request=r, member=self.member, claimed_at=received_at, state=claim,
                                     fulfilled_on=received_at.date() if claim == "fulfilled" else None)  # fmt: skip
        return r

    def household(self, org, area, opened, closed):
        n = Household.objects.count() + 1
        return Household.objects.create(number=f"HH{n:08d}", org=org, area=area, basis="consent",
                                        hardships=["dibao"], opened_on=opened, closed_on=closed,
                                        state="closed" if closed else "open")  # fmt: skip


@pytest.fixture
def w():
    return StatsWorld()


def _counts(rows, key):
    return {r[key]: r["count"] for r in rows}


def test_the_community_figures_by_hand(w):
    f = request_stats.figures(w.community1, w.admin1, *period())
    assert f["requests"] == {
        "total": 3,
        "open": 1,
        "closed": 2,
        "closed_on_time": 1,
        "on_time_share": 50.0,
        "median_days_to_close": 4.0,
    }  # fmt: skip  (2 and 6 days)
    assert _counts(f["by_category"], "code") == {"linli": 1, w.other.code: 1, None: 1}
    assert _counts(f["by_state"], "state") == {RequestState.CLOSED: 2, RequestState.RECEIVED: 1}
    assert _counts(f["by_source"], "source") == {"visit": 1, "hotline": 1, "counter": 1}
    assert _counts(f["by_area"], "code") == {"T01001001001": 2, "T01001001": 1}  # the grid, the community itself
    assert f["satisfaction"] == {"satisfied": 1, "basically": 1, "unsatisfied": 0}
    assert f["wishes"] == {"posted": 3, "claimed": 2, "fulfilled": 1}
    assert f["households"] == {"helped": 1, "supports": 2, "money": "500.00"}


def test_the_street_figures_and_an_odd_median(w):
    f = request_stats.figures(w.street, w.superuser, *period())
    assert f["requests"]["total"] == 4 and f["requests"]["closed"] == 3
    assert f["requests"]["closed_on_time"] == 2 and f["requests"]["on_time_share"] == 66.7
    assert f["requests"]["median_days_to_close"] == 3.5  # 2, 3.5, 6
    assert _counts(f["by_area"], "code") == {"T01001001": 3, "T01001002": 1}
    # the answer now: 不满意 was replaced by 满意 on r4
    assert f["satisfaction"] == {"satisfied": 2, "basically": 1, "unsatisfied": 0}
    assert f["households"] == {"helped": 2, "supports": 3, "money": "800.00"}


def test_a_community_admin_counts_only_theirs_above_it(w):
    mine = request_stats.figures(w.street, w.admin1, *period())
    assert mine["requests"]["total"] == 3 and mine["requests"]["median_days_to_close"] == 4.0
    assert _counts(mine["by_area"], "code") == {"T01001001": 3}
    assert mine["households"]["helped"] == 1
    assert request_stats.figures(w.street, w.nobody, *period())["requests"]["total"] == 0


def test_the_period_edges(w):
    day = w.r1.received_at.date()
    assert request_stats.figures(w.community1, w.admin1, day, day)["requests"]["total"] == 1
    after = day + datetime.timedelta(days=1)
    assert request_stats.figures(w.community1, w.admin1, after, period()[1])["requests"]["total"] == 2
    before = request_stats.figures(w.community1, w.admin1, period()[0], day - datetime.timedelta(days=1))
    assert before["requests"]["total"] == 0 and before["requests"]["median_days_to_close"] is None
    last_year = request_stats.figures(w.community1, w.admin1, datetime.date(year() - 1, 1, 1),
                                      datetime.date(year() - 1, 12, 31))  # fmt: skip
    assert last_year["requests"]["total"] == 1 and last_year["households"]["helped"] == 1


def test_on_time_edge(w):
    Request.objects.filter(pk=w.r2.pk).update(due_at=w.r2.closed_at)  # closed exactly at the due time: on time
    assert request_stats.figures(w.community1, w.admin1, *period())["requests"]["closed_on_time"] == 2
    Request.objects.filter(pk=w.r2.pk).update(due_at=w.r2.closed_at - datetime.timedelta(seconds=1))
    assert request_stats.figures(w.community1, w.admin1, *period())["requests"]["closed_on_time"] == 1


def test_the_stats_section_by_hand(w):
    from sqdj.stats.services import read_together

    as_of = timezone.localdate()
    rows = read_together("default", section.request_statements(w.street, user=EVERYTHING, as_of=as_of))
    found = section.request_figures(rows, as_of=as_of)["requests"]
    assert found == {
        "total": 5,
        "closed": 3,
        "closed_on_time": 2,
        "satisfied": 3,
        "rated": 3,
        "wishes_fulfilled": 1,
        "households_helped": 2,
    }  # fmt: skip  (last year's request counts too)
    rows = read_together("default", section.request_statements(w.street, user=w.admin1, as_of=as_of))
    mine = section.request_figures(rows, as_of=as_of)["requests"]
    assert mine == {"total": 4, "closed": 2, "closed_on_time": 1, "satisfied": 2, "rated": 2,
                    "wishes_fulfilled": 1, "households_helped": 1}  # fmt: skip
    early = datetime.date(year(), 2, 1)  # r1 received that day, nothing closed yet by then
    rows = read_together("default", section.request_statements(w.street, user=EVERYTHING, as_of=early))
    assert section.request_figures(rows, as_of=early)["requests"]["total"] == 2  # last year's and r1


def test_the_page_and_its_json(w, client):
    url = reverse("services:request_stats")
    client.force_login(w.admin1)
    r = client.get(url)
    assert r.status_code == 200
    r = client.get(
        url, {"org": "SQT1", "date_from": period()[0].isoformat(), "date_to": period()[1].isoformat(), "format": "json"}
    )
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    data = r.json()
    assert data["org"] == "SQT1" and data["requests"]["total"] == 3
    assert data == {**request_stats.figures(w.community1, w.admin1, *period())}
    assert client.get(url, {"org": "SQT2"}).status_code == 404  # out of scope
    assert client.get(url, {"org": "NOPE", "format": "json"}).status_code == 404
    r = client.get(url, {"org": "SQT1", "date_from": "x"})
    assert r.status_code == 200  # a bad date: the form says so, the default period shown
    html = client.get(
        url, {"org": "SQT1", "date_from": period()[0].isoformat(), "date_to": period()[1].isoformat()}
    ).content.decode()
    assert reverse("services:request_list") + "?" in html and "state=closed" in html
    client.force_login(w.viewer1)
    assert client.get(url, {"org": "SQT1"}).status_code == 200
    client.force_login(w.nobody)
    assert client.get(url).status_code == 403
