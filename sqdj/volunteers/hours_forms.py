"""The forms of the service records. Plain forms, not model forms: the services validate (in Chinese, the day's 24
hours, the half-hour steps), not the model's constraints, whose messages name a constraint."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqdj.areas.models import Area
from sqdj.core import dates
from sqdj.core.forms import ServiceForm
from sqdj.core.widgets import SearchSelect, use_picker
from sqdj.members.choices import Standing
from sqdj.members.models import Member
from sqdj.members.pick_views import member_picker
from sqdj.orgs.models import Org

from .hours import member_communities, recorded_members
from .models import Activity, Post, Team

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HOURS = forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "max": "24", "inputmode": "decimal"})


def _version_field():
    # shown read only (the generic action page shows every field): the version the user is acting on
    return forms.IntegerField(label=_("version"), help_text=_("the version you read"),
                              widget=forms.NumberInput(attrs={"readonly": True}))  # fmt: skip


def _hours_field(**kwargs):
    # no decimal places or bounds here: the service says what is wrong, and how
    return forms.DecimalField(label=_("hours"), widget=HOURS, **kwargs)


class ServiceHoursForm(ServiceForm):
    """Add: the organizer records a member's hours (after an activity, or for a post duty or other service). Edit:
    the correction of a record — day, hours, content, place — with its reason (the page's version guards it)."""

    def __init__(self, *args, instance=None, user=None, **kwargs):
        if instance is not None and instance.pk:
            kwargs.setdefault("initial", {})
            kwargs["initial"] = {
                "served_on": instance.served_on, "hours": instance.hours, "content": instance.content,
                "place": instance.place, "version": instance.version, **kwargs["initial"],
            }  # fmt: skip
        super().__init__(*args, instance=instance, user=user, **kwargs)
        if instance is not None and instance.pk:
            for name in ("member", "activity", "post", "team", "org"):
                del self.fields[name]
            return
        del self.fields["correction_reason"], self.fields["version"]
        member = self._choice("member")
        member.queryset = (Member.objects.restrict(user, "view").filter(standing=Standing.ACTIVE)
                           .select_related("org").order_by("name", "pk"))  # fmt: skip
        member_picker(member)  # searched by name (the members app's picker), never a select of the whole roll
        self._choice("activity").queryset = Activity.objects.restrict(user, "change").order_by("-starts_at", "-pk")
        self._choice("post").queryset = Post.objects.restrict(user, "change").order_by("title", "pk")
        self._choice("team").queryset = Team.objects.restrict(user, "change").filter(active=True).order_by("name")
        org = self._choice("org")
        org.queryset = Org.objects.restrict(user, "change").order_by("path")
        use_picker(org, SearchSelect(reverse_lazy("orgs:org_pick"), {"action": "change"}))
        if not self.is_bound:
            self.initial.setdefault("served_on", dates.today())

    member = forms.ModelChoiceField(queryset=Member.objects.none(), label=_("party member"))
    activity = forms.ModelChoiceField(queryset=Activity.objects.none(), label=_("activity"), required=False,
                                      help_text=_("Its organization, community and day apply."))  # fmt: skip
    post = forms.ModelChoiceField(queryset=Post.objects.none(), label=_("volunteer post"), required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=_("service team"), required=False)
    org = forms.ModelChoiceField(queryset=Org.objects.none(), label=_("recording organization"), required=False,
                                 help_text=_("Needed without an activity."))  # fmt: skip
    served_on = forms.DateField(label=_("service day"), widget=DATE)
    hours = _hours_field()
    content = forms.CharField(label=_("service content"), max_length=200)
    place = forms.CharField(label=_("place"), max_length=200)
    correction_reason = forms.CharField(label=_("why it was corrected"), max_length=200)
    version = _version_field()


class DeclareForm(ServiceForm):
    """The member declares hours served (a phone form): where, when, how long, what."""

    community = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("community"))
    served_on = forms.DateField(label=_("service day"), widget=DATE)
    hours = _hours_field()
    content = forms.CharField(label=_("service content"), max_length=200)
    place = forms.CharField(label=_("place"), max_length=200)

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        communities = Area.objects.filter(pk__in=member_communities(member) if member else []).order_by("path")
        self._choice("community").queryset = communities
        if not self.is_bound:
            self.initial.setdefault("served_on", dates.today())
            if len(communities) == 1:
                self.initial.setdefault("community", communities[0].pk)


class DecisionForm(ServiceForm):
    """Verify (or reject, with a reason) the record as the page showed it (its version)."""

    version = _version_field()
    reason = forms.CharField(label=_("why it was rejected"), max_length=200, required=False)

    def __init__(self, *args, reject=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not reject:
            del self.fields["reason"]


class ActivityHoursForm(ServiceForm):
    """One form for the activity's roster: the day, content and place (prefilled from the activity) and a row of
    hours per member who signed up and has no record of it yet (a blank row: no record)."""

    served_on = forms.DateField(label=_("service day"), widget=DATE)
    content = forms.CharField(label=_("service content"), max_length=200)
    place = forms.CharField(label=_("place"), max_length=200)

    def __init__(self, *args, activity, signups, **kwargs):
        super().__init__(*args, **kwargs)
        done = recorded_members(activity)
        self.rows: list[tuple[Any, str | None]] = []  # (member, field name; None: recorded already)
        for signup in signups:
            member = signup.member
            if member.pk in done:
                self.rows.append((member, None))
                continue
            name = f"hours_{member.pk}"
            self.fields[name] = _hours_field(required=False)
            self.fields[name].widget.attrs["class"] = "form-control"
            self.rows.append((member, name))
        if not self.is_bound:
            self.initial.update({"served_on": timezone.localdate(activity.starts_at), "content": activity.title,
                                 "place": activity.place})  # fmt: skip

    def common_fields(self):
        return [self[name] for name in ("served_on", "content", "place")]

    def member_rows(self):
        return [(member, self[name] if name else None) for member, name in self.rows]

    def service_data(self) -> dict:
        data = self.cleaned_data
        hours = {m.pk: data.get(name) for m, name in self.rows if name is not None}
        return {"served_on": data["served_on"], "content": data["content"], "place": data["place"], "hours": hours}
