from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.areas.choices import AreaType
from sqdj.core.forms import ParentedForm
from sqdj.core.widgets import SearchSelect, preset_single_choice, use_picker
from sqdj.members.choices import Standing
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from .choices import Assembly, ElectionOffice, VotersBasis
from .models import Election, Position, ResidentsCommittee, ResidentsSeat

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# ---- leadership --------------------------------------------------------------------------------------------------
# The member pickers list only the people who fit (the org's members, the community's residents) so that a page
# stays small however large the user's scope; the field still accepts any member the user may see (a secretary
# may come from elsewhere: 上级选派). The form is opened from the org's (committee's) page with ?org= (?committee=);
# without it, the template first asks for the org.

MEMBER_CHOICES_CAP = 2000


def _member_label(m) -> str:
    return f"{m.name}（{m.org.name}）"


def _narrow_members(field, narrowed, current=None):
    """Show `narrowed` (a queryset of members) in the select of `field`, plus the current choice."""
    rows = list(
        narrowed.filter(standing=Standing.ACTIVE).select_related("org").order_by("name", "pk")[:MEMBER_CHOICES_CAP]
    )
    if current is not None and all(m.pk != current.pk for m in rows):
        rows.insert(0, current)
    field.widget.choices = [("", "---------")] + [(m.pk, _member_label(m)) for m in rows]


def _org_choices(field, user):
    """The orgs the user may add to, chosen with the tree picker (never a select of a district's orgs); the only
    one when there is one."""
    field.queryset = Org.objects.restrict(user, "add").order_by("path")
    use_picker(field, SearchSelect(reverse_lazy("orgs:org_pick"), {"action": "add"}))
    preset_single_choice(field)


class PositionForm(ParentedForm):
    class Meta:
        model = Position
        fields = ["org", "member", "role", "portfolio", "started_on", "ended_on", "election"]
        widgets = {"started_on": DATE, "ended_on": DATE}

    def limit_choices(self, user):
        _org_choices(self.fields["org"], user)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        elections = self.fields["election"].queryset
        self.fields["election"].queryset = elections.filter(org=self.parent) if self.parent else elections.none()
        if self.parent is not None:
            members = self.fields["member"].queryset.filter(org__path__startswith=self.parent.path)
            _narrow_members(self.fields["member"], members, self.instance.member if self.instance.pk else None)


class ElectionForm(ParentedForm):
    # the members entitled to vote are counted by the service when the election is saved (选举工作条例); shown here,
    # read only, as counted; eligible_voters is entered only for a delegates' congress
    counted = forms.CharField(label=_("members entitled to vote"), required=False, disabled=True)

    class Meta:
        model = Election
        fields = ["org", "kind", "office", "assembly", "held_on", "seats", "counted", "eligible_voters",
                  "excused_voters", "excused_reason", "voters_present", "approval", "approved_on", "note"]  # fmt: skip
        widgets = {"held_on": DATE, "approved_on": DATE}
        labels = {"eligible_voters": _("delegates entitled to vote")}

    def limit_choices(self, user):
        _org_choices(self.fields["org"], user)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.legacy = self.instance.pk is not None and self.instance.voters_basis == VotersBasis.LEGACY
        eligible = self.fields["eligible_voters"]
        eligible.required = False
        eligible.help_text = _("Only for a delegates' congress: the number of delegates entitled to vote.")
        if self.legacy:
            eligible.label = _("members entitled to vote (typed in)")
            eligible.help_text = _(
                "Recorded before the figure was counted from the roll: kept as typed unless the organization, the "
                "date, the office or the assembly changes."
            )
        elif self.instance.pk is not None and self.instance.voters_derived:
            self.initial["eligible_voters"] = None
        self.fields["counted"].initial = counted_label(self.instance) if self.instance.pk else ""
        self.fields["counted"].help_text = _(
            "Counted when the election is saved: the full members on the roll of the organization and the ones below "
            "it who may vote that day (not probationary, not under 留党察看, not suspended); for a secretary's or "
            "deputy secretary's election, the members of the committee then."
        )
        self.fields["assembly"].required = False  # empty: the members' assembly
        self.fields["excused_voters"].required = False  # empty: none
        self.fields["excused_voters"].help_text = _(
            "Members who are ill, abroad, or away (流动) and unable to attend, left out of the base with approval: "
            "the quorum of more than four fifths is counted on the others."
        )
        initial = []
        if self.instance.pk:
            initial = [
                {"member": c.member_id, "votes": c.votes, "elected": c.elected} for c in self.instance.candidates.all()
            ]
        extra = max(3, 8 - len(initial))
        formset_class = forms.formset_factory(CandidateForm, extra=extra)
        self.candidates = formset_class(
            self.data if self.is_bound else None,
            prefix="candidates",
            initial=initial,
            form_kwargs={"user": user, "org": self.parent},
        )

    def is_valid(self):
        return super().is_valid() & self.candidates.is_valid()  # both, so that every error shows

    def service_data(self):
        data = dict(self.cleaned_data)
        data.pop("counted", None)
        typed = data.get("assembly") == Assembly.DELEGATES and data.get("office") == ElectionOffice.COMMITTEE
        if not (typed or self.legacy):
            data.pop("eligible_voters", None)  # counted by the service
        data["candidates"] = [f.cleaned_data for f in self.candidates.forms if f.cleaned_data.get("member")]
        return data


def counted_label(election) -> str:
    """The stored figure of those entitled to vote and where it comes from ("38（按党员名册统计）")."""
    return f"{election.eligible_voters}（{election.get_voters_basis_display()}）"


class CandidateForm(forms.Form):
    member = forms.ModelChoiceField(queryset=None, required=False, label=_("party member"))
    votes = forms.IntegerField(min_value=0, max_value=2147483647, required=False, label=_("votes in favour"))
    elected = forms.BooleanField(required=False, label=_("elected"))

    def __init__(self, *args, user=None, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Member.objects.restrict(user, "view")
        self.fields["member"].queryset = visible
        current = None
        if self.initial.get("member"):
            current = visible.select_related("org").filter(pk=self.initial["member"]).first()
        narrowed = visible.filter(org__path__startswith=org.path) if org is not None else visible.none()
        _narrow_members(self.fields["member"], narrowed, current)
        self.fields["member"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["votes"].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["elected"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        if not data.get("member") and (data.get("votes") is not None or data.get("elected")):
            self.add_error("member", _("Choose the candidate."))
        return data


class ResidentsCommitteeForm(ParentedForm):
    parent_field = "area"

    class Meta:
        model = ResidentsCommittee
        fields = ["area", "name", "term_started_on"]
        widgets = {"term_started_on": DATE}

    def limit_choices(self, user):
        self.fields["area"].queryset = self.fields["area"].queryset.filter(type=AreaType.COMMUNITY).order_by("path")
        communities = SearchSelect(reverse_lazy("areas:area_pick"), {"type": AreaType.COMMUNITY, "scoped": "1"})
        use_picker(self.fields["area"], communities)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = _("Leave empty for the community's name followed by 居民委员会.")
        self.needs_parent = False


class ResidentsSeatForm(ParentedForm):
    parent_field = "committee"

    class Meta:
        model = ResidentsSeat
        fields = ["committee", "role", "member", "person_name", "birth_date", "education", "started_on", "ended_on"]
        widgets = {"birth_date": DATE, "started_on": DATE, "ended_on": DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["person_name"].help_text = _("Only for a holder who is not a party member.")
        if self.parent is not None:
            area_path = self.parent.area.path
            members = self.fields["member"].queryset.filter(
                Q(org__area__path__startswith=area_path) | Q(home_area__path__startswith=area_path)
            )
            _narrow_members(self.fields["member"], members, self.instance.member if self.instance.pk else None)


class ExtendTermForm(forms.Form):
    term_extended_to = forms.DateField(label=_("term extended to"), widget=DATE)
    term_extension_approval = forms.CharField(
        label=_("approval of the extension"),
        max_length=200,
        help_text=_("The superior organization's approval: document number and date."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-control")
