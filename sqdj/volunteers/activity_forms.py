"""The activity part's forms: the activity (the service checks every rule), its cancellation, the attendance."""

from __future__ import annotations

from typing import cast

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core import dates
from sqdj.core.forms import ScopedModelForm
from sqdj.core.widgets import SearchSelect, use_picker
from sqdj.orgs.models import Org

from .forms import DATE
from .models import Activity, Post, Team

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ActivityForm(ScopedModelForm):
    """The organizing org (one the user may change), who organizes it, where and when, how many people. The
    community is the org's own for a community's org (the service sets it); a unit's org chooses one."""

    class Meta:
        model = Activity
        fields = ["org", "organizer", "team", "project", "post", "community", "service_area", "title", "description",
                  "place", "starts_at", "ends_at", "capacity", "takes_attendance"]  # fmt: skip
        widgets = {"starts_at": WHEN, "ends_at": WHEN, "description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "community": _("A community's own organization needs none: its community is taken."),
            "capacity": _("Empty: no limit."),
            "post": _("Optional: the post whose duties the activity serves."),
            "takes_attendance": _("Optional: the organizer may tick who came after the start. Never required."),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        org = cast(forms.ModelChoiceField, self.fields["org"])
        community = cast(forms.ModelChoiceField, self.fields["community"])
        org.queryset = Org.objects.restrict(user, "change").order_by("path")
        use_picker(org, SearchSelect(reverse_lazy("orgs:org_pick"), {"action": "change"}))
        community.queryset = Area.objects.filter(type=AreaType.COMMUNITY)
        community.required = False  # a community's org: its own (the service sets it)
        use_picker(community, SearchSelect(reverse_lazy("areas:area_pick"), {"type": AreaType.COMMUNITY}))
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = Team.objects.restrict(user, "view").filter(
            active=True
        )
        cast(forms.ModelChoiceField, self.fields["post"]).queryset = (
            Post.objects.restrict(user, "view").filter(closed_on__isnull=True).order_by("title")
        )
        self.fields["takes_attendance"].widget.attrs["class"] = "form-check-input"
        for name in ("starts_at", "ends_at"):
            cast(forms.DateTimeField, self.fields[name]).input_formats = [
                "%Y-%m-%dT%H:%M",
                "%Y-%m-%d %H:%M",
                "%Y-%m-%d %H:%M:%S",
            ]


class CancelForm(forms.Form):
    cancelled_on = forms.DateField(label=_("cancelled on"), widget=DATE)
    reason = forms.CharField(label=_("why it was cancelled"), max_length=200)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"cancelled_on": dates.today()})
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-control")


class AttendanceForm(forms.Form):
    """Who came: one box per open sign-up (names only; nothing is scored)."""

    attended = forms.MultipleChoiceField(label=_("Who came"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, signups=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.MultipleChoiceField, self.fields["attended"])
        field.choices = [(str(s.pk), s.member.name) for s in signups]
        if not self.is_bound:
            field.initial = [str(s.pk) for s in signups if s.attended]
