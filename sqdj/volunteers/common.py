"""What the parts of the volunteers app share: whose member a user is (members.self_service.member_of), the
community an org stands in, and who may
act for a member (the member themself in self service, or whoever may change the member's record)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sqdj.areas.models import Area
from sqdj.areas.services import community_at
from sqdj.core.services import ScopeViolation
from sqdj.members.models import Member
from sqdj.members.self_service import member_of  # noqa: F401  (the parts find the member here)
from sqdj.orgs.services import community_org  # noqa: F401  (the parts find it here)


def community_of(org) -> Area | None:
    """The community (社区) an org stands in: the community of its area (a branch placed on a grid or building: the
    community above it), else None (an org above the communities, or not placed)."""
    return community_at(getattr(org, "area", None))


def acts_for(acting_user, member: Member) -> bool:
    """Whether `acting_user` may act for `member`: the member themself, or a user who may change the member (the
    member's own org line). None: a system job."""
    if acting_user is None:
        return True
    if member.user_id is not None and member.user_id == acting_user.pk:
        return True
    return Member.objects.restrict(acting_user, "change").filter(pk=member.pk).exists()


def ensure_acts_for(acting_user, member: Member) -> None:
    if not acts_for(acting_user, member):
        raise ScopeViolation(_("Only the member or the member's own organization may do this."))
