import pytest
from django.core.exceptions import ValidationError

from sqdj.areas.services import do_create_area, do_delete_area
from sqdj.core.models import ObjectChange
from sqdj.core.services import ScopeViolation
from sqdj.orgs.models import Org
from sqdj.orgs.services import do_create_org, do_delete_org, do_update_org
from sqdj.testing import build_world, changes_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_move_carries_the_subtree_and_logs_one_change(world):
    before = changes_for(world.branch1)
    do_update_org(Org.objects.get(pk=world.branch1.pk), acting_user=world.superuser, parent=world.community2)
    b1 = Org.objects.get(code="ZBT1")
    assert Org.objects.get_parent(b1).code == "SQT2"
    assert Org.objects.get_parent(Org.objects.get(code="XZT1")).code == "ZBT1"
    assert Org.objects.get(code="XZT1").path.startswith(b1.path)
    assert changes_for(b1) == before + 1
    assert set(ObjectChange.objects.first().diff()) == {"path"}
    assert Org.objects.get(code="SQT1").numchild == 0 and Org.objects.get(code="SQT2").numchild == 2


def test_cannot_move_under_own_descendant(world):
    with pytest.raises(ValidationError):
        do_update_org(Org.objects.get(pk=world.branch1.pk), acting_user=None, parent=world.group1)


def test_type_change_must_suit_parent_and_children(world):
    with pytest.raises(ValidationError):  # a 党小组 may not hold the existing group below it
        do_update_org(Org.objects.get(pk=world.branch1.pk), acting_user=None, type="group")
    with pytest.raises(ValidationError):  # a 街道党工委 may not sit under a 街道党工委
        do_create_org(acting_user=None, parent=world.street, code="X", name="x", type="subdistrict_committee")


def test_community_admin_cannot_create_outside_or_at_the_top(world):
    with pytest.raises(ScopeViolation):
        do_create_org(acting_user=world.admin1, parent=world.branch2, code="X1", name="x", type="group")
    with pytest.raises(ScopeViolation):
        do_create_org(acting_user=world.admin1, parent=None, code="X2", name="x", type="district_committee")
    with pytest.raises(ScopeViolation):  # nor move their own community org away to a foreign parent
        do_update_org(Org.objects.get(pk=world.community1.pk), acting_user=world.admin1, parent=world.district)
    assert not Org.objects.filter(code__in=["X1", "X2"]).exists()
    assert Org.objects.get_parent(Org.objects.get(pk=world.community1.pk)).code == "GWT01001"


def test_org_with_users_or_children_is_not_deleted(world):
    with pytest.raises(ValidationError):
        do_delete_org(Org.objects.get(pk=world.branch1.pk), acting_user=None)  # has a group
    with pytest.raises(ValidationError) as exc:
        do_delete_org(Org.objects.get(pk=world.community1.pk), acting_user=None)
    assert Org.objects.filter(pk=world.community1.pk).exists()
    assert exc.value.messages


def test_area_with_orgs_located_in_it_is_not_deleted(world):
    grid = do_create_area(acting_user=None, parent=world.community_area1, code="G1", name="网格", type="grid")
    do_create_org(acting_user=None, parent=world.branch1, code="XZG", name="网格党小组", type="group", area=grid)
    with pytest.raises(ValidationError) as exc:
        do_delete_area(grid, acting_user=None)
    assert "党组织" in " ".join(exc.value.messages)


def test_org_area_must_be_in_the_users_scope(world):
    with pytest.raises(ValidationError):
        area = world.community_area2
        do_create_org(acting_user=world.admin1, parent=world.branch1, code="X3", name="x", type="group", area=area)
