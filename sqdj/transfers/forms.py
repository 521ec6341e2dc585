"""Forms of transfer cases. The receiving org is chosen with the tree picker (core.widgets.SearchSelect over the
org list's pick page, its "receiving" set) from every org of the deployment that can receive a membership: the
sender rarely sees the receiving side in scope, and org names and codes are not personal data. The form receives
the org's code, as before (a link may preset it: `?to_org=CODE`)."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.core.forms import widget_css
from sqdj.core.widgets import SearchSelect
from sqdj.orgs.choices import RECEIVING_TYPES
from sqdj.orgs.models import Org

from .choices import TransferReason
from .services import NOT_RECEIVING


def receiving_orgs():
    """Orgs that can receive a membership: no level of the administration (NOT_RECEIVING), no 党小组."""
    return Org.objects.filter(type__in=RECEIVING_TYPES).exclude(type__in=NOT_RECEIVING)


class TransferForm(forms.Form):
    to_org = forms.ModelChoiceField(
        queryset=Org.objects.none(),
        to_field_name="code",
        required=False,
        label=_("Receiving organization"),
        help_text=_(
            "Search by name, pinyin initials or code, or choose from the tree; or leave it empty and name an "
            "organization outside this system."
        ),
        error_messages={"invalid_choice": _("No organization with this code can receive a membership.")},
        widget=SearchSelect(reverse_lazy("orgs:org_pick"), {"set": "receiving"}, value_field="code"),
    )
    external_org_name = forms.CharField(label=_("organization outside this deployment"), max_length=200, required=False)
    external_org_contact = forms.CharField(
        label=_("its contact (office and telephone)"), max_length=200, required=False
    )
    reason = forms.ChoiceField(label=_("reason"), choices=[("", "---------"), *TransferReason.choices])
    note = forms.CharField(label=_("note"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = receiving_orgs()
        self.fields["to_org"].label_from_instance = lambda o: o.name_with_code
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", widget_css(f.widget))

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class ReasonForm(forms.Form):
    """The reason a return or a cancellation requires."""

    reason = forms.CharField(label=_("reason"), max_length=200, required=False)
