from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("Not a date: write it as YYYY-MM-DD, e.g. 2021-07-01.")}


class RulebookForm(forms.Form):
    """Hands its values to `services.validate_parameter()` and shows each problem at its field."""

    def add_service_errors(self, exc: ValidationError):
        """Each problem at its field, except where the form has already said what is wrong there."""
        if hasattr(exc, "error_dict"):
            for field, errs in exc.message_dict.items():
                if field in self.fields and field in self.errors:
                    continue
                self.add_error(field if field in self.fields else None, errs)
        else:
            self.add_error(None, exc.messages)


class LocalVariantForm(RulebookForm):
    value = forms.CharField(
        label=_("value"),
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    effective_from = forms.DateField(label=_("effective from"), widget=DATE, error_messages=DATE_ERRORS)
    effective_to = forms.DateField(
        label=_("effective to"),
        required=False,
        widget=DATE,
        error_messages=DATE_ERRORS,
        help_text=_("The last day the variant applies; leave empty while it stays in force."),
    )
    regulation = forms.CharField(
        label=_("regulation"), max_length=200, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    article = forms.CharField(
        label=_("article"), max_length=100, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    note = forms.CharField(
        label=_("note"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        help_text=_("Which local document sets this figure, and why."),
    )

    def __init__(self, *args, rule_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule_id = rule_id
        self.candidate = None
        base = services.national_row(rule_id)
        if base is not None:
            self.fields["regulation"].initial = base.regulation
            self.fields["article"].initial = base.article
            self.fields["value"].help_text = _(
                "The national figure is %(value)s; write the variant the same way, e.g. %(example)s."
            ) % {
                "value": services.format_value(base.value, base.unit),
                "example": services.format_value(base.value),
            }

    def clean(self):
        data = super().clean()
        if "value" not in data:
            return data
        self.candidate = services.build_local_variant(
            self.rule_id,
            value=services.parse_value(data["value"]),
            effective_from=data.get("effective_from"),
            effective_to=data.get("effective_to"),
            note=data.get("note", ""),
            regulation=data.get("regulation", ""),
            article=data.get("article", ""),
        )
        try:
            services.validate_parameter(self.candidate)
        except ValidationError as exc:
            self.add_service_errors(exc)
        return data

    def service_data(self) -> dict:
        row = self.candidate
        return {
            "value": row.value,
            "effective_from": row.effective_from,
            "effective_to": row.effective_to,
            "note": row.note,
            "regulation": row.regulation,
            "article": row.article,
        }


class EndVariantForm(RulebookForm):
    effective_to = forms.DateField(
        label=_("last day in force"),
        widget=DATE,
        error_messages=DATE_ERRORS,
        help_text=_("From the next day on the national figure applies again."),
    )
