"""Transfer cases in the API. A case is read with its due date, who must act next and what the caller may do;
it is written through small request bodies, one per step, each carrying the `version` the client saw."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sqdj.core.serializers import StrictCharField
from sqdj.orgs.models import Org

from .. import services
from ..choices import Side, TransferReason
from ..models import Transfer

ACTIONS = ("submit", "approve", "return", "accept", "complete", "cancel")
MAX_ID = 2**63 - 1


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only: DRF's own IntegerField also takes "3", 3.0 and true."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class OrgRefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


# "return" is a Python keyword, so the fields are given as a mapping
TransferActionsSerializer = type(
    "TransferActionsSerializer",
    (serializers.Serializer,),
    {name: serializers.BooleanField(read_only=True) for name in ACTIONS},
)


class TransferSerializer(serializers.ModelSerializer):
    """A case as the caller may see it. An incoming member's details (ID number, phone, …) are never shown: only
    the name on the letter."""

    url = serializers.HyperlinkedIdentityField(view_name="api:transfer-detail")
    member = serializers.IntegerField(
        source="member_id",
        read_only=True,
        allow_null=True,
        help_text=_("party member id (none until an incoming case is completed)"),
    )
    from_org = OrgRefSerializer(read_only=True, allow_null=True, help_text=_("null: outside this system"))
    to_org = OrgRefSerializer(read_only=True, allow_null=True, help_text=_("null: outside this system"))
    sending_approver = serializers.CharField(
        source="sending_approver.code", read_only=True, allow_null=True, help_text=_("organization code")
    )
    receiving_approver = serializers.CharField(
        source="receiving_approver.code", read_only=True, allow_null=True, help_text=_("organization code")
    )
    due_date = serializers.SerializerMethodField(help_text=_("when the current step should be done"))
    overdue = serializers.SerializerMethodField()
    waiting_on = serializers.SerializerMethodField(help_text=_("code of the organization that must act next"))
    actions = serializers.SerializerMethodField(help_text=_("the steps you may take now"))
    returned_by = serializers.ChoiceField(choices=Side.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Transfer
        fields = ["id", "url", "state", "version", "direction", "person_name", "member", "from_org", "to_org",
                  "external_org_name", "external_org_contact", "external_deployment", "sending_approver",
                  "receiving_approver", "reason", "note", "letter_number", "submitted_on", "approved_on",
                  "valid_until", "accepted_on", "completed_on", "state_changed_on", "due_date", "overdue",
                  "waiting_on", "actions", "returned_by", "return_reason", "cancel_reason"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_due_date(self, case):
        due = services.due_date(case)
        return due.isoformat() if due else None

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, case) -> bool:
        return services.is_overdue(case)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_waiting_on(self, case):
        org = services.waiting_on(case)
        return org.code if org else None

    @extend_schema_field(TransferActionsSerializer)
    def get_actions(self, case):
        return services.acting_side(case, self.context["request"].user)


class OrgCodeField(serializers.SlugRelatedField):
    """The receiving org by code, among all orgs of this deployment: a member usually moves out of the sender's
    scope. Whether the org can hold memberships is the service's rule."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Org.objects.all(), **kwargs)

    def run_validation(self, data=serializers.empty):
        if data == "":  # DRF reads "" as null for a relation; the schema says a code has at least one character
            self.fail("invalid")
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class ReceivingSideSerializer(serializers.Serializer):
    to_org = OrgCodeField(
        required=False, allow_null=True, help_text=_("receiving organization code (null: outside this system)")
    )
    external_org_name = StrictCharField(
        required=False, allow_blank=True, max_length=200, help_text=_("receiving organization outside this system")
    )
    external_org_contact = StrictCharField(
        required=False, allow_blank=True, max_length=200, help_text=_("its contact (office and telephone)")
    )
    note = StrictCharField(required=False, allow_blank=True, max_length=200)


def _version_field():
    return StrictIntegerField(
        min_value=1, max_value=MAX_ID, help_text=_("the case's version as you last saw it (a stale one: 409)")
    )


class TransferCreateSerializer(ReceivingSideSerializer):
    member = StrictIntegerField(min_value=1, max_value=MAX_ID, help_text=_("party member id"))
    reason = serializers.ChoiceField(choices=TransferReason.choices)
    submit = serializers.BooleanField(required=False, default=False, help_text=_("submit the case at once"))


class TransferUpdateSerializer(ReceivingSideSerializer):
    """Only a draft, returned or expired case can be changed, by its sending organization."""

    version = _version_field()
    reason = serializers.ChoiceField(choices=TransferReason.choices, required=False)

    # The body of a PATCH, yet never partial: `version` is always required. drf-spectacular marks every PATCH
    # body partial (nothing required); this keeps the schema true to what the server checks.
    @property
    def partial(self):
        return False

    @partial.setter
    def partial(self, value):
        pass


class VersionSerializer(serializers.Serializer):
    version = _version_field()


class ReasonSerializer(VersionSerializer):
    reason = StrictCharField(max_length=200, allow_blank=True)
