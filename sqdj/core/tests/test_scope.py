"""The scope gate itself: union of assignments, node-only vs descendants, deny by default, areas via orgs."""

import os

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from sqdj.accounts.models import User
from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.areas.models import Area
from sqdj.core.scope import scope_q
from sqdj.orgs.models import Org
from sqdj.testing import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def codes(qs):
    return set(qs.values_list("code", flat=True))


def fresh(user):
    return User.objects.get(pk=user.pk)


def test_descendants_assignment_covers_the_subtree(world):
    assert codes(Org.objects.restrict(world.admin1, "view")) == {"SQT1", "ZBT1", "XZT1"}
    assert codes(Area.objects.restrict(world.admin1, "view")) == {"T01001001"}


def test_node_only_assignment(world):
    u = do_create_user("nodeonly", validate=False)
    do_grant_role(u, role="branch_admin", org=world.branch1, descendants=False)
    assert codes(Org.objects.restrict(fresh(u), "view")) == {"ZBT1"}
    assert codes(Area.objects.restrict(fresh(u), "view")) == {"T01001001"}


def test_union_of_assignments(world):
    u = do_create_user("two", validate=False)
    do_grant_role(u, role="viewer", org=world.branch1, descendants=True)
    do_grant_role(u, role="branch_admin", org=world.branch2, descendants=False)
    u = fresh(u)
    assert codes(Org.objects.restrict(u, "view")) == {"ZBT1", "XZT1", "ZBT2"}
    assert codes(Org.objects.restrict(u, "change")) == {"ZBT2"}  # the viewer role allows no change


def test_deny_by_default(world):
    for user in (world.nobody, AnonymousUser(), None):
        assert not Org.objects.restrict(user, "view").exists()
        assert not Area.objects.restrict(user, "view").exists()
    world.admin1.is_active = False
    assert not Org.objects.restrict(world.admin1, "view").exists()


def test_superuser_is_unrestricted(world):
    assert scope_q(world.superuser, Org, "delete") is None
    assert Org.objects.restrict(world.superuser, "delete").count() == Org.objects.count()


def test_unknown_action_is_a_programming_error(world):
    with pytest.raises(ValueError):
        Org.objects.restrict(world.admin1, "destroy")


def test_scope_is_one_query(world, django_assert_num_queries):
    user = fresh(world.admin1)
    with django_assert_num_queries(3):  # the assignments and the orgs they guide (orgs follow guidance), then the list
        list(Org.objects.restrict(user, "view"))
    other = fresh(world.admin1)
    with django_assert_num_queries(2):  # areas do not follow guidance: the assignments, then the list
        list(Area.objects.restrict(other, "view"))
    with django_assert_num_queries(1):  # cached on the user object for the request
        list(Org.objects.restrict(user, "view"))


def test_database_under_test_is_the_configured_one():
    url = os.environ.get("DATABASE_URL", "")
    assert connection.vendor == ("postgresql" if url.startswith("postgres") else "sqlite")
