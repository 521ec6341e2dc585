"""Forms of joint councils and co-building agreements (issue 15 items 5 and 6): they only read input; the rules are
the services' (units.councils)."""

from __future__ import annotations

from django import forms
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates
from sqdj.core.filtersets import MultiSelectWidget
from sqdj.core.forms import ParentedForm, ScopedModelForm
from sqdj.core.widgets import SearchSelect, preset_single_choice, use_picker
from sqdj.orgs.models import Org

from .choices import DECISION_TRANSITIONS, DecisionStatus
from .councils import open_seats
from .models import Agreement, Council, CouncilMeeting, CouncilMember, Decision, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
UNIT_CHOICES_CAP = 2000  # a select never renders a city's worth of units


def _org_picker(field, user, action="add"):
    field.queryset = Org.objects.restrict(user, action).order_by("path")
    use_picker(field, SearchSelect(reverse_lazy("orgs:org_pick"), {"action": action}))
    preset_single_choice(field)


def unit_picker(field) -> None:
    """The units' search picker where the registry declares one (units:unit_pick); else the select stays, narrowed
    to a few thousand rows (the field still accepts any unit the user may see)."""
    try:
        url = reverse("units:unit_pick")
    except NoReverseMatch:
        field.widget.choices = [("", "---------")] + [
            (u.pk, str(u)) for u in field.queryset.order_by("name", "pk")[:UNIT_CHOICES_CAP]
        ]
        return
    use_picker(field, SearchSelect(url, tree=False), label_from_instance=str)


class CouncilForm(ScopedModelForm):
    class Meta:
        model = Council
        fields = ["org", "kind", "name", "term_started_on", "term_ends_on", "ended_on"]
        widgets = {"term_started_on": DATE, "term_ends_on": DATE, "ended_on": DATE}
        labels = {"name": _("council name")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        _org_picker(self.fields["org"], user)
        self.fields["org"].help_text = _("A community's party organization, or a subdistrict committee (大工委).")


class CouncilMemberForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, label=_("unit"))
    org = forms.ModelChoiceField(queryset=Org.objects.none(), required=False, label=_("party organization"))
    representative = forms.CharField(max_length=50, label=_("representative"))
    title = forms.CharField(max_length=100, required=False, label=_("title"))
    started_on = forms.DateField(label=_("since"), widget=DATE)
    ended_on = forms.DateField(required=False, label=_("ended on"), widget=DATE)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.restrict(user, "view")
        unit_picker(self.fields["unit"])
        self.fields["org"].queryset = Org.objects.restrict(user, "view").order_by("path")
        use_picker(self.fields["org"], SearchSelect(reverse_lazy("orgs:org_pick")))
        self.fields["org"].help_text = _("Instead of a unit: a party organization (e.g. a community's, in a 大工委).")
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-control")


class EndDateForm(forms.Form):
    ended_on = forms.DateField(label=_("ended on"), widget=DATE)

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["ended_on"].label = label
        self.fields["ended_on"].widget.attrs["class"] = "form-control"
        self.fields["ended_on"].initial = dates.today()


class CouncilMeetingForm(ParentedForm):
    """Opened from the council's page (?council=); the attendance is the seats held on the meeting's day."""

    parent_field = "council"
    attendees = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("attended"), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = CouncilMeeting
        fields = ["council", "held_on", "place", "agenda", "attendees", "minutes"]
        labels = {"held_on": _("meeting held on")}
        widgets = {"held_on": DATE, "agenda": forms.Textarea(attrs={"rows": 3}),
                   "minutes": forms.Textarea(attrs={"rows": 5})}  # fmt: skip

    def limit_choices(self, user):
        self.fields["council"].queryset = Council.objects.restrict(user, "change")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        attendees = self.fields["attendees"]
        if self.parent is None:
            attendees.queryset = CouncilMember.objects.none()
            return
        day = self._day()
        attendees.queryset = open_seats(self.parent, day).select_related("unit", "org")
        attendees.widget.attrs["class"] = "form-check-input"
        attendees.help_text = _("The seats held on the day of the meeting (%(day)s).") % {"day": day.isoformat()}
        if self.instance.pk:
            self.fields["council"].disabled = True

    def _day(self):
        raw = self.data.get("held_on") if self.is_bound else None
        try:
            return forms.DateField().clean(raw) if raw else (self.instance.held_on or dates.today())
        except forms.ValidationError:
            return self.instance.held_on or dates.today()


class DecisionForm(ParentedForm):
    """Opened from the council's page (?council=): the owner is one of the units holding a seat today."""

    parent_field = "council"
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Decision
        fields = ["council", "meeting", "title", "detail", "owner", "due_on"]
        widgets = {"due_on": DATE, "detail": forms.Textarea(attrs={"rows": 3})}

    def limit_choices(self, user):
        self.fields["council"].queryset = Council.objects.restrict(user, "change")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # required here too, so that a form left empty says so in the page's words (the service says it again)
        self.fields["owner"].error_messages["required"] = _("A decision needs an owner unit.")
        self.fields["due_on"].error_messages["required"] = _("A decision needs a due date.")
        if self.instance.pk:
            self.fields["council"].disabled = True
            self.initial["version"] = self.instance.version
        council = self.parent
        meetings = self.fields["meeting"]
        meetings.queryset = meetings.queryset.filter(council=council) if council else meetings.queryset.none()
        if council is not None:
            seated = open_seats(council, dates.today()).filter(unit__isnull=False).values("unit")
            owners = self.fields["owner"].queryset.filter(pk__in=seated)
            if self.instance.pk:  # the decision keeps its owner even after its seat ended
                owners = owners | self.fields["owner"].queryset.filter(pk=self.instance.owner_id)
            self.fields["owner"].queryset = owners

    def service_data(self):
        data = dict(self.cleaned_data)
        if not self.instance.pk:
            data.pop("version", None)
        return data


class DecisionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("new status"), choices=())
    note = forms.CharField(max_length=200, required=False, label=_("progress note or reason"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, decision=None, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = DECISION_TRANSITIONS.get(decision.status, ()) if decision is not None else ()
        self.fields["status"].choices = [(s, DecisionStatus(s).label) for s in allowed]
        self.fields["note"].help_text = _("Required when the decision is dropped: the reason.")
        if decision is not None:
            self.fields["version"].initial = decision.version
        for name in ("status", "note"):
            css = "form-select" if name == "status" else "form-control"
            self.fields[name].widget.attrs["class"] = css


class AgreementForm(ScopedModelForm):
    class Meta:
        model = Agreement
        fields = ["org", "units", "kind", "title", "number", "signed_on", "starts_on", "ends_on", "org_commitments",
                  "unit_commitments"]  # fmt: skip
        widgets = {"signed_on": DATE, "starts_on": DATE, "ends_on": DATE,
                   "org_commitments": forms.Textarea(attrs={"rows": 4}),
                   "unit_commitments": forms.Textarea(attrs={"rows": 4})}  # fmt: skip
        labels = {"title": _("agreement title")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        _org_picker(self.fields["org"], user)
        self.fields["org"].help_text = _("The community's party organization.")
        units = self.fields["units"]
        units.queryset = Unit.objects.restrict(user, "view")
        shown = list(units.queryset.order_by("name", "pk")[:UNIT_CHOICES_CAP])
        if self.instance.pk:
            shown += [u for u in self.instance.units.all() if u not in shown]
        units.widget = MultiSelectWidget(choices=[(u.pk, str(u)) for u in shown])
        units.error_messages["required"] = _("Choose at least one unit.")
        self.fields["ends_on"].error_messages["required"] = _("Give the date it ends.")

    def clean(self):
        # said here (the service's words) so that the model's check constraint does not answer first in its own
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The agreement cannot end before it starts."))
        return data


class AgreementReviewForm(forms.Form):
    year = forms.IntegerField(min_value=1949, max_value=2999, label=_("year"))
    reviewed_on = forms.DateField(label=_("reviewed on"), widget=DATE)
    note = forms.CharField(label=_("review"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = dates.today()
        self.fields["year"].initial, self.fields["reviewed_on"].initial = today.year, today
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-control")
