"""The member role sees itself only (issue 10, item 6).

A user with the self-service role `member`, linked to their own member record, gets on every page, export, API
endpoint and statistic their own record and nothing else. The pages and endpoints are not listed here: they are
generated from the URL resolver (every pattern, its path parameters filled with the pks of every object of the
matching model — other people's records, orgs, areas, cases — and the user's own) and from the API routes the apps
declare (`core.plugins.api_declarations`), so that a new page is covered the day it is added.
"""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from django.apps import apps
from django.contrib import messages as message_levels
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from sqdj.accounts.models import RoleAssignment
from sqdj.areas.models import Area
from sqdj.core.models import ExportJob, ImportBatch, ObjectChange, RuleParameter
from sqdj.core.plugins import api_declarations
from sqdj.core.scope import anchors, may, roles_allowing, scope_q, self_hook
from sqdj.core.services import ScopeViolation
from sqdj.members.models import Member, Registration
from sqdj.members.self_service import do_link_user, member_of
from sqdj.orgs.models import Org
from sqdj.services.models import Assistance, Request, WishClaim
from sqdj.testing.self_service import build_self_world, leak_markers
from sqdj.transfers.models import Inflow, Outflow, Transfer
from sqdj.volunteers.models import Activity, Certificate, Post, PostClaim, ServiceHours, Signup, Team, TeamMember

pytestmark = pytest.mark.django_db

# URL names whose path parameter is not named after a model (the rest: `views.model`, the viewset's queryset, or
# the longest model name the URL name starts with, e.g. transfer_letter → Transfer)
MODEL_OF_NAME = {
    "variant_end": RuleParameter,
    "rule": RuleParameter,
    "variant_add": RuleParameter,
    "job_retry": ImportBatch,
    "export_job": ExportJob,
    "export_download": ExportJob,
    # a 微心愿 is a Request (issue 17): its pages are named after the wish; a photo's, after its claim
    **{
        name: Request
        for name in ("wish", "wish_edit", "wish_changes", "wish_delete", "wish_claim", "wish_withdraw", "wish_fulfil")
    },
    "wish_photo": WishClaim,
    "pairing_end": Assistance,  # a household's pairing (结对帮扶)
}
PUBLIC_MODELS = {RuleParameter}
# the residents' public pages (issue 17: no account needed), named by a community's code
PUBLIC_PAGES = {"services:public_community", "services:public_request_new"}
# what a member does for themself through the API (issue 16: sign up for an activity, declare service hours): an empty
# body is refused as invalid (400), and writes nothing all the same
SELF_WRITES = {
    "api:signup-list",
    "api:signup-withdraw",
    "api:servicehours-list",
    "api:postclaim-list",  # a claim on a post, a request to join a team, and ending their own
    "api:postclaim-end",
    "api:teammember-list",
    "api:teammember-end",
    "api:request-start",  # a request assigned to them: started and resolved by them (issue 17)
    "api:request-resolve",
}  # the rulebook: regulations, readable by every signed-in user
SKIPPED = {"login", "logout"}  # signing out would end the walk
# the user's own pages that must work (200; the letter may be 503 where WeasyPrint is missing)
OWN_PAGES = {
    "members:member",
    "members:member_changes",
    "transfers:transfer",
    "transfers:transfer_changes",
    "transfers:transfer_letter",
    "transfers:outflow",
    "transfers:outflow_changes",
    "api:member-detail",
    "api:transfer-detail",
    "api:outflow-detail",
}
TEXT_TYPES = ("text/", "application/json")


@pytest.fixture
def sw(db):
    return build_self_world()


@pytest.fixture
def client(sw):
    c = Client()
    c.force_login(sw.user)
    return c


# ---- the generated walk ---------------------------------------------------------------------------------------


def named_patterns():
    """(qualified name, pattern) of every named URL pattern of the project."""

    def walk(patterns, ns):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns)
            elif p.name:
                yield f"{ns}{p.name}", p

    return list(walk(get_resolver().url_patterns, ""))


def _project_models() -> dict[str, type]:
    return {m._meta.model_name: m for m in apps.get_models() if m.__module__.startswith("sqdj.")}


def model_of(name: str, pattern):
    views = (getattr(pattern.callback, "view_initkwargs", None) or {}).get("views")
    if views is not None:
        return views.model
    queryset = getattr(getattr(pattern.callback, "cls", None), "queryset", None)
    if queryset is not None:
        return queryset.model
    short = name.rpartition(":")[2]
    if short in MODEL_OF_NAME:
        return MODEL_OF_NAME[short]
    by_name = _project_models()
    words = short.split("_")
    for n in range(len(words), 0, -1):
        if "_".join(words[:n]) in by_name:
            return by_name["_".join(words[:n])]
    return None


# the volunteers' rows a member sees (sqdj.testing.self_service): their community's posts, teams and activities,
# their own claims, memberships, sign-ups, records and certificates
VOLUNTEER_KINDS = {
    Post: "post",
    Team: "team",
    Activity: "activity",
    PostClaim: "postclaim",
    TeamMember: "teammember",
    Signup: "signup",
    ServiceHours: "servicehours",
    Certificate: "certificate",
    Request: "request",  # serving residents (issue 17): the requests assigned to them
}


def own_pks(sw) -> dict[type, set]:
    return {
        Member: {sw.me.pk},
        Transfer: {sw.own["transfer"].pk},
        Outflow: {sw.own["outflow"].pk},
        Registration: {sw.own["registration"].pk},
        **{model: {sw.own[kind].pk} for model, kind in VOLUNTEER_KINDS.items()},
    }


def targets(sw, name: str, pattern, every: bool = True):
    """(path, model, own?) for the pattern: one per object of its model (every=False: the own ones and one other)."""
    params = list(pattern.pattern.regex.groupindex)
    if name in PUBLIC_PAGES:  # a community's public page (by its area code): what any resident sees, no model's row
        codes = Area.objects.filter(type="community").order_by("pk").values_list("code", flat=True)[:2]
        return [(reverse(name, kwargs={"code": code}), None, False) for code in codes]
    if not params or params == ["format"]:
        return [(reverse(name, kwargs={"format": "json"} if params else None), None, False)]
    model = model_of(name, pattern)
    assert model is not None, f"{name}: which model do {params} name? (MODEL_OF_NAME)"
    mine = own_pks(sw).get(model, set())
    fixed = {"format": ["json"]}
    if "assignment_pk" in params:  # a role of the user (user administration): the first there is
        fixed["assignment_pk"] = [RoleAssignment.objects.order_by("pk").values_list("pk", flat=True).first() or 1]
    if "action" in params:
        fixed["action"] = re.search(r"\(\?P<action>([^)]*)\)", pattern.pattern.regex.pattern).group(1).split("|")
    if "member_pk" in params:
        model, mine = Member, {sw.me.pk}
    # `<model>_pk` (a unit's page that adds an instructor: unit_pk) names the model of its objects
    named = [p for p in params if p.endswith("_pk") and p not in fixed and p[:-3] in _project_models()]
    if named and "member_pk" not in params:
        model = _project_models()[named[0][:-3]]
        mine = own_pks(sw).get(model, set())
    key = "rule_id" if "rule_id" in params else "member_pk" if "member_pk" in params else named[0] if named else "pk"
    if key == "rule_id":
        values = sorted(set(RuleParameter.objects.values_list("rule_id", flat=True)))[:2]
    elif model is not None:
        values = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
        values = values or [uuid.uuid4() if isinstance(model._meta.pk, models.UUIDField) else 999_999]
    else:
        values = []
    if not every:
        values = [v for v in values if v in mine] + [v for v in values if v not in mine][:1]
    out = []
    for value in values or [None]:
        kwargs = {k: fixed[k][0] for k in params if k in fixed}
        if value is not None:
            kwargs[key] = value
        for action in fixed.get("action", [None]):
            if action is not None:
                kwargs["action"] = action
            out.append((reverse(name, kwargs=kwargs), model, value in mine))
    return out


def assert_no_leak(sw, r, where: str):
    if not r.get("Content-Type", "").startswith(TEXT_TYPES):
        return
    body = r.content.decode("utf-8", errors="replace")
    for other in sw.others:
        for marker in leak_markers(other):
            assert marker not in body, f"{where}: {other.name}'s {marker!r} shown"


def snapshot() -> dict:
    """Row counts of every table, and the change log's last row: a refused write changes none."""
    counts = {m._meta.label: m._base_manager.count() for m in apps.get_models() if m._meta.managed}
    counts["last change"] = ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    return counts


def test_every_page_and_endpoint_shows_only_the_own_record(sw, client):
    seen_own = set()
    checked = 0
    for name, pattern in named_patterns():
        if name in SKIPPED:
            continue
        for path, model, own in targets(sw, name, pattern):
            r = client.get(path)
            where = f"GET {path} ({name})"
            assert r.status_code in (200, 302, 400, 403, 404, 405, 503), where
            if r.status_code == 302:
                assert not r["Location"].startswith("/login/"), where
            assert_no_leak(sw, r, where)
            if model is not None and not own and model not in PUBLIC_MODELS:
                assert r.status_code in (403, 404, 405), f"{where}: someone else's {model.__name__} answers"
            if own and name in OWN_PAGES:
                assert r.status_code in ((200, 503) if name.endswith("letter") else (200,)), where
                seen_own.add(name)
            checked += 1
    assert seen_own == OWN_PAGES
    assert checked > 300


def test_every_write_is_refused_and_writes_nothing(sw, client):
    before = snapshot()
    checked = 0
    for name, pattern in named_patterns():
        if name in SKIPPED or name == "notifications_read":  # marks the user's own notifications read
            continue
        methods = ("post", "put", "patch", "delete") if name.startswith("api:") else ("post",)
        if name.endswith("-search"):  # a search sent by POST reads (core.search_api): covered as a read elsewhere
            methods = ("put", "patch", "delete")
        for path, _model, _own in targets(sw, name, pattern, every=False):
            for method in methods:
                r = getattr(client, method)(path, data={}, content_type="application/json")
                where = f"{method.upper()} {path} ({name})"
                if method == "post" and name in SELF_WRITES:
                    assert r.status_code in (400, 403, 404, 405), f"{where}: {r.status_code}"  # an empty form
                elif method != "post" or name.startswith("api:"):
                    assert r.status_code in (403, 404, 405), f"{where}: {r.status_code}"
                else:
                    # a page that takes no POST answers it like a GET (200); a case step without the version the
                    # page showed is a conflict (409); an action on a record seen but not changeable redirects
                    # to it with the refusal as an error message
                    assert r.status_code in (200, 302, 400, 403, 404, 405, 409) or (
                        r.status_code == 303 and name.endswith("_list")  # a list's filter form (core.saved_search)
                    ), f"{where}: {r.status_code}"
                    if r.status_code == 302:
                        refused = [m for m in get_messages(r.wsgi_request) if m.level == message_levels.ERROR]
                        assert refused, f"{where}: redirected without a refusal"
                assert_no_leak(sw, r, where)
                checked += 1
    assert snapshot() == before
    assert checked > 300


def test_own_transfer_case_steps_are_refused(sw, client):
    """With the version the page showed: the steps of the case's state are refused (the services answer "not in
    your scope": 404), the others are not steps of this state (409)."""
    case = sw.own["transfer"]
    answers = {}
    for action in ("submit", "approve", "return", "accept", "complete", "cancel"):
        r = client.post(
            reverse("transfers:transfer_action", args=[case.pk, action]), {"version": case.version, "reason": "x"}
        )
        answers[action] = r.status_code
        r = client.post(reverse(f"api:transfer-{action}", args=[case.pk]), {"version": case.version, "reason": "x"},
                        content_type="application/json")  # fmt: skip
        assert r.status_code == 403, action
    assert set(answers.values()) <= {403, 404, 409} and answers["accept"] in (403, 404), answers
    case.refresh_from_db()
    assert case.state == "approved" and case.version == sw.own["transfer"].version


def test_lists_hold_only_the_own_rows(sw, client):
    r = client.get(reverse("members:member_list"))
    assert r.status_code == 200
    assert [row.record.pk for row in r.context["table"].page.object_list] == [sw.me.pk]
    assert sw.me.name in r.content.decode()
    for url, own in (
        (reverse("transfers:transfer_list"), sw.own["transfer"]),
        (reverse("transfers:outflow_list"), sw.own["outflow"]),
    ):
        r = client.get(url)
        assert [row.record.pk for row in r.context["table"].page.object_list] == [own.pk], url
    for url in (reverse("orgs:org_list"), reverse("areas:area_list"), reverse("transfers:inflow_list")):
        assert client.get(url).status_code == 403, url


def test_api_lists_and_details(sw, client):
    routes, _patterns = api_declarations()
    expected = {Member: [sw.me.pk], Transfer: [sw.own["transfer"].pk], Outflow: [sw.own["outflow"].pk],
                Registration: [sw.own["registration"].pk],
                **{model: [sw.own[kind].pk] for model, kind in VOLUNTEER_KINDS.items()}}  # fmt: skip
    assert {viewset.queryset.model for _p, viewset, _b in routes} >= set(expected) | {Org, Inflow}
    # the wishes' endpoint reads Requests of kind wish: this world has none (the member's own request is a request);
    # nor claims of theirs, nor households they are paired with, their pairings or the support they gave (issue 17)
    by_basename = {"wish": [], "wishclaim": [], "household": [], "assistance": [], "support": []}
    for _prefix, viewset, basename in routes:
        model = viewset.queryset.model
        expected_here = by_basename.get(basename, expected.get(model))
        r = client.get(reverse(f"api:{basename}-list"))
        if expected_here is not None:
            assert r.status_code == 200, basename
            assert [row["id"] for row in r.json()["results"]] == expected_here, basename
        else:
            assert r.status_code == 403, basename
        for obj in model.objects.all():
            r = client.get(reverse(f"api:{basename}-detail", args=[obj.pk]))
            mine = obj.pk in (expected_here or [])
            assert r.status_code == (200 if mine else 403 if expected_here is None else 404), (basename, obj.pk)
            assert_no_leak(sw, r, f"{basename} {obj.pk}")


def test_own_record_in_the_api_is_masked_and_not_revealed(sw, client):
    r = client.get(reverse("api:member-detail", args=[sw.me.pk]))
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == sw.me.name and body["id_number_masked"] == sw.me.id_number_masked
    assert sw.me.id_number not in r.content.decode()
    r = client.post(reverse("api:member-reveal", args=[sw.me.pk]), {"reason": "自查"}, content_type="application/json")
    assert r.status_code == 403
    page = client.get(reverse("members:member", args=[sw.me.pk]))
    assert page.status_code == 200 and sw.me.id_number not in page.content.decode()
    assert not page.context["may_reveal"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exports_hold_only_the_own_row(sw, client, fmt):
    exported = 0
    for name, pattern in named_patterns():
        views = (getattr(pattern.callback, "view_initkwargs", None) or {}).get("views")
        if views is None or views.importer is None or not name.endswith("_list"):
            continue
        r = client.get(reverse(name), {"export": fmt})
        if r.status_code == 403:
            continue
        assert r.status_code == 200, name
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))[1:]
        else:
            sheet = load_workbook(io.BytesIO(r.content)).active
            rows = [[str(c) for c in row if c is not None] for row in sheet.iter_rows(min_row=2, values_only=True)]
        text = "\n".join("\t".join(row) for row in rows)
        for other in sw.others:
            for marker in leak_markers(other):
                assert marker not in text, (name, marker)
        if views.model is Member:
            assert len(rows) == 1 and sw.me.name in text
        exported += 1
    assert exported >= 1


def test_statistics_and_checks_are_404_for_every_org(sw, client):
    for org in Org.objects.all():
        for name in ("api:stats", "api:checks"):
            r = client.get(reverse(name), {"org": org.code})
            assert r.status_code == 404, (name, org.code)
        assert client.get(reverse("stats:stats"), {"org": org.code}).status_code in (403, 404)
        assert client.get(reverse("health:org_health", args=[org.pk])).status_code == 404


def test_org_tree_and_workbench_are_empty_and_the_menu_shows_what_they_can_use(sw, client):
    r = client.get(reverse("orgs:org_tree"))
    assert r.status_code in (200, 403)
    if r.status_code == 200:
        assert r.context["roots"] == []
    r = client.get(reverse("health:workbench_tiles"))
    assert r.context["health_tiles"] == []
    assert client.get(reverse("home"))["Location"] == reverse("me")  # their home is their own page (我的)
    r = client.get(reverse("me"))
    assert r.status_code == 200
    menu = {item["url"] for group in r.context["nav_groups"] for item in group["items"]}
    assert menu == {
        "/",
        reverse("members:member_list"),
        reverse("members:registration_list"),  # their own 在职党员报到 (issue 16), and nobody else's
        reverse("transfers:transfer_list"),
        reverse("transfers:outflow_list"),
        reverse("me"),
        # volunteer service (issue 16): their community's posts, teams and activities, their claims, records and
        # certificates, and the form to declare hours
        *(
            reverse(f"volunteers:{n}")
            for n in (
                "post_list",
                "team_list",
                "postclaim_list",
                "activity_list",
                "servicehours_list",
                "servicehours_declare",
                "certificate_list",
            )
        ),
        reverse("services:request_list"),  # the residents' requests assigned to them (issue 17)
        reverse("services:wish_list"),  # the open wishes of their communities, to claim them
        reverse("services:household_list"),  # the households they are paired with (结对帮扶)
    }


# ---- the gate --------------------------------------------------------------------------------------------------


def test_the_gate_gives_a_self_only_role_no_anchors(sw):
    user = sw.user
    assert anchors(user, "view") == []
    assert "member" not in roles_allowing("view")
    assert may(user, "view", Member) and not may(user, "view") and not may(user, "view", Org)
    assert not may(user, "add", Member) and not may(user, "change", Member)
    assert self_hook(Member, "change") is None  # a self scope is read-only unless a model says otherwise
    assert list(Member.objects.restrict(user, "view")) == [sw.me]
    for action in ("add", "change", "delete", "reveal"):
        assert not Member.objects.restrict(user, action).exists(), action
    assert not Org.objects.restrict(user, "view").exists()
    assert list(Registration.objects.restrict(user, "view")) == [sw.own["registration"]]
    assert list(Transfer.objects.restrict(user, "view")) == [sw.own["transfer"]]
    assert list(Outflow.objects.restrict(user, "view")) == [sw.own["outflow"]]
    assert scope_q(user, Inflow, "view") is not None and not Inflow.objects.restrict(user, "view").exists()


def test_own_drafts_are_not_shown(sw):
    """A draft case is still the sending org's paper: the member sees their case once it is submitted."""
    from sqdj.transfers import services as transfers

    stranger = sw.others[2]
    do_link_user(sw.me, None, acting_user=None)
    do_link_user(stranger, sw.user, acting_user=None)
    assert sw.foreign["draft"].member_id == stranger.pk
    assert not Transfer.objects.restrict(sw.user, "view").exists()
    transfers.do_submit(sw.foreign["draft"], acting_user=None, version=sw.foreign["draft"].version)
    assert list(Transfer.objects.restrict(sw.user, "view")) == [sw.foreign["draft"]]


def test_a_member_user_without_a_link_sees_nothing(sw):
    do_link_user(sw.me, None, acting_user=sw.world.admin1)
    assert member_of(sw.user) is None
    assert not Member.objects.restrict(sw.user, "view").exists()


def test_other_roles_of_the_same_user_still_count(sw):
    from sqdj.accounts.services import do_grant_role

    do_grant_role(sw.user, role="viewer", org=sw.world.branch2, descendants=True)
    seen = set(Member.objects.restrict(sw.user, "view"))
    assert seen == {sw.me, sw.others[2]}


def test_link_rules(sw):
    mate = sw.others[0]
    with pytest.raises(ValidationError):
        do_link_user(mate, sw.user, acting_user=None)  # one member per user
    with pytest.raises(ScopeViolation):
        do_link_user(sw.others[2], sw.world.nobody, acting_user=sw.world.admin1)  # not admin1's member
    with pytest.raises(ScopeViolation):
        do_link_user(sw.me, None, acting_user=sw.world.viewer1)  # may see, may not change
    before = ObjectChange.objects.count()
    do_link_user(mate, sw.world.nobody, acting_user=sw.world.admin1)
    assert member_of(sw.world.nobody) == mate
    change = ObjectChange.objects.first()
    assert ObjectChange.objects.count() == before + 1
    assert (change.user_id, change.object_id, change.postchange_data["user"]) == (
        sw.world.admin1.pk,
        mate.pk,
        sw.world.nobody.pk,
    )
