"""A community admin opens the 组织体检 of their community from its page, finds an expired branch term under
the errors with its source, follows the link to the branch, and exports the findings to Excel."""

from __future__ import annotations

import datetime

from openpyxl import load_workbook
from playwright.sync_api import expect

from sqdj.accounts.models import User
from sqdj.core.rules import title_of
from sqdj.health.exporting import HEADER_ROW
from sqdj.health.services import findings_for
from sqdj.leadership.models import Election
from sqdj.orgs.services import do_update_org


def test_community_admin_checks_the_community(page, demo, login, screenshot, base_url):
    own = demo.own
    branch = own.children().filter(type="branch").order_by("code").first()
    assert branch is not None  # the synthetic city has what this test relies on
    today = datetime.date.today()
    # a term that ended years ago with no general election recorded since (the synthetic city records some)
    Election.objects.filter(org=branch).delete()
    do_update_org(branch, acting_user=None, term_started_on=today.replace(year=today.year - 8))
    expected = {
        (f.rule, f.object_code): f for f in findings_for(own, user=User.objects.get(username="sq_admin"), on=today)
    }
    expired = expected[("org.term_expired", branch.code)]
    assert expired.severity == "error" and expired.source

    login("sq_admin")
    # the workbench shows the health tiles once they are loaded (after the page, htmx)
    tile = page.locator('#health-tiles .health-tile [data-severity="error"]').first
    expect(tile).to_be_visible()
    page.goto(own.get_absolute_url())
    page.locator("#org-health-link").click()
    expect(page.locator("main h1")).to_contain_text(own.name)
    expect(page.locator("#health-checked")).to_contain_text(today.isoformat())
    for severity in ("error", "warning", "reminder"):
        n = sum(1 for f in expected.values() if f.severity == severity)
        expect(page.locator(f'#health-counts [data-severity="{severity}"] .sqdj-count')).to_have_text(str(n))

    # the finding sits in the errors' section, with the article it rests on and what to do
    row = page.locator(f'#health-error tr[data-rule="org.term_expired"][data-object="org:{branch.code}"]')
    expect(row).to_have_count(1)
    expect(row.locator(".health-source")).to_have_text(expired.source)
    source_href = row.locator(".health-source a").get_attribute("href")
    assert source_href == f"/rulebook/rule/{expired.basis}/?on={today.isoformat()}"
    expect(row).to_contain_text(expired.message)
    expect(
        page.locator(f'#health-warning tr[data-object="org:{branch.code}"][data-rule="org.term_expired"]')
    ).to_have_count(0)
    screenshot(page, "org-health.png")

    # the export holds what the page shows
    with page.expect_download() as info:
        page.locator("#health-export").click()
    download = info.value
    assert download.suggested_filename == f"health-{own.code}-{today.isoformat()}.xlsx"
    with open(download.path(), "rb") as fh:  # Playwright keeps downloads under a name without an extension
        ws = load_workbook(fh).active
    body = [tuple(c.value for c in r) for r in ws.iter_rows(min_row=HEADER_ROW + 1)]
    assert len(body) == len(expected)
    assert ("错误", "org.term_expired", "党组织", branch.code, branch.name) in {r[:5] for r in body}

    # the object's link leads to the branch's page
    row.locator("a.health-object").click()
    expect(page).to_have_url(base_url + branch.get_absolute_url())
    expect(page.locator("main h1")).to_contain_text(branch.name)

    # the source leads to the rulebook parameter it rests on
    assert page.goto(source_href).status == 200
    expect(page.locator("main h1")).to_have_text(title_of(expired.basis))  # by its title, not its id

    # a bad date is a message, not an error page; the sibling community's check does not exist for this user
    page.goto(f"/health/org/{own.pk}/?on=2025-02-30")
    expect(page.locator("#health-error")).to_be_visible()
    expect(page.locator("#health-on")).to_have_attribute("aria-invalid", "true")
    assert page.goto(f"/health/org/{demo.sibling.pk}/").status == 404
