from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sqdj.areas.models import Area
from sqdj.core.pii import age_shown, reveal_only_fields, revealable_pks
from sqdj.core.serializers import ScopedModelSerializer, ScopedSlugRelatedField, StrictCharField
from sqdj.orgs.models import Org

from ..choices import ETHNIC_GROUPS
from ..models import Member


class MemberListSerializer(serializers.ListSerializer):
    """A page of members: which of them the user may reveal is read once for the page (core.pii)."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        request = self.context.get("request")
        self.child.context["revealable"] = revealable_pks(getattr(request, "user", None), Member, items)
        return super().to_representation(items)


class MemberSerializer(ScopedModelSerializer):
    """ID and phone numbers are written in full and read back masked only (reveal them with `reveal/`). The birth
    date reads back only for a user who may reveal the member (else null); `age` is for everyone (core.pii: the
    disclosure policy)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:member-detail")
    org = ScopedSlugRelatedField(model=Org, help_text=_("organization code"))
    home_area = ScopedSlugRelatedField(model=Area, required=False, allow_null=True, help_text=_("area code"))
    ethnicity = serializers.ChoiceField(choices=[(e, e) for e in ETHNIC_GROUPS])
    id_number = StrictCharField(write_only=True, max_length=18, help_text=_("citizen ID number (write only)"))
    phone = StrictCharField(write_only=True, required=False, allow_blank=True, max_length=20)
    id_number_masked = serializers.CharField(read_only=True)
    phone_masked = serializers.CharField(read_only=True)
    birth_date = serializers.DateField(
        allow_null=True, help_text=_("date of birth (null for a user who may not reveal the member: see age)")
    )
    age = serializers.SerializerMethodField(help_text=_("age in whole years today"))

    class Meta:
        model = Member
        list_serializer_class = MemberListSerializer
        fields = ["id", "url", "name", "sex", "ethnicity", "id_number", "id_number_masked", "birth_date", "age",
                  "education", "member_type", "joined_on", "confirmed_on", "work_status", "category", "org",
                  "home_area", "phone", "phone_masked", "work_unit", "standing"]  # fmt: skip
        read_only_fields = ["standing", "category"]  # the category is derived (services.derive_category)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple) and self.partial is False:
            # on a full update the numbers may be left out: they keep their values
            self.fields["id_number"].required = False

    def validate_birth_date(self, value):
        if value is None:
            raise serializers.ValidationError(_("This field is required."))
        return value

    @extend_schema_field(serializers.IntegerField())
    def get_age(self, obj) -> int:
        return age_shown(obj.birth_date)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        revealable = self.context.get("revealable")
        if revealable is None:
            request = self.context.get("request")
            revealable = revealable_pks(getattr(request, "user", None), Member, [instance])
        if instance.pk not in revealable:
            for field in reveal_only_fields(Member):
                if field in data:
                    data[field] = None
        return data


class RevealRequestSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=200, help_text=_("Why do you need the full numbers?"))


class RevealResponseSerializer(serializers.Serializer):
    id_number = serializers.CharField()
    phone = serializers.CharField()
