"""Issue 16 follow-ups on the volunteers' forms and pages: a member (or a registration) is chosen with the search
picker, never a `<select>` of every candidate, and the choice is still checked through the scope gate; a button
whose page would answer 403 is not shown (a viewer, a member) — shown to the admin who may use it."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from sqdj.members.models import Member
from sqdj.volunteers.models import Feedback, ServiceHours

from .test_feedback import fw  # noqa: F401 - the feedback world (pytest fixture)
from .test_hours import w  # noqa: F401 - the hours world (pytest fixture)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _picked(client, url, words, params=None) -> str:
    r = client.get(url, {"q": words, **(params or {})})
    assert r.status_code == 200
    return r.content.decode()


# ---- the one member picker --------------------------------------------------------------------------------------


def test_member_picker_finds_active_members_in_scope_by_name_and_org(w):  # noqa: F811
    url = reverse("members:member_pick")
    admin = _client(w.admin1)
    found = _picked(admin, url, w.local.name)
    assert f'data-value="{w.local.pk}"' in found and f"{w.local.name}（{w.local.org.name}）" in found
    assert f'data-value="{w.other.pk}"' not in _picked(admin, url, w.other.name)  # 乙社区's: out of scope
    assert f'data-value="{w.other.pk}"' in _picked(_client(w.admin2), url, w.other.name)
    Member.objects.filter(pk=w.local.pk).update(standing="ended")
    assert f'data-value="{w.local.pk}"' not in _picked(admin, url, w.local.name)  # off the roll


def test_member_picker_with_action_change_leaves_out_those_only_seen(w):  # noqa: F811
    url = reverse("members:member_pick")
    viewer = _client(w.viewer1)
    assert f'data-value="{w.local.pk}"' in _picked(viewer, url, w.local.name)
    assert f'data-value="{w.local.pk}"' not in _picked(viewer, url, w.local.name, {"action": "change"})


def test_the_old_copies_are_gone():
    from django.urls import NoReverseMatch  # noqa: PLC0415

    for name in ("units:instructor_member_pick", "volunteers:member_pick"):
        try:
            reverse(name)
        except NoReverseMatch:
            continue
        raise AssertionError(f"{name} still answers")


# ---- the record-hours form: the picker, and the scope gate behind it ----------------------------------------------


def test_record_hours_form_has_no_select_of_members_and_checks_the_scope(w):  # noqa: F811
    admin = _client(w.admin1)
    url = reverse("volunteers:servicehours_add")
    page = admin.get(url).content.decode()
    assert '<select name="member"' not in page and w.other.name not in page
    assert reverse("members:member_pick") in page and 'id="id_member_search"' in page
    data = {"member": w.other.pk, "org": w.community1.pk, "served_on": str(w.on), "hours": "1", "content": "宣讲",
            "place": "活动室"}  # fmt: skip
    before = ServiceHours.objects.count()
    r = admin.post(url, data)  # a member out of scope, posted by hand: refused, nothing written
    assert r.status_code == 200 and r.context["form"].errors["member"]
    assert ServiceHours.objects.count() == before
    r = admin.post(url, {**data, "member": w.local.pk})
    assert r.status_code == 302 and ServiceHours.objects.count() == before + 1


# ---- the feedback "one letter" form: a registration picker ---------------------------------------------------------


def test_feedback_add_form_picks_a_registration_in_scope(fw):  # noqa: F811
    admin = _client(fw.w.admin1)
    url = reverse("volunteers:feedback_add")
    page = admin.get(url).content.decode()
    assert '<select name="registration"' not in page and fw.m3.name not in page
    pick = reverse("volunteers:feedback_registration_pick")
    assert pick in page
    found = _picked(admin, pick, fw.m1.name)
    assert f'data-value="{fw.reg1.pk}"' in found and f"{fw.m1.name} → " in found
    assert f'data-value="{fw.reg3.pk}"' not in _picked(admin, pick, fw.m3.name)  # 乙社区's
    assert f'data-value="{fw.reg1.pk}"' in _picked(admin, pick, fw.m1.name_pinyin)  # by pinyin too
    data = {"registration": fw.reg3.pk, "period_kind": "quarter", "year": 2025, "quarter": 3}
    before = Feedback.objects.count()
    r = admin.post(url, data)
    assert r.status_code == 200 and r.context["form"].errors["registration"]
    assert Feedback.objects.count() == before
    r = admin.post(url, {**data, "registration": fw.reg1.pk})
    assert r.status_code == 302 and Feedback.objects.count() == before + 1


# ---- buttons only for those who may use them ---------------------------------------------------------------------


def test_issue_certificate_button_only_for_those_who_may_issue(w):  # noqa: F811
    issue = reverse("volunteers:certificate_issue")
    lists = reverse("volunteers:certificate_list")
    assert issue in _client(w.admin1).get(lists).content.decode()
    for user in (w.viewer1, w.person):  # a viewer; a member (their own certificates)
        client = _client(user)
        r = client.get(lists)
        assert r.status_code == 200 and issue not in r.content.decode()
        assert client.get(issue).status_code == 403  # the page it would open


def test_open_accounts_button_only_for_those_who_may_change_members(w):  # noqa: F811
    accounts = reverse("members:member_accounts")
    lists = reverse("members:member_list")
    assert accounts in _client(w.admin1).get(lists).content.decode()
    for user in (w.viewer1, w.person):
        client = _client(user)
        r = client.get(lists)
        assert r.status_code == 200 and accounts not in r.content.decode()
        assert client.get(accounts).status_code == 403


def test_viewer_sees_no_action_on_volunteers_pages(w):  # noqa: F811
    """A viewer of 甲社区 reads the record pages and lists, with none of the buttons that write."""
    viewer, admin = _client(w.viewer1), _client(w.admin1)
    pages = {
        reverse("volunteers:servicehours_list"): [reverse("volunteers:servicehours_add")],
        reverse("volunteers:feedback_list"): [reverse("volunteers:feedback_draft"), reverse("volunteers:feedback_add")],
        w.rec_pending.get_absolute_url(): [reverse("volunteers:servicehours_verify", args=[w.rec_pending.pk]),
                                           reverse("volunteers:servicehours_reject", args=[w.rec_pending.pk])],
        w.rec_here.get_absolute_url(): [reverse("volunteers:servicehours_correct", args=[w.rec_here.pk])],
    }  # fmt: skip
    for page, targets in pages.items():
        seen_by_viewer = viewer.get(page)
        assert seen_by_viewer.status_code == 200, page
        for target in targets:
            assert target not in seen_by_viewer.content.decode(), (page, target)
        shown_to_admin = admin.get(page).content.decode()
        assert any(target in shown_to_admin for target in targets), page
