"""Forms of the mobile members' pages. Phone and ID numbers are never put into a page: on edit they show masked,
and a new value replaces them only when typed in."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates, idnumber
from sqdj.core.forms import ScopedModelForm, StyledForm
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from .choices import MobileEnd
from .models import Inflow, Outflow

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class OutflowForm(ScopedModelForm):
    member = forms.ModelChoiceField(queryset=None, label=_("party member"))
    new_contact = forms.CharField(label=_("contact telephone"), max_length=20, required=False)
    last_contact_on = forms.DateField(
        label=_("last contact on"), required=False, widget=DATE, help_text=_("Leave empty for today.")
    )

    class Meta:
        model = Outflow
        fields = ["left_on", "destination", "destination_org", "mobile_card_number"]
        widgets = {"left_on": DATE}

    service_field_map = {"contact": "new_contact", "on": "last_contact_on"}
    field_order = ["member", "left_on", "destination", "destination_org", "new_contact", "last_contact_on",
                   "mobile_card_number"]  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)

        if self.instance.pk:
            del self.fields["member"], self.fields["last_contact_on"]
            self.fields["new_contact"].help_text = _("Now %(masked)s. Leave empty to keep it.") % {
                "masked": self.instance.contact_masked or "—"
            }
        else:
            away = Outflow.objects.filter(ended_on__isnull=True).values("member_id")
            members = Member.objects.restrict(user, "change").filter(standing="active").exclude(pk__in=away)
            self.fields["member"].queryset = members.select_related("org").order_by("org__path", "name")
            self.fields["member"].label_from_instance = lambda m: f"{m.name}（{m.org.name}）"
            self.fields["member"].widget.attrs["class"] = "form-select"
        self.order_fields(self.field_order)

    def service_data(self):
        data = {k: v for k, v in self.cleaned_data.items() if k != "new_contact"}
        if self.cleaned_data.get("new_contact"):
            data["contact"] = self.cleaned_data["new_contact"].strip()
        elif not self.instance.pk:
            data["contact"] = ""
        return data


class InflowForm(ScopedModelForm):
    new_id_number = forms.CharField(label=_("citizen ID number"), max_length=18, required=False)
    new_phone = forms.CharField(label=_("phone number"), max_length=20, required=False)
    last_contact_on = forms.DateField(
        label=_("last contact on"), required=False, widget=DATE, help_text=_("Leave empty for today.")
    )

    class Meta:
        model = Inflow
        fields = ["name", "home_org_name", "home_org_contact", "arrived_on", "mobile_card_number", "host_org"]
        widgets = {"arrived_on": DATE}

    service_field_map = {"id_number": "new_id_number", "phone": "new_phone"}
    field_order = ["name", "new_id_number", "new_phone", "home_org_name", "home_org_contact", "arrived_on",
                   "last_contact_on", "mobile_card_number", "host_org"]  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)

        self.fields["host_org"].queryset = Org.objects.restrict(user, "add").exclude(type="group").order_by("path")
        if self.instance.pk:
            del self.fields["last_contact_on"]
            self.fields["new_id_number"].help_text = _("Now %(masked)s. Leave empty to keep it.") % {
                "masked": self.instance.id_number_masked
            }
            self.fields["new_phone"].help_text = _("Now %(masked)s. Leave empty to keep it.") % {
                "masked": self.instance.phone_masked or "—"
            }
        else:
            self.fields["new_id_number"].required = True
        self.order_fields(self.field_order)

    def service_data(self):
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("new_id_number", "new_phone")}
        if self.cleaned_data.get("new_id_number"):
            data["id_number"] = idnumber.normalize(self.cleaned_data["new_id_number"])
        if self.cleaned_data.get("new_phone"):
            data["phone"] = self.cleaned_data["new_phone"].strip()
        return data


# ---- actions on a record (POST forms of the detail pages) -------------------------------------------------------


class ContactForm(StyledForm):
    on = forms.DateField(label=_("contact on"), widget=DATE, initial=dates.today)


class LostContactForm(StyledForm):
    since = forms.DateField(label=_("lost contact since"), widget=DATE, initial=dates.today)


class EndForm(StyledForm):
    ended_on = forms.DateField(label=_("end date"), widget=DATE, initial=dates.today)
    reason = forms.ChoiceField(label=_("how it ended"), choices=MobileEnd.choices)


class VerifyForm(StyledForm):
    verified_on = forms.DateField(label=_("identity verified on"), widget=DATE, initial=dates.today)
    note = forms.CharField(
        label=_("how the identity was verified"),
        max_length=200,
        help_text=_("E.g. checked the ID card and the 流动党员活动证; the home organization confirmed by telephone."),
    )


class BranchForm(StyledForm):
    branch = forms.ModelChoiceField(queryset=None, label=_("branch for activities"))

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["branch"].queryset = choices if choices is not None else Org.objects.none()
