"""帮扶 (issue 17 item 4): every service both ways (bad input: Chinese, nothing written), the review threshold and the
retention threshold on both sides, the anonymisation (every wiped field, the change log, the visits; idempotent, as
the daily job), the paired member's scope, two admins closing at once."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core import dates
from sqdj.core.models import AuditEvent, ObjectChange
from sqdj.core.numbering import check_ok
from sqdj.core.rules import param
from sqdj.core.services import Conflict, ScopeViolation
from sqdj.core.tasks import daily_jobs
from sqdj.services import households as services
from sqdj.services.choices import HouseholdState, LegalBasis, ReviewOutcome, SupportKind
from sqdj.services.models import Assistance, Household, HouseholdReview, Support, Visit
from sqdj.testing import PASSWORD
from sqdj.testing.concurrency import race

from .test_requests import RequestWorld

pytestmark = pytest.mark.django_db


def today():
    return dates.today()


def long_ago():
    return dates.add_years(today(), -6)


class HouseholdWorld(RequestWorld):
    """The requests' world (a grid, a member with an account, a unit with a liaison), one household in each
    community, help started six years ago."""

    def __init__(self):
        super().__init__()
        self.hh1 = self.new_household()
        self.hh2 = self.new_household(area=self.community_area2, acting_user=None)

    def new_household(self, *, acting_user="admin", **over):
        data = {"area": self.grid1, "room": "3单元502", "contact_name": "张三", "contact_phone": "13912345678",
                "size": 2, "hardships": ["dibao", "elderly_alone"], "needs": "买菜、送医", "basis": "consent",
                "consent": True, "consent_version": "household-2026-1", "opened_on": long_ago()}  # fmt: skip
        data.update(over)
        user = self.admin1 if acting_user == "admin" else acting_user
        return services.do_create_household(acting_user=user, **data)


@pytest.fixture
def w():
    return HouseholdWorld()


def _snapshot():
    return tuple(m.objects.count() for m in (Household, Assistance, Support, HouseholdReview, ObjectChange))


def _refused(call, field=None):
    """`call` is refused with a Chinese message; nothing was written."""
    before = _snapshot()
    with pytest.raises(ValidationError) as caught:
        call()
    assert _snapshot() == before
    messages = caught.value.message_dict[field] if field else caught.value.messages
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages), messages
    return caught.value


# ---- the record ----------------------------------------------------------------------------------------------


def test_a_household_is_numbered_placed_and_its_consent_recorded(w):
    h = w.hh1
    assert h.number.startswith(f"HH{long_ago().year}") and check_ok(h.number)
    assert h.org == w.community1 and h.state == HouseholdState.OPEN and h.version == 1
    assert h.consent_at is not None and h.consent_version == "household-2026-1"
    assert h.contact_name == "张三" and h.contact_phone_masked != "13912345678"
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT contact_phone FROM services_household WHERE id = %s", [h.pk])
        assert "13912345678" not in cursor.fetchone()[0]
    duty = w.new_household(basis=LegalBasis.LEGAL_DUTY, consent=False, basis_note="社会救助暂行办法")
    assert duty.consent_at is None and duty.consent_version == "" and duty.basis_note == "社会救助暂行办法"


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"consent": False}, "consent"),
        ({"basis": LegalBasis.LEGAL_DUTY, "consent": False, "basis_note": ""}, "basis_note"),
        ({"basis": "religion"}, "basis"),
        ({"hardships": []}, "hardships"),
        ({"hardships": ["dibao", "belief"]}, "hardships"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"contact_name": ""}, "contact_name"),
        ({"room": "x" * 31}, "room"),
        ({"needs": "x" * 301}, "needs"),
        ({"size": 0}, "size"),
        ({"area": None}, "area"),
        ({"opened_on": "tomorrow"}, "opened_on"),  # (the day is read in the test, not at import)
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_written(w, over, field):
    over = {k: today() + datetime.timedelta(days=1) if v == "tomorrow" else v for k, v in over.items()}
    _refused(lambda: w.new_household(**over), field)


def test_the_area_must_be_a_community_or_below_and_in_the_territory(w):
    _refused(lambda: w.new_household(area=w.street_area, acting_user=None), "area")
    before = _snapshot()
    with pytest.raises(ScopeViolation):
        w.new_household(area=w.community_area2)
    assert _snapshot() == before


def test_update_checks_the_version_and_keeps_or_times_the_consent(w):
    h = w.hh1
    facts = {"area": w.grid1, "contact_name": "张三", "hardships": ["dibao"], "basis": "consent", "consent": True,
             "needs": "<script>alert(1)</script>"}  # fmt: skip
    done = services.do_update_household(h, acting_user=w.admin1, version=h.version, **facts)
    assert done.version == 2 and done.consent_at == h.consent_at and done.needs == "<script>alert(1)</script>"
    with pytest.raises(Conflict):
        services.do_update_household(h, acting_user=w.admin1, version=1, **facts)
    duty = services.do_update_household(done, acting_user=w.admin1, version=2, **{
        **facts, "basis": LegalBasis.LEGAL_DUTY, "basis_note": "社会救助暂行办法"})  # fmt: skip
    assert duty.consent_at is None and duty.consent_version == ""
    with pytest.raises(ScopeViolation):
        services.do_update_household(duty, acting_user=w.viewer1, version=3, **facts)


# ---- pairings ------------------------------------------------------------------------------------------------


def test_pair_one_helper_once_and_end_it(w):
    h = w.hh1
    _refused(lambda: services.do_pair(h, acting_user=w.admin1), "__all__")
    _refused(lambda: services.do_pair(h, acting_user=w.admin1, member=w.member, org=w.branch1), "__all__")
    _refused(lambda: services.do_pair(h, acting_user=w.admin1, member=w.member,
                                      started_on=today() + datetime.timedelta(days=1)), "started_on")  # fmt: skip
    _refused(lambda: services.do_pair(h, acting_user=w.admin1, member=w.other_member), "member")  # not seen
    p = services.do_pair(h, acting_user=w.admin1, member=w.member, started_on=today(), note="每周探望")
    assert p.helper == w.member and p.ended_on is None
    _refused(lambda: services.do_pair(h, acting_user=w.admin1, member=w.member), "__all__")  # paired already
    unit = services.do_pair(h, acting_user=w.admin1, unit=w.unit)
    assert unit.helper == w.unit
    with pytest.raises(ScopeViolation):
        services.do_pair(h, acting_user=w.viewer1, org=w.branch1)
    _refused(lambda: services.do_end_pairing(p, acting_user=w.admin1, ended_on=today() - datetime.timedelta(days=1)),
             "ended_on")  # fmt: skip
    ended = services.do_end_pairing(p, acting_user=w.admin1, ended_on=today())
    assert ended.ended_on == today()
    _refused(lambda: services.do_end_pairing(ended, acting_user=w.admin1))


def test_the_paired_member_sees_only_their_household_while_paired(w):
    assert not Household.objects.restrict(w.member_user, "view").exists()
    p = services.do_pair(w.hh1, acting_user=w.admin1, member=w.member)
    seen = set(Household.objects.restrict(w.member_user, "view").values_list("pk", flat=True))
    assert seen == {w.hh1.pk}
    assert not Household.objects.restrict(w.member_user, "change").exists()
    assert services.may_reveal_contact(w.hh1, w.member_user) and not services.may_reveal_contact(w.hh1, w.viewer1)
    assert set(Household.objects.filter(services.paired_with_q(w.member_user)).values_list("pk", flat=True)) == seen
    services.do_end_pairing(p, acting_user=w.admin1)
    assert not Household.objects.restrict(w.member_user, "view").exists()
    assert not services.may_reveal_contact(w.hh1, w.member_user)


# ---- support -------------------------------------------------------------------------------------------------


def test_support_amounts_by_kind(w):
    h = w.hh1
    give = lambda **kw: services.do_record_support(h, acting_user=w.admin1, **{"what": "慰问", **kw})  # noqa: E731
    _refused(lambda: give(kind=SupportKind.MONEY), "amount")  # money: required
    _refused(lambda: give(kind=SupportKind.MONEY, amount=Decimal("0")), "amount")  # over 0
    _refused(lambda: give(kind=SupportKind.MONEY, amount="-5"), "amount")
    _refused(lambda: give(kind=SupportKind.MONEY, amount="1.005"), "amount")
    _refused(lambda: give(kind=SupportKind.SERVICE, amount="10"), "amount")  # a service has no amount
    _refused(lambda: give(kind="cash"), "kind")
    _refused(lambda: give(kind=SupportKind.GOODS, what=""), "what")
    _refused(lambda: give(kind=SupportKind.GOODS, given_on=today() + datetime.timedelta(days=1)), "given_on")
    money = give(kind=SupportKind.MONEY, amount="500", given_on=today(), member=w.member)
    assert money.amount == Decimal("500") and money.member == w.member and money.recorded_by == w.admin1
    goods = give(kind=SupportKind.GOODS, what="米面油")  # goods: the worth optional; by the responsible org
    assert goods.amount is None and goods.org == w.community1
    worth = give(kind=SupportKind.GOODS, what="棉被", amount="80.50")
    assert worth.amount == Decimal("80.50")
    with pytest.raises(ScopeViolation):
        services.do_record_support(h, acting_user=w.viewer1, kind=SupportKind.SERVICE, what="理发")


# ---- the yearly review and the closing -------------------------------------------------------------------------


def test_one_review_a_year_and_close_by_review(w):
    h = w.hh1
    r = services.do_review(h, acting_user=w.admin1, reviewed_on=today(), outcome=ReviewOutcome.CONTINUE)
    assert r.year == today().year and r.reviewed_by == w.admin1
    error = _refused(lambda: services.do_review(h, acting_user=w.admin1, outcome=ReviewOutcome.CONTINUE), "year")
    assert "本年度" in str(error) or "已" in str(error)
    _refused(lambda: services.do_review(h, acting_user=w.admin1, year=long_ago().year - 1, outcome="continue"), "year")
    _refused(lambda: services.do_review(h, acting_user=w.admin1, year=today().year - 1, outcome="close"), "end_reason")
    p = services.do_pair(h, acting_user=w.admin1, member=w.member)
    services.do_review(h, acting_user=w.admin1, year=today().year - 1, outcome="close", end_reason="recovered")
    h.refresh_from_db()
    p.refresh_from_db()
    assert h.state == HouseholdState.CLOSED and h.closed_on == today() and h.end_reason == "recovered"
    assert p.ended_on == today()  # the running pairing ends with the help
    _refused(lambda: services.do_review(h, acting_user=w.admin1, year=today().year - 2, outcome="continue"))


def test_close_checks_reason_day_version_and_state(w):
    h = w.hh1
    _refused(lambda: services.do_close_household(h, acting_user=w.admin1, version=1, end_reason="bored"), "end_reason")
    too_early = long_ago() - datetime.timedelta(days=1)
    _refused(lambda: services.do_close_household(h, acting_user=w.admin1, version=1, end_reason="moved",
                                                 closed_on=too_early), "closed_on")  # fmt: skip
    with pytest.raises(Conflict):
        services.do_close_household(h, acting_user=w.admin1, version=7, end_reason="moved")
    done = services.do_close_household(h, acting_user=w.admin1, version=1, end_reason="moved")
    assert done.state == HouseholdState.CLOSED and done.version == 2
    _refused(lambda: services.do_close_household(done, acting_user=w.admin1, version=2, end_reason="moved"))
    _refused(lambda: services.do_pair(done, acting_user=w.admin1, member=w.member))
    _refused(lambda: services.do_record_support(done, acting_user=w.admin1, kind="goods", what="米"))


def test_review_due_on_the_day_the_months_have_passed(w):
    """Due the day `services.household_review_months` months have passed since help started or the last review;
    not the day before."""
    months = int(param("services.household_review_months", today()))
    due_day = dates.add_months(today(), -months)

    def due(h):
        return Household.objects.filter(services.review_due_q(today()), pk=h.pk).exists()

    on_time = w.new_household(opened_on=due_day)
    day_short = w.new_household(opened_on=due_day + datetime.timedelta(days=1))
    assert due(on_time) and not due(day_short)
    # a review counts from its day
    services.do_review(w.hh1, acting_user=w.admin1, year=due_day.year, reviewed_on=due_day, outcome="continue")
    assert due(w.hh1)
    HouseholdReview.objects.filter(household=w.hh1).update(reviewed_on=due_day + datetime.timedelta(days=1))
    assert not due(w.hh1)
    services.do_close_household(on_time, acting_user=w.admin1, version=1, end_reason="moved")
    assert not due(on_time)  # only open households


# ---- anonymisation after the retention ------------------------------------------------------------------------


def _closed(w, closed_on, **over):
    h = w.new_household(**over)
    services.do_record_support(h, acting_user=w.admin1, kind="money", what="春节慰问金", amount="300",
                               given_on=closed_on)  # fmt: skip
    Visit.objects.create(org=w.community1, area=w.grid1, household=h, visited_on=closed_on, heard="老人腿脚不便")
    services.do_update_household(h, acting_user=w.admin1, version=1, area=w.grid1, contact_name="张三",
                                 contact_phone="13912345678", hardships=["dibao"], basis="legal_duty",
                                 basis_note="社会救助暂行办法", room="3单元502", needs="买菜、送医",
                                 size=2)  # fmt: skip
    return services.do_close_household(h, acting_user=w.admin1, version=2, end_reason="moved", closed_on=closed_on)


def _logged_values(model, pks) -> str:
    ct = ContentType.objects.get_for_model(model)
    return str(list(ObjectChange.objects.filter(content_type=ct, object_id__in=pks)
                    .values_list("prechange_data", "postchange_data")))  # fmt: skip


def test_anonymised_after_the_retention_not_a_day_before(w):
    years = int(param("services.household_retention_years", today()))
    past = _closed(w, dates.add_years(today(), -years) - datetime.timedelta(days=1))
    short = _closed(w, dates.add_years(today(), -years))  # its retention ends today: kept
    open_one = w.hh1
    events = AuditEvent.objects.filter(event=AuditEvent.Event.ANONYMISED).count()
    assert services.anonymise_due(today()) == 1
    past.refresh_from_db()
    assert past.anonymised_at is not None and past.version == 4
    assert (past.contact_name, past.contact_phone, past.room, past.needs, past.basis_note) == ("", "", "", "", "")
    assert past.hardships == ["dibao"] and past.size == 2 and past.closed_on and past.end_reason == "moved"
    support = past.supports.get()
    assert support.what == services.WIPED and support.amount == Decimal("300") and support.kind == "money"
    assert past.visits.get().heard == services.WIPED
    logged = _logged_values(Household, [past.pk]) + _logged_values(Support, [support.pk])
    logged += _logged_values(Visit, [past.visits.get().pk])
    for value in ("3单元502", "买菜、送医", "社会救助暂行办法", "春节慰问金", "老人腿脚不便", "张", "13912345678"):
        assert value not in logged, value
    assert "3单元502" in _logged_values(Household, [short.pk])  # the one still kept keeps its history
    for h in (short, open_one):
        h.refresh_from_db()
        assert h.anonymised_at is None and h.room == "3单元502" and h.contact_name == "张三"
    event = AuditEvent.objects.filter(event=AuditEvent.Event.ANONYMISED).latest("pk")
    assert AuditEvent.objects.filter(event=AuditEvent.Event.ANONYMISED).count() == events + 1
    assert event.detail["households"] == 1 and "张三" not in str(event.detail)
    # idempotent, and the daily job runs it
    assert services.anonymise_due(today()) == 0
    assert daily_jobs()["services.anonymise_households"].call(today().isoformat()) == {"anonymised": 0}
    assert AuditEvent.objects.filter(event=AuditEvent.Event.ANONYMISED).count() == events + 1


def test_reveal_needs_a_reason_and_is_logged(w):
    with pytest.raises(ValidationError):
        services.do_reveal_contact(w.hh1, acting_user=w.admin1, reason=" ")
    with pytest.raises(ScopeViolation):
        services.do_reveal_contact(w.hh1, acting_user=w.viewer1, reason="走访")
    values = services.do_reveal_contact(w.hh1, acting_user=w.admin1, reason="走访")
    assert values == {"contact_name": "张三", "contact_phone": "13912345678"}
    event = AuditEvent.objects.filter(event=AuditEvent.Event.REVEAL, object_type="services.household").latest("pk")
    assert event.detail["reason"] == "走访" and "13912345678" not in str(event.detail)
    assert AuditEvent.objects.filter(event=AuditEvent.Event.SENSITIVE_VIEW, object_id=str(w.hh1.pk)).exists()


# ---- two admins at once ----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking between two connections needs PostgreSQL")
def test_two_admins_closing_at_once_one_conflict():
    w = HouseholdWorld()
    second = do_create_user("admin1b", password=PASSWORD, validate=False)
    do_grant_role(second, role="community_admin", org=w.community1, descendants=True)
    h = w.hh1
    results = race(
        lambda: services.do_close_household(h, acting_user=w.admin1, version=h.version, end_reason="moved"),
        lambda: services.do_close_household(h, acting_user=second, version=h.version, end_reason="recovered"),
    )
    assert sorted(type(x).__name__ for x in results) == ["Conflict", "Household"], results
    h.refresh_from_db()
    assert h.state == HouseholdState.CLOSED and h.version == 2
