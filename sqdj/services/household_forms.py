"""The household part's forms: the record (add / edit), a pairing, support given, the yearly review, the closing.
Plain forms: the services validate (their Chinese messages)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.areas.models import Area
from sqdj.core import dates
from sqdj.core.forms import ServiceForm
from sqdj.core.widgets import SearchSelect, use_picker
from sqdj.members.models import Member
from sqdj.members.pick_views import member_picker
from sqdj.orgs.models import Org

from .choices import Hardship, HouseholdEnd, LegalBasis, ReviewOutcome, SupportKind
from .models import Visit
from .request_forms import AssignForm, _version_field

# read to the household before their data is kept on their consent; its version is stored (security.md R24)
CONSENT_VERSION = "HH-2026-1"  # no English word: it shows on the change history
CONSENT_TEXT = _(
    "The household agrees that its contact person, address and kinds of hardship are kept to help it, seen only by "
    "the community staff and the helpers paired with it, kept for the retention period after help ends and then "
    "anonymised."
)


def _date_field(label, required=True):
    return forms.DateField(label=label, required=required, initial=dates.today,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))  # fmt: skip


class HouseholdForm(ServiceForm):
    """The record: where, whom to contact, the kinds of hardship (ticked), what help is needed, the legal basis (the
    consent text beside its box). Editing: the contact is not shown in full — left empty, it stays as it is."""

    area = forms.ModelChoiceField(Area.objects.none(), label=_("area"),
                                  help_text=_("A community or a place in it, down to the building."))  # fmt: skip
    room = forms.CharField(label=_("room"), max_length=60, required=False, help_text=_("such as 3单元502"))
    contact_name = forms.CharField(label=_("contact name"), max_length=40, required=False)
    contact_phone = forms.CharField(
        label=_("contact phone"), max_length=40, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )  # fmt: skip
    size = forms.IntegerField(label=_("household size"), required=False, min_value=1, max_value=99)
    hardships = forms.MultipleChoiceField(label=_("kinds of hardship"), choices=Hardship.choices,
                                          widget=forms.CheckboxSelectMultiple)  # fmt: skip
    needs = forms.CharField(label=_("what help is needed"), max_length=600, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    basis = forms.ChoiceField(label=_("legal basis"), choices=LegalBasis.choices, widget=forms.RadioSelect,
                              initial=LegalBasis.CONSENT)  # fmt: skip
    consent = forms.BooleanField(label=_("The household consents"), required=False, help_text=CONSENT_TEXT)
    basis_note = forms.CharField(label=_("basis detail"), max_length=400, required=False,
                                 help_text=_("With a legal duty: name it (such as 社会救助暂行办法)."))  # fmt: skip
    opened_on = _date_field(_("help started on"))
    visit = forms.ModelChoiceField(Visit.objects.none(), label=_("opened from visit"), required=False,
                                   widget=forms.HiddenInput)  # fmt: skip
    version = forms.IntegerField(label=_("version"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, instance=None, user=None, **kwargs):
        super().__init__(*args, instance=instance, user=user, **kwargs)
        area = self._choice("area")
        area.queryset = Area.objects.restrict(user, "add")
        use_picker(area, SearchSelect(reverse_lazy("areas:area_pick"), {"scoped": "1"}))
        self._choice("visit").queryset = Visit.objects.restrict(user, "view")
        for name in ("hardships", "basis"):  # a list of boxes, not one control
            self.fields[name].widget.attrs["class"] = "form-check-input"
        if instance is not None and instance.pk:
            del self.fields["opened_on"], self.fields["visit"]
            for name in ("area", "room", "size", "hardships", "needs", "basis", "basis_note", "version"):
                self.initial.setdefault(name, getattr(instance, name if name != "area" else "area_id"))
            self.initial["consent"] = instance.consent_at is not None
            for name in ("contact_name", "contact_phone"):
                masked = getattr(instance, f"{name}_masked")
                self.fields[name].widget.attrs["placeholder"] = masked
                self.fields[name].help_text = _("Leave empty to keep the current one.")
        else:
            del self.fields["version"]
            self.fields["contact_name"].required = True

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["consent_version"] = CONSENT_VERSION if data.get("consent") else ""
        if self.instance is not None and self.instance.pk:  # an empty contact field keeps the stored value
            for name in ("contact_name", "contact_phone"):
                if not data.get(name):
                    data[name] = getattr(self.instance, name)
        return data


class PairForm(ServiceForm):
    """One helper: a party member, an organization (a branch) or a unit (by name, as a request's assignment)."""

    member = forms.ModelChoiceField(Member.objects.none(), label=_("party member"), required=False)
    org = forms.ModelChoiceField(Org.objects.none(), label=_("party organization"), required=False)
    unit = forms.CharField(label=_("unit"), max_length=200, required=False, help_text=_("the unit's name"))
    started_on = _date_field(_("paired on"))
    note = forms.CharField(label=_("note"), max_length=400, required=False)

    def __init__(self, *args, instance=None, user=None, **kwargs):
        super().__init__(*args, instance=instance, user=user, **kwargs)
        member = self._choice("member")
        member.queryset = Member.objects.restrict(user, "view")
        member_picker(member)
        org = self._choice("org")
        org.queryset = Org.objects.restrict(user, "view").order_by("path")
        use_picker(org, SearchSelect(reverse_lazy("orgs:org_pick"), {"action": "view"}))

    def clean(self):
        data = cast(dict, super().clean())
        data["unit"] = AssignForm._named(cast(AssignForm, self), "unit", "Unit", "name")  # the one lookup by name
        return data


class EndPairingForm(ServiceForm):
    ended_on = _date_field(_("pairing ended on"))


class SupportForm(PairForm):
    """Support given: when, the kind, what, the amount (money: required; goods: their worth, optional), by whom
    (none chosen: the responsible organization)."""

    given_on = _date_field(_("given on"))
    kind = forms.ChoiceField(label=_("kind of support"), choices=SupportKind.choices)
    what = forms.CharField(label=_("what was given"), max_length=400)
    amount = forms.DecimalField(
        label=_("amount (yuan)"), required=False, min_value=0, max_digits=10, decimal_places=2,
        help_text=_("Money: required. Goods: their worth, if known."),
    )  # fmt: skip

    field_order = ["given_on", "kind", "what", "amount", "member", "org", "unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["started_on"], self.fields["note"]
        self.fields["member"].help_text = _("Who gave it (none chosen: the responsible organization).")


class ReviewForm(ServiceForm):
    reviewed_on = _date_field(_("reviewed on"))
    year = forms.IntegerField(label=_("year"), required=False, min_value=2000, max_value=2100,
                              help_text=_("Empty: the year of the review day."))  # fmt: skip
    outcome = forms.ChoiceField(label=_("outcome"), choices=ReviewOutcome.choices, widget=forms.RadioSelect)
    end_reason = forms.ChoiceField(label=_("why help ended"), required=False,
                                   choices=[("", "—"), *HouseholdEnd.choices],
                                   help_text=_("When help ends."))  # fmt: skip
    note = forms.CharField(label=_("note"), max_length=600, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].widget.attrs["class"] = "form-check-input"


class CloseForm(ServiceForm):
    closed_on = _date_field(_("help ended on"))
    end_reason = forms.ChoiceField(label=_("why help ended"), choices=[("", "—"), *HouseholdEnd.choices])
    version = _version_field()
