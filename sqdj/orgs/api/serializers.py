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
            "depth",
            "numchild",
        ]
        read_only_fields = ["depth", "numchild"]
        # left out on create: the default of the type, parent and area (services.do_create_org)
        extra_kwargs = {"sector": {"required": False}}
