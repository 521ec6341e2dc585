"""The user administration (/users/; accounts.admin_views and the services it shares with `sqdj user`): who sees
which users, adding one with a temporary password shown once, granting and revoking roles within reach and never
above one's own, resetting a password, unlocking a locked-out account; the 三员 split (security.md R7); every action
in the audit trail (R8); the sign-in page's tries left (R2)."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from sqdj.accounts import lockout
from sqdj.accounts.models import RoleAssignment, User
from sqdj.accounts.services import do_create_user, do_grant_role, do_set_duty
from sqdj.core.models import AuditEvent
from sqdj.orgs.services import do_create_org
from sqdj.testing import PASSWORD, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    cache.clear()
    w = build_world()
    w.qu = do_create_user("qu", password=PASSWORD, validate=False)
    do_grant_role(w.qu, role="district_admin", org=w.district, descendants=True)
    # another district, outside qu's subtree, with a user of its own
    w.other = do_create_org(
        acting_user=None, parent=None, code="DWT02", name="中共另一区委员会", type="district_committee"
    )
    w.stranger = do_create_user("stranger", password=PASSWORD, validate=False)
    do_grant_role(w.stranger, role="district_admin", org=w.other, descendants=True)
    # a city administrator whose role hangs on qu's district org: above qu, not qu's to reset
    w.boss = do_create_user("boss", password=PASSWORD, validate=False)
    do_grant_role(w.boss, role="city_admin", org=w.district, descendants=True)
    yield w
    cache.clear()


def client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def events_since(start: int, event: str):
    return AuditEvent.objects.filter(pk__gt=start, event=event)


def duty_holder(duty: str) -> User:
    return do_set_duty(do_create_user(f"u_{duty}", password=PASSWORD, validate=False), duty)


# ---- who sees which users -----------------------------------------------------------------------------------------


def test_a_district_admin_lists_the_users_with_roles_in_their_subtree(world):
    r = client_of(world.qu).get(reverse("users:user_list"))
    assert r.status_code == 200
    listed = {u["user"].username for u in r.context["rows"]}
    assert {"admin1", "viewer1", "qu", "boss"} <= listed
    assert not listed & {"stranger", "nobody", "root"}  # outside, without a role, a superuser


@pytest.mark.parametrize("name", ["stranger", "nobody", "root"])
def test_a_user_out_of_reach_is_404_on_every_page(world, name):
    target = User.objects.get(username=name)
    c = client_of(world.qu)
    for url in ("user_detail", "user_reset_password"):
        assert c.get(reverse(f"users:{url}", args=[target.pk])).status_code == 404
    assert c.post(reverse("users:user_unlock", args=[target.pk])).status_code == 404
    assert c.post(reverse("users:user_reset_password", args=[target.pk])).status_code == 404
    assert User.objects.get(pk=target.pk).check_password(PASSWORD)


def test_who_has_no_user_administration_gets_404_and_no_menu_entry(world):
    for user in (world.admin1, world.viewer1, world.nobody, duty_holder("audit_admin")):
        c = client_of(user)
        assert c.get(reverse("users:user_list")).status_code == 404
        assert c.get(reverse("users:user_detail", args=[world.admin1.pk])).status_code == 404
    home = client_of(world.admin1).get("/").content.decode()
    assert reverse("users:user_list") not in home
    assert reverse("users:user_list") in client_of(world.qu).get("/").content.decode()
    anonymous = Client().get(reverse("users:user_list"))
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]


# ---- adding a user -------------------------------------------------------------------------------------------------


def test_a_district_admin_adds_a_user_with_a_role_and_a_temporary_password_shown_once(world):
    start = last_event_id()
    c = client_of(world.qu)
    data = {"username": "xiaowang", "display_name": "小王", "role": "community_admin", "org": world.community1.pk}
    r = c.post(reverse("users:user_add"), {**data, "descendants": "on"})
    assert r.status_code == 200, r.content.decode()[:2000]
    assert r["Cache-Control"] == "no-store"
    password = r.context["password"]
    user = User.objects.get(username="xiaowang")
    assert user.check_password(password) and user.must_change_password
    assert password in r.content.decode() and len(password) >= 15
    assert RoleAssignment.objects.filter(user=user, role="community_admin", org=world.community1).exists()
    assert events_since(start, "account_created").filter(user_id=world.qu.pk).count() == 1
    assert events_since(start, "role").filter(user_id=world.qu.pk).count() == 1
    # the detail page does not show it again
    assert password not in c.get(reverse("users:user_detail", args=[user.pk])).content.decode()


@pytest.mark.parametrize(
    "role,org_attr",
    [("community_admin", "other"), ("city_admin", "community1"), ("", "community1")],
    ids=["org outside the subtree", "role above their own", "no role"],
)
def test_a_district_admin_cannot_add_a_user_outside_or_above(world, role, org_attr):
    c = client_of(world.qu)
    data = {"username": "bad", "role": role, "org": getattr(world, org_attr).pk}
    r = c.post(reverse("users:user_add"), data)
    assert r.status_code == 400
    assert not User.objects.filter(username="bad").exists()


# ---- granting and revoking -----------------------------------------------------------------------------------------


def test_grant_within_the_subtree_and_not_above_or_outside(world):
    c = client_of(world.qu)
    url = reverse("users:user_grant", args=[world.viewer1.pk])
    assert c.post(url, {"role": "city_admin", "org": world.branch1.pk}).status_code == 400
    assert c.post(url, {"role": "viewer", "org": world.other.pk}).status_code == 400
    assert not RoleAssignment.objects.filter(user=world.viewer1, org__in=[world.other, world.branch1]).exists()
    start = last_event_id()
    r = c.post(url, {"role": "branch_admin", "org": world.branch2.pk, "descendants": "on"})
    assert r.status_code == 302
    assert RoleAssignment.objects.filter(user=world.viewer1, role="branch_admin", org=world.branch2).exists()
    assert events_since(start, "role").filter(user_id=world.qu.pk).count() == 1


def test_a_role_on_one_org_only_grants_on_that_org_only(world):
    """A role held on one org only (no descendants) lets its holder grant on that org only, and not below it."""
    small = do_create_user("small", password=PASSWORD, validate=False)
    do_grant_role(small, role="district_admin", org=world.street, descendants=False)
    target = do_create_user("target", password=PASSWORD, validate=False)
    do_grant_role(target, role="viewer", org=world.street, descendants=False)
    c = client_of(small)
    assert c.get(reverse("users:user_detail", args=[world.viewer1.pk])).status_code == 404  # a role below: not theirs
    url = reverse("users:user_grant", args=[target.pk])
    assert c.post(url, {"role": "viewer", "org": world.community1.pk}).status_code == 400
    assert c.post(url, {"role": "viewer", "org": world.street.pk, "descendants": "on"}).status_code == 400
    assert c.post(url, {"role": "viewer", "org": world.street.pk}).status_code == 302


def test_revoke_asks_first_naming_the_role_and_the_org_then_revokes_and_audits(world):
    c = client_of(world.qu)
    assignment = RoleAssignment.objects.get(user=world.admin1)
    url = reverse("users:user_revoke", args=[world.admin1.pk, assignment.pk])
    page = c.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert world.community1.name in text and assignment.get_role_display() in text
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()  # asking changed nothing
    start = last_event_id()
    assert c.post(url).status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert events_since(start, "role").filter(user_id=world.qu.pk, outcome="ok").count() == 1


def test_revoke_out_of_reach_or_above_is_refused(world):
    c = client_of(world.qu)
    theirs = RoleAssignment.objects.get(user=world.stranger)
    assert c.get(reverse("users:user_revoke", args=[world.stranger.pk, theirs.pk])).status_code == 404
    above = RoleAssignment.objects.get(user=world.boss)
    assert c.post(reverse("users:user_revoke", args=[world.boss.pk, above.pk])).status_code == 403
    own = RoleAssignment.objects.get(user=world.qu)
    assert c.post(reverse("users:user_revoke", args=[world.qu.pk, own.pk])).status_code == 403
    assert RoleAssignment.objects.filter(pk__in=[theirs.pk, above.pk, own.pk]).count() == 3


# ---- passwords -----------------------------------------------------------------------------------------------------


def test_reset_asks_first_then_shows_a_temporary_password_once_and_audits(world):
    c = client_of(world.qu)
    url = reverse("users:user_reset_password", args=[world.admin1.pk])
    assert c.get(url).status_code == 200
    assert User.objects.get(pk=world.admin1.pk).check_password(PASSWORD)  # asking changed nothing
    start = last_event_id()
    r = c.post(url)
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    password = r.context["password"]
    user = User.objects.get(pk=world.admin1.pk)
    assert user.check_password(password) and not user.check_password(PASSWORD) and user.must_change_password
    event = events_since(start, "password_reset").get()
    assert (event.user_id, event.object_id) == (world.qu.pk, str(world.admin1.pk))
    # the user signs in with it and reaches only the password page
    login = Client()
    assert login.post(reverse("login"), {"username": "admin1", "password": password}).status_code == 302
    r = login.get("/members/")
    assert r.status_code == 302 and reverse("accounts:password_change") in r["Location"]


def test_a_district_admin_cannot_reset_a_higher_administrator(world):
    c = client_of(world.qu)
    assert c.get(reverse("users:user_reset_password", args=[world.boss.pk])).status_code == 403
    assert c.post(reverse("users:user_reset_password", args=[world.boss.pk])).status_code == 403
    assert User.objects.get(pk=world.boss.pk).check_password(PASSWORD)


# ---- lockout and unlock --------------------------------------------------------------------------------------------


def fail_logins(username: str, n: int) -> list:
    c = Client(REMOTE_ADDR="203.0.113.50")
    return [c.post(reverse("login"), {"username": username, "password": "wrong-password-x"}) for _ in range(n)]


def test_the_sign_in_page_counts_the_tries_left_then_says_what_to_do_when_locked(world):
    responses = fail_logins("admin1", 5)
    assert [r.context["tries_left"] for r in responses[:4]] == [4, 3, 2, 1]
    assert "还可尝试 4 次" in responses[0].content.decode()
    locked = responses[4]
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "30 分钟" in text and "解锁" in text
    assert lockout.is_locked("admin1")


def test_unlock_as_admin_then_the_user_signs_in(world):
    fail_logins("admin1", 5)
    c = client_of(world.qu)
    detail = c.get(reverse("users:user_detail", args=[world.admin1.pk]))
    assert detail.context["locked"] and 'id="user-unlock"' in detail.content.decode()
    listed = c.get(reverse("users:user_list"), {"locked": "on"})
    assert [row["user"].username for row in listed.context["rows"]] == ["admin1"]
    start = last_event_id()
    assert c.post(reverse("users:user_unlock", args=[world.admin1.pk])).status_code == 302
    assert not lockout.is_locked("admin1")
    event = events_since(start, "unlock").get()
    assert (event.user_id, event.object_id, event.detail["was_locked"]) == (world.qu.pk, str(world.admin1.pk), True)
    r = Client(REMOTE_ADDR="203.0.113.50").post(reverse("login"), {"username": "admin1", "password": PASSWORD})
    assert r.status_code == 302


def test_the_unlock_command_uses_the_same_service_and_is_audited(world):
    fail_logins("viewer1", 5)
    start = last_event_id()
    call_command("user", "unlock", "viewer1", stderr=io.StringIO())
    assert not lockout.is_locked("viewer1")
    assert events_since(start, "unlock").filter(object_id=str(world.viewer1.pk), user_id=None).count() == 1


# ---- the three separated duties (三员) -----------------------------------------------------------------------------


def test_the_system_administrator_creates_accounts_but_grants_no_role(world):
    sysadmin = duty_holder("system_admin")
    c = client_of(sysadmin)
    listed = {row["user"].username for row in c.get(reverse("users:user_list")).context["rows"]}
    assert {"stranger", "nobody", "admin1"} <= listed
    page = c.get(reverse("users:user_add"))
    assert page.status_code == 200 and "role" not in page.context["form"].fields
    r = c.post(reverse("users:user_add"), {"username": "fresh"})
    assert r.status_code == 200 and User.objects.get(username="fresh").must_change_password
    assert not RoleAssignment.objects.filter(user__username="fresh").exists()
    grant = c.post(reverse("users:user_grant", args=[world.nobody.pk]), {"role": "viewer", "org": world.branch1.code})
    assert grant.status_code in (400, 403)
    assert not RoleAssignment.objects.filter(user=world.nobody).exists()
    # resets an ordinary account, not another 三员's
    assert c.post(reverse("users:user_reset_password", args=[world.stranger.pk])).status_code == 200
    security = duty_holder("security_admin")
    assert c.post(reverse("users:user_reset_password", args=[security.pk])).status_code == 403


def test_the_security_administrator_grants_by_org_code_but_creates_no_account(world):
    security = duty_holder("security_admin")
    c = client_of(security)
    assert c.get(reverse("users:user_add")).status_code == 403
    r = c.post(reverse("users:user_grant", args=[world.nobody.pk]), {"role": "viewer", "org": world.branch1.code})
    assert r.status_code == 302
    assert RoleAssignment.objects.filter(user=world.nobody, role="viewer", org=world.branch1).exists()
    assert c.post(reverse("users:user_reset_password", args=[world.admin1.pk])).status_code == 403


def test_disabling_an_account_is_audited_and_refused_out_of_reach(world):
    from django.core.exceptions import PermissionDenied

    from sqdj.accounts.services import NotYours, do_set_active

    start = last_event_id()
    do_set_active(world.admin1, False, acting_user=world.qu)
    assert not User.objects.get(pk=world.admin1.pk).is_active
    assert events_since(start, "account_disabled").filter(user_id=world.qu.pk).count() == 1
    with pytest.raises(NotYours):
        do_set_active(world.stranger, False, acting_user=world.qu)
    with pytest.raises(PermissionDenied):
        do_set_active(world.viewer1, False, acting_user=duty_holder("security_admin"))
    assert User.objects.get(pk=world.stranger.pk).is_active and User.objects.get(pk=world.viewer1.pk).is_active
