"""The forms of the posts part: the catalogue, posts, teams, and the decisions on claims."""

from __future__ import annotations

from typing import cast

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core import dates
from sqdj.core.forms import ScopedModelForm
from sqdj.core.services import Errors
from sqdj.core.widgets import SearchSelect, use_picker
from sqdj.members.models import Member
from sqdj.members.pick_views import member_picker
from sqdj.orgs.models import Org

from .forms import DATE
from .models import Post, PostKind, Team
from .posts import kinds_for, post_errors


def _org_picker(form) -> None:
    """The org among those the user may change (it publishes, or holds the team)."""
    org = form.fields["org"]
    org.queryset = Org.objects.restrict(form.user, "change").order_by("path")
    use_picker(org, SearchSelect(reverse_lazy("orgs:org_pick"), {"action": "change"}))


class PostKindForm(ScopedModelForm):
    """A kind of the catalogue: an org's own (one the user may change); national kinds are the superuser's (the
    service decides). The org stays once made."""

    class Meta:
        model = PostKind
        fields = ["org", "code", "name", "duties", "position", "active"]
        labels = {"name": _("kind name")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        _org_picker(self)
        self.fields["org"].help_text = _("Leave empty for a national kind (system administrators only).")
        if self.instance.pk:
            self.fields["org"].disabled = True


class PostForm(ScopedModelForm):
    class Meta:
        model = Post
        fields = ["org", "kind", "service_area", "title", "duties", "place", "places", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "duties": forms.Textarea(attrs={"rows": 3})}
        labels = {"title": _("volunteer post")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        _org_picker(self)
        self.fields["org"].required = True
        kinds = PostKind.objects.filter(active=True).restrict(user, "view")
        if self.instance.pk:  # the org (and its community) stays; the kinds are those of its org line
            self.fields["org"].disabled = True
            kinds = PostKind.objects.filter(kinds_for(self.instance.org)) | PostKind.objects.filter(
                pk=self.instance.kind_id
            )
        elif not self.is_bound:
            self.initial.setdefault("starts_on", dates.today())
        cast(forms.ModelChoiceField, self.fields["kind"]).queryset = kinds.order_by("position", "code")

    def clean(self):
        """The service's field rules on the fields (else the model's check constraints would speak first)."""
        data = super().clean() or {}
        found = Errors()
        org = self.instance.org if self.instance.pk else data.get("org")
        post_errors(found, org=org, kind=data.get("kind"), places=data.get("places"),
                    starts_on=data.get("starts_on"), ends_on=data.get("ends_on"))  # fmt: skip
        for field, errors in found.errors.items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, errors)
        return data


class ClosePostForm(forms.Form):
    closed_on = forms.DateField(label=_("closed to claims on"), widget=DATE,
                                help_text=_("No more claims from this day."))  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"closed_on": dates.today()})
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].widget.attrs["class"] = "form-control"


class EndTeamForm(forms.Form):
    ended_on = forms.DateField(label=_("ended on"), widget=DATE)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"ended_on": dates.today()})
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].widget.attrs["class"] = "form-control"


class TeamForm(ScopedModelForm):
    """A community org's team serves its community; a unit org's team the community chosen (the service checks)."""

    class Meta:
        model = Team
        fields = ["org", "community", "name", "service_area", "purpose", "leader", "founded_on"]
        widgets = {"founded_on": DATE}
        labels = {"name": _("team name")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        _org_picker(self)
        community = cast(forms.ModelChoiceField, self.fields["community"])
        community.queryset = Area.objects.filter(type=AreaType.COMMUNITY)
        community.required = False
        community.help_text = _("Only for a unit's organization: a community's own team serves its community.")
        use_picker(community, SearchSelect(reverse_lazy("areas:area_pick"), {"type": AreaType.COMMUNITY}))
        member_picker(self.fields["leader"])
        if self.instance.pk:
            for name in ("org", "community"):
                self.fields[name].disabled = True
        elif not self.is_bound:
            self.initial.setdefault("founded_on", dates.today())


class DecisionForm(forms.Form):
    """Approving or declining a claim or a team request: a short note (the member sees it)."""

    note = forms.CharField(label=_("note on the decision"), max_length=200, required=False,
                           widget=forms.TextInput(attrs={"class": "form-control"}))  # fmt: skip

    def field_for(self, service_field: str) -> str | None:
        return "note" if service_field == "decision_note" else None


class OnBehalfForm(forms.Form):
    """An admin claims a post (or asks to join a team) for a member they may change."""

    member: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=_("party member"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["member"])
        field.queryset = Member.objects.restrict(user, "change").select_related("org")
        member_picker(field, {"action": "change"})
