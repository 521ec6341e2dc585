"""The password change form: Django's, with the policy's help text and one more rule."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.translation import gettext_lazy as _


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
