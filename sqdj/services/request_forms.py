"""The request part's forms: the staff's intake, the steps (accept … decline, rate), the assignment, the category
catalogue. Plain forms where a service validates (its Chinese messages, not the model's constraints)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.apps import apps
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.areas.models import Area
from sqdj.core.forms import ScopedModelForm, ServiceForm
from sqdj.core.widgets import SearchSelect, use_picker
from sqdj.members.models import Member
from sqdj.members.pick_views import member_picker
from sqdj.orgs.models import Org

from . import requests as services
from .choices import Satisfaction, Source, Urgency
from .models import Category, Station, Visit

# The staff read this to the resident (at the counter, on the phone, on a visit) before keeping a contact; its version
# is stored with the request (security.md R24: the consent record).
CONSENT_VERSION = "staff-2026-1"
CONSENT_TEXT = _(
    "The resident agrees that their name and phone number are kept to handle this request and to call them back "
    "about it, seen only by the staff who handle it, and not used for anything else."
)


def _version_field():
    # read only on the page (the generic action page shows every field): the version the user is acting on
    return forms.IntegerField(label=_("version"), help_text=_("the version you read"),
                              widget=forms.NumberInput(attrs={"readonly": True}))  # fmt: skip


class RequestForm(ServiceForm):
    """The staff's intake (a visit, the counter, the phone …): where the matter is, what, how urgent, and the
    resident's contact only with their consent."""

    category = forms.ModelChoiceField(Category.objects.none(), label=_("category"), required=False)
    summary = forms.CharField(label=_("summary"), max_length=200,
                              help_text=_("Shown on the public list when the request is public: no names or "
                                          "numbers."))  # fmt: skip
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    area = forms.ModelChoiceField(
        Area.objects.none(),
        label=_("area"),
        help_text=_("A community or a place in it (a grid, an estate, a building)."),
    )
    location = forms.CharField(label=_("location"), max_length=400, required=False)
    urgency = forms.ChoiceField(label=_("urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    source = forms.ChoiceField(label=_("source"), choices=Source.choices)
    station = forms.ModelChoiceField(Station.objects.none(), label=_("taken at station"), required=False)
    contact_name = forms.CharField(label=_("contact name"), max_length=40, required=False)
    contact_phone = forms.CharField(
        label=_("contact phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    consent = forms.BooleanField(label=_("The resident consents"), required=False, help_text=CONSENT_TEXT)
    public = forms.BooleanField(label=_("on the public list"), required=False)

    def __init__(self, *args, instance=None, user=None, **kwargs):
        super().__init__(*args, instance=instance, user=user, **kwargs)
        self._choice("category").queryset = Category.objects.restrict(user, "view").filter(active=True)
        self._choice("station").queryset = Station.objects.restrict(user, "view").filter(active=True)
        area = self._choice("area")
        area.queryset = Area.objects.restrict(user, "add")
        use_picker(area, SearchSelect(reverse_lazy("areas:area_pick"), {"scoped": "1"}))
        # opened from a visit in one step (the page's ?visit=<pk>, a visit the user may see): its area, source 走访
        wanted = str(self.initial.pop("visit", None) or "")
        self.visit = Visit.objects.restrict(user, "view").filter(pk=int(wanted)).first() if wanted.isdigit() else None
        if self.visit is not None:
            self.initial.update({"area": self.visit.area_id, "source": Source.VISIT})

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["consent_version"] = CONSENT_VERSION if data.get("consent") else ""
        if self.visit is not None:
            data["visit"] = self.visit
        return data


class StepForm(ServiceForm):
    """One step (accept, start, resolve, close, refer, decline): the fields the step takes, the version read."""

    outcome = forms.CharField(label=_("outcome"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    reason = forms.CharField(label=_("why it was referred or declined"), max_length=400, required=False)
    note = forms.CharField(label=_("internal note"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           help_text=_("Seen by the staff only."))  # fmt: skip
    public_note = forms.CharField(
        label=_("public note"),
        max_length=600,
        required=False,
        help_text=_("Shown on the public status page: no names, ID or phone numbers."),
    )
    version = _version_field()

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if action != "resolve":
            del self.fields["outcome"]
        if action not in ("refer", "decline"):
            del self.fields["reason"]


class PublicListForm(ServiceForm):
    """On or off the community's public list: only the version read (the page says what the public sees)."""

    version = _version_field()


class AssignForm(ServiceForm):
    """To one of: a branch under the responsible org, a member of it, a unit or a council project (by name)."""

    branch = forms.ModelChoiceField(Org.objects.none(), label=_("assigned branch"), required=False)
    member = forms.ModelChoiceField(Member.objects.none(), label=_("assigned party member"), required=False)
    unit = forms.CharField(label=_("assigned unit"), max_length=200, required=False, help_text=_("the unit's name"))
    project = forms.CharField(label=_("assigned co-building project"), max_length=200, required=False,
                              help_text=_("the project's name"))  # fmt: skip
    note = forms.CharField(label=_("internal note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    version = _version_field()

    def __init__(self, *args, instance=None, user=None, **kwargs):
        super().__init__(*args, instance=instance, user=user, **kwargs)
        branch = self._choice("branch")
        branch.queryset = services.assignable_orgs(instance, user).order_by("path")
        use_picker(branch, SearchSelect(reverse_lazy("orgs:org_pick"), {"action": "view"}))
        member = self._choice("member")
        member.queryset = services.assignable_members(instance, user).order_by("name", "pk")
        member_picker(member)

    def _named(self, field: str, model: str, name_field: str) -> Any:
        """The unit or project of that name the user may see (None when the field is empty)."""
        name = (self.cleaned_data.get(field) or "").strip()
        if not name:
            return None
        found = list(apps.get_model("units", model).objects.restrict(self.user, "view")
                     .filter(**{name_field: name})[:2])  # fmt: skip
        if len(found) != 1:
            self.add_error(field, _("No such one among those you may see.") if not found else
                           _("More than one has this name."))  # fmt: skip
            return None
        return found[0]

    def clean(self):
        data = cast(dict, super().clean())
        data["unit"] = self._named("unit", "Unit", "name")
        data["project"] = self._named("project", "Project", "title")
        return data


class RateForm(ServiceForm):
    satisfaction = forms.ChoiceField(label=_("satisfaction"), choices=Satisfaction.choices,
                                     help_text=_("The resident's answer, by phone or on a visit."))  # fmt: skip
    note = forms.CharField(label=_("internal note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    version = _version_field()


class CategoryForm(ScopedModelForm):
    """A category of the catalogue: an org's own (one the user may change); national ones are the superuser's (the
    service decides). The org stays once made."""

    class Meta:
        model = Category
        fields = ["org", "code", "name", "position", "active"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        org = cast(forms.ModelChoiceField, self.fields["org"])
        org.queryset = Org.objects.restrict(user, "change").order_by("path")
        use_picker(org, SearchSelect(reverse_lazy("orgs:org_pick"), {"action": "change"}))
        org.help_text = _("Leave empty for a national category (system administrators only).")
        if self.instance.pk:
            org.disabled = True
