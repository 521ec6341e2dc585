from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class PasswordForm(forms.Form):
    """The current password, asked again before the second factor is changed or removed (security.md R35)."""

    password = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password


class EnrolForm(CodeForm):
    """The first code of a new device; the current password too when it replaces a device."""

    password = PasswordForm.base_fields["password"]

    def __init__(self, *args, user, ask_password: bool, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if not ask_password:
            del self.fields["password"]

    def clean_password(self):
        return PasswordForm.clean_password(self)
