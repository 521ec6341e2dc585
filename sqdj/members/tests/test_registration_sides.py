"""在职党员报到 with both sides (issue 16, part 1): the member's own org (the unit side) confirms a registration, or
it counts as confirmed `registration.confirm_days` after it was made; either side ends it with a date and a reason,
and the history stays. Bad input: a clear Chinese message, nothing written; two confirmations at once: one wins."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core import dates
from sqdj.core.models import ObjectChange
from sqdj.core.rules import param
from sqdj.core.services import Conflict, ScopeViolation
from sqdj.members.choices import EventKind, RegistrationStatus
from sqdj.members.models import Registration
from sqdj.members.services import (
    do_confirm_registration,
    do_create_member,
    do_end_registration,
    do_register,
    do_transfer_member,
)
from sqdj.members.standing import do_end_membership
from sqdj.testing import PASSWORD, build_world
from sqdj.testing.concurrency import race
from sqdj.testing.members import member_data

DAY = datetime.timedelta(days=1)


class Sides:
    """An in-service member of the second community's branch registered with the first community: admin1 (the
    first community's org, whose territory it is) sees the registration; admin2 (the member's own side) confirms."""

    def __init__(self, registered_on: datetime.date | None = None):
        self.w = w = build_world()
        self.admin2 = do_create_user("admin2", password=PASSWORD, validate=False)
        do_grant_role(self.admin2, role="community_admin", org=w.community2, descendants=True)
        self.member = do_create_member(acting_user=None, **member_data(w.branch2, seq=31, name="钱在职"))
        self.on = registered_on or dates.today() - 3 * DAY
        self.reg = do_register(self.member, acting_user=None, community=w.community_area1, registered_on=self.on)


@pytest.fixture
def sides(db):
    return Sides()


def _status(reg, day):
    """The status both ways: the object's word and the SQL filter's."""
    in_sql = {s for s in RegistrationStatus.values if Registration.objects.filter(Registration.status_q(s, day),
                                                                                  pk=reg.pk).exists()}  # fmt: skip
    assert in_sql == {reg.status_on(day)}
    return reg.status_on(day)


def test_unconfirmed_counts_as_confirmed_from_the_rulebook_day(sides):
    reg, days = sides.reg, param("registration.confirm_days", sides.on)
    assert reg.confirm_by == sides.on + days * DAY
    assert _status(reg, reg.confirm_by - DAY) == RegistrationStatus.PENDING  # the day before: still waiting
    assert _status(reg, reg.confirm_by) == RegistrationStatus.CONFIRMED  # that day: confirmed by itself
    assert reg.confirmed_automatically and reg.confirmed_on is None


def test_a_registration_from_before_the_rule_first_applied_is_confirmed_from_the_start(db):
    """The rule applies from 2004-10-04: one day before it, no day to wait for; on that day, the day is set."""
    first = datetime.date(2004, 10, 4)
    before = Sides(registered_on=first - DAY).reg
    assert before.confirm_by is None and _status(before, first - DAY) == RegistrationStatus.CONFIRMED
    Registration.objects.filter(pk=before.pk).update(active=False)
    on_the_day = do_register(before.member, acting_user=None, community=before.community, registered_on=first)
    assert on_the_day.confirm_by == first + param("registration.confirm_days", first) * DAY
    assert _status(on_the_day, first) == RegistrationStatus.PENDING


def test_registrations_recorded_before_confirmation_existed_count_as_confirmed(sides):
    Registration.objects.filter(pk=sides.reg.pk).update(confirm_by=None)  # as migration 0012 leaves them
    sides.reg.refresh_from_db()
    assert _status(sides.reg, sides.on) == RegistrationStatus.CONFIRMED


def test_the_unit_side_confirms_and_the_community_may_not(sides):
    with pytest.raises(ScopeViolation):
        do_confirm_registration(sides.reg, acting_user=sides.w.admin1)  # the community's side: sees, cannot confirm
    reg = do_confirm_registration(sides.reg, acting_user=sides.admin2, on=sides.on + DAY)
    assert reg.confirmed_on == sides.on + DAY
    assert _status(reg, sides.on + DAY) == RegistrationStatus.CONFIRMED and not reg.confirmed_automatically
    change = ObjectChange.objects.filter(content_type__model="registration", object_id=reg.pk).order_by("-pk")[0]
    assert change.diff()["confirmed_on"] == (None, str(sides.on + DAY)) and change.user == sides.admin2  # who
    with pytest.raises(Conflict, match="已于"):
        do_confirm_registration(sides.reg, acting_user=sides.admin2)


@pytest.mark.parametrize(
    "on, message",
    [(lambda s: dates.today() + DAY, "不能晚于今天"), (lambda s: s.on - DAY, "不能早于报到日期")],  # days asked late
)
def test_a_confirmation_on_a_wrong_day_is_refused_and_nothing_written(sides, on, message):
    with pytest.raises(ValidationError, match=message):
        do_confirm_registration(sides.reg, acting_user=sides.admin2, on=on(sides))
    sides.reg.refresh_from_db()
    assert sides.reg.confirmed_on is None


def test_either_side_ends_it_with_a_date_and_a_reason_and_the_history_stays(sides):
    reg = do_end_registration(sides.reg, acting_user=sides.w.admin1, reason="moved", ended_on=sides.on + DAY,
                              note="搬到乙社区")  # fmt: skip
    assert (reg.active, reg.ended_on, reg.end_reason, reg.end_note) == (False, sides.on + DAY, "moved", "搬到乙社区")
    assert _status(reg, dates.today()) == RegistrationStatus.ENDED
    assert Registration.objects.filter(pk=reg.pk).exists()  # kept
    with pytest.raises(Conflict, match="已经结束"):
        do_end_registration(reg, acting_user=sides.admin2, reason="asked")
    with pytest.raises(ValidationError, match="已结束"):
        do_confirm_registration(reg, acting_user=sides.admin2)
    # ended, the member may register again
    again = do_register(sides.member, acting_user=None, community=sides.w.community_area2, registered_on=dates.today())
    assert again.active and again.pk != reg.pk


@pytest.mark.parametrize(
    "kwargs, field, message",
    [
        ({"reason": ""}, "reason", "请选择结束原因"),
        ({"reason": "moved", "ended_on": lambda: dates.today() + DAY}, "ended_on", "不能晚于今天"),
        ({"reason": "moved", "ended_on": datetime.date(2000, 1, 1)}, "ended_on", "不能早于开始日期"),
    ],
)
def test_a_wrong_end_is_refused_and_nothing_written(sides, kwargs, field, message):
    kwargs = {k: v() if callable(v) else v for k, v in kwargs.items()}  # no clock read at import
    with pytest.raises(ValidationError) as exc:
        do_end_registration(sides.reg, acting_user=sides.admin2, **kwargs)
    assert message in exc.value.message_dict[field][0]
    sides.reg.refresh_from_db()
    assert sides.reg.active and sides.reg.ended_on is None


def test_both_sides_list_it_and_the_todo_names_exactly_what_the_user_may_confirm(sides, client):
    client.force_login(sides.admin2)
    url = reverse("members:registration_list") + "?to_confirm=true"
    page = client.get(url)
    assert page.status_code == 200 and "钱在职" in page.content.decode()
    client.force_login(sides.w.admin1)  # the community sees it in its list, but has nothing to confirm
    assert "钱在职" in client.get(reverse("members:registration_list")).content.decode()
    assert "钱在职" not in client.get(url).content.decode()
    detail = client.get(sides.reg.get_absolute_url()).content.decode()
    assert "registration-end" in detail and "registration-confirm" not in detail
    client.force_login(sides.w.nobody)
    assert client.get(sides.reg.get_absolute_url()).status_code == 404


def test_the_pages_confirm_and_end(sides, client):
    client.force_login(sides.admin2)
    r = client.post(reverse("members:registration_confirm", args=[sides.reg.pk]), {"on": str(dates.today())})
    assert r.status_code == 302
    sides.reg.refresh_from_db()
    assert sides.reg.confirmed_on == dates.today()
    r = client.post(reverse("members:registration_end", args=[sides.reg.pk]), {"ended_on": str(dates.today())})
    assert r.status_code == 200 and r.context["form"].errors["reason"]  # the form again, nothing written
    sides.reg.refresh_from_db()
    assert sides.reg.active
    r = client.post(reverse("members:registration_end", args=[sides.reg.pk]),
                    {"ended_on": str(dates.today()), "reason": "asked"})  # fmt: skip
    assert r.status_code == 302
    sides.reg.refresh_from_db()
    assert (sides.reg.active, sides.reg.end_reason) == (False, "asked")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking between two connections needs PostgreSQL")
def test_two_confirmations_at_once_one_wins_one_conflicts():
    s = Sides()
    results = race(
        lambda: do_confirm_registration(Registration.objects.get(pk=s.reg.pk), acting_user=s.admin2),
        lambda: do_confirm_registration(Registration.objects.get(pk=s.reg.pk), acting_user=s.admin2),
    )
    assert sum(isinstance(r, Registration) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    changes = ObjectChange.objects.filter(content_type__model="registration", object_id=s.reg.pk, action="update")
    assert changes.count() == 1


def test_the_gate_on_every_registration_page(sides, client):
    """Out of scope — a registration of another org's member with another community — answers 404 on every page of
    it and in no list (registrations have no export); in scope the pages answer; anonymous goes to the login."""
    w = sides.w
    other = do_create_member(acting_user=None, **member_data(w.branch2, seq=32, name="孙他处"))
    away = do_register(other, acting_user=None, community=w.community_area2, registered_on=sides.on)
    pages = ["", "confirm", "end", "changes"]

    def url(reg, page):
        return reverse(f"members:registration_{page}" if page else "members:registration", args=[reg.pk])

    for page in pages:
        r = client.get(url(away, page))
        assert r.status_code == 302 and reverse("login") in r["Location"], page
    client.force_login(w.admin1)
    for page in pages:
        assert client.get(url(away, page)).status_code == 404, page
    assert client.post(url(away, "end"), {"reason": "asked", "ended_on": str(dates.today())}).status_code == 404
    listed = client.get(reverse("members:registration_list"))
    shown = {row.record.pk for row in listed.context["table"].page.object_list}
    assert shown == {sides.reg.pk}  # its community's, not the other's
    for page in ("", "end", "changes"):
        assert client.get(url(sides.reg, page)).status_code == 200, page
    assert client.get(url(sides.reg, "confirm")).status_code == 403  # seen from the community: not confirmed there
    away.refresh_from_db()
    assert away.active


def test_a_membership_leaving_the_deployment_ends_the_registration(sides):
    """The transfer case completes outward (no receiving org here): the community no longer counts on the member;
    a move within the deployment keeps the registration (the member still lives and serves there)."""
    do_transfer_member(sides.member, to_org=sides.w.branch1, date=dates.today(), acting_user=None)
    sides.reg.refresh_from_db()
    assert sides.reg.active
    do_transfer_member(sides.member, to_org=None, date=sides.on - DAY, acting_user=None)
    sides.reg.refresh_from_db()
    assert not sides.reg.active and sides.reg.end_reason == "membership_moved"
    assert sides.reg.ended_on == sides.on  # not before it began
    assert Registration.objects.filter(Registration.standing_q(sides.on - DAY), pk=sides.reg.pk).count() == 0


def test_death_ends_the_registration_with_the_ledgers_word(sides):
    do_end_membership(sides.member, acting_user=None, kind=EventKind.DIED, date=dates.today())
    sides.reg.refresh_from_db()
    assert not sides.reg.active and sides.reg.ended_on == dates.today()
    assert sides.reg.end_reason == "other" and sides.reg.end_note == str(EventKind.DIED.label)
    # standing the day before, not on the day it ended
    assert Registration.objects.filter(Registration.standing_q(dates.today() - DAY), pk=sides.reg.pk).exists()
    assert not Registration.objects.filter(Registration.standing_q(dates.today()), pk=sides.reg.pk).exists()
