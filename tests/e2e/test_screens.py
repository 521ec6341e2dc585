"""The key screens of docs/screenshots/ (issue 14), each opened as the person who uses it, on an office PC
(1366×900) and on a phone (390×844): every one answers, shows its heading, and at phone width needs no sideways
scrolling. With SQDJ_SCREENSHOTS=1 (`make screenshots`) each is saved to docs/screenshots/screen-*.png."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from sqdj.members.models import Member
from sqdj.orgs.models import Org
from sqdj.transfers.models import Transfer

PHONE = {"width": 390, "height": 844}


def _screens(demo) -> list[tuple[str, str]]:
    """(name, URL) of the screens a subdistrict organizer (jd_admin) works in."""
    street = demo.orgs["jd_admin"]
    member = Member.objects.filter(org__path__startswith=demo.own.path).order_by("pk").first()
    community = Org.objects.get(pk=demo.own.pk)
    transfer = Transfer.objects.filter(from_org__path__startswith=street.path).order_by("pk").first()
    screens = [
        ("workbench", "/"),
        ("org-tree", "/orgs/tree/"),
        ("org-detail", community.get_absolute_url()),
        ("member-list", "/members/"),
        ("member-detail", member.get_absolute_url()),
        ("transfers", "/transfers/"),
        ("stats", f"/stats/?org={street.code}"),
        ("org-health", f"/health/org/{community.pk}/"),
        ("member-import", "/members/import/"),
    ]
    if transfer is not None:
        screens.append(("transfer-case", reverse("transfers:transfer", args=[transfer.pk])))
    return screens


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_key_screens(page, demo, login, screenshot, size):
    assert Member.objects.exists() and Org.objects.exists()  # the demo city is loaded
    if size == "phone":
        page.set_viewport_size(PHONE)
    login("jd_admin")
    for name, url in _screens(demo):
        response = page.goto(url)
        assert response is not None and response.status == 200, (name, url, response and response.status)
        expect(page.locator("main h1").first).to_be_visible()
        if size == "phone":
            assert _no_sideways_scroll(page), f"{name} ({url}) scrolls sideways at 390 px"
        screenshot(page, f"screen-{name}{'-phone' if size == 'phone' else ''}.png")
