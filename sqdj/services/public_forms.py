"""The public forms: a resident's request (with its consent, honeypot and challenge) and the tracking code."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.forms import widget_css

from . import public
from .requests import TRACKING_LENGTH


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class PublicRequestForm(forms.Form):
    """What a resident tells; the contact optional, kept only with the consent ticked (the service checks it)."""

    category: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=gettext_lazy("category"), queryset=None, required=False, empty_label=gettext_lazy("Choose a category")
    )
    summary = forms.CharField(label=gettext_lazy("In one sentence"), max_length=100)
    description = forms.CharField(label=gettext_lazy("What happened"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
    area = PlaceChoiceField(label=gettext_lazy("Where"), queryset=None, empty_label=None)
    location = forms.CharField(label=gettext_lazy("Where exactly (optional)"), max_length=200, required=False,
                               help_text=gettext_lazy("The place of the matter, e.g. the north gate of the estate; "
                                                      "not your own address."))  # fmt: skip
    contact_name = forms.CharField(label=gettext_lazy("Your name (optional)"), max_length=20, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("Your phone (optional)"), max_length=20, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "tel"}))  # fmt: skip
    consent = forms.BooleanField(label=gettext_lazy("I agree that my name and phone are kept for this request"),
                                 required=False)  # fmt: skip
    # a field people never see (hidden by a class): a program filling every field fills it
    website = forms.CharField(label=gettext_lazy("Leave this empty"), required=False)
    answer = forms.IntegerField(label="", min_value=0, max_value=99)
    challenge = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        self.consent_version = public.CONSENT_VERSION
        category = cast(forms.ModelChoiceField, self.fields["category"])
        category.queryset = public.categories_for(community)
        category.required = category.queryset.exists()
        cast(forms.ModelChoiceField, self.fields["area"]).queryset = public.places_of(community)
        self.initial.setdefault("area", community.pk)
        self.fields["consent"].widget.attrs["class"] = "form-check-input"
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        for name, field in self.fields.items():
            if name not in ("consent", "challenge"):
                css = widget_css(field.widget)
                field.widget.attrs.setdefault("class", css)
        self.challenge_refused = False
        if not self.is_bound:  # a bound form keeps the question it answers until it has been checked
            self.renew_challenge()

    def renew_challenge(self):
        """A new question (shown with every page of the form: each one is answered once)."""
        question = public.new_challenge()
        self.fields["answer"].label = _("How much is %(a)d plus %(b)d?") % {"a": question.a, "b": question.b}
        if self.is_bound:
            data = cast(Any, self.data).copy()  # a QueryDict: its copy is mutable
            data["challenge"], data["answer"] = question.token, ""
            self.data = data
        else:
            self.initial["challenge"] = question.token

    @property
    def honeypot_filled(self) -> bool:
        return bool((self.data.get("website") or "").strip())

    def clean(self):
        data = super().clean() or {}
        why = public.challenge_error(self.data.get("challenge", ""), data.get("answer"))
        if why:
            # logged as a refused try only when a question was answered (an empty POST is no try: nothing logged)
            self.challenge_refused = bool(self.data.get("challenge"))
            self.add_error("answer", why)
        return data


class TrackForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Tracking code"), max_length=32)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("The %(n)d letters and digits you were given when you sent the request.") % {
            "n": TRACKING_LENGTH
        }
        self.fields["code"].widget.attrs.update({"class": "form-control form-control-lg", "autocomplete": "off",
                                                 "autocapitalize": "characters", "spellcheck": "false"})  # fmt: skip
