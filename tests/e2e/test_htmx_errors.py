"""Errors shown in place (issue 14): an htmx answer of 4xx/5xx is never silent. A form's own fragment with its
message is swapped in (the reveal reason of one character); any other error becomes a Chinese toast (sqdj.js)."""

from __future__ import annotations

from playwright.sync_api import expect

from sqdj.accounts.models import User
from sqdj.members.models import Member


def test_a_one_character_reveal_reason_shows_the_message(page, demo, login):
    login("sq_admin")
    member = Member.objects.restrict(User.objects.get(username="sq_admin"), "reveal").order_by("pk").first()
    page.goto(f"/members/{member.pk}/")
    block = page.locator("#pii-block")
    block.locator("#id_reason").fill("看")
    with page.expect_response(lambda r: "/reveal/" in r.url) as answer:
        block.locator("button[type=submit]").click()
    assert answer.value.status == 400
    expect(page.locator("#pii-block [role=alert]")).to_contain_text("至少 2 个字")
    expect(page.locator("#pii-block [data-field=id_number]")).to_contain_text("*")  # still masked
    # a proper reason then shows the numbers
    page.locator("#pii-block #id_reason").fill("办理组织关系转接")
    page.locator("#pii-block button[type=submit]").click()
    expect(page.locator("#pii-block [data-field=id_number]")).to_have_text(member.id_number)


def test_other_htmx_errors_become_a_chinese_toast(page, demo, login):
    login("sq_admin")
    for url, words in (("/no/such/page/", "未找到"), ("/orgs/999999/edit/", "未找到")):
        page.evaluate("url => htmx.ajax('GET', url, {target: '#main', swap: 'innerHTML'})", url)
        toast = page.locator("#sqdj-toasts .sqdj-error-toast").last
        expect(toast).to_be_visible()
        expect(toast).to_contain_text(words)
        expect(page.locator("main h1, main .breadcrumb").first).to_be_visible()  # the page was not replaced
