"""Forms of the three lists. The org and area pickers are the tree pickers (never a select of a district's orgs);
the project form may be opened prefilled (`?org=&need=&resources=`: a suggested match's button)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.areas.models import Area
from sqdj.core.forms import ScopedModelForm
from sqdj.core.widgets import SearchSelect, preset_single_choice, use_picker
from sqdj.orgs.models import Org

from .choices import ENDED_STATUSES, NeedStatus
from .lists import NEED_TRANSITIONS, PROJECT_TRANSITIONS, window_error
from .models import Need, Project, Resource, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _org_field(field, user):
    """The orgs the user may add to, with the tree picker; the only one when there is one."""
    field.queryset = Org.objects.restrict(user, "add").order_by("path")
    use_picker(field, SearchSelect(reverse_lazy("orgs:org_pick"), {"action": "add"}))
    preset_single_choice(field)


def _status_field(form, table: dict, default: str):
    """Only the statuses the record may take from where it stands (the current one included)."""
    field = form.fields["status"]
    current = form.instance.status if form.instance.pk else default
    allowed = {current, *table.get(current, ())}
    field.choices = [(v, label) for v, label in field.choices if v in allowed]
    field.required = False


class ListForm(ScopedModelForm):
    # fields that a link may prefill (`?need=3&resources=5`)
    prefill_fields: tuple[str, ...] = ()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.limit_choices(user)

    def limit_choices(self, user):
        pass


class NeedForm(ListForm):
    prefill_fields = ("org",)

    class Meta:
        model = Need
        fields = ["org", "area", "category", "title", "description", "beneficiaries", "wanted_from", "wanted_until",
                  "people", "status"]  # fmt: skip
        widgets = {"wanted_from": DATE, "wanted_until": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def limit_choices(self, user):
        _org_field(self.fields["org"], user)
        area: Any = self.fields["area"]
        area.required = False
        area.help_text = _("Empty: the organization's own area.")
        area.queryset = Area.objects.restrict(user, "view").order_by("path")
        use_picker(area, SearchSelect(reverse_lazy("areas:area_pick"), {"scoped": "1"}))
        _status_field(self, NEED_TRANSITIONS, NeedStatus.OPEN)


class ResourceForm(ListForm):
    prefill_fields = ("unit",)

    class Meta:
        model = Resource
        fields = ["unit", "category", "title", "description", "capacity", "opening_hours", "amount", "people",
                  "available_from", "available_until", "active"]  # fmt: skip
        widgets = {
            "available_from": DATE,
            "available_until": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "active": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }
        help_texts = {"description": _("For professional skills: what the volunteers can do.")}

    def limit_choices(self, user):
        # units that may still offer something, among those the user may add resources to
        units = Unit.objects.restrict(user, "add").exclude(status__in=ENDED_STATUSES).order_by("name", "pk")
        if self.instance.pk:
            units = units | Unit.objects.filter(pk=self.instance.unit_id)
        field: Any = self.fields["unit"]
        field.queryset = units
        preset_single_choice(field)


class ProjectForm(ListForm):
    prefill_fields = ("org", "need", "resources")

    class Meta:
        model = Project
        fields = ["org", "need", "resources", "title", "status", "starts_on", "ends_on", "people_served", "outcome"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "outcome": forms.Textarea(attrs={"rows": 3})}

    def limit_choices(self, user):
        _org_field(self.fields["org"], user)
        needs = Need.objects.restrict(user, "view").exclude(status=NeedStatus.CLOSED)
        if self.instance.pk and self.instance.need_id:
            needs = needs | Need.objects.filter(pk=self.instance.need_id)
        need: Any = self.fields["need"]
        need.queryset = needs.select_related("org").order_by("-pk")
        resources = Resource.objects.restrict(user, "view").filter(active=True)
        if self.instance.pk:
            resources = resources | Resource.objects.filter(projects=self.instance)
        field: Any = self.fields["resources"]
        field.queryset = resources.select_related("unit").order_by("unit__name", "title").distinct()
        field.label_from_instance = lambda r: f"{r.title}（{r.unit.name}）"
        field.help_text = _("Resources of units within the community's territory.")
        _status_field(self, PROJECT_TRANSITIONS, "planned")

    def clean(self):
        # the service's rule, here too: otherwise the model's date constraint answers first, in its own words
        data = super().clean() or {}
        message = window_error(data.get("starts_on"), data.get("ends_on"))
        if message:
            self.add_error("ends_on", message)
        return data
