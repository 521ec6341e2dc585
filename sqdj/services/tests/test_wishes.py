"""微心愿 (issue 17 item 3): posting, claiming (the staff for a member, a team or a unit; a member for themself; a
unit's liaison for their unit), withdrawing, fulfilling (the photo's limits, the member's service record through
core.plugins.service_rendered, a refusal there undoes the fulfilment), closing; late wishes on both sides of the
by-when; bad input in Chinese with nothing written; two claiming at once (PostgreSQL)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core.models import ObjectChange
from sqdj.core.services import Conflict, ScopeViolation
from sqdj.services import requests as request_services
from sqdj.services import wishes
from sqdj.services.choices import ClaimState, RequestState
from sqdj.services.models import Request, RequestStep, WishClaim
from sqdj.testing import PASSWORD
from sqdj.testing.concurrency import race

from .test_requests import RequestWorld

pytestmark = pytest.mark.django_db
S = RequestState
TODAY = datetime.date.today


class WishWorld(RequestWorld):
    """The requests' world, a service team of 甲社区, a wish in 甲社区's grid and one in 乙社区."""

    def __init__(self):
        super().__init__()
        team_model = apps.get_model("volunteers", "Team")
        self.team = team_model.objects.create(org=self.community1, community=self.community_area1, name="甲队",
                                              service_area="study", founded_on=datetime.date(2024, 1, 1))  # fmt: skip
        self.wish1 = self.wish(summary="一台收音机", area=self.grid1)
        self.wish2 = self.wish(summary="一副老花镜", area=self.community_area2, acting_user=None)

    def wish(self, *, acting_user="admin", **over):
        wanted = timezone.localdate() + datetime.timedelta(10)
        data = {"summary": "心愿", "beneficiary": "独居老人", "wanted_by": wanted, "area": self.community_area1}
        data.update(over)
        user = self.admin1 if acting_user == "admin" else acting_user
        return wishes.do_post_wish(acting_user=user, **data)


@pytest.fixture
def w():
    return WishWorld()


@pytest.fixture(autouse=True)
def private_dir(tmp_path, settings):
    """Photos go to a temporary directory (the private storage reads the setting at each use)."""
    settings.SQDJ_PRIVATE_DIR = tmp_path
    yield tmp_path


def photo(name="x.jpg", size=(8, 8), pad=0) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, "red").save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue() + b"\0" * pad, content_type="image/jpeg")


def _state(obj):
    row = type(obj).objects.filter(pk=obj.pk).values().first()
    return (row, WishClaim.objects.count(), RequestStep.objects.count(), ObjectChange.objects.count())


def _claimed(w, **who) -> WishClaim:
    wish = Request.objects.get(pk=w.wish1.pk)
    return wishes.do_claim_wish(wish, acting_user=w.admin1, version=wish.version, **(who or {"member": w.member}))


# ---- posting -------------------------------------------------------------------------------------------------------


def test_a_wish_is_posted_with_its_by_when_and_no_name(w):
    wish = w.wish1
    assert wish.kind == "wish" and wish.state == S.RECEIVED and wish.beneficiary == "独居老人"
    assert timezone.localtime(wish.due_at).date() == timezone.localdate() + datetime.timedelta(10)
    assert wish.org == w.community1 and wish.description == wish.summary  # no description: the summary says it
    before = Request.objects.count()
    with pytest.raises(ValidationError) as exc:
        wishes.do_post_wish(acting_user=w.admin1, summary="", beneficiary="", wanted_by=None, area=w.grid1)
    assert {"summary", "beneficiary", "wanted_by"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:  # a phone number in the label: refused
        wishes.do_post_wish(acting_user=w.admin1, summary="书", beneficiary="13812345678", area=w.grid1,
                            wanted_by=TODAY())  # fmt: skip
    assert "beneficiary" in exc.value.message_dict
    with pytest.raises(ScopeViolation):  # another community's area
        wishes.do_post_wish(acting_user=w.admin1, summary="书", beneficiary="老人", area=w.community_area2,
                            wanted_by=TODAY())  # fmt: skip
    assert Request.objects.count() == before


# ---- claiming ----------------------------------------------------------------------------------------------------


def test_staff_claim_for_a_member_a_team_or_a_unit(w):
    claim = _claimed(w)
    wish = Request.objects.get(pk=w.wish1.pk)
    assert claim.state == ClaimState.CLAIMED and claim.member == w.member and claim.claimed_by == w.admin1
    assert wish.state == S.IN_PROGRESS and wish.version == 2
    step = wish.steps.latest("pk")
    assert step.state == S.IN_PROGRESS and "王五" not in step.public_note and "党员" in step.public_note
    # withdrawn, then a team and a unit in turn
    wishes.do_withdraw_claim(claim, acting_user=w.admin1, version=wish.version, reason="时间冲突")
    wish.refresh_from_db()
    claim = wishes.do_claim_wish(wish, acting_user=w.admin1, version=wish.version, team=w.team)
    assert claim.team == w.team and "服务队" in wish.steps.latest("pk").public_note
    wish.refresh_from_db()
    wishes.do_withdraw_claim(claim, acting_user=w.admin1, version=wish.version, reason="改由单位")
    wish.refresh_from_db()
    claim = wishes.do_claim_wish(wish, acting_user=w.admin1, version=wish.version, unit=w.unit)
    assert claim.unit == w.unit and WishClaim.objects.filter(request=wish).count() == 3


def test_a_claim_is_refused_in_chinese_and_writes_nothing(w):
    wish = w.wish1
    before = _state(wish)
    for who, field in (({}, "__all__"), ({"member": w.member, "team": w.team}, "__all__"),
                       ({"member": w.other_member}, "member")):  # fmt: skip
        with pytest.raises(ValidationError) as exc:
            wishes.do_claim_wish(wish, acting_user=w.admin1, version=wish.version, **who)
        assert field in exc.value.message_dict
        assert any("\u4e00" <= ch <= "\u9fff" for m in exc.value.messages for ch in m)
    with pytest.raises(ValidationError):  # no version
        wishes.do_claim_wish(wish, acting_user=w.admin1, version="", member=w.member)
    with pytest.raises(Conflict):  # a stale version
        wishes.do_claim_wish(wish, acting_user=w.admin1, version=wish.version + 1, member=w.member)
    with pytest.raises(ScopeViolation):  # a viewer
        wishes.do_claim_wish(wish, acting_user=w.viewer1, version=wish.version, member=w.member)
    with pytest.raises(ScopeViolation):  # another community's wish
        wishes.do_claim_wish(w.wish2, acting_user=w.admin1, version=w.wish2.version, member=w.member)
    assert _state(wish) == before


def test_a_claimed_wish_cannot_be_claimed_again(w):
    _claimed(w)
    wish = Request.objects.get(pk=w.wish1.pk)
    with pytest.raises(ValidationError) as exc:
        wishes.do_claim_wish(wish, acting_user=w.admin1, version=wish.version, team=w.team)
    assert "认领" in str(exc.value.messages) or exc.value.messages
    assert WishClaim.objects.filter(request=wish).count() == 1


def test_a_member_claims_for_themself_only_in_their_community(w):
    wish = w.wish1
    assert wishes.visible(w.member_user).filter(pk=wish.pk).exists()  # open, in the member's community
    assert not wishes.visible(w.member_user).filter(pk=w.wish2.pk).exists()
    with pytest.raises(ScopeViolation):  # for someone else
        wishes.do_claim_wish(wish, acting_user=w.member_user, version=wish.version, member=w.other_member)
    with pytest.raises(ScopeViolation):  # another community's wish
        wishes.do_claim_wish(w.wish2, acting_user=w.member_user, version=w.wish2.version, member=w.member)
    claim = wishes.do_claim_wish(wish, acting_user=w.member_user, version=wish.version, member=w.member)
    assert claim.member == w.member and claim.claimed_by == w.member_user
    # claimed: still seen by its claimant, no longer offered to others
    assert wishes.visible(w.member_user).filter(pk=wish.pk).exists()
    assert wishes.allowed_actions(Request.objects.get(pk=wish.pk), w.member_user) == ["withdraw"]
    assert wishes.allowed_actions(Request.objects.get(pk=wish.pk), w.admin1) == ["fulfil", "withdraw"]


def test_a_units_liaison_claims_for_their_unit(w):
    wish = w.wish1
    with pytest.raises(ScopeViolation):
        wishes.do_claim_wish(wish, acting_user=w.liaison, version=wish.version, member=w.member)
    claim = wishes.do_claim_wish(wish, acting_user=w.liaison, version=wish.version, unit=w.unit)
    assert claim.unit == w.unit and wishes.is_claimant(claim, w.liaison)


# ---- withdrawing --------------------------------------------------------------------------------------------------


def test_withdraw_opens_the_wish_again(w):
    claim = _claimed(w)
    wish = Request.objects.get(pk=w.wish1.pk)
    before = _state(claim)
    with pytest.raises(ValidationError) as exc:  # a reason is needed
        wishes.do_withdraw_claim(claim, acting_user=w.member_user, version=wish.version, reason=" ")
    assert "reason" in exc.value.message_dict and _state(claim) == before
    with pytest.raises(ScopeViolation):  # not theirs
        wishes.do_withdraw_claim(claim, acting_user=w.liaison, version=wish.version, reason="不去了")
    claim = wishes.do_withdraw_claim(claim, acting_user=w.member_user, version=wish.version, reason="出差")
    wish.refresh_from_db()
    assert claim.state == ClaimState.WITHDRAWN and claim.withdrawn_at and wish.state == S.RECEIVED
    assert wish.steps.latest("pk").state == S.RECEIVED
    assert wish.pk in set(wishes.wishes().filter(wishes.open_q()).values_list("pk", flat=True))
    with pytest.raises(ValidationError):  # withdrawn once
        wishes.do_withdraw_claim(claim, acting_user=w.admin1, version=wish.version, reason="再次")


# ---- fulfilling -----------------------------------------------------------------------------------------------


def _hours_model():
    return apps.get_model("volunteers", "ServiceHours")


def test_a_members_fulfilment_counts_in_their_service_record(w, private_dir):
    claim = _claimed(w)
    wish = Request.objects.get(pk=w.wish1.pk)
    with pytest.raises(ScopeViolation):  # the staff record it: the member's record is a verified one
        wishes.do_fulfil_wish(claim, acting_user=w.member_user, version=wish.version, fulfilled_on=TODAY(),
                              fulfilment="送去收音机", hours=Decimal("1.5"))  # fmt: skip
    claim = wishes.do_fulfil_wish(claim, acting_user=w.admin1, version=wish.version, fulfilled_on=TODAY(),
                                  fulfilment="送去收音机", hours=Decimal("1.5"), photo=photo())  # fmt: skip
    wish.refresh_from_db()
    assert claim.state == ClaimState.FULFILLED and claim.photo.name.startswith("wishes/")
    assert (private_dir / claim.photo.name).exists()
    assert wish.state == S.RESOLVED and wish.resolved_at and wish.resolution == "送去收音机"
    record = _hours_model().objects.get(member=w.member)
    assert record.source == "wish" and record.hours == Decimal("1.5") and record.state == "verified"
    assert record.content == "微心愿：一台收音机" and record.community == w.community_area1
    assert record.place == w.grid1.name and record.org == w.community1
    # the staff close it
    wish = request_services.do_close(wish, acting_user=w.admin1, version=wish.version)
    assert wish.state == S.CLOSED and wishes.wishes().filter(wishes.closed_q(), pk=wish.pk).exists()


def test_a_refused_service_record_refuses_the_fulfilment(w):
    claim = _claimed(w)
    wish = Request.objects.get(pk=w.wish1.pk)
    before = _state(claim)
    with pytest.raises(ValidationError) as exc:  # 25 hours: more than a day
        wishes.do_fulfil_wish(claim, acting_user=w.admin1, version=wish.version, fulfilled_on=TODAY(),
                              fulfilment="送去", hours=25)  # fmt: skip
    assert "hours" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # a member's claim needs the hours
        wishes.do_fulfil_wish(claim, acting_user=w.admin1, version=wish.version, fulfilled_on=TODAY(),
                              fulfilment="送去")  # fmt: skip
    assert "hours" in exc.value.message_dict
    assert _state(claim) == before and not _hours_model().objects.filter(member=w.member).exists()
    assert Request.objects.get(pk=wish.pk).state == S.IN_PROGRESS


def test_a_teams_fulfilment_needs_no_hours_and_sends_no_record(w):
    claim = _claimed(w, team=w.team)
    wish = Request.objects.get(pk=w.wish1.pk)
    claim = wishes.do_fulfil_wish(claim, acting_user=w.admin1, version=wish.version, fulfilled_on=TODAY(),
                                  fulfilment="队员送去")  # fmt: skip
    assert claim.state == ClaimState.FULFILLED and not _hours_model().objects.exists()


def test_fulfilment_bad_input_in_chinese_and_nothing_written(w, private_dir):
    claim = _claimed(w)
    wish = Request.objects.get(pk=w.wish1.pk)
    before = _state(claim)
    cases = [
        ({"fulfilled_on": TODAY() + datetime.timedelta(1), "fulfilment": "x", "hours": 1}, "fulfilled_on"),
        ({"fulfilled_on": TODAY() - datetime.timedelta(1), "fulfilment": "x", "hours": 1}, "fulfilled_on"),
        ({"fulfilled_on": TODAY(), "fulfilment": "", "hours": 1}, "fulfilment"),
        ({"fulfilled_on": TODAY(), "fulfilment": "x" * 301, "hours": 1}, "fulfilment"),
        ({"fulfilled_on": TODAY(), "fulfilment": "x", "hours": "abc"}, "hours"),
        ({"fulfilled_on": TODAY(), "fulfilment": "x", "hours": 1,
          "photo": SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")}, "photo"),
    ]  # fmt: skip
    for data, field in cases:
        with pytest.raises(ValidationError) as exc:
            wishes.do_fulfil_wish(claim, acting_user=w.admin1, version=wish.version, **data)
        assert field in exc.value.message_dict, (data, exc.value)
        assert any("\u4e00" <= ch <= "\u9fff" for m in exc.value.message_dict[field] for ch in m), exc.value
    with pytest.raises(Conflict):
        wishes.do_fulfil_wish(claim, acting_user=w.admin1, version=wish.version - 1, fulfilled_on=TODAY(),
                              fulfilment="x", hours=1)  # fmt: skip
    assert _state(claim) == before and not list(private_dir.rglob("*.*"))


def test_the_photo_limit_on_both_sides(w, private_dir):
    """Just under the limit: kept; just over: refused (a small limit, so the test is quick); and a real 10 MB
    upload against the default limit."""
    small = photo()
    limit = small.size + 10
    claim = _claimed(w)
    wish = Request.objects.get(pk=w.wish1.pk)
    with override_settings(SQDJ_PHOTO_MAX_BYTES=limit):
        with pytest.raises(ValidationError) as exc:
            wishes.do_fulfil_wish(claim, acting_user=w.admin1, version=wish.version, fulfilled_on=TODAY(),
                                  fulfilment="x", hours=1, photo=photo(pad=11))  # fmt: skip
        assert "photo" in exc.value.message_dict and not list(private_dir.rglob("*.*"))
        claim = wishes.do_fulfil_wish(claim, acting_user=w.admin1, version=wish.version, fulfilled_on=TODAY(),
                                      fulfilment="x", hours=1, photo=photo(pad=10))  # fmt: skip
        assert claim.photo and claim.photo.size == limit
    other = w.wish(summary="二号心愿", area=w.grid1)
    claim = wishes.do_claim_wish(other, acting_user=w.admin1, version=other.version, team=w.team)
    other.refresh_from_db()
    big = photo(pad=10 * 2**20)
    with pytest.raises(ValidationError) as exc:
        wishes.do_fulfil_wish(claim, acting_user=w.admin1, version=other.version, fulfilled_on=TODAY(),
                              fulfilment="x", photo=big)  # fmt: skip
    assert "MB" in exc.value.message_dict["photo"][0]
    assert WishClaim.objects.get(pk=claim.pk).state == ClaimState.CLAIMED


# ---- late wishes --------------------------------------------------------------------------------------------------


def test_late_is_claimed_and_past_the_by_when(w):
    wish = w.wish1
    now = timezone.now()
    late = lambda at: wishes.wishes().filter(wishes.late_q(at), pk=wish.pk).exists()  # noqa: E731
    assert not late(wish.due_at + datetime.timedelta(seconds=1))  # open: not late, whatever the day
    _claimed(w)
    assert not late(wish.due_at - datetime.timedelta(seconds=1)) and not late(now)
    assert late(wish.due_at + datetime.timedelta(seconds=1))
    claim = wishes.active_claim(wish)
    wish.refresh_from_db()
    wishes.do_fulfil_wish(claim, acting_user=w.admin1, version=wish.version, fulfilled_on=TODAY(), fulfilment="x",
                          hours=1)  # fmt: skip
    assert not late(wish.due_at + datetime.timedelta(seconds=1))  # fulfilled: no longer late


def test_mine_is_my_claimed_wishes(w):
    assert not wishes.wishes().filter(wishes.mine_q(w.member_user)).exists()
    _claimed(w)
    assert set(wishes.wishes().filter(wishes.mine_q(w.member_user)).values_list("pk", flat=True)) == {w.wish1.pk}
    assert not wishes.wishes().filter(wishes.mine_q(w.liaison)).exists()


# ---- two at once ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking between two connections needs PostgreSQL")
def test_two_claiming_at_once_one_conflict(tmp_path):
    w = WishWorld()
    second = do_create_user("admin1b", password=PASSWORD, validate=False)
    do_grant_role(second, role="community_admin", org=w.community1, descendants=True)
    wish = w.wish1
    results = race(
        lambda: wishes.do_claim_wish(wish, acting_user=w.admin1, version=wish.version, team=w.team),
        lambda: wishes.do_claim_wish(wish, acting_user=second, version=wish.version, member=w.member),
    )
    assert sorted(type(x).__name__ for x in results) == ["Conflict", "WishClaim"], results
    assert WishClaim.objects.filter(request=wish).count() == 1
    assert Request.objects.get(pk=wish.pk).steps.filter(state=S.IN_PROGRESS).count() == 1


def test_the_request_steps_leave_a_wish_to_its_own_page(w):
    """A wish is claimed and fulfilled on its page: the request pages may close it, decline it while unclaimed and
    (un)publish it, nothing else — the services refuse the rest in words, nothing written."""
    wish = Request.objects.get(pk=w.wish1.pk)
    assert request_services.allowed_actions(wish, w.admin1) == ["decline", "publish"]
    for call in (
        lambda: request_services.do_transition(wish, S.ACCEPTED, acting_user=w.admin1, version=wish.version),
        lambda: request_services.do_assign(wish, acting_user=w.admin1, version=wish.version, branch=w.branch1),
        lambda: request_services.do_rate(wish, acting_user=w.admin1, version=wish.version, satisfaction="satisfied"),
    ):
        with pytest.raises(ValidationError) as refused:
            call()
        assert "微心愿" in str(refused.value)
    assert Request.objects.get(pk=wish.pk).version == wish.version
    declined = request_services.do_transition(wish, S.DECLINED, acting_user=w.admin1, version=wish.version,
                                              reason="已由其他渠道解决")  # fmt: skip
    assert declined.state == S.DECLINED
