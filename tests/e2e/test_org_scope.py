"""A community admin sees their own community's part of the org tree, and nothing of the sibling community."""

from __future__ import annotations

from playwright.sync_api import expect


def _community_code(org) -> str:
    """The 12-digit community (area) code inside an org code: SQ<code>, ZB<code>-NN, XZ<code>-NN-N."""
    return org.code[2:14]


def test_community_admin_sees_only_own_community(page, demo, login, screenshot):
    own, sibling = demo.own, demo.sibling
    branches = list(own.children().order_by("code"))
    groups = list(own.descendants().filter(type="group").order_by("code"))
    sibling_nodes = list(sibling.descendants(include_self=True))
    assert branches and groups and len(sibling_nodes) > 1  # the synthetic city has what this test relies on
    assert _community_code(own) != _community_code(sibling)

    login("sq_admin")
    page.goto("/orgs/tree/")
    tree = page.locator("#org-tree")
    expect(tree).to_be_visible()

    # The user's own community is the (only) top node, with its branches and their 党小组 below it.
    top = tree.locator(":scope > ul > li")
    expect(top).to_have_count(1)
    expect(top).to_have_attribute("data-code", own.code)
    expect(top.locator(":scope > a")).to_have_text(own.name)
    for branch in branches:
        node = top.locator(f':scope > ul > li[data-code="{branch.code}"]')
        expect(node).to_have_count(1)
        expect(node.locator(":scope > a")).to_have_text(branch.name)
        expect(node.locator(":scope > a")).to_be_visible()
    for group in groups:  # two levels below the top node are rendered without expanding
        expect(tree.locator(f'li[data-code="{group.code}"] > a')).to_have_text(group.name)
    expect(tree.locator("li[data-code]")).to_have_count(1 + len(branches) + len(groups))
    # Nothing above the community: not its subdistrict nor the district.
    parent = own.get_parent_node()
    expect(tree.locator(f'li[data-code="{parent.code}"]')).to_have_count(0)
    expect(tree.locator("a", has_text=own.name)).to_have_attribute("href", own.get_absolute_url())

    # The sibling community appears nowhere on the page: no node, no name, no code, no link.
    html, text = page.content(), page.locator("body").inner_text()
    for node in sibling_nodes:
        expect(page.locator(f'[data-code="{node.code}"]')).to_have_count(0)
        assert node.code not in html
        assert node.name not in text
        assert f'href="{node.get_absolute_url()}"' not in html
    assert _community_code(sibling) not in html
    screenshot(page, "org-tree.png")

    # By URL, the sibling community's page does not exist for this user; the own one does.
    response = page.goto(sibling.get_absolute_url())
    assert response is not None and response.status == 404
    response = page.goto(branches[0].get_absolute_url())
    assert response is not None and response.status == 200
    expect(page.locator("main h1")).to_contain_text(branches[0].name)

    # The REST API, in the same browser session (its cookies), lists only the own community's orgs.
    codes, url = [], "/api/v1/orgs/?format=json&limit=1000"
    while url:
        response = page.request.get(url)
        assert response.status == 200, response.text()
        data = response.json()
        codes += [row["code"] for row in data["results"]]
        url = data.get("next")
        assert len(codes) <= data["count"]
    expected = sorted(o.code for o in own.descendants(include_self=True))
    assert sorted(codes) == expected
    prefix = _community_code(own)
    assert all(c[2:].startswith(prefix) for c in codes), codes
    response = page.request.get(f"/api/v1/orgs/{sibling.pk}/?format=json")
    assert response.status == 404
