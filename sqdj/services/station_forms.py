"""The station part's forms: the station (the service checks every rule)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.urls import reverse_lazy

from sqdj.core.forms import ScopedModelForm
from sqdj.core.widgets import SearchSelect, use_picker
from sqdj.orgs.models import Org

from .models import Station


class StationForm(ScopedModelForm):
    """The running org (one the user may change), where (the area picker, within the user's territory), what it
    offers and the station's own phone."""

    class Meta:
        model = Station
        fields = ["org", "area", "name", "address", "hours", "services", "phone", "public"]
        widgets = {"services": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        org = cast(forms.ModelChoiceField, self.fields["org"])
        org.queryset = Org.objects.restrict(user, "change").order_by("path")
        use_picker(org, SearchSelect(reverse_lazy("orgs:org_pick"), {"action": "change"}))
        use_picker(self.fields["area"], SearchSelect(reverse_lazy("areas:area_pick"), {"scoped": "1"}))
        self.fields["public"].widget.attrs["class"] = "form-check-input"
