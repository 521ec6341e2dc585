from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.core.forms import ScopedModelForm
from sqdj.core.widgets import SearchSelect, use_picker
from sqdj.members.forms import DATE

from .models import Unit

__all__ = ["ContactLinkForm", "ContactEndForm", "UnitForm"]


class UnitForm(ScopedModelForm):
    """The contact phone is never put into the page: on edit it is shown masked, and a new value replaces it only
    when typed in (as a member's numbers)."""

    new_contact_phone = forms.CharField(label=_("contact phone"), max_length=20, required=False)

    class Meta:
        model = Unit
        fields = ["name", "credit_code", "category", "area", "employees", "party_members", "full_members", "org",
                  "contact_name", "industry", "size", "legal_rep_is_member", "principal_is_member", "has_trade_union",
                  "has_youth_league", "has_womens_federation", "premises", "building", "address", "status",
                  "registered_on", "ended_on"]  # fmt: skip
        widgets = {"registered_on": DATE, "ended_on": DATE}
        # the model's verbose names are shared msgids that read otherwise for a member (党员, 报到日期)
        labels = {
            "party_members": _("number of party members"),
            "registered_on": _("date of registration with the authority"),
        }

    service_field_map = {"contact_phone": "new_contact_phone"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        use_picker(self.fields["area"], SearchSelect(reverse_lazy("areas:area_pick"), {"scoped": "1"}))
        use_picker(self.fields["org"], SearchSelect(reverse_lazy("orgs:org_pick")))
        self.order_fields(["name", "credit_code", "category", "area", "employees", "party_members", "full_members",
                           "org", "contact_name", "new_contact_phone"])  # fmt: skip
        if self.instance.pk:
            masked = Unit._meta.get_field("contact_phone").mask(self.instance.contact_phone)
            self.fields["new_contact_phone"].help_text = _("Now %(masked)s. Leave empty to keep it.") % {
                "masked": masked or "—"
            }

    def service_data(self):
        data = {k: v for k, v in self.cleaned_data.items() if k != "new_contact_phone"}
        if self.cleaned_data.get("new_contact_phone"):
            data["contact_phone"] = self.cleaned_data["new_contact_phone"].strip()
        return data


class ContactLinkForm(forms.Form):
    """Make a user account the unit's liaison (role unit_contact)."""

    username = forms.CharField(label=_("user name"), max_length=150,
                               widget=forms.TextInput(attrs={"class": "form-control"}))  # fmt: skip
    started_on = forms.DateField(label=_("since"), required=False, widget=DATE)

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active user with this name."))
        self.cleaned_data["user"] = user
        return name


class ContactEndForm(forms.Form):
    ended_on = forms.DateField(label=_("ended on"), required=False, widget=DATE)
