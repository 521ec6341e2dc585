"""The REST API's scope gate, writes, errors and pagination, for /api/v1/orgs/ and /api/v1/areas/ on the demo city
(the scope contract on the small test world: ScopedAPITests in sqdj/{orgs,areas}/tests/test_api.py; query counts:
tests/test_query_counts.py).

Data: the demo city (`generate("small")` + the demo accounts). sq_admin and sq2_admin administer two sibling
communities of the same subdistrict; viewer may only read, in the whole district.
"""

from __future__ import annotations

import re

import pytest

from sqdj.accounts.models import User
from sqdj.areas.models import Area
from sqdj.core.models import ObjectChange
from sqdj.orgs.choices import BRANCH_TYPES
from sqdj.orgs.models import Org
from sqdj.testing.api import api_client

CHINESE = re.compile(r"[\u4e00-\u9fff]")
RESOURCES = ["orgs", "areas"]


def messages(body):
    """Every message in an error body ({"detail": "…"} or {field: ["…"]})."""
    found = []
    for value in body.values():
        found.extend(value if isinstance(value, list) else [value])
    return [str(m) for m in found]


def assert_chinese_json_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    texts = messages(response.json())
    assert texts and all(CHINESE.search(t) for t in texts), texts


def home(city, username, resource):
    """The node an account's role hangs off, in the resource's tree (its org, or the area that org is in)."""
    org = city[username]
    return org if resource == "orgs" else org.area


def subtree(node):
    return type(node).objects.filter(path__startswith=node.path)


@pytest.fixture
def tokens(token_for):
    cache = {}

    def get(username):
        if username not in cache:
            cache[username] = token_for(username)
        return cache[username]

    return get


@pytest.fixture
def foreign_roots(city):
    """A second district in each tree, outside everyone's scope but the superuser's."""
    org = Org.objects.add_root(instance=Org(code="DW-OUTSIDE", name="外区区委", type="district_committee"))
    area = Area.objects.add_root(instance=Area(code="OUTSIDE", name="外区", type="district"))
    return {"orgs": org, "areas": area}


# -- authentication ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_gets_401_with_token_challenge(city, resource):
    node = home(city, "sq_admin", resource)
    for response in (
        api_client().get(f"/api/v1/{resource}/"),
        api_client().get(f"/api/v1/{resource}/{node.pk}/"),
        api_client().post(f"/api/v1/{resource}/", {}),
    ):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        # DRF's own message ("Authentication credentials were not provided."), translated by DRF's catalog
        assert_chinese_json_error(response, 401)


def test_invalid_token_gets_401(city):
    response = api_client(token="0" * 40).get("/api/v1/orgs/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


# -- what a community administrator sees ------------------------------------------------------------------------


@pytest.mark.parametrize("resource", RESOURCES)
def test_community_admin_lists_only_own_subtree(city, tokens, resource):
    own = home(city, "sq_admin", resource)
    sibling = home(city, "sq2_admin", resource)
    assert not sibling.path.startswith(own.path)

    body = api_client(token=tokens("sq_admin")).get(f"/api/v1/{resource}/", {"limit": 1000}).json()

    expected = set(subtree(own).values_list("code", flat=True))
    assert body["count"] == len(expected) > 1
    assert {row["code"] for row in body["results"]} == expected
    assert sibling.code not in expected
    # the subtree is a small part of the city
    assert type(own).objects.count() > body["count"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_retrieve_in_scope_and_sibling(city, tokens, resource):
    client = api_client(token=tokens("sq_admin"))
    own = home(city, "sq_admin", resource)
    response = client.get(f"/api/v1/{resource}/{own.pk}/")
    assert response.status_code == 200
    assert response.json()["code"] == own.code

    sibling = home(city, "sq2_admin", resource)
    assert_chinese_json_error(client.get(f"/api/v1/{resource}/{sibling.pk}/"), 404)  # DRF's "Not found."


@pytest.mark.parametrize("resource", RESOURCES)
def test_code_filter_is_scoped(city, tokens, resource):
    client = api_client(token=tokens("sq_admin"))
    own = home(city, "sq_admin", resource)
    sibling = home(city, "sq2_admin", resource)

    body = client.get(f"/api/v1/{resource}/", {"code": own.code}).json()
    assert [row["code"] for row in body["results"]] == [own.code]
    assert body["count"] == 1

    body = client.get(f"/api/v1/{resource}/", {"code": sibling.code}).json()
    assert body == {"count": 0, "count_approximate": False, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize("resource", RESOURCES)
def test_under_filter_with_descendants(city, tokens, resource):
    """`?org=CODE` / `?area=CODE`: the node and its children; with descendants=true its whole subtree."""
    client = api_client(token=tokens("sq_admin"))
    own = home(city, "sq_admin", resource)
    param = resource[:-1]

    children = client.get(f"/api/v1/{resource}/", {param: own.code, "limit": 1000}).json()
    assert children["count"] == 1 + own.numchild
    everything = client.get(f"/api/v1/{resource}/", {param: own.code, "descendants": "true", "limit": 1000}).json()
    assert everything["count"] == subtree(own).count() > children["count"]

    # a sibling's subtree is out of scope: nothing, not an error
    sibling = home(city, "sq2_admin", resource)
    assert client.get(f"/api/v1/{resource}/", {param: sibling.code, "descendants": "true"}).json()["count"] == 0

    # an unreadable boolean is an error, not "not given"
    response = client.get(f"/api/v1/{resource}/", {param: own.code, "descendants": "yes"})
    assert response.status_code == 400
    assert "descendants" in response.json()


def test_search(city, tokens):
    own = city["sq_admin"]
    body = api_client(token=tokens("sq_admin")).get("/api/v1/orgs/", {"q": own.name}).json()
    assert own.code in {row["code"] for row in body["results"]}
    sibling = city["sq2_admin"]
    assert api_client(token=tokens("sq_admin")).get("/api/v1/orgs/", {"q": sibling.name}).json()["count"] == 0


def test_parent_and_area_are_codes(city, tokens):
    own = city["sq_admin"]
    row = api_client(token=tokens("sq_admin")).get(f"/api/v1/orgs/{own.pk}/").json()
    assert row["parent"] == own.get_parent_node().code
    assert row["area"] == own.area.code
    listed = api_client(token=tokens("sq_admin")).get("/api/v1/orgs/", {"code": own.code}).json()["results"][0]
    assert listed == row


# -- writes: 403 for what is seen but not writable, 404 for what is not seen -------------------------------------


@pytest.mark.parametrize("resource", RESOURCES)
def test_viewer_cannot_write(city, tokens, foreign_roots, resource):
    client = api_client(token=tokens("viewer"))
    in_scope = home(city, "sq_admin", resource)  # inside the viewer's district
    url = f"/api/v1/{resource}/{in_scope.pk}/"
    assert client.get(url).status_code == 200
    changes = ObjectChange.objects.count()

    response = client.patch(url, {"name": "改名"})
    assert_chinese_json_error(response, 403)
    assert client.delete(url).status_code == 403
    assert (
        client.post(
            f"/api/v1/{resource}/",
            {"code": "X1", "name": "新", "type": in_scope.type, "parent": in_scope.code},
        ).status_code
        == 403
    )

    outside = foreign_roots[resource]
    response = client.patch(f"/api/v1/{resource}/{outside.pk}/", {"name": "改名"})
    assert_chinese_json_error(response, 404)
    assert client.delete(f"/api/v1/{resource}/{outside.pk}/").status_code == 404

    in_scope.refresh_from_db()
    assert in_scope.name != "改名"
    assert ObjectChange.objects.count() == changes


@pytest.mark.parametrize("resource", RESOURCES)
def test_community_admin_cannot_touch_sibling(city, tokens, resource):
    client = api_client(token=tokens("sq_admin"))
    sibling = home(city, "sq2_admin", resource)
    url = f"/api/v1/{resource}/{sibling.pk}/"
    assert client.patch(url, {"name": "改名"}).status_code == 404
    assert client.put(url, {"code": sibling.code, "name": "改名", "type": sibling.type}).status_code == 404
    assert client.delete(url).status_code == 404
    sibling.refresh_from_db()
    assert sibling.name != "改名"


def _new_child(city, resource):
    """A valid new node under sq_admin's own tree: a party group under their first branch, a building in their
    community."""
    if resource == "orgs":
        branch = subtree(city["sq_admin"]).filter(type__in=list(BRANCH_TYPES)).order_by("path").first()
        return branch, {"code": "API-NEW-1", "name": "第一党小组", "type": "group", "parent": branch.code}
    community = city["sq_admin"].area
    return community, {"code": "API-NEW-1", "name": "1号楼", "type": "building", "parent": community.code}


@pytest.mark.parametrize("resource", RESOURCES)
def test_create_in_own_subtree_writes_one_change(city, tokens, resource):
    model = Org if resource == "orgs" else Area
    parent, data = _new_child(city, resource)
    changes = ObjectChange.objects.count()

    response = api_client(token=tokens("sq_admin")).post(f"/api/v1/{resource}/", data)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == data["code"] and body["parent"] == parent.code
    assert body["depth"] == parent.depth + 1
    created = model.objects.get(code=data["code"])
    assert created.pk == body["id"] and created.get_parent_node() == parent
    assert ObjectChange.objects.count() == changes + 1
    change = ObjectChange.objects.order_by("-pk").first()
    assert change.action == ObjectChange.Action.CREATE
    assert change.object_id == created.pk
    assert change.user.username == "sq_admin"


@pytest.mark.parametrize("resource", RESOURCES)
def test_create_under_sibling_is_refused_and_writes_nothing(city, tokens, resource):
    model = Org if resource == "orgs" else Area
    _parent, data = _new_child(city, resource)
    sibling = home(city, "sq2_admin", resource)
    data["parent"] = (
        sibling.code
        if resource == "areas"
        else (subtree(sibling).filter(type__in=list(BRANCH_TYPES)).order_by("path").first().code)
    )
    rows, changes = model.objects.count(), ObjectChange.objects.count()

    response = api_client(token=tokens("sq_admin")).post(f"/api/v1/{resource}/", data)

    # the parent is looked up among what sq_admin may see: it "does not exist" (DRF's message, translated by DRF)
    assert_chinese_json_error(response, 400)
    assert list(response.json()) == ["parent"]
    assert model.objects.count() == rows
    assert ObjectChange.objects.count() == changes
    assert not model.objects.filter(code=data["code"]).exists()


def test_create_without_parent_is_a_root_and_only_for_superuser(city, tokens):
    data = {"code": "DW-API", "name": "新区委", "type": "district_committee"}
    response = api_client(token=tokens("qu_admin")).post("/api/v1/orgs/", data)
    assert response.status_code == 403
    assert not Org.objects.filter(code="DW-API").exists()
    response = api_client(token=tokens("sysadmin")).post("/api/v1/orgs/", data)
    assert response.status_code == 201, response.content
    assert response.json()["parent"] is None and response.json()["depth"] == 1


def test_update_and_delete_in_own_subtree(city, tokens):
    client = api_client(token=tokens("sq_admin"))
    _parent, data = _new_child(city, "orgs")
    created = client.post("/api/v1/orgs/", data).json()
    url = f"/api/v1/orgs/{created['id']}/"

    response = client.patch(url, {"name": "改名党小组"})
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "改名党小组" and response.json()["parent"] == data["parent"]

    assert client.delete(url).status_code == 204
    assert not Org.objects.filter(pk=created["id"]).exists()
    # a node with children cannot be deleted: 400 {"detail": …}
    response = client.delete(f"/api/v1/orgs/{city['sq_admin'].pk}/")
    assert response.status_code == 400
    assert list(response.json()) == ["detail"]


def test_validation_errors_are_field_errors(city, tokens):
    _parent, data = _new_child(city, "orgs")
    client = api_client(token=tokens("sq_admin"))
    response = client.post(
        "/api/v1/orgs/",
        {**data, "name": 5, "type": "nonsense", "founded_on": "2020-13-01"},
    )
    assert_chinese_json_error(response, 400)  # DRF's own messages
    assert set(response.json()) == {"name", "type", "founded_on"}

    response = client.post("/api/v1/orgs/", "{not json", content_type="application/json")
    assert response.status_code == 400 and list(response.json()) == ["detail"]
    response = client.post("/api/v1/orgs/", "code=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


# -- pagination -------------------------------------------------------------------------------------------------


def _add_areas(parent, n):
    """n more children under `parent`, written in bulk with treebeard's paths (as the generator does)."""
    start = parent.numchild + 1
    Area.objects.bulk_create(
        [
            Area(
                code=f"BULK{i:05d}",
                name=f"楼{i}",
                type="building",
                path=Area._get_path(parent.path, parent.depth + 1, i),
                depth=parent.depth + 1,
                numchild=0,
            )
            for i in range(start, start + n)
        ]
    )
    Area.objects.filter(pk=parent.pk).update(numchild=parent.numchild + n)


def test_pagination_default_and_maximum(city, tokens):
    _add_areas(city["sq_admin"].area, 1000)
    total = Area.objects.count()
    assert total > 1000
    client = api_client(token=tokens("sysadmin"))

    body = client.get("/api/v1/areas/").json()
    assert body["count"] == total and len(body["results"]) == 50
    assert "limit=50" in body["next"] and "offset=50" in body["next"] and body["previous"] is None

    body = client.get("/api/v1/areas/", {"limit": 5000}).json()
    assert len(body["results"]) == 1000
    assert "limit=1000" in body["next"]

    body = client.get("/api/v1/areas/", {"limit": 1000, "offset": 1000}).json()
    assert len(body["results"]) == total - 1000 and body["next"] is None

    body = client.get("/api/v1/areas/", {"limit": 3, "offset": total + 10}).json()
    assert body["results"] == [] and body["count"] == total


@pytest.mark.parametrize("params", [{"limit": "abc"}, {"limit": 0}, {"limit": ""}, {"offset": -1}])
def test_pagination_rejects_bad_numbers(city, tokens, params):
    response = api_client(token=tokens("sq_admin")).get("/api/v1/areas/", params)
    assert_chinese_json_error(response, 400)  # DRF's IntegerField messages
    assert list(response.json()) == list(params)


# -- the rest of the URL space, and the schema ------------------------------------------------------------------


def test_unknown_api_urls_are_json_404(city, tokens):
    client = api_client(token=tokens("sq_admin"))
    for url in ("/api/v1/orgs/1.5/", "/api/v1/orgs/abc/", "/api/v1/nothing/here/"):
        assert_chinese_json_error(client.get(url), 404)
    assert client.delete("/api/v1/orgs/1.5/").status_code == 404


def test_schema_and_docs_are_served(client, city):
    assert client.get("/api/schema/?format=json").status_code == 401  # for signed-in users only
    assert client.get("/api/docs/").status_code in (302, 401, 403)

    client.force_login(User.objects.get(username="sq_admin"))
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert {"/api/v1/orgs/", "/api/v1/orgs/{id}/", "/api/v1/areas/", "/api/v1/areas/{id}/"} <= set(schema["paths"])
    listing = schema["paths"]["/api/v1/orgs/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"code", "org", "descendants", "q", "limit", "offset"}
    assert set(listing["responses"]) == {"200", "400", "401", "403"}
    assert set(schema["paths"]["/api/v1/orgs/{id}/"]["patch"]["responses"]) == {
        "200",
        "400",
        "401",
        "403",
        "404",
        "415",
    }
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"/static/vendor/swagger-ui" in docs.content and b"cdn" not in docs.content.lower()
