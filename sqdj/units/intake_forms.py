"""Forms of the authority entries and the instructors: they validate input and hand it to the services (intake.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates
from sqdj.core.forms import ScopedModelForm, widget_css
from sqdj.members.pick_views import member_picker

from .choices import ENDED_STATUSES, UnitStatus
from .models import Instructor, Visit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        css = widget_css(field.widget)
        field.widget.attrs.setdefault("class", css)


class MarkContactedForm(forms.Form):
    contacted_on = forms.DateField(label=_("contacted on"), widget=DATE)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacted_on"].initial = dates.today()
        _styled(self)


class EndUnitForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=[(s.value, s.label) for s in UnitStatus
                                                           if s in ENDED_STATUSES])  # fmt: skip
    ended_on = forms.DateField(label=_("deregistered or moved out on"), widget=DATE)
    reason = forms.CharField(label=_("reason the unit ended"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = dates.today()
        _styled(self)


class InstructorForm(ScopedModelForm):
    """An instructor or liaison: a party member in the user's scope (the member picker), or anyone by name."""

    class Meta:
        model = Instructor
        fields = ["kind", "member", "name", "sent_by", "phone", "started_on"]
        widgets = {"started_on": DATE, "phone": forms.TextInput}
        help_texts = {"name": _("Filled in from the party member when left empty.")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["name"].required = False
        member_picker(self.fields["member"])  # the members app's one picker
        if self.instance.pk is None:
            self.fields["started_on"].initial = dates.today()

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class EndInstructorForm(forms.Form):
    ended_on = forms.DateField(label=_("assignment ended on"), widget=DATE)
    end_reason = forms.CharField(label=_("reason the assignment ended"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = dates.today()
        _styled(self)


class VisitForm(ScopedModelForm):
    class Meta:
        model = Visit
        fields = ["visited_on", "content", "next_step"]
        widgets = {"visited_on": DATE, "content": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["visited_on"].initial = dates.today()
