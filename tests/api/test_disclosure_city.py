"""The disclosure policy on the demo city (docs/security.md, "打码策略"): the demo account `viewer` (read-only, the
whole district) reads every member through the API list and the API detail; for each member the ID numbers and
phone numbers consistent with what it saw (the region codes of the whole roll, age, sex, date of joining, check
digit, carrier prefixes) number at least 10,000. The pages, the export and the change log are read for the test
world's members in sqdj/members/tests/test_disclosure.py."""

from __future__ import annotations

import datetime

from rest_framework.test import APIClient

from sqdj.members.models import Member
from sqdj.testing.disclosure import ENOUGH, Seen, id_candidates, phone_candidates


def _client(token) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return c


def test_the_demo_viewer_cannot_rebuild_any_members_numbers(city, token_for):
    today = datetime.date.today()
    c = _client(token_for("viewer"))
    members = {m.pk: m for m in Member.objects.all()}
    regions = {m.id_number[:6] for m in members.values()}
    seen: dict[int, Seen] = {}
    offset, limit = 0, 1000
    while True:
        body = c.get("/api/v1/members/", {"limit": limit, "offset": offset}).json()
        for row in body["results"]:
            m = members[row["id"]]
            s = seen.setdefault(m.pk, Seen(joined_on=m.joined_on))
            s.id_masks.add(row["id_number_masked"])
            if row["phone_masked"]:
                s.phone_masks.add(row["phone_masked"])
            s.add_birth_text(row["birth_date"])
            s.ages.add(row["age"])
            s.sexes.add(row["sex"])
            assert m.id_number not in str(row) and (not m.phone or m.phone not in str(row))
        if not body.get("next"):
            break
        offset += limit
    assert len(seen) > 100  # the viewer sees the district's roll
    sample = sorted(seen)[:: max(1, len(seen) // 50)]
    for pk in sample:  # the detail answers the same
        row = c.get(f"/api/v1/members/{pk}/").json()
        assert row["birth_date"] is None and row["id_number_masked"] in seen[pk].id_masks
    narrowest = min(id_candidates(s, regions, today) for s in seen.values())
    assert narrowest >= ENOUGH, narrowest
    phones = min(phone_candidates(s, members[pk].phone) for pk, s in seen.items())
    assert phones >= ENOUGH, phones
    assert not any(s.birth_dates for s in seen.values())
