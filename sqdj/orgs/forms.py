from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.core.forms import TreeNodeForm, widget_css
from sqdj.core.widgets import SearchSelect, preset_single_choice, use_picker

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
        # the tree picker (issue 14): the parent among the orgs the user may add under, the area among those seen
        use_picker(self.fields["parent"], SearchSelect(reverse_lazy("orgs:org_pick"), {"action": "add"}))
        use_picker(self.fields["area"], SearchSelect(reverse_lazy("areas:area_pick"), {"scoped": "1"}))
        if not self.instance.pk:
            preset_single_choice(self.fields["parent"])
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
            "guide": SearchSelect(reverse_lazy("orgs:org_pick")),  # the tree picker: name, pinyin, code, tree
            "started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guide"].queryset = Org.objects.restrict(user, "view") if user is not None else Org.objects.none()
        self.fields["guide"].label_from_instance = lambda o: f"{o.name}（{o.code}）"
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", widget_css(f.widget))


class EndGuidanceForm(forms.Form):
    ended_on = forms.DateField(
        label=_("link ended on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class OrgOnDayForm(forms.Form):
    """An org of the user's scope and a day: what the statistics and the coverage pages are asked for."""

    # the tree picker over the user's scope (core.widgets.SearchSelect); the form receives the org's code
    org = forms.CharField(
        label=_("Organization"),
        required=False,
        strip=False,
        widget=SearchSelect(reverse_lazy("orgs:org_pick"), value_field="code", model="orgs.Org"),
    )
    as_of = forms.DateField(
        required=False,
        error_messages={"invalid": _("Not a date: write it as YYYY-MM-DD, e.g. 2021-07-01.")},
    )
