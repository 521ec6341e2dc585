from django.urls import reverse_lazy

from sqdj.core.forms import TreeNodeForm
from sqdj.core.widgets import SearchSelect, preset_single_choice, use_picker

from .models import Area


class AreaForm(TreeNodeForm):
    class Meta:
        model = Area
        fields = ["code", "name", "type", "parent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the tree picker (issue 14): the parent among the areas the user may add under
        use_picker(self.fields["parent"], SearchSelect(reverse_lazy("areas:area_pick"), {"action": "add"}))
        if not self.instance.pk:
            preset_single_choice(self.fields["parent"])
