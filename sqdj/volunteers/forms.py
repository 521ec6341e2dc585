from django import forms
from django.urls import reverse_lazy

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core import dates
from sqdj.core.forms import ScopedModelForm
from sqdj.core.widgets import SearchSelect, use_picker
from sqdj.orgs.models import Org

from .models import UnitRegistration

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitRegistrationForm(ScopedModelForm):
    """单位报到: the unit's own party organization (one the user may change) and any community (public divisions).
    Once made, only what the unit offers changes."""

    class Meta:
        model = UnitRegistration
        fields = ["org", "community", "registered_on", "commitments"]
        widgets = {"registered_on": DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        org, community = self.fields["org"], self.fields["community"]
        org.queryset = Org.objects.restrict(user, "change").order_by("path")
        use_picker(org, SearchSelect(reverse_lazy("orgs:org_pick"), {"action": "change"}))
        community.queryset = Area.objects.filter(type=AreaType.COMMUNITY)
        use_picker(community, SearchSelect(reverse_lazy("areas:area_pick"), {"type": AreaType.COMMUNITY}))
        if self.instance.pk:  # where and since when stay: end it and register anew
            for name in ("org", "community", "registered_on"):
                self.fields[name].disabled = True
        elif not self.is_bound:
            self.initial.setdefault("registered_on", dates.today())
