"""`sqdj selfservice link|unlink`: how an administrator gives a member's own account its record."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core.models import ObjectChange
from sqdj.members.models import Member
from sqdj.members.services import do_create_member
from sqdj.testing import PASSWORD, build_world
from sqdj.testing.members import member_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = build_world()
    w.me = do_create_member(acting_user=None, **member_data(w.branch1, seq=1, name="孙自己"))
    w.other = do_create_member(
        acting_user=None, **member_data(w.branch2, seq=2, name="郑他社", birth=datetime.date(1974, 4, 14))
    )
    w.person = do_create_user("dangyuan", password=PASSWORD, validate=False)
    do_grant_role(w.person, role="member", org=w.branch1, descendants=True)
    return w


def test_link_then_unlink_logged(w, capsys):
    call_command("selfservice", "link", "dangyuan", str(w.me.pk), "--user", "admin1")
    assert Member.objects.get(pk=w.me.pk).user == w.person
    assert "dangyuan" in capsys.readouterr().out
    change = ObjectChange.objects.filter(object_id=w.me.pk).order_by("-pk").first()
    assert change.user == w.admin1 and "user" in change.diff()
    call_command("selfservice", "unlink", str(w.me.pk), "--user", "admin1")
    assert Member.objects.get(pk=w.me.pk).user is None


def test_refusals_write_nothing(w):
    with pytest.raises(CommandError) as e:  # a member outside the acting user's scope looks like no member
        call_command("selfservice", "link", "dangyuan", str(w.other.pk), "--user", "admin1")
    assert e.value.returncode == 1 and str(w.other.pk) in str(e.value)
    with pytest.raises(CommandError) as e:  # a viewer may not change the member
        call_command("selfservice", "link", "dangyuan", str(w.me.pk), "--user", "viewer1")
    assert e.value.returncode == 1
    with pytest.raises(CommandError) as e:
        call_command("selfservice", "link", "nosuchuser", str(w.me.pk), "--user", "admin1")
    assert e.value.returncode == 1
    call_command("selfservice", "link", "dangyuan", str(w.me.pk))  # the operator at the shell
    with pytest.raises(CommandError):  # one member per user account
        call_command("selfservice", "link", "dangyuan", str(w.other.pk))
    assert Member.objects.get(pk=w.other.pk).user is None
    with pytest.raises(CommandError) as e:
        call_command("selfservice", "link", "dangyuan")
    assert e.value.returncode == 2
