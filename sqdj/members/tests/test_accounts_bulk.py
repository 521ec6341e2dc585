"""Member accounts in bulk (issue 16 item 7): created for the chosen members without one, the others skipped; one
member out of scope and nothing is written; the initial passwords shown once and printed once (an A4 PDF of slips
with the CJK font embedded), never logged; the new user must change the password first and then reaches only
their own record."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sqdj.accounts.models import RoleAssignment, User
from sqdj.accounts.services import do_create_user, do_set_password
from sqdj.core.models import AuditEvent
from sqdj.core.services import ScopeViolation
from sqdj.members.accounts import do_create_member_accounts
from sqdj.members.models import Member
from sqdj.members.self_service import do_link_user
from sqdj.members.services import do_create_member
from sqdj.testing import PASSWORD, build_world
from sqdj.testing.members import member_data
from sqdj.testing.pdf import assert_cjk_fonts_embedded, read_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = build_world()
    w.m1 = do_create_member(acting_user=None, **member_data(w.branch1, seq=41, name="赵开通"))
    w.m2 = do_create_member(acting_user=None, **member_data(w.group1, seq=42, name="钱开通"))
    w.linked = do_create_member(acting_user=None, **member_data(w.branch1, seq=43, name="孙已有"))
    do_link_user(w.linked, do_create_user("had", password=PASSWORD, validate=False), acting_user=None)
    w.away = do_create_member(acting_user=None, **member_data(w.branch2, seq=44, name="李他社"))
    return w


def _counts():
    return User.objects.count(), RoleAssignment.objects.count(), Member.objects.filter(user__isnull=False).count()


def test_created_for_those_without_skipped_the_others(w):
    result = do_create_member_accounts([w.m1, w.m2, w.linked], acting_user=w.admin1)
    assert [a.name for a in result.created] == ["赵开通", "钱开通"]
    assert result.skipped == [(w.linked.pk, "孙已有")]
    for account, member in zip(result.created, (w.m1, w.m2), strict=True):
        member.refresh_from_db()
        user = member.user
        assert user.username == account.username and user.check_password(account.password)
        assert user.must_change_password
        assert list(user.role_assignments.values_list("role", "org", "descendants")) == [
            ("member", member.org_id, False)
        ]
        # the username tells nothing personal: no digits of the ID or phone number, not the name
        assert re.fullmatch(r"dy\d{6}", user.username)
        digits = user.username[2:]
        assert digits not in member.id_number and digits not in member.phone and member.name not in user.username
    assert Member.objects.get(pk=w.linked.pk).user.username == "had"  # untouched
    # audited: who and how many — no password, no username anywhere in the trail
    event = AuditEvent.objects.filter(event="account_created", detail__bulk=True).get()
    assert (event.user_id, event.detail["created"], event.detail["skipped"]) == (w.admin1.pk, 2, 1)
    trail = " ".join(str(d) for d in AuditEvent.objects.values_list("detail", flat=True))
    assert not any(a.password in trail for a in result.created)


def test_one_out_of_scope_writes_nothing(w):
    before = _counts()
    with pytest.raises(ScopeViolation):
        do_create_member_accounts([w.m1, w.away], acting_user=w.admin1)
    with pytest.raises(ScopeViolation):  # a viewer sees but may not change the members
        do_create_member_accounts([w.m1], acting_user=w.viewer1)
    with pytest.raises(ScopeViolation):  # a member that does not exist counts as out of scope
        do_create_member_accounts([w.m1.pk, 999999], acting_user=w.admin1)
    assert _counts() == before


def test_nothing_chosen_is_a_chinese_message(w):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        do_create_member_accounts([], acting_user=w.admin1)
    assert "至少" in " ".join(e.value.messages)


def test_a_taken_username_gets_a_suffix(w):
    do_create_user(f"dy{w.m1.pk:06d}", password=PASSWORD, validate=False)
    result = do_create_member_accounts([w.m1], acting_user=w.admin1)
    assert result.created[0].username == f"dy{w.m1.pk:06d}-2"


def test_pages_show_the_passwords_once_and_print_the_slips_once(w, client):
    pytest.importorskip("weasyprint")
    client.force_login(w.admin1)
    r = client.get(reverse("members:member_accounts"))
    assert r.status_code == 200
    listed = {m.pk for m in r.context["rows"]}
    assert listed == {w.m1.pk, w.m2.pk}  # neither the one with an account nor one outside the scope
    r = client.post(reverse("members:member_accounts"), {"member": [w.m1.pk, w.m2.pk]})
    assert r.status_code == 302 and r["Location"] == reverse("members:member_accounts_result")
    r = client.get(r["Location"])
    assert "no-store" in r["Cache-Control"]
    created = r.context["result"]["created"]
    assert len(created) == 2
    for _pk, _name, _org, username, password in created:
        assert username in r.content.decode() and password in r.content.decode()
    again = client.get(reverse("members:member_accounts_result"))  # the second look: the usernames alone
    assert created[0][3] in again.content.decode()
    assert not any(p in again.content.decode() for *_x, p in created)
    pdf = client.get(reverse("members:member_accounts_slips"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and "no-store" in pdf["Cache-Control"]
    reader, text = read_pdf(pdf.content)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    assert created[0][3] in text and "赵开通" in text
    assert_cjk_fonts_embedded(reader)
    # printed once: the result is gone
    assert client.get(reverse("members:member_accounts_slips")).status_code == 302
    gone = client.get(reverse("members:member_accounts_result"))
    assert gone.context["result"] is None and created[0][4] not in gone.content.decode()


def test_viewer_and_member_may_not_open_the_bulk_page(w, client):
    client.force_login(w.viewer1)
    before = _counts()
    r = client.post(reverse("members:member_accounts"), {"member": [w.m1.pk]})
    assert r.status_code == 403 and _counts() == before  # may not change members: no page, nothing written
    client.force_login(w.nobody)
    assert client.get(reverse("members:member_accounts")).status_code == 403


def test_new_user_changes_the_password_first_then_sees_only_their_record(w):
    result = do_create_member_accounts([w.m1], acting_user=w.admin1)
    account = result.created[0]
    c = Client()
    r = c.post(reverse("login"), {"username": account.username, "password": account.password})
    assert r.status_code == 302
    r = c.get(reverse("members:member_list"))
    assert r.status_code == 302 and reverse("accounts:password_change") in r["Location"]
    user = User.objects.get(username=account.username)
    do_set_password(user, "Neu-Passwort-2026x", acting_user=user)  # (as the password page does)
    assert c.post(reverse("login"), {"username": account.username, "password": "Neu-Passwort-2026x"}).status_code == 302
    r = c.get(reverse("members:member_list"))
    assert r.status_code == 200
    assert [row.record.pk for row in r.context["table"].page.object_list] == [w.m1.pk]
    assert c.get(reverse("members:member", args=[w.m1.pk])).status_code == 200
    for other in (w.m2, w.linked, w.away):
        assert c.get(reverse("members:member", args=[other.pk])).status_code == 404
    assert c.get(reverse("members:member_accounts")).status_code == 403  # self-only: view only


def test_the_bulk_page_takes_the_member_lists_filters(w, client):
    client.force_login(w.admin1)
    r = client.post(reverse("members:member_list"), {"q": "赵开通"}, follow=True)  # the list's filter form
    assert [row.record.pk for row in r.context["table"].page.object_list] == [w.m1.pk]
    r = client.get(reverse("members:member_accounts"))
    assert [m.pk for m in r.context["rows"]] == [w.m1.pk] and r.context["filtered"]
    client.post(reverse("members:member_list"), {"reset": "1"})
    assert {m.pk for m in client.get(reverse("members:member_accounts")).context["rows"]} == {w.m1.pk, w.m2.pk}
