"""The three separated duties, 三员 (security.md R7): what each may do — exactly — and the rules that keep them apart
(one duty at most, no duty with a role on an org, only the security administrator assigns them); every change is
in the audit trail."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from sqdj.accounts.models import RoleAssignment, User
from sqdj.accounts.services import do_create_user, do_grant_role, do_set_duty
from sqdj.core.models import AuditEvent
from sqdj.core.scope import is_unrestricted
from sqdj.members.services import do_create_member
from sqdj.testing import PASSWORD, build_world
from sqdj.testing.api import api_client
from sqdj.testing.members import member_data

pytestmark = pytest.mark.django_db

DUTIES = ("system_admin", "security_admin", "audit_admin")
# page -> (url, what shows that the page gave its content: a member's or an org's name, the audit's title); a page
# that answers 200 but shows nothing of the kind (the org tree of a user without scope is empty) is not allowed
PAGES = {
    "member list": ("/members/", "张三丰"),
    "org list": ("/orgs/", "甲社区"),
    "org tree": ("/orgs/tree/", "甲社区"),
    "audit": ("/audit/", "审计日志"),
}
SERVICES = ("create_user", "grant_role", "set_duty")

# the exact allowed set of each duty
ALLOWED = {
    "system_admin": {"create_user"},
    "security_admin": {"grant_role", "set_duty"},
    "audit_admin": {"audit"},
}


@pytest.fixture
def world():
    w = build_world()
    do_create_member(acting_user=None, **member_data(w.branch1, seq=1))
    return w


def holder(duty: str) -> User:
    user = do_create_user(f"u_{duty}", password=PASSWORD, validate=False)
    return do_set_duty(user, duty)


def attempt(operation: str, user: User, world, n: int) -> bool:
    """Whether `user` may do the account operation (it is done, or refused by the rules of its duty)."""
    target = do_create_user(f"t{n}", password=PASSWORD, validate=False)
    try:
        if operation == "create_user":
            do_create_user(f"new{n}", acting_user=user, password=PASSWORD, validate=False)
        elif operation == "grant_role":
            do_grant_role(target, acting_user=user, role="viewer", org=world.community1)
        elif operation == "set_duty":
            do_set_duty(target, "audit_admin", acting_user=user)
    except PermissionDenied:
        return False
    return True


# the control: an org administrator without a duty sees their org's data, and the account operations stay as they
# were for users without a duty (assigning duties excepted)
ALLOWED["community_admin"] = {"member list", "org list", "org tree", "member api", "create_user", "grant_role"}


@pytest.mark.parametrize("duty", [*DUTIES, "community_admin"])
def test_permission_matrix(world, duty):
    user = world.admin1 if duty == "community_admin" else holder(duty)
    assert not is_unrestricted(user)
    c = Client()
    c.force_login(user)
    allowed = set()
    for name, (url, marker) in PAGES.items():
        response = c.get(url)
        assert response.status_code in (200, 403, 404), (name, response.status_code)
        if response.status_code == 200 and marker in response.content.decode():
            allowed.add(name)
    response = api_client(user).get("/api/v1/members/")
    assert response.status_code in (200, 403, 404)
    if response.status_code == 200 and response.json().get("count"):
        allowed.add("member api")
    for n, operation in enumerate(SERVICES):
        if attempt(operation, user, world, n):
            allowed.add(operation)
    assert allowed == ALLOWED[duty]


def test_a_superuser_sees_the_business_pages_but_not_the_audit_and_loses_them_with_a_duty(world):
    c = Client()
    c.force_login(world.superuser)
    assert c.get("/members/").status_code == 200
    assert c.get("/audit/").status_code == 404
    do_set_duty(world.superuser, "system_admin")
    world.superuser.refresh_from_db()
    assert not is_unrestricted(world.superuser)
    assert c.get("/members/").status_code in (403, 404)


def test_one_duty_at_most_and_no_duty_with_roles(world):
    user = holder("system_admin")
    with pytest.raises(ValidationError, match="至多"):
        do_set_duty(user, "audit_admin")
    do_set_duty(user, "system_admin")  # the same duty again: nothing changes
    with pytest.raises(ValidationError, match="不得再持有"):
        do_grant_role(user, role="viewer", org=world.community1)
    assert not RoleAssignment.objects.filter(user=user).exists()
    with pytest.raises(ValidationError, match="党组织角色"):
        do_set_duty(world.admin1, "security_admin")
    world.admin1.refresh_from_db()
    assert world.admin1.duty == ""
    do_set_duty(user, "")  # none first, then another one
    do_set_duty(user, "audit_admin")
    assert User.objects.get(pk=user.pk).duty == "audit_admin"


def test_only_the_security_administrator_or_a_superuser_assigns_duties(world):
    target = do_create_user("target", password=PASSWORD, validate=False)
    for acting in (world.admin1, world.nobody, holder("system_admin"), holder("audit_admin")):
        with pytest.raises(PermissionDenied):
            do_set_duty(target, "system_admin", acting_user=acting)
    do_set_duty(target, "system_admin", acting_user=holder("security_admin"))
    do_set_duty(target, "", acting_user=world.superuser)
    assert User.objects.get(pk=target.pk).duty == ""


def test_every_duty_change_is_audited_with_its_actor(world):
    security = holder("security_admin")
    target = do_create_user("target", password=PASSWORD, validate=False)
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    do_set_duty(target, "audit_admin", acting_user=security)
    event = AuditEvent.objects.get(pk__gt=start, event="duty")
    assert (event.user_id, event.roles, event.object_id) == (security.pk, "duty:security_admin", str(target.pk))
    assert event.detail == {"username": "target", "before": "", "after": "audit_admin"}


def duty_cli(*args) -> tuple[int, dict]:
    out = io.StringIO()
    try:
        call_command("duty", *args, "--json", stdout=out)
    except CommandError as exc:
        return exc.returncode, json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def test_duty_command(world):
    do_create_user("zhang", password=PASSWORD, validate=False)
    assert duty_cli("zhang", "--set", "security_admin") == (
        0,
        {"ok": True, "user": "zhang", "duty": "security_admin"},
    )
    assert duty_cli("zhang") == (0, {"ok": True, "user": "zhang", "duty": "security_admin"})
    status, out = duty_cli("zhang", "--set", "audit_admin")
    assert status == 1 and out["code"] == "rejected" and "至多" in out["error"]
    status, out = duty_cli("admin1", "--set", "audit_admin")
    assert status == 1 and "党组织角色" in out["error"]
    status, out = duty_cli("nobody", "--set", "audit_admin", "--user", "admin1")
    assert status == 1 and out["code"] == "rejected"
    assert duty_cli("nobody", "--set", "audit_admin", "--user", "zhang")[0] == 0
    status, out = duty_cli("ghost", "--set", "audit_admin")
    assert status == 2 and out["code"] == "usage"
    text = io.StringIO()
    call_command("duty", "zhang", "--set", "none", stdout=text)
    assert "无" in text.getvalue()


def test_user_add_with_a_duty_creates_an_account_with_no_org_role(world, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Sjk-Xt-Gly-2026-ab\n"))
    call_command("user", "add", "xitong", "--duty", "system_admin", "--password-stdin")
    user = User.objects.get(username="xitong")
    assert user.duty == "system_admin" and user.must_change_password and not user.role_assignments.exists()
    assert user.check_password("Sjk-Xt-Gly-2026-ab")
    for wrong in (["--duty", "audit_admin", "--role", "viewer", "--org", world.branch1.code], ["--role", "viewer"], []):
        with pytest.raises(CommandError) as exc:
            call_command("user", "add", "other", *wrong)
        assert exc.value.returncode == 1 and "--duty" in str(exc.value)
    assert not User.objects.filter(username="other").exists()
