"""The password change form: Django's, with the policy's help text and one more rule."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.core.widgets import SearchSelect

from .roles import Role


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Old password, new password twice; the new one goes through AUTH_PASSWORD_VALIDATORS (Django's form does)."""

    error_messages = {
        **DjangoPasswordChangeForm.error_messages,
        "password_unchanged": _("The new password must differ from the current one."),
    }

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].help_text = ""  # listed once above the form (the template), not as HTML here
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    @staticmethod
    def rules() -> list[str]:
        return password_validators_help_texts()

    def clean(self):
        cleaned = super().clean()  # the two new passwords match and pass the validators (Django's SetPasswordMixin)
        password = cleaned.get("new_password2")
        if password and "new_password2" not in self.errors and self.user.check_password(password):
            self.add_error(
                "new_password2",
                forms.ValidationError(self.error_messages["password_unchanged"], code="password_unchanged"),
            )
        return cleaned


# ---- user administration (accounts.admin_views) ----


class UserSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=150)
    locked = forms.BooleanField(label=_("Locked only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"class": "form-control", "placeholder": _("User name or name")})
        self.fields["locked"].widget.attrs["class"] = "form-check-input"


class GrantForm(forms.Form):
    """A role on an org within the acting administrator's reach. The org is chosen with the org picker where the
    administrator sees orgs, by its code otherwise (a 三员 sees no business data, the picker included)."""

    role = forms.ChoiceField(label=_("role"))
    org = forms.ModelChoiceField(label=_("party organization"), queryset=None)
    descendants = forms.BooleanField(label=_("including subordinate organizations"), required=False, initial=True)

    def __init__(self, *args, acting_user, orgs, roles, picker: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user
        self.fields["role"].choices = [("", "—"), *[(r, label) for r, label in Role.choices if r in roles]]
        org = self.fields["org"]
        org.queryset = orgs
        if picker:
            org.widget = SearchSelect(reverse_lazy("orgs:org_pick"))
            org.widget.choices = org.choices
        else:
            org.to_field_name = "code"
            org.widget = forms.TextInput(attrs={"placeholder": _("organization code")})
            org.help_text = _("The organization's code, e.g. as shown on its page.")
        org.error_messages["invalid_choice"] = _("No organization you may grant roles on has this code.")
        for name, field in self.fields.items():
            if name == "descendants":
                field.widget.attrs["class"] = "form-check-input"
            elif name == "role":
                field.widget.attrs["class"] = "form-select"
            elif not picker:
                field.widget.attrs["class"] = "form-control"


class UserCreateForm(GrantForm):
    username = forms.CharField(label=_("User name"), max_length=150, validators=[UnicodeUsernameValidator()])
    display_name = forms.CharField(label=_("display name"), max_length=50, required=False)

    field_order = ["username", "display_name", "role", "org", "descendants"]

    def __init__(self, *args, role_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].required = self.fields["org"].required = role_required
        self.fields["org"].widget.is_required = role_required
        for name in ("username", "display_name"):
            self.fields[name].widget.attrs["class"] = "form-control"

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("role")) != bool(cleaned.get("org")) and not self.errors:
            raise forms.ValidationError(_("Give both a role and an organization, or neither."))
        return cleaned
