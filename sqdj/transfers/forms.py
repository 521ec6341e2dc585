"""Forms of transfer cases. The receiving org is chosen by its code from every org of the deployment that can
hold a membership: the sender rarely sees the receiving side in scope, and org names and codes are not personal
data (a search helps find the code)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sqdj.orgs.models import Org

from .choices import TransferReason
from .services import NOT_RECEIVING


def receiving_orgs():
    return Org.objects.exclude(type__in=NOT_RECEIVING)


class TransferForm(forms.Form):
    to_org = forms.ModelChoiceField(
        queryset=Org.objects.none(),
        to_field_name="code",
        required=False,
        label=_("Receiving organization (code)"),
        help_text=_("Search by name or code below, or leave empty and name an organization outside this system."),
        error_messages={"invalid_choice": _("No organization with this code can receive a membership.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
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
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-select" if isinstance(f.widget, forms.Select) else "form-control")

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class ReasonForm(forms.Form):
    """The reason a return or a cancellation requires."""

    reason = forms.CharField(label=_("reason"), max_length=200, required=False)
