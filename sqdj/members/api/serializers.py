from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sqdj.areas.models import Area
from sqdj.core.serializers import ScopedModelSerializer, ScopedSlugRelatedField, StrictCharField
from sqdj.orgs.models import Org

from ..choices import ETHNIC_GROUPS
from ..models import Member


class MemberSerializer(ScopedModelSerializer):
    """ID and phone numbers are written in full and read back masked only (reveal them with `reveal/`)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:member-detail")
    org = ScopedSlugRelatedField(model=Org, help_text=_("organization code"))
    home_area = ScopedSlugRelatedField(model=Area, required=False, allow_null=True, help_text=_("area code"))
    ethnicity = serializers.ChoiceField(choices=[(e, e) for e in ETHNIC_GROUPS])
    id_number = StrictCharField(write_only=True, max_length=18, help_text=_("citizen ID number (write only)"))
    phone = StrictCharField(write_only=True, required=False, allow_blank=True, max_length=20)
    id_number_masked = serializers.CharField(read_only=True)
    phone_masked = serializers.CharField(read_only=True)

    class Meta:
        model = Member
        fields = ["id", "url", "name", "sex", "ethnicity", "id_number", "id_number_masked", "birth_date", "education",
                  "member_type", "joined_on", "confirmed_on", "category", "org", "home_area", "phone", "phone_masked",
                  "work_unit", "standing"]  # fmt: skip
        read_only_fields = ["standing"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple) and self.partial is False:
            # on a full update the numbers may be left out: they keep their values
            self.fields["id_number"].required = False


class RevealRequestSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=200, help_text=_("Why do you need the full numbers?"))


class RevealResponseSerializer(serializers.Serializer):
    id_number = serializers.CharField()
    phone = serializers.CharField()
