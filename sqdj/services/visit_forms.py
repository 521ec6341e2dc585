"""The visit part's forms: a visit (where — the area picker, within the user's territory —, when, who visited — a
few member pickers, searched by name, never a select of the whole roll —, what was heard, the household visited)."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqdj.areas.models import Area
from sqdj.core.forms import ServiceForm
from sqdj.core.widgets import SearchSelect, use_picker
from sqdj.members.models import Member
from sqdj.members.pick_views import member_picker

from .models import Household
from .requests import placement

VISITOR_FIELDS = 3  # pickers shown on a new visit; an edit shows one more than the visit has


class VisitForm(ServiceForm):
    area = forms.ModelChoiceField(
        Area.objects.none(),
        label=_("area"),
        help_text=_("A community or a place in it (a grid, an estate, a building)."),
    )
    visited_on = forms.DateField(
        label=_("visited on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    household = forms.ModelChoiceField(Household.objects.none(), label=_("household in hardship"), required=False)
    other_visitors = forms.CharField(
        label=_("other visitors"), max_length=200, required=False, help_text=_("By role, such as 网格员 or 居委会.")
    )
    heard = forms.CharField(
        label=_("what was heard"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=8000,
        help_text=_("The matter, not who said it."),
    )

    def __init__(self, *args, instance=None, user=None, **kwargs):
        super().__init__(*args, instance=instance, user=user, **kwargs)
        area = self._choice("area")
        area.queryset = Area.objects.restrict(user, "add")
        use_picker(area, SearchSelect(reverse_lazy("areas:area_pick"), {"scoped": "1"}))
        households = Household.objects.restrict(user, "view").filter(anonymised_at__isnull=True)
        current = list(instance.visitors.all()) if instance is not None and instance.pk else []
        if instance is not None and instance.pk:
            community, _org = placement(instance.area)
            if community is not None:  # the households of the visit's community
                households = households.filter(area__path__startswith=community.path)
            if not self.is_bound:
                for name in ("area", "visited_on", "household", "other_visitors", "heard"):
                    self.initial[name] = getattr(instance, f"{name}_id", None) or getattr(instance, name)
        else:
            self.initial.setdefault("visited_on", timezone.localdate())
        self._choice("household").queryset = households.order_by("number")
        self.visitor_names = [f"visitor_{i}" for i in range(1, max(VISITOR_FIELDS, len(current) + 1) + 1)]
        members = Member.objects.restrict(user, "view")
        for i, name in enumerate(self.visitor_names):
            field = forms.ModelChoiceField(members, label=_("visiting member"), required=False)
            member_picker(field)
            field.widget.attrs.setdefault("class", "form-control")
            self.fields[name] = field
            if i < len(current) and not self.is_bound:
                self.initial[name] = current[i].pk
        # the visitors after the area and the day, before the texts
        order = ["area", "visited_on", "household", *self.visitor_names, "other_visitors", "heard"]
        self.order_fields(order)

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.visitor_names}
        chosen = [self.cleaned_data.get(name) for name in self.visitor_names]
        data["visitors"] = list({m.pk: m for m in chosen if m is not None}.values())
        return data
