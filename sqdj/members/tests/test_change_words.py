"""A member's change history in words (issue 14): field names in Chinese, a choice by its label and a moved
member's home area by name — never a stored value ("female"), a field key ("org") or an id."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sqdj.areas.models import Area
from sqdj.members.models import Member
from sqdj.members.services import do_create_member, do_update_member
from sqdj.testing import build_world
from sqdj.testing.members import member_data

pytestmark = pytest.mark.django_db


def test_the_change_history_reads_as_words(client):
    world = build_world()
    member = do_create_member(acting_user=None, **member_data(world.branch1, seq=1))
    sex = "female" if member.sex == "male" else "male"
    before, after = Area.objects.get(code="T01001001"), Area.objects.get(code="T01001002")
    do_update_member(Member.objects.get(pk=member.pk), acting_user=None, home_area=before)
    do_update_member(Member.objects.get(pk=member.pk), acting_user=None, sex=sex, home_area=after)
    client.force_login(world.admin1)
    html = client.get(reverse("members:member_changes", args=[member.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = html.content.decode()
    assert "性别" in text and ("男 → 女" in text or "女 → 男" in text)
    assert f"{before} → {after}" in text
    assert "<code>" not in text and f">{sex}<" not in text and "home_area" not in text
