from rest_framework import serializers

from sqdj.areas.models import Area
from sqdj.core.serializers import ScopedSlugRelatedField, TreeNodeSerializer

from ..models import Org


class OrgSerializer(TreeNodeSerializer):
    area = ScopedSlugRelatedField(model=Area, required=False, allow_null=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:org-detail")

    class Meta:
        model = Org
        fields = [
            "id",
            "url",
            "code",
            "name",
            "type",
            "sector",
            "parent",
            "area",
            "founded_on",
            "term_started_on",
            "approves_members",
            "depth",
            "numchild",
        ]
        read_only_fields = ["depth", "numchild"]
        # left out on create: the default of the type, parent and area (services.do_create_org)
        # approves_members likewise: the authority of the type and place (orgs.choices.default_approves_members)
        extra_kwargs = {"sector": {"required": False}, "approves_members": {"required": False}}
