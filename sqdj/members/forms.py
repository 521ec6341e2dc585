from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core import dates, idnumber
from sqdj.core.forms import ScopedModelForm, widget_css
from sqdj.core.widgets import SearchSelect, preset_single_choice, use_picker

from .choices import ETHNIC_GROUPS, EXIT_KINDS, EventKind, Sex
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
            # the tree picker (issue 14) for the org the user may add members to, preset when there is one
            use_picker(self.fields["org"], SearchSelect(reverse_lazy("orgs:org_pick"), {"action": "add"}))
            preset_single_choice(self.fields["org"])
            # never ask twice: the birth date and the sex are read from the ID number (here as it is typed, and in
            # clean() when left empty)
            self.fields["new_id_number"].widget.attrs.update(
                {"data-sqdj-idnumber": "", "data-birth-target": "id_birth_date", "data-sex-target": "id_sex"}
            )
            for name in ("birth_date", "sex"):
                self.fields[name].required = False
                self.fields[name].help_text = _("Filled from the ID number when left empty.")
        if "home_area" in self.fields:
            use_picker(self.fields["home_area"], SearchSelect(reverse_lazy("areas:area_pick"), {"scoped": "1"}))
        self.order_fields(self.field_order)

    def clean(self):
        data = super().clean()
        number = idnumber.normalize(data.get("new_id_number"))
        if number and idnumber.error(number) is None:
            if not data.get("birth_date") and "birth_date" not in self.errors:
                data["birth_date"] = idnumber.birth_date(number)
            if not data.get("sex") and "sex" not in self.errors:
                data["sex"] = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE  # the 17th digit: odd for men
        for name in ("birth_date", "sex"):
            if name in self.fields and not data.get(name) and name not in self.errors:
                self.add_error(name, forms.ValidationError(forms.Field.default_error_messages["required"], "required"))
        return data

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


def home_community(area: Area | None) -> Area | None:
    """The community an area of residence lies in (the area itself when it is one; None above the communities)."""
    if area is None:
        return None
    if area.type == AreaType.COMMUNITY:
        return area
    prefixes = [area.path[:i] for i in range(Area.steplen, len(area.path), Area.steplen)]
    return Area.objects.filter(path__in=prefixes, type=AreaType.COMMUNITY).first()


class RegistrationForm(forms.ModelForm):
    """Community names are public administrative divisions, so any community may be chosen as the residence. Given
    the member, the form starts with the community of their home area (never ask twice)."""

    class Meta:
        model = Registration
        fields = ["community", "registered_on", "posts_of_interest", "skills"]
        widgets = {
            "registered_on": DATE,
            "community": SearchSelect(reverse_lazy("areas:area_pick"), {"type": AreaType.COMMUNITY}),
        }

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        if member is not None and not self.is_bound and "community" not in self.initial:
            community = home_community(member.home_area)
            if community is not None:
                self.initial["community"] = community.pk
        self.fields["community"].queryset = Area.objects.filter(type=AreaType.COMMUNITY)
        self.fields["community"].label_from_instance = lambda a: a.name_with_code
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", widget_css(f.widget))


# ---- standing changes (members.standing, issue 13): small forms on the member page --------------------------------


class _DecisionForm(forms.Form):
    """The decision's number and date (where one exists) and a note, common to every standing change."""

    decision_number = forms.CharField(label=_("decision number"), max_length=100, required=False)
    decision_date = forms.DateField(label=_("decision date"), required=False, widget=DATE)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", widget_css(f.widget))


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


def _styled(form: forms.Form) -> None:
    for f in form.fields.values():
        f.widget.attrs.setdefault("class", widget_css(f.widget))


class ConfirmRegistrationForm(forms.Form):
    """The unit side confirms a community registration (members.services.do_confirm_registration)."""

    on = forms.DateField(label=_("confirmed on"), widget=DATE)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"on": dates.today()})
        super().__init__(*args, **kwargs)
        _styled(self)

    def service_data(self) -> dict:
        return {"on": self.cleaned_data["on"]}
