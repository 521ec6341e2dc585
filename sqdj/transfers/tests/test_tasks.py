"""The transfers' daily jobs (sqdj/transfers/tasks.py): the expiry of letters past their validity and the reminders
of overdue cases, declared to core's daily scheduler and queued once a day. The tests run the jobs on the immediate
backend (tests/settings.py); `sqdj/core/tests/test_jobs_worker.py` runs them in real workers."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from sqdj.core.dates import today
from sqdj.core.models import DailyRun, Notification
from sqdj.core.tasks import daily_jobs, schedule_daily
from sqdj.members.services import do_create_member
from sqdj.testing.members import member_data
from sqdj.testing.transfers import build_transfer_world
from sqdj.transfers import services as T
from sqdj.transfers import tasks
from sqdj.transfers.choices import TransferState
from sqdj.transfers.models import Transfer

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def tw():
    return build_transfer_world()


def _member(tw, seq, name):
    return do_create_member(acting_user=None, **member_data(tw.world.branch1, seq=seq, name=name))


@pytest.fixture
def cases(tw):
    """A letter that ran out yesterday, a case submitted 20 days ago (overdue: the approver's days are over), one
    submitted today (not overdue)."""
    ran_out = T.do_create_transfer(acting_user=tw.sender, member=tw.member, reason="work", to_org=tw.branch3)
    ran_out = T.do_submit(ran_out, acting_user=tw.sender, version=ran_out.version)
    ran_out = T.do_approve(ran_out, acting_user=tw.district_admin, version=ran_out.version)
    Transfer.objects.filter(pk=ran_out.pk).update(valid_until=today() - DAY)
    late, fresh = (
        T.do_create_transfer(acting_user=tw.sender, member=_member(tw, seq, name), reason="work", to_org=tw.branch3)
        for seq, name in ((8, "钱待批"), (9, "孙刚交"))
    )
    late = T.do_submit(late, acting_user=tw.sender, version=late.version)
    fresh = T.do_submit(fresh, acting_user=tw.sender, version=fresh.version)
    Transfer.objects.filter(pk=late.pk).update(state_changed_on=today() - 20 * DAY)
    Notification.objects.all().delete()
    return {"ran_out": ran_out, "late": late, "fresh": fresh}


def test_the_app_declares_its_daily_jobs():
    jobs = daily_jobs()
    assert jobs["transfers.expire"] is tasks.expire_letters and jobs["transfers.remind"] is tasks.remind_overdue


def test_expiry_job_expires_the_letters_that_ran_out(tw, cases):
    assert tasks.expire_letters.call(today().isoformat()) == {"expired": [cases["ran_out"].pk]}
    assert Transfer.objects.get(pk=cases["ran_out"].pk).state == TransferState.EXPIRED
    assert tasks.expire_letters.call(today().isoformat()) == {"expired": []}  # run again for the day: nothing more


def test_reminders_go_to_whoever_must_act_on_an_overdue_case_once(tw, cases):
    result = tasks.remind_overdue.call(today().isoformat())
    notes = list(Notification.objects.select_related("user"))
    # the late case waits on its approver: the sending side's 街道党工委 (rules.md 6.3), whose staff include the
    # district's admin (before issue 13 the district alone approved moves across subdistricts)
    assert result == {"reminded": len(notes)} and notes
    assert {n.user.username for n in notes} == {"district_admin", "street_admin"}
    assert all("钱待批" in n.text and n.url == cases["late"].get_absolute_url() for n in notes)
    # the fresh case is not overdue; the letter that ran out is the expiry job's, not a reminder
    assert not any("孙刚交" in n.text or tw.member.name in n.text for n in notes)


def test_a_failed_reminder_run_reminds_nobody(tw, cases, monkeypatch):
    calls = []

    def flaky(org, text, url="", exclude=None):
        calls.append(org)
        raise RuntimeError("mail server down")

    monkeypatch.setattr(tasks, "notify_org", flaky)
    with pytest.raises(RuntimeError):
        tasks.remind_overdue.call(today().isoformat())
    assert calls and not Notification.objects.exists()


def ours(jobs: list[str]) -> list[str]:
    return [job for job in jobs if job.startswith("transfers.")]


def test_the_daily_jobs_are_queued_once_a_day(tw, cases, settings):
    settings.SQDJ_DAILY_JOBS_HOUR = 0
    # noon of today (local time): "an hour later" must be the same day whenever the suite runs (at 23:xx it was not)
    now = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    # this app's jobs among all the daily ones (core's audit purge runs too); the immediate backend runs them
    assert ours(schedule_daily(now)) == ["transfers.expire", "transfers.remind"]
    assert Transfer.objects.get(pk=cases["ran_out"].pk).state == TransferState.EXPIRED
    reminded = Notification.objects.filter(url=cases["late"].get_absolute_url()).count()
    assert reminded
    assert schedule_daily(now) == [] and schedule_daily(now + datetime.timedelta(hours=1)) == []
    assert DailyRun.objects.filter(job__startswith="transfers.").count() == 2
    assert Notification.objects.filter(url=cases["late"].get_absolute_url()).count() == reminded
    tomorrow = now + datetime.timedelta(days=1)
    assert ours(schedule_daily(tomorrow)) == ["transfers.expire", "transfers.remind"]
    assert DailyRun.objects.filter(job__startswith="transfers.").count() == 4


def test_nothing_is_queued_before_the_hour(tw, settings):
    settings.SQDJ_DAILY_JOBS_HOUR = 24  # never
    assert schedule_daily() == [] and not DailyRun.objects.exists()
