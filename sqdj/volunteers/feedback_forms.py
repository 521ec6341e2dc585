"""The feedback letters' forms: drafting a community's round, drafting one member's letter, editing and signing a
draft. The services check everything again (feedback.py)."""

from __future__ import annotations

import datetime

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates
from sqdj.core.forms import ScopedModelForm, widget_css
from sqdj.core.widgets import SearchSelect, use_picker
from sqdj.members.models import Registration
from sqdj.orgs.models import Org

from .choices import Evaluation, PeriodKind
from .models import Feedback

QUARTERS = [(1, _("Q1")), (2, _("Q2")), (3, _("Q3")), (4, _("Q4"))]


def last_quarter(today: datetime.date) -> tuple[int, int]:
    """(year, quarter) of the quarter before today's: the round usually drafted."""
    q = (today.month - 1) // 3 + 1
    return (today.year, q - 1) if q > 1 else (today.year - 1, 4)


def _style(form) -> None:
    for f in form.fields.values():
        f.widget.attrs.setdefault("class", widget_css(f.widget))


class PeriodFields(forms.Form):
    """The period of a letter: a quarter or a year."""

    period_kind = forms.ChoiceField(label=_("period"), choices=PeriodKind.choices, initial=PeriodKind.QUARTER)
    year = forms.IntegerField(label=_("year"), min_value=1900, max_value=9999)
    quarter = forms.TypedChoiceField(label=_("quarter"), choices=[("", "—"), *QUARTERS], coerce=int,
                                     required=False, empty_value=None,
                                     help_text=_("For a quarter's letters only."))  # fmt: skip

    def set_period_initial(self) -> None:
        if not self.is_bound:
            year, quarter = last_quarter(dates.today())
            self.initial.setdefault("year", year)
            self.initial.setdefault("quarter", quarter)


class FeedbackDraftForm(PeriodFields):
    """A community's round: the community org (one the user may change, standing in a community) and the period."""

    org = forms.ModelChoiceField(label=_("community party organization"), queryset=Org.objects.none())
    field_order = ["org", "period_kind", "year", "quarter"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        org = self.fields["org"]
        org.queryset = Org.objects.restrict(user, "change").order_by("path")  # type: ignore[attr-defined]
        use_picker(org, SearchSelect(reverse_lazy("orgs:org_pick"), {"action": "change"}))
        self.set_period_initial()
        _style(self)


def registration_label(r) -> str:
    """A registration as the picker and the form show it: the member's name, the community, the day."""
    return f"{r.member.name} → {r.community.name}（{r.registered_on:%Y-%m-%d}）"


class FeedbackAddForm(ScopedModelForm):
    """One member's letter: a registration the user sees and the period (the org: the community's own)."""

    year = PeriodFields.base_fields["year"]
    quarter = PeriodFields.base_fields["quarter"]

    class Meta:
        model = Feedback
        fields = ["registration", "period_kind"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        reg = self.fields["registration"]
        reg.queryset = (Registration.objects.restrict(user, "view").select_related("member", "community")  # type: ignore[attr-defined]
                        .order_by("community__name", "member__name", "-registered_on"))  # fmt: skip
        # searched by the member's name (feedback_views.RegistrationPick), never a select of every registration
        use_picker(reg, SearchSelect(reverse_lazy("volunteers:feedback_registration_pick"), tree=False),
                   label_from_instance=registration_label)  # fmt: skip
        if not self.is_bound:
            year, quarter = last_quarter(dates.today())
            self.initial.setdefault("year", year)
            self.initial.setdefault("quarter", quarter)
        _style(self)

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {"registration": d["registration"], "period_kind": d["period_kind"], "year": d["year"],
                "quarter": d.get("quarter")}  # fmt: skip


class FeedbackEditForm(forms.Form):
    """A draft's evaluation and note; the figures may be read again from the records."""

    evaluation = forms.ChoiceField(label=_("evaluation"), choices=[("", "—"), *Evaluation.choices], required=False)
    note = forms.CharField(label=_("the community's note"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    refresh = forms.BooleanField(label=_("Read the figures again from the records"), required=False)
    version = forms.IntegerField(label="", widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["refresh"].widget.attrs["class"] = "form-check-input"


class FeedbackSignForm(forms.Form):
    """Signing off: the version the user saw (two admins at once: the second is told)."""

    version = forms.IntegerField(label="", widget=forms.HiddenInput)
