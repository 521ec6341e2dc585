from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core import idnumber
from sqdj.core.forms import ScopedModelForm
from sqdj.core.widgets import SearchSelect

from .choices import ETHNIC_GROUPS, EXIT_KINDS, EventKind
from .models import Member, Registration

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberForm(ScopedModelForm):
    """The ID and phone numbers are never put into the page: on edit they are shown masked, and a new value
    replaces them only when typed in."""

    ethnicity = forms.ChoiceField(label=_("ethnic group"), choices=[(e, e) for e in ETHNIC_GROUPS], initial="汉族")
    new_id_number = forms.CharField(label=_("citizen ID number"), max_length=18, required=False)
    new_phone = forms.CharField(label=_("phone number"), max_length=20, required=False)

    class Meta:
        model = Member
        fields = ["name", "sex", "ethnicity", "birth_date", "education", "member_type", "joined_on", "confirmed_on",
                  "probation_extended_months", "work_status", "org", "home_area", "work_unit"]  # fmt: skip
        widgets = {"birth_date": DATE, "joined_on": DATE, "confirmed_on": DATE}

    service_field_map = {"id_number": "new_id_number", "phone": "new_phone"}

    field_order = ["name", "sex", "ethnicity", "new_id_number", "birth_date", "education", "member_type", "joined_on",
                   "confirmed_on", "work_status", "org", "home_area", "new_phone", "work_unit"]  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["org"].queryset = self.fields["org"].queryset.model.objects.restrict(user, "add").order_by("path")
        if self.instance.pk:
            # a membership moves only through a transfer case: on edit the org is shown, not chosen
            org = self.fields["org"]
            org.disabled = True
            org.queryset = org.queryset.model.objects.filter(pk=self.instance.org_id)
            org.help_text = _("The organization changes only through a transfer (组织关系接转).")
            self.fields["new_id_number"].help_text = _("Now %(masked)s. Leave empty to keep it.") % {
                "masked": self.instance.id_number_masked
            }
            self.fields["new_phone"].help_text = _("Now %(masked)s. Leave empty to keep it.") % {
                "masked": self.instance.phone_masked or "—"
            }
        else:
            self.fields["new_id_number"].required = True
        self.order_fields(self.field_order)

    def clean_org(self):
        # a disabled field ignores what is posted; a posted different org is refused, not silently dropped
        posted = self.data.get(self.add_prefix("org"))
        if self.instance.pk and posted not in (None, "", str(self.instance.org_id)):
            raise forms.ValidationError(_("The organization changes only through a transfer (组织关系接转)."))
        return self.cleaned_data["org"]

    def service_data(self):
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("new_id_number", "new_phone")}
        if self.cleaned_data.get("new_id_number"):
            data["id_number"] = idnumber.normalize(self.cleaned_data["new_id_number"])
        if self.cleaned_data.get("new_phone"):
            data["phone"] = self.cleaned_data["new_phone"].strip()
        return data


class RegistrationForm(forms.ModelForm):
    """Community names are public administrative divisions, so any community may be chosen as the residence."""

    class Meta:
        model = Registration
        fields = ["community", "registered_on", "posts_of_interest", "skills"]
        widgets = {
            "registered_on": DATE,
            "community": SearchSelect(reverse_lazy("areas:area_pick"), {"type": AreaType.COMMUNITY}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["community"].queryset = Area.objects.filter(type=AreaType.COMMUNITY)
        self.fields["community"].label_from_instance = lambda a: a.name_with_code
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-select" if isinstance(f.widget, forms.Select) else "form-control")


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the full numbers?"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


# ---- standing changes (members.standing, issue 13): small forms on the member page --------------------------------


class _DecisionForm(forms.Form):
    """The decision's number and date (where one exists) and a note, common to every standing change."""

    decision_number = forms.CharField(label=_("decision number"), max_length=100, required=False)
    decision_date = forms.DateField(label=_("decision date"), required=False, widget=DATE)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-select" if isinstance(f.widget, forms.Select) else "form-control")


class SuspendForm(_DecisionForm):
    date = forms.DateField(label=_("suspended from"), widget=DATE)
    field_order = ["date", "decision_number", "decision_date", "note"]


class RestoreForm(_DecisionForm):
    date = forms.DateField(label=_("restored on"), widget=DATE)
    field_order = ["date", "decision_number", "decision_date", "note"]


class EndMembershipForm(_DecisionForm):
    kind = forms.ChoiceField(
        label=_("death or way out of the party"),
        choices=[(k, EventKind(k).label) for k in (EventKind.DIED, *EXIT_KINDS)],
    )
    date = forms.DateField(label=_("date"), widget=DATE)
    field_order = ["kind", "date", "decision_number", "decision_date", "note"]


class ProbationDisciplineForm(_DecisionForm):
    starts_on = forms.DateField(label=_("from"), widget=DATE)
    years = forms.TypedChoiceField(label=_("years of probation"), choices=[(1, "1"), (2, "2")], coerce=int)
    field_order = ["starts_on", "years", "decision_number", "decision_date", "note"]
