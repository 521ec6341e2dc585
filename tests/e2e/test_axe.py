"""Accessibility (issue 14, WCAG 2.1 AA): axe-core, injected into the key screens as two demo roles (the district and
a community), finds no serious or critical violation — contrast of text and links included.

axe-core comes from npm at the version pinned in frontend/package.json (a devDependency) and is copied by
scripts/vendor.sh to tests/e2e/vendor/: for the tests only, never served by the application. Injecting it is an
inline script, which the Content-Security-Policy refuses: these tests' browser context bypasses the policy
(tests/e2e/test_csp.py checks the policy itself)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqdj.accounts.models import User
from sqdj.demo.mobility import generate_mobility
from sqdj.members.models import Member
from sqdj.transfers.models import Transfer

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(" ") + " :: " + (n.failureSummary || "").replace(/\\s+/g, " ")),
  }));
}"""


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "bypass_csp": True}


def serious(page) -> list[dict]:
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(RUN, TAGS)
    return [v for v in found if v["impact"] in ("serious", "critical")]


def screens(username, demo):
    """The key screens of ux.md for this user: (name, URL)."""
    user = User.objects.get(username=username)
    org = demo.orgs[username]
    member = Member.objects.restrict(user, "view").order_by("pk").first()
    case = Transfer.objects.restrict(user, "view").order_by("pk").first()
    return [
        ("home", "/"),
        ("org tree", "/orgs/tree/"),
        ("org detail", f"/orgs/{org.pk}/"),
        ("member list", "/members/"),
        ("member detail", f"/members/{member.pk}/"),
        ("import page", "/members/import/"),
        ("transfer case", f"/transfers/{case.pk}/" if case else "/transfers/"),
        ("statistics", "/stats/"),
        ("org health", f"/health/org/{org.pk}/"),
    ]


def test_login_page(page, demo):
    page.goto("/login/")
    assert serious(page) == []


@pytest.mark.parametrize("username", ["qu_admin", "sq_admin"])
def test_key_screens(page, demo, login, username):
    generate_mobility()
    login(username)
    problems = {}
    for name, url in screens(username, demo):
        response = page.goto(url)
        assert response.status == 200, (name, url, response.status)
        found = serious(page)
        if found:
            problems[f"{name} {url}"] = found
    report = [
        f"{where}: {v['impact']} {v['id']} ({v['help']}) at {n}"
        for where, vs in problems.items()
        for v in vs
        for n in v["nodes"]
    ]
    assert not report, "\n" + "\n".join(report)
