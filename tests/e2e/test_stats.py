"""The statistics page draws its charts from local assets and shows the community's own figures."""

from __future__ import annotations

from playwright.sync_api import expect

from sqdj.accounts.models import User
from sqdj.stats.services import compute


def test_statistics_page_for_a_community(page, demo, login, screenshot):
    login("sq_admin")
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"/stats/?org={demo.own.code}")
    charts = page.locator(".stats-chart")
    expect(charts.first).to_be_visible()
    expect(charts.first.locator("svg")).to_have_count(1)  # ECharts drew into it (SVG renderer)
    figures = compute(demo.own, user=User.objects.get(username="sq_admin"))
    expect(page.locator("main")).to_contain_text(str(figures["organizations"]["total"]))
    assert not errors, errors
    screenshot(page, "stats.png")
    assert page.goto(f"/stats/?org={demo.sibling.code}").status == 404
