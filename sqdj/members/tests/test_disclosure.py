"""The disclosure policy (docs/security.md, "打码策略"; core.pii): a read-only user must not rebuild an ID number or
a phone number from everything shown together — pages (list, detail, change log), the API (list and detail) and
the export. For every member the test world's `viewer1` sees, what was shown is parsed, the numbers consistent
with it are counted (region codes of the deployment, birth date or age, sex, date of joining, check digit, carrier
prefixes), and at least 10,000 must remain. A user who may reveal still sees the birth date and reveals the
numbers, one member at a time, with a logged reason."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from sqdj.core import pii
from sqdj.core.context import acting_as
from sqdj.core.dates import today
from sqdj.core.models import ObjectChange
from sqdj.members.models import Member, PiiReveal
from sqdj.members.services import do_create_member, do_register, do_update_member
from sqdj.testing import build_world
from sqdj.testing.disclosure import ENOUGH, Seen, id_candidates, phone_candidates
from sqdj.testing.members import make_id_number, member_data

pytestmark = pytest.mark.django_db
D = datetime.date


class _Table(HTMLParser):
    """The cells of an HTML page's tables: rows of (text, hrefs)."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.links: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
            self.links.append([])
        elif tag in ("td", "th") and self.rows:
            self._cell = []
        elif tag == "a" and self.links:
            self.links[-1].append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _people():
    """Members with birthdays at the awkward places of the year (today, tomorrow, 1 January, 31 December,
    29 February), both sexes, a landline, two changes each in the change log."""
    tomorrow = today() + datetime.timedelta(days=1)
    births = [
        D(1970, 5, 4), D(1980, 1, 1), D(1985, 12, 31), D(1980, 2, 29), D(1990, today().month, min(today().day, 28)),
        D(1975, tomorrow.month, min(tomorrow.day, 28)), D(2000, 6, 15), D(1948, 3, 3),
    ]  # fmt: skip
    return births


@pytest.fixture
def seen_world():
    world = build_world()
    members = []
    with acting_as(world.admin1):
        for i, birth in enumerate(_people()):
            female = i % 2 == 1
            phone = "022-2345678" + str(i) if i == 3 else f"1391234{i:04d}"
            data = member_data(
                world.branch1, seq=i + 1, name=f"测试{i}号", birth=birth, female=female, phone=phone,
                id_number=make_id_number(birth, i + 1, female=female),
                joined_on=max(D(1995, 7, 1), birth.replace(day=1, month=1) + datetime.timedelta(days=366 * 19)),
                confirmed_on=None, member_type="probationary",
            )  # fmt: skip
            data["joined_on"] = min(data["joined_on"], today() - datetime.timedelta(days=30))
            members.append(do_create_member(acting_user=world.admin1, **data))
        # changes: a corrected birth date (the number with it), a new phone
        first = members[0]
        new_birth = D(1970, 5, 5)
        do_update_member(first, acting_user=world.admin1, birth_date=new_birth, id_number=make_id_number(new_birth, 1))
        do_update_member(members[1], acting_user=world.admin1, phone="13955550000")
    # a member of the neighbouring community registered with the viewer's community (seen through the territory)
    other = do_create_member(acting_user=None, **member_data(world.branch2, seq=40, name="邻居", category="employed"))
    do_register(other, acting_user=None, community=world.community_area1, registered_on=today())
    return world, [Member.objects.get(pk=m.pk) for m in [*members, other]]


def _gather(client, members) -> dict[int, Seen]:
    """Everything `client`'s user sees of each member, parsed; and every output's text per member, raw."""
    seen = {m.pk: Seen(joined_on=m.joined_on) for m in members}
    raw: dict[int, list[str]] = {m.pk: [] for m in members}

    # the list page: one row per member (name links to the detail page)
    html = client.get(reverse("members:member_list"), {"per_page": 100}).content.decode()
    table = _Table()
    table.feed(html)
    header = next(r for r in table.rows if "年龄" in r)
    age_col = header.index("年龄")
    for row, links in zip(table.rows, table.links, strict=True):
        pk = next((int(m[1]) for h in links if (m := re.match(r"^/members/(\d+)/$", h))), None)
        if pk in seen and len(row) == len(header):
            raw[pk].append("\t".join(row))
            seen[pk].ages.add(int(row[age_col]))
            _numbers(seen[pk], "\t".join(row))

    for m in members:
        s = seen[m.pk]
        # the detail page
        page = client.get(reverse("members:member", args=[m.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        raw[m.pk].append(html)
        if f := re.search(r'data-field="birth_date">([^<]*)<', html):
            s.add_birth_text(f[1])
        if f := re.search(r'data-field="age">(\d+)<', html):
            s.ages.add(int(f[1]))
        _numbers(s, html)
        # the change log page
        html = client.get(reverse("members:member_changes", args=[m.pk])).content.decode()
        raw[m.pk].append(html)
        for _before, after in re.findall(r"<code>birth_date</code>: ([^<]*?) → ([^<]*?)</div>", html):
            s.add_birth_text(after)  # the latest value shown is the birth date (an earlier one: _leaks looks)
        _numbers(s, html)
        # the API detail
        body = client.get(f"/api/v1/members/{m.pk}/").json()
        _api(s, body)
        raw[m.pk].append(json.dumps(body, ensure_ascii=False))

    # the API list
    for body in client.get("/api/v1/members/", {"limit": 1000}).json()["results"]:
        if body["id"] in seen:
            _api(seen[body["id"]], body)
            raw[body["id"]].append(json.dumps(body, ensure_ascii=False))

    # the export (csv: the same columns as the import template)
    r = client.get(reverse("members:member_list"), {"export": "csv"})
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    head = rows[0]
    by_name = {m.name: m.pk for m in members}
    for row in rows[1:]:
        pk = by_name[row[head.index("姓名")]]
        raw[pk].append("\t".join(row))
        seen[pk].add_birth_text(row[head.index("出生日期")])
        _numbers(seen[pk], "\t".join(row))
    return seen, raw


PHONE_MASK = re.compile(r"(?<![\d*-])[\d*-]{7,13}(?![\d*-])")


def _numbers(s: Seen, text: str) -> None:
    """Masked ID and phone numbers in a text: 18 characters of digits, X and * (at least one *); a phone: 7 to 13
    of digits, hyphens and * (at least one *, not an ID)."""
    for token in re.findall(r"(?<![0-9X*])[0-9X*]{18}(?![0-9X*])", text):
        if "*" in token:
            s.id_masks.add(token)
    for token in PHONE_MASK.findall(text):
        if "*" in token and not re.fullmatch(r"[*-]+", token):
            s.phone_masks.add(token)


def _api(s: Seen, body: dict) -> None:
    s.id_masks.add(body["id_number_masked"])
    if body.get("phone_masked"):
        s.phone_masks.add(body["phone_masked"])
    s.add_birth_text(body.get("birth_date"))
    if body.get("age") is not None:
        s.ages.add(body["age"])
    s.sexes.add(body["sex"])


def _deployment_regions() -> set[str]:
    """The region codes the attacker knows: those of every number on the roll (and more cannot hurt them)."""
    return {m.id_number[:6] for m in Member.objects.all()}


def _leaks(m: Member, texts: list[str]) -> list[str]:
    born = m.birth_date
    markers = [m.id_number, m.phone, born.isoformat(), f"{born:%Y%m%d}", f"{born.year}年{born.month}月{born.day}日"]
    return [x for x in markers if x and any(x in t for t in texts)]


def test_a_viewer_cannot_rebuild_id_or_phone_numbers(seen_world, client):
    world, members = seen_world
    client.force_login(world.viewer1)
    seen, raw = _gather(client, members)
    regions = _deployment_regions()
    for m in members:
        s = seen[m.pk]
        assert s.id_masks and s.ages and s.sexes, (m.name, s)  # the outputs were read and parsed
        assert not s.birth_dates, (m.name, s.birth_dates)
        assert not _leaks(m, raw[m.pk]), (m.name, _leaks(m, raw[m.pk]))
        assert id_candidates(s, regions, today()) >= ENOUGH, (m.name, s)
        assert phone_candidates(s, m.phone) >= ENOUGH, (m.name, s.phone_masks)
    # the change log keeps masked values and a keyed hash only, for everyone
    for change in ObjectChange.objects.filter(object_repr__in=[m.name for m in members]):
        text = json.dumps([change.prechange_data, change.postchange_data], ensure_ascii=False)
        assert not any(x in text for m in members for x in (m.id_number, m.phone)), text


def test_the_old_mask_with_the_birth_date_would_have_given_the_number_away(seen_world):
    """The arithmetic of docs/security.md, checked by the same counting: region and last four beside the birth date
    leave one number; the province only beside the full birth date still leaves a few thousand; beside the age,
    hundreds of thousands."""
    _world, members = seen_world
    m = members[2]
    regions = _deployment_regions()
    old = Seen(id_masks={m.id_number[:6] + "*" * 8 + m.id_number[-4:]}, birth_dates={m.birth_date}, sexes={m.sex})
    assert id_candidates(old, regions, today()) == 1
    full_date = Seen(id_masks={pii.mask_id_number(m.id_number)}, birth_dates={m.birth_date}, sexes={m.sex})
    assert id_candidates(full_date, regions, today()) == 500 * len({r for r in regions if r[:2] == m.id_number[:2]})
    age_only = Seen(id_masks={pii.mask_id_number(m.id_number)}, ages={pii.age_shown(m.birth_date)}, sexes={m.sex})
    assert id_candidates(age_only, regions, today(), limit=10**9) >= 365 * 500
    assert phone_candidates(Seen(phone_masks={"139****0002"}), "13912340002") == ENOUGH  # the old 3+4: the floor
    assert phone_candidates(Seen(phone_masks={pii.mask_phone("13912340002")}), "13912340002", limit=10**9) == 10**6


def test_a_user_who_may_reveal_sees_the_birth_date_and_reveals_with_a_reason(seen_world, client):
    world, members = seen_world
    m = members[0]
    client.force_login(world.admin1)
    html = client.get(reverse("members:member", args=[m.pk])).content.decode()
    assert f'data-field="birth_date">{m.birth_date:%Y-%m-%d}<' in html and m.id_number not in html
    assert pii.mask_id_number(m.id_number) in html
    body = client.get(f"/api/v1/members/{m.pk}/").json()
    assert body["birth_date"] == m.birth_date.isoformat() and body["age"] == pii.age_shown(m.birth_date)
    assert body["id_number_masked"] == pii.mask_id_number(m.id_number)
    changes = client.get(reverse("members:member_changes", args=[m.pk])).content.decode()
    assert m.birth_date.isoformat() in changes and m.id_number not in changes
    # the reveal: per member, with a reason, logged — on the page and in the API
    before = PiiReveal.objects.count()
    r = client.post(reverse("members:member_reveal", args=[m.pk]), {"reason": "换届资格审查"})
    assert r.status_code == 200 and m.id_number in r.content.decode() and m.phone in r.content.decode()
    r = client.post(f"/api/v1/members/{m.pk}/reveal/", {"reason": "核对身份"}, content_type="application/json")
    assert r.status_code == 200 and r.json() == {"id_number": m.id_number, "phone": m.phone}
    assert PiiReveal.objects.count() == before + 2
    assert set(PiiReveal.objects.values_list("member_id", flat=True)) == {m.pk}
    # a search by the whole number finds the member for this user
    r = client.post("/api/v1/members/search/", {"q": m.id_number}, content_type="application/json").json()
    assert [x["id"] for x in r["results"]] == [m.pk]


def test_a_viewer_may_not_reveal_nor_find_a_member_by_the_whole_number(seen_world, client):
    world, members = seen_world
    m = members[0]
    client.force_login(world.viewer1)
    before = PiiReveal.objects.count()
    r = client.post(reverse("members:member_reveal", args=[m.pk]), {"reason": "看看"})
    assert r.status_code == 403 and m.id_number not in r.content.decode()
    r = client.post(f"/api/v1/members/{m.pk}/reveal/", {"reason": "看看"}, content_type="application/json")
    assert r.status_code == 403
    assert PiiReveal.objects.count() == before
    for q in (m.id_number, m.phone):  # a hit would confirm a guessed number: no oracle
        r = client.post("/api/v1/members/search/", {"q": q}, content_type="application/json")
        assert r.json()["results"] == [], q
        assert m.name not in client.get(reverse("members:member_list"), {"q": q}, follow=True).content.decode()


def test_the_community_admin_of_the_registration_sees_the_age_only(seen_world, client):
    """Reveal is per member: a neighbour registered with the admin's community is seen (territory), not revealed."""
    world, members = seen_world
    other = members[-1]
    client.force_login(world.admin1)
    body = client.get(f"/api/v1/members/{other.pk}/").json()
    assert body["birth_date"] is None and body["age"] == pii.age_shown(other.birth_date)
    rows = client.get("/api/v1/members/", {"limit": 1000}).json()["results"]
    shown = {x["id"]: x["birth_date"] for x in rows}
    assert shown[other.pk] is None and shown[members[0].pk] == members[0].birth_date.isoformat()
    r = client.get(reverse("members:member_list"), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    births = {row[0]: row[rows[0].index("出生日期")] for row in rows[1:]}
    assert births[other.name] == pii.MASKED_DATE and births[members[0].name] == members[0].birth_date.isoformat()


def test_old_change_log_values_are_masked_again():
    assert pii.remask("120101********123X·abcdef", pii.mask_id_number) == "12****************·abcdef"
    assert pii.remask("138****5678·abcdef", pii.mask_phone) == "138******78·abcdef"
    assert pii.remask("12****************·abcdef", pii.mask_id_number) == "12****************·abcdef"
    assert pii.remask("", pii.mask_phone) == "" and pii.remask(None, pii.mask_phone) is None


def test_revealable_members_read_without_a_query_agree_with_the_scope_gate(seen_world, django_assert_num_queries):
    world, members = seen_world
    for user in (world.admin1, world.viewer1, world.superuser, world.nobody):
        loaded = list(Member.objects.select_related("org").order_by("pk"))  # orgs loaded: read from the roles
        bare = list(Member.objects.order_by("pk"))  # orgs not loaded: one query through the gate
        expected = set(Member.objects.restrict(user, "reveal").values_list("pk", flat=True))
        pii.revealable_pks(user, Member, loaded)  # the role assignments, read once per user object
        with django_assert_num_queries(0):
            fast = pii.revealable_pks(user, Member, loaded)
        assert fast == pii.revealable_pks(user, Member, bare) == expected, user
    assert pii.revealable_pks(world.admin1, Member, loaded) == {m.pk for m in members[:-1]}


def test_the_migration_masks_stored_change_log_rows_again(seen_world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("sqdj.core.migrations.0003_remask_change_log")
    _world, members = seen_world
    m = members[2]
    change = ObjectChange.objects.filter(object_id=m.pk, object_repr=m.name).first()
    old_id = m.id_number[:6] + "*" * 8 + m.id_number[-4:] + "·abcdef"
    change.postchange_data = {**change.postchange_data, "id_number": old_id, "phone": "139****0002·ghijkl"}
    change.save()
    migration.remask_change_log(apps, None)
    change.refresh_from_db()
    assert change.postchange_data["id_number"] == pii.mask_id_number(m.id_number) + "·abcdef"
    assert change.postchange_data["phone"] == "139******02·ghijkl"
    assert change.postchange_data["birth_date"] == m.birth_date.isoformat()  # kept: masked when shown
