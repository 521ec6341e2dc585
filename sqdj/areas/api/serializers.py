from rest_framework import serializers

from sqdj.core.serializers import TreeNodeSerializer

from ..models import Area


class AreaSerializer(TreeNodeSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:area-detail")

    class Meta:
        model = Area
        fields = ["id", "url", "code", "name", "type", "parent", "depth", "numchild"]
        read_only_fields = ["depth", "numchild"]
