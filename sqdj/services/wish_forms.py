"""The wish part's forms: posting a wish, claiming it (the staff: for a member, a team or a unit; a member: for
themself), withdrawing the claim, recording the fulfilment with its photo. Plain forms: the services validate (their
Chinese messages)."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.areas.models import Area
from sqdj.areas.services import community_at
from sqdj.core.forms import ServiceForm
from sqdj.core.widgets import SearchSelect, use_picker
from sqdj.members.models import Member
from sqdj.members.pick_views import member_picker

from . import wishes
from .choices import Source
from .request_forms import _version_field


class DateInput(forms.DateInput):
    input_type = "date"


class WishForm(ServiceForm):
    """A wish as the community posts it: what, for whom (a label, never a name), by when, where."""

    summary = forms.CharField(label=_("the wish"), max_length=200,
                              help_text=_("What is wished for, such as 一台收音机."))  # fmt: skip
    beneficiary = forms.CharField(
        label=_("for whom"), max_length=100, help_text=_("An anonymous label, such as 独居老人: no names or numbers.")
    )
    wanted_by = forms.DateField(label=_("wanted by"), widget=DateInput())
    area = forms.ModelChoiceField(
        Area.objects.none(),
        label=_("area"),
        help_text=_("A community or a place in it (a grid, an estate, a building)."),
    )
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                                  required=False)  # fmt: skip
    source = forms.ChoiceField(label=_("source"), choices=Source.choices, initial=Source.VISIT)

    def __init__(self, *args, instance=None, user=None, **kwargs):
        super().__init__(*args, instance=instance, user=user, **kwargs)
        area = self._choice("area")
        area.queryset = Area.objects.restrict(user, "add")
        use_picker(area, SearchSelect(reverse_lazy("areas:area_pick"), {"scoped": "1"}))


class ClaimForm(ServiceForm):
    """The staff claim for one of: a party member, a service team of the wish's community, a unit."""

    member = forms.ModelChoiceField(Member.objects.none(), label=_("party member"), required=False)
    team = forms.ModelChoiceField(apps.get_model("volunteers", "Team").objects.none(), label=_("service team"),
                                  required=False)  # fmt: skip
    unit = forms.ModelChoiceField(apps.get_model("units", "Unit").objects.none(), label=_("unit"), required=False)
    version = _version_field()

    def __init__(self, *args, instance=None, user=None, **kwargs):
        super().__init__(*args, instance=instance, user=user, **kwargs)
        member = self._choice("member")
        member.queryset = Member.objects.restrict(user, "view").order_by("name", "pk")
        member_picker(member)
        self._choice("team").queryset = wishes.claimable_teams(instance, user).order_by("name", "pk")
        community = community_at(instance.area)
        units = apps.get_model("units", "Unit").objects.restrict(user, "view")
        # a plain select: the units of the wish's community are few (the field accepts only these)
        self._choice("unit").queryset = (
            units.filter(area__path__startswith=community.path).order_by("name", "pk")
            if community is not None
            else units.none()
        )


class SelfClaimForm(ServiceForm):
    """我来认领: a member claims for themself (a unit's liaison for their unit); only the version read."""

    version = _version_field()


class WithdrawForm(ServiceForm):
    reason = forms.CharField(label=_("why the claim is withdrawn"), max_length=400)
    version = _version_field()


class FulfilForm(ServiceForm):
    """When, what was done, the hours (a member's claim: they count in the member's service record), a photo."""

    fulfilled_on = forms.DateField(label=_("fulfilled on"), widget=DateInput())
    fulfilment = forms.CharField(
        label=_("how it was fulfilled"), widget=forms.Textarea(attrs={"rows": 3}), max_length=600
    )
    hours = forms.DecimalField(label=_("hours"), required=False, max_digits=4, decimal_places=1,
                               help_text=_("A party member's claim: the hours of service, counted in their service "
                                           "record."))  # fmt: skip
    photo = forms.FileField(
        label=_("photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
        help_text=_("Optional; kept privately, shown only to those who may see the wish."),
    )
    version = _version_field()

    def __init__(self, *args, instance=None, user=None, **kwargs):
        super().__init__(*args, instance=instance, user=user, **kwargs)
        if instance is not None and instance.member_id is None:
            del self.fields["hours"]  # a team's or a unit's claim: no member's service record to count in
