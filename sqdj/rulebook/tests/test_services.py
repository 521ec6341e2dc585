"""The rulebook's write path on the seeded rulebook (the test database is built by the migrations, seed included)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core.models import ObjectChange, RuleParameter
from sqdj.core.rules import clear_cache, param
from sqdj.rulebook import services
from sqdj.testing import PASSWORD, build_world

D = datetime.date
BRANCH_MAX = "org.branch_max_members"  # national 50 members from 2018-10-28
RATIO = "election.min_extra_candidates_ratio"  # national 0.2 from 2020-07-13
SHARE = "appraisal.max_excellent_share"  # national {"numerator": 1, "denominator": 3}


@pytest.fixture
def editor(db):
    world = build_world()
    user = do_create_user("district", password=PASSWORD, validate=False)
    do_grant_role(user, role="district_admin", org=world.district)
    user.world = world
    clear_cache()
    yield user
    clear_cache()


def audit_rows() -> int:
    return ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(RuleParameter)).count()


def add(user, rule_id=BRANCH_MAX, **data):
    data.setdefault("value", 60)
    data.setdefault("effective_from", D(2025, 1, 1))
    return services.do_add_local_variant(acting_user=user, rule_id=rule_id, **data)


def refused(user, rule_id=BRANCH_MAX, **data) -> dict:
    """The errors by field of an add that must fail, after checking that nothing was written."""
    rows, audits = RuleParameter.objects.count(), audit_rows()
    with pytest.raises(ValidationError) as exc:
        add(user, rule_id, **data)
    assert RuleParameter.objects.count() == rows and audit_rows() == audits
    return exc.value.message_dict


def test_seeded_rulebook_is_there(db):
    assert RuleParameter.objects.filter(rule_id=BRANCH_MAX, local=False).get().value == 50
    assert RuleParameter.objects.filter(local=True).count() == 0


def test_add_a_local_variant_defaults_from_the_rule_and_is_audited(editor):
    national = RuleParameter.objects.get(rule_id=BRANCH_MAX, local=False)
    row = add(editor, note="区委组织部文件")
    assert (row.local, row.trust, row.unit) == (True, "LOCAL", national.unit)
    assert (row.regulation, row.article) == (national.regulation, national.article)
    change = ObjectChange.objects.get(content_type=ContentType.objects.get_for_model(RuleParameter), object_id=row.pk)
    assert change.action == "create" and change.user == editor and change.user_name == "district"
    assert change.postchange_data["value"] == 60 and change.postchange_data["effective_from"] == "2025-01-01"


def test_the_variant_applies_inside_its_window_only(editor):
    assert param(BRANCH_MAX, D(2025, 6, 1)) == 50  # fills this process's cache
    row = add(editor, effective_from=D(2025, 3, 1), effective_to=D(2025, 12, 31))
    # seen at once (the cache was cleared), for dates inside the window only
    assert param(BRANCH_MAX, D(2025, 6, 1)) == 60
    assert param(BRANCH_MAX, D(2025, 3, 1)) == 60 and param(BRANCH_MAX, D(2025, 12, 31)) == 60
    assert param(BRANCH_MAX, D(2025, 2, 28)) == 50 and param(BRANCH_MAX, D(2026, 1, 1)) == 50
    assert param(BRANCH_MAX, D(2019, 1, 1)) == 50
    # ending it earlier hands the later dates back to the national figure, and is audited as an update
    services.do_end_local_variant(row, acting_user=editor, effective_to=D(2025, 6, 30))
    assert param(BRANCH_MAX, D(2025, 6, 30)) == 60 and param(BRANCH_MAX, D(2025, 7, 1)) == 50
    update = ObjectChange.objects.filter(object_id=row.pk, action="update").get()
    assert update.diff() == {"effective_to": ("2025-12-31", "2025-06-30")} and update.user == editor


def test_the_page_and_param_agree_on_the_version_in_force(editor):
    add(editor, effective_from=D(2025, 3, 1), effective_to=D(2025, 12, 31))
    rows = list(RuleParameter.objects.filter(rule_id=BRANCH_MAX))
    for on in (D(2019, 1, 1), D(2025, 3, 1), D(2025, 12, 31), D(2026, 1, 1)):
        assert services.version_in_force(rows, on).value == param(BRANCH_MAX, on)
    assert services.version_in_force(rows, D(2010, 1, 1)) is None


def test_end_before_start_is_refused(editor):
    errors = refused(editor, effective_from=D(2025, 1, 1), effective_to=D(2024, 12, 31))
    assert list(errors) == ["effective_to"]
    assert "2024-12-31" in errors["effective_to"][0]


def test_overlapping_local_variants_are_refused(editor):
    add(editor, effective_from=D(2025, 1, 1), effective_to=D(2025, 12, 31))
    for start, end in ((D(2025, 12, 31), None), (D(2024, 1, 1), D(2025, 1, 1)), (D(2025, 5, 1), D(2025, 6, 1))):
        assert "effective_from" in refused(editor, effective_from=start, effective_to=end), (start, end)
    # touching is not overlapping, and a local variant may overlap the national row (that is what it is for)
    assert add(editor, effective_from=D(2026, 1, 1)).pk
    assert add(editor, effective_from=D(2020, 1, 1), effective_to=D(2024, 12, 31)).pk


def test_ending_cannot_create_an_overlap_or_end_before_start(editor):
    first = add(editor, effective_from=D(2025, 1, 1), effective_to=D(2025, 6, 30))
    add(editor, effective_from=D(2025, 7, 1))
    with pytest.raises(ValidationError) as exc:
        services.do_end_local_variant(first, acting_user=editor, effective_to=D(2025, 7, 1))
    assert "effective_from" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.do_end_local_variant(first, acting_user=editor, effective_to=D(2024, 12, 31))
    assert "effective_to" in exc.value.message_dict
    first.refresh_from_db()
    assert first.effective_to == D(2025, 6, 30)
    assert not ObjectChange.objects.filter(object_id=first.pk, action="update").exists()


@pytest.mark.django_db
def test_national_overlap_is_refused_for_national_rows_too():
    row = RuleParameter(rule_id=BRANCH_MAX, value=45, unit="members", regulation="测试", trust="V1",
                        effective_from=D(2030, 1, 1))  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.validate_parameter(row)
    assert "effective_from" in exc.value.message_dict


def test_negative_threshold_is_refused(editor):
    assert "value" in refused(editor, value=-1)
    assert "value" in refused(editor, rule_id=SHARE, value={"numerator": -1, "denominator": 3})


def test_value_of_another_type_is_refused(editor):
    assert "value" in refused(editor, value="六十")  # text for a number
    assert "value" in refused(editor, value=True)  # yes/no is not a count
    assert "value" in refused(editor, value=[60])
    assert "value" in refused(editor, value=None)
    assert "value" in refused(editor, rule_id=SHARE, value=0.3)  # a number for a fraction
    assert "value" in refused(editor, rule_id=SHARE, value={"numerator": 1})  # a part missing


def test_counts_are_whole_numbers(editor):
    assert "value" in refused(editor, value=50.5)  # members
    assert "value" in refused(editor, rule_id="org.term_years.branch", value=2.5)  # years
    assert "value" in refused(editor, rule_id="org.term_reminder_months", value=0.5)  # months
    row = add(editor, value=55.0)  # a whole number written with a decimal point is that number
    assert row.value == 55 and isinstance(RuleParameter.objects.get(pk=row.pk).value, int)


def test_ratios_lie_between_0_and_1(editor):
    assert "value" in refused(editor, rule_id=RATIO, value=1.5)
    assert "value" in refused(editor, rule_id=RATIO, value=20)  # 20 (percent) is not a ratio
    assert "value" in refused(editor, rule_id=SHARE, value={"numerator": 2, "denominator": 1})
    assert "value" in refused(editor, rule_id=SHARE, value={"numerator": 1, "denominator": 0})
    assert add(editor, rule_id=RATIO, value=0.25).value == 0.25
    assert param(RATIO, D(2025, 6, 1)) == 0.25 and param(RATIO, D(2024, 6, 1)) == 0.2
    assert add(editor, rule_id=SHARE, value={"numerator": 1, "denominator": 4}).pk


def test_unknown_rule_gets_no_local_variant(editor):
    errors = refused(editor, rule_id="org.no_such_rule", value=3)
    assert "rule_id" in errors


def test_several_problems_are_reported_together(editor):
    errors = refused(editor, value=-2.5, effective_from=D(2025, 1, 1), effective_to=D(2024, 1, 1))
    assert set(errors) == {"value", "effective_to"}
    assert len(errors["value"]) == 2  # not whole, and negative


def test_who_may_write(editor):
    world = editor.world
    rows, audits = RuleParameter.objects.count(), audit_rows()
    for user in (world.viewer1, world.admin1, world.nobody):  # a community administrator is not enough
        assert not services.may_edit(user)
        with pytest.raises(PermissionDenied):
            add(user)
    assert RuleParameter.objects.count() == rows and audit_rows() == audits
    city = do_create_user("city", password=PASSWORD, validate=False)
    do_grant_role(city, role="city_admin", org=world.district)
    assert services.may_edit(city) and services.may_edit(world.superuser) and services.may_edit(editor)
    assert add(world.superuser).pk


def test_national_rows_are_read_only(editor):
    national = RuleParameter.objects.get(rule_id=BRANCH_MAX, local=False)
    with pytest.raises(PermissionDenied):
        services.do_end_local_variant(national, acting_user=editor, effective_to=D(2025, 1, 1))
    with pytest.raises(PermissionDenied):
        services.do_end_local_variant(national, acting_user=editor.world.superuser, effective_to=D(2025, 1, 1))
    national.refresh_from_db()
    assert national.effective_to is None


def test_restrict(editor):
    world = editor.world
    local = add(editor)
    total = RuleParameter.objects.count()
    for user in (world.nobody, world.viewer1, editor):
        assert RuleParameter.objects.restrict(user, "view").count() == total  # public regulation figures

    assert not RuleParameter.objects.restrict(AnonymousUser(), "view").exists()
    for action in ("add", "change", "delete"):
        assert list(RuleParameter.objects.restrict(editor, action)) == [local]
        assert list(RuleParameter.objects.restrict(world.superuser, action)) == [local]
        assert not RuleParameter.objects.restrict(world.admin1, action).exists()
        assert not RuleParameter.objects.restrict(world.viewer1, action).exists()
    assert not RuleParameter.objects.restrict(editor, "reveal").exists()


def test_parse_value():
    assert services.parse_value(" 60 ") == 60
    assert services.parse_value("0.25") == 0.25
    assert services.parse_value('{"numerator": 1, "denominator": 3}') == {"numerator": 1, "denominator": 3}
    assert services.parse_value("六十") == "六十"
    assert services.parse_value("1/4") == services.parse_value("1 ／ 4") == {"numerator": 1, "denominator": 4}
    assert services.format_value({"numerator": 1, "denominator": 3}, "share") == "1/3"
    assert services.format_value(50, "members") == "50 人"
