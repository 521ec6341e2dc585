"""Under the Content-Security-Policy (settings.py: scripts and styles from this site's files only, no eval) the main
pages load and work, and Chromium reports no violation: every inline script, on…= handler, style="…" attribute,
Alpine.js expression and hx-on of the templates has moved to sqdj/static/sqdj/*.js and sqdj.css.

A violation is caught twice: the page's `securitypolicyviolation` events (a listener installed before any script of
the page runs) and Chromium's console errors ("Refused to … because it violates the following Content Security
Policy directive")."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from sqdj.members.models import Member
from sqdj.orgs.models import Org

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at "
    + (e.sourceFile || location.pathname) + ":" + e.lineNumber);
});
"""


def test_main_pages_raise_no_csp_violation(page, demo, login):
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: console.append(f"page error: {e}"))
    page.add_init_script(LISTEN)
    seen = {}

    def visit(url, expected_status=200):
        response = page.goto(url)
        assert response.status == expected_status, url
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "object-src 'none'" in policy, (url, policy)
        page.wait_for_load_state("networkidle")
        return response

    def collect(label):
        seen[label] = page.evaluate("window.__cspViolations || []")

    login("qu_admin")  # the district: its tree is deep enough to have "Expand" buttons
    collect("home")

    visit("/orgs/")
    collect("org list")

    visit("/orgs/tree/")
    expect(page.locator("#org-tree li").first).to_be_visible()
    first = page.locator("#org-tree li > a").first.inner_text()
    page.fill("#org-tree-filter", "no such organization, surely")
    expect(page.locator("#org-tree li").first).to_be_hidden()  # the filter moved out of oninput still filters
    page.fill("#org-tree-filter", first)
    expect(page.locator("#org-tree li").first).to_be_visible()
    page.fill("#org-tree-filter", "")
    expand = page.locator("#org-tree [data-sqdj-remove-after-request]").first
    branch = page.locator(f'#org-tree li[data-code="{expand.locator("xpath=..").get_attribute("data-code")}"]')
    expand.click()  # loads the children; the button, moved off hx-on, removes itself
    expect(branch.locator("ul li").first).to_be_visible()
    expect(branch.locator(":scope > [data-sqdj-remove-after-request]")).to_have_count(0)
    collect("org tree")

    visit("/members/")
    expect(page.locator("#filters select").first).to_have_class("form-select")  # sqdj.js styled the filters
    member = Member.objects.filter(org__path__startswith=demo.orgs["qu_admin"].path).order_by("pk").first()
    page.fill("#id_q", member.name)
    page.locator("#filters button[type=submit]").click()
    expect(page.locator("main").get_by_role("link", name=member.name).first).to_be_visible()
    collect("member list, filtered")

    visit(member.get_absolute_url())
    collect("member page")

    visit(f"/transfers/new/{member.pk}/")
    target = Org.objects.filter(type="branch").exclude(pk=member.org_id).order_by("path").first()
    page.fill("#id_to_org_search", target.name)
    page.locator("#id_to_org_search").press("Enter")  # searches; must not submit the form
    pick = page.locator("#id_to_org_results .sqdj-pick-item").first
    expect(pick).to_be_visible()
    code = pick.get_attribute("data-code")
    pick.click()
    expect(page.locator("#id_to_org")).to_have_value(code)  # the picker's script (a static file) works
    assert "/transfers/new/" in page.url
    collect("transfer form")

    visit("/rulebook/")
    expect(page.locator("#filters input, #filters select").first).to_have_class("form-control")
    page.locator("#parameters tbody a").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#timeline [data-sqdj-width]").first).to_have_attribute("style", re.compile(r"width: [\d.]+%"))
    collect("rulebook parameters and a rule")

    visit(f"/stats/?org={demo.orgs['qu_admin'].code}")
    chart = page.locator(".stats-chart").first
    expect(chart.locator("svg")).to_have_count(1)
    chart.hover()  # the tooltip is HTML that ECharts writes
    page.wait_for_timeout(300)
    collect("statistics")

    visit("/jobs/")
    collect("jobs")

    visit("/api/docs/")
    expect(page.locator(".swagger-ui .info")).to_be_visible()  # Swagger UI started from its script file
    collect("API docs")

    violations = {label: v for label, v in seen.items() if v}
    assert not violations, violations
    assert not console, console
