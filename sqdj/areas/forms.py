from sqdj.core.forms import TreeNodeForm

from .models import Area


class AreaForm(TreeNodeForm):
    class Meta:
        model = Area
        fields = ["code", "name", "type", "parent"]
