"""The certificate part's forms: issuing (the member by name search, the issuing org, the period), revoking, and the
public verification (the number and the member's name)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.db.models import Exists, OuterRef
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates
from sqdj.core.forms import StyledForm
from sqdj.core.widgets import SearchSelect, use_picker
from sqdj.members.models import Member
from sqdj.members.pick_views import member_picker
from sqdj.orgs.models import Org

from .choices import HoursState
from .models import ServiceHours

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def members_with_verified_hours():
    """The members a certificate may be issued to: those with a verified record somewhere (the service counts the
    issuing community's); the picker reads them through the scope gate."""
    verified = ServiceHours.objects.filter(member=OuterRef("pk"), state=HoursState.VERIFIED)
    return Member.objects.filter(Exists(verified))


class CertificateIssueForm(StyledForm):
    member = forms.ModelChoiceField(queryset=Member.objects.none(), label=_("party member"))
    org = forms.ModelChoiceField(queryset=Org.objects.none(), label=_("issuing organization"))
    period_start = forms.DateField(label=_("from"), widget=DATE)
    period_end = forms.DateField(label=_("to"), widget=DATE)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        member = cast(forms.ModelChoiceField, self.fields["member"])
        org = cast(forms.ModelChoiceField, self.fields["org"])
        member.queryset = members_with_verified_hours().restrict(user, "view")
        # by name (no ID number): the shared picker narrowed to these members (certificate_views.MemberPick)
        member_picker(member, url="volunteers:certificate_member_pick")
        org.queryset = Org.objects.restrict(user, "change").filter(area__isnull=False).order_by("path")
        use_picker(org, SearchSelect(reverse_lazy("orgs:org_pick"), {"action": "change"}))
        if not self.is_bound:
            today = dates.today()
            self.initial.setdefault("period_start", today.replace(month=1, day=1))
            self.initial.setdefault("period_end", today)


class CertificateRevokeForm(StyledForm):
    reason = forms.CharField(label=_("why it was revoked"), max_length=200)


class CertificateVerifyForm(StyledForm):
    """No ID number, no phone: the number printed on the certificate and the name as printed."""

    number = forms.CharField(label=_("certificate number"), max_length=40)
    name = forms.CharField(label=_("the member's name"), max_length=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["name"].widget.attrs.update({"autocomplete": "off"})
