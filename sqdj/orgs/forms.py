from django import forms

from sqdj.core.forms import TreeNodeForm

from .models import Org


class OrgForm(TreeNodeForm):
    class Meta:
        model = Org
        fields = ["code", "name", "type", "parent", "area", "founded_on", "term_started_on"]
        widgets = {
            "founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "term_started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
