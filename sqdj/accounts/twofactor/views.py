"""The second-factor pages: enter a code, enrol (QR code and key), recovery codes, overview, remove."""

from __future__ import annotations

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from sqdj.core.redirects import next_url

from . import services
from .forms import CodeForm, EnrolForm, PasswordForm

GATE_LAYOUT = "twofactor/gate.html"
# the key of the device being enrolled, until its first code confirms it
PENDING_KEY = "sqdj_otp_pending_key"


def _layout(request) -> str:
    """The site's frame once the session may use the site; a bare card (no menu) while the gate holds it."""
    user = request.user
    if settings.SQDJ_OTP_ENFORCED and not user.is_verified() and services.needs_verification(user):
        return GATE_LAYOUT
    return "base.html"


def _render(request, template, context):
    return render(request, template, {"layout": _layout(request), "next": next_url(request), **context})


def _signed_in_with(request, device) -> None:
    """Mark the session as verified by `device`, under a new session key (the session's privilege rose)."""
    django_otp.login(request, device)
    request.session.cycle_key()


@never_cache
@login_required
def verify(request):
    user = request.user
    if user.is_verified():
        return redirect(next_url(request))
    if services.confirmed_device(user) is None:
        if services.otp_required(user):
            return redirect("twofactor:setup")
        messages.error(request, _("Two-step verification is not set up for your account."))
        return redirect("twofactor:overview")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt = services.verify_code(user, form.cleaned_data["code"])
        if attempt.device is not None:
            _signed_in_with(request, attempt.device)
            if isinstance(attempt.device, StaticDevice):
                left = attempt.device.token_set.count()
                messages.warning(
                    request,
                    _("You used a recovery code; %(left)s are left. Generate new ones when few are left.")
                    % {"left": left},
                )
            return redirect(next_url(request))
        if attempt.locked_until is not None:
            when = formats.time_format(timezone.localtime(attempt.locked_until), "H:i:s")
            form.add_error("code", _("Too many wrong codes. Try again after %(time)s.") % {"time": when})
        else:
            form.add_error("code", _("The code is not correct or has already been used."))
    return _render(request, "twofactor/verify.html", {"form": form})


@never_cache
@login_required
def setup(request):
    """Enrol a TOTP device: scan the QR code (or type the key), confirm with its first code. Replacing a device
    needs a verified session and the current password."""
    user = request.user
    existing = services.confirmed_device(user)
    if existing is not None and not user.is_verified():
        return redirect(reverse("twofactor:verify") + "?" + request.GET.urlencode())
    key = request.session.get(PENDING_KEY) or services.new_key()
    request.session[PENDING_KEY] = key
    device = services.pending_device(user, key)
    form = EnrolForm(request.POST or None, user=user, ask_password=existing is not None)
    if request.method == "POST" and form.is_valid():
        result = services.confirm_enrolment(user, key, form.cleaned_data["code"])
        if result is not None:
            device, codes = result
            del request.session[PENDING_KEY]
            _signed_in_with(request, device)
            codes = [services.format_code(c) for c in codes]
            return _render(request, "twofactor/recovery_codes.html", {"codes": codes})
        form.add_error("code", _("The code is not correct. Check the time on your phone and try the newest code."))
    context = {
        "form": form,
        "qr": services.qr_svg(device),
        "secret": services.secret_groups(device),
        "replacing": existing is not None,
        "required": services.otp_required(user),
    }
    return _render(request, "twofactor/setup.html", context)


def _verified_or_redirect(request):
    if services.confirmed_device(request.user) is None:
        messages.error(request, _("Two-step verification is not set up for your account."))
        return redirect("twofactor:overview")
    if not request.user.is_verified():
        return redirect(reverse("twofactor:verify") + "?next=" + reverse("twofactor:overview"))
    return None


@never_cache
@login_required
def overview(request):
    user = request.user
    if services.confirmed_device(user) is not None and not user.is_verified():
        return redirect(reverse("twofactor:verify") + "?next=" + reverse("twofactor:overview"))
    context = {"status": services.status(user), "password_form": PasswordForm(user=user)}
    return _render(request, "twofactor/overview.html", context)


@never_cache
@login_required
def recovery(request):
    """New recovery codes (the old ones stop working), after the current password."""
    if (blocked := _verified_or_redirect(request)) is not None:
        return blocked
    form = PasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        codes = services.regenerate_recovery_codes(request.user)
        return _render(request, "twofactor/recovery_codes.html", {"codes": [services.format_code(c) for c in codes]})
    return _render(request, "twofactor/password.html", {"form": form, "action": "recovery"})


@never_cache
@login_required
@require_POST
def remove(request):
    """Turn the second factor off (voluntary users only), after the current password."""
    if (blocked := _verified_or_redirect(request)) is not None:
        return blocked
    user = request.user
    if services.otp_required(user):
        messages.error(request, _("Your account must use two-step verification; you can replace the authenticator."))
        return redirect("twofactor:overview")
    form = PasswordForm(request.POST, user=user)
    if not form.is_valid():
        return _render(request, "twofactor/password.html", {"form": form, "action": "remove"})
    services.remove_second_factor(user)
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
    messages.success(request, _("Two-step verification is off."))
    return redirect("twofactor:overview")
