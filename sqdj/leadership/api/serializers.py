from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sqdj.areas.models import Area
from sqdj.core.serializers import (
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedSlugRelatedField,
    StrictCharField,
)
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from ..choices import VotersBasis
from ..models import Candidate, Election, Position, ResidentsCommittee, ResidentsSeat

# ---- leadership --------------------------------------------------------------------------------------------------


def _member_field(**kwargs):
    return ScopedPrimaryKeyRelatedField(model=Member, help_text=_("party member id"), **kwargs)


class PositionSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:position-detail")
    org = ScopedSlugRelatedField(model=Org, help_text=_("organization code"))
    member = _member_field()
    member_name = serializers.CharField(source="member.name", read_only=True)
    election = ScopedPrimaryKeyRelatedField(model=Election, required=False, allow_null=True)

    class Meta:
        model = Position
        fields = ["id", "url", "org", "member", "member_name", "role", "portfolio", "started_on", "ended_on",
                  "election"]  # fmt: skip


class CandidateSerializer(ScopedModelSerializer):
    member = _member_field()
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = Candidate
        fields = ["member", "member_name", "votes", "elected"]


class ElectionSerializer(ScopedModelSerializer):
    """An election with its candidates: written in one request; on an update a given list replaces the stored
    one, a missing list keeps it."""

    url = serializers.HyperlinkedIdentityField(view_name="api:election-detail")
    org = ScopedSlugRelatedField(model=Org, help_text=_("organization code"))
    candidates = CandidateSerializer(many=True, required=False)
    pending_approval = serializers.BooleanField(
        read_only=True, help_text=_("A secretary's or deputy secretary's election not yet approved by the superior.")
    )
    # counted by the service when the election is recorded (选举工作条例); a figure given is entered only for a
    # delegates' congress, otherwise checked against the count
    eligible_voters = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=2147483647,
        help_text=_(
            "Members entitled to vote. Counted from the roll (for a secretary's election: the committee) on the day "
            "of the election and stored; give it only for a delegates' congress (the delegates). A figure given "
            "otherwise may not exceed the count, and may be lower only by the excused members."
        ),
    )
    voters_basis = serializers.ChoiceField(
        choices=VotersBasis.choices, read_only=True, help_text=_("Where the members entitled to vote come from.")
    )
    entitled_voters = serializers.IntegerField(
        read_only=True,
        help_text=_("Those who should attend: the members entitled to vote less the excused (the quorum's base)."),
    )

    class Meta:
        model = Election
        fields = ["id", "url", "org", "kind", "office", "assembly", "held_on", "seats", "eligible_voters",
                  "voters_basis", "excused_voters", "excused_reason", "entitled_voters", "voters_present",
                  "approval", "approved_on", "pending_approval", "note", "candidates"]  # fmt: skip

    def to_internal_value(self, data):
        # the API's 400 body is {field: [message, …]}: a candidate's errors become messages naming the row
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict) and "candidates" in exc.detail:
                exc.detail["candidates"] = _flat_messages(exc.detail["candidates"])
            raise


def _flat_messages(detail, prefix: str = "") -> list[str]:
    """Nested DRF errors ({"0": {"member": ["…"]}} or [{…}, {}]) as plain messages ("第1行 member：…")."""
    if isinstance(detail, str):
        return [f"{prefix}{detail}"]
    if isinstance(detail, list):
        if all(isinstance(d, str) for d in detail):
            return [f"{prefix}{d}" for d in detail]
        detail = {str(i): d for i, d in enumerate(detail)}
    messages = []
    for key, value in detail.items():
        if str(key).isdigit():
            label = _("Candidate %(n)d: ") % {"n": int(key) + 1}
        elif key in ("non_field_errors", "detail"):
            label = ""
        else:
            field = CandidateSerializer().fields.get(key)
            label = f"{field.label if field is not None and field.label else key}："
        messages += _flat_messages(value, prefix + label)
    return messages


class ResidentsSeatSerializer(ScopedModelSerializer):
    """A seat holds a party member (by id; name, birth date and education then come from the member record) or a
    person given by name."""

    url = serializers.HyperlinkedIdentityField(view_name="api:residentsseat-detail")
    committee = ScopedPrimaryKeyRelatedField(model=ResidentsCommittee)
    member = _member_field(required=False, allow_null=True)
    holder_name = serializers.CharField(read_only=True)

    class Meta:
        model = ResidentsSeat
        fields = ["id", "url", "committee", "role", "member", "person_name", "birth_date", "education", "holder_name",
                  "started_on", "ended_on"]  # fmt: skip


class ResidentsCommitteeSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:residentscommittee-detail")
    area = ScopedSlugRelatedField(model=Area, help_text=_("community area code"))
    name = StrictCharField(max_length=100, required=False, allow_blank=True)

    class Meta:
        model = ResidentsCommittee
        fields = ["id", "url", "area", "name", "term_started_on"]
