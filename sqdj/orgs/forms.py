from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.core.forms import TreeNodeForm
from sqdj.core.widgets import SearchSelect

from .models import GuidanceLink, Org


class OrgForm(TreeNodeForm):
    class Meta:
        model = Org
        fields = [
            "code", "name", "type", "sector", "parent", "area", "founded_on", "term_started_on", "approves_members",
        ]  # fmt: skip
        widgets = {
            "founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "term_started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # left empty, a new org gets the default of its type, parent and area (orgs.choices.default_sector)
            sector = self.fields["sector"]
            sector.required = False
            sector.help_text = _("Leave empty to take the usual sector of the type (e.g. a community's branches).")
            # a new org gets the authority of its type and place (orgs.choices.default_approves_members); it can be
            # changed on the org's edit page afterwards
            del self.fields["approves_members"]


class GuidanceLinkForm(forms.ModelForm):
    """The guide is searched for among the orgs the user sees (the org list's pick page goes through the gate)."""

    class Meta:
        model = GuidanceLink
        fields = ["guide", "kind", "started_on", "note"]
        widgets = {
            "guide": SearchSelect(reverse_lazy("orgs:org_pick")),
            "started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guide"].queryset = Org.objects.restrict(user, "view") if user is not None else Org.objects.none()
        self.fields["guide"].label_from_instance = lambda o: f"{o.name}（{o.code}）"
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-select" if isinstance(f.widget, forms.Select) else "form-control")


class EndGuidanceForm(forms.Form):
    ended_on = forms.DateField(
        label=_("link ended on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
