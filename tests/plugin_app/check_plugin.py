"""Run by tests/test_plugin_app.py under tests.plugin_app.settings (the suite plus one app in INSTALLED_APPS):
the app gets its menu entry, API route, workbench tile and to-do, check and rulebook row from its own files."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from sqdj.core.models import RuleParameter
from sqdj.core.rules import registered_checks, run_checks
from sqdj.testing import build_world
from tests.plugin_app.models import Note

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = build_world()
    Note.objects.create(org=w.branch1, text="甲一")
    Note.objects.create(org=w.branch1, text="甲二")
    Note.objects.create(org=w.branch1, text="甲三")
    Note.objects.create(org=w.branch2, text="乙一")
    return w


def test_menu_tile_and_todos(client, world):
    client.force_login(world.admin1)
    html = client.get(reverse("home")).content.decode()
    assert "随手记列表" in html and reverse("plugin_app:note_list") in html  # the menu entry
    assert 'id="home-plugin-notes"' in html and "我能看到的随手记" in html  # the tile, counted in scope: 3
    assert '<div class="sqdj-count">3</div>' in html
    assert "处理随手记：甲一" in html and "乙一" not in html  # the to-do source, scoped
    page = client.get(reverse("plugin_app:note_list")).content.decode()
    assert "甲一" in page and "乙一" not in page


def test_api_route_and_schema(world):
    api = APIClient()
    api.force_authenticate(world.admin1)
    r = api.get("/api/v1/notes/")
    assert r.status_code == 200
    assert sorted(n["text"] for n in r.json()["results"]) == ["甲一", "甲三", "甲二"]
    schema = api.get("/api/schema/?format=json").json()
    assert "/api/v1/notes/" in schema["paths"]


def test_check_and_rulebook_row(world):
    assert "plugin.too_many_notes" in {c.rule for c in registered_checks()}
    row = RuleParameter.objects.get(rule_id="plugin.max_notes")
    assert row.value == 2 and row.regulation == "测试用规定"
    findings = [f for f in run_checks(world.street, user=world.superuser, on=datetime.date(2026, 6, 1))
                if f.rule == "plugin.too_many_notes"]  # fmt: skip
    assert [(f.object_code, f.basis) for f in findings] == [("ZBT1", "plugin.max_notes")]


@pytest.mark.django_db(transaction=True)
def test_rulebook_row_comes_back_after_a_flush():
    call_command("flush", interactive=False, verbosity=0)
    assert RuleParameter.objects.filter(rule_id="plugin.max_notes").exists()
