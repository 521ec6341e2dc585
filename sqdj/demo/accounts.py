"""Demo accounts, one at each level of the synthetic city (printed by `sqdj demo`)."""

from __future__ import annotations

from django.db import transaction

from sqdj.accounts.models import User
from sqdj.accounts.roles import Role
from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.accounts.twofactor.services import enrol_demo_device, otp_required
from sqdj.demo.units import liaison_unit
from sqdj.demo.volunteers import showcase_claim
from sqdj.members.models import Member
from sqdj.members.self_service import do_link_user
from sqdj.orgs.choices import BRANCH_TYPES
from sqdj.orgs.models import Org
from sqdj.units.models import UnitContact
from sqdj.units.services import contact_org, do_link_contact

# Shown on the demo's start page and in the terminal: these accounts exist only in demo databases.
DEMO_PASSWORD = "Sqdj-Demo-2026"


def _first_branch(community):
    return community.descendants().filter(type__in=list(BRANCH_TYPES)).order_by("path").first() or community


def demo_accounts():
    """(username, display name, role, org) for each demo account, from the generated data."""
    district = Org.objects.filter(type="district_committee").order_by("path").first()
    if district is None:
        return []
    street = district.children().filter(type="subdistrict_committee").order_by("path").first()
    communities = list(street.children().exclude(type="comprehensive_committee").order_by("path")[:2])
    unit = liaison_unit(communities[0])
    rows = [
        ("qu_admin", "区委组织部 管理员", Role.DISTRICT_ADMIN, district),
        ("jd_admin", "街道党工委 管理员", Role.SUBDISTRICT_ADMIN, street),
        ("sq_admin", "社区党组织 管理员", Role.COMMUNITY_ADMIN, communities[0]),
        ("sq2_admin", "社区党组织 管理员（相邻社区）", Role.COMMUNITY_ADMIN, communities[1]),
        ("zb_admin", "党支部 管理员", Role.BRANCH_ADMIN, _first_branch(communities[0])),
        ("viewer", "只读用户", Role.VIEWER, district),
        # a member of zb_admin's branch, linked to that member's record: sees only their own record
        ("dangyuan", "党员（自助，仅本人）", Role.MEMBER, _first_branch(communities[0])),
    ]
    showcase = showcase_claim(communities[0].area) if communities[0].area_id else None
    if showcase is not None:  # an in-service member registered with sq_admin's community (我的 on a phone)
        rows.append(("zaizhi", "在职党员（自助，仅本人）", Role.MEMBER, showcase.member.org))
    if unit is not None:  # a liaison of a unit in sq_admin's community (its council, agreement and project)
        rows.append(("danwei", "单位联络员（仅本单位）", Role.UNIT_CONTACT, contact_org(unit)))
    return rows


def _community_of_sq_admin():
    return next(org for username, _d, _r, org in demo_accounts() if username == "sq_admin")


def _self_member(username: str, org):
    """The demo member that `dangyuan` is: the first active member of the branch not linked to an account yet;
    `zaizhi`: the in-service member of the showcase claim (demo.volunteers)."""
    if username == "zaizhi":
        claim = showcase_claim(_community_of_sq_admin().area)
        return claim.member if claim is not None and claim.member.user_id is None else None
    members = Member.objects.filter(org=org, standing="active").order_by("pk")
    return members.filter(user__isnull=True).first()


@transaction.atomic
def ensure_demo_users() -> list[tuple[str, str, str, object]]:
    """Create the demo accounts once (idempotent); return what to print."""
    rows = []
    if not User.objects.filter(username="sysadmin").exists():
        admin = do_create_user("sysadmin", password=DEMO_PASSWORD, display_name="系统管理员", validate=False)
        admin.is_superuser = admin.is_staff = True
        admin.save()
    rows.append(("sysadmin", "系统管理员", "superuser", None))
    for username, display, role, org in demo_accounts():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = do_create_user(username, password=DEMO_PASSWORD, display_name=display, validate=False)
            if role == Role.UNIT_CONTACT:  # the link and its self-only role, as the units' pages make them
                do_link_contact(liaison_unit(_community_of_sq_admin()), user, acting_user=None)
            else:
                do_grant_role(user, role=role, org=org, descendants=True)
        if role == Role.UNIT_CONTACT:
            contact = UnitContact.objects.filter(user=user, ended_on__isnull=True).select_related("unit").first()
            if contact is not None:
                display = f"{display} {contact.unit.name}"  # whose liaison
        if role == Role.MEMBER:
            member = Member.objects.filter(user=user).first()
            if member is None and (member := _self_member(username, org)) is not None:
                do_link_user(member, user, acting_user=None)
            if member is not None:
                display = f"{display} {member.name}"  # whose record it is
        rows.append((username, display, str(role), org))
    return rows


def enrol_demo_second_factor() -> list[str]:
    """`sqdj demo`: the demo accounts that must use the second factor get an authenticator on the published demo key
    (accounts.twofactor.services.DEMO_SECRET), so that the demo shows the real sign-in; returns their names."""
    names = []
    for user in User.objects.filter(username__in=["sysadmin", *(row[0] for row in demo_accounts())]).order_by("pk"):
        if otp_required(user):
            enrol_demo_device(user)
            names.append(user.username)
    return names
