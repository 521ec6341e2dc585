"""The second-factor gate: a signed-in session that must show a code reaches nothing else until it has.

Installed after django_otp.middleware.OTPMiddleware (which gives `request.user.is_verified()`). Pages answer a
redirect to the code page (or to enrolment), htmx requests an `HX-Redirect`, the session-authenticated API a 403.
Left open: the account pages under /account/ (the 2FA pages and the password change), sign-in and sign-out and
static files. An API request carrying `Authorization: Token …` is authenticated by its token alone (a separate
credential, issued by an administrator; docs/security.md), so the session behind it does not matter.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from ..middleware import API_PREFIX, is_open_path, is_token_request
from .services import has_device, needs_verification

DEVICE_FLAG = "sqdj_otp_device"  # in the session: whether the user had a confirmed device at its first request


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        blocked = self._gate(request)
        return blocked if blocked is not None else self.get_response(request)

    @staticmethod
    def _has_device(request) -> bool | None:
        """Whether the user has a confirmed device, as found at the session's first request: an ordinary user
        without one (most users) then costs no query per request. True is checked again (a device reset elsewhere
        must lead to enrolment, not to a code page for a device that is gone); a device enrolled in another session
        is asked for from this one's next sign-in (enrolling in this session verifies it at once)."""
        if request.session.get(DEVICE_FLAG) is False:
            return False
        found = has_device(request.user)
        request.session[DEVICE_FLAG] = found
        return found

    def _gate(self, request):
        if not settings.SQDJ_OTP_ENFORCED:
            return None
        user = request.user
        if not user.is_authenticated or is_open_path(request.path):
            return None
        if request.path.startswith(API_PREFIX) and is_token_request(request):
            return None
        if user.is_verified():
            return None
        step = needs_verification(user, self._has_device(request))
        if step is None:
            return None
        if request.path.startswith(API_PREFIX):
            return JsonResponse(
                {"detail": _("Two-step verification required: sign in on the web page first.")}, status=403
            )
        url = reverse("twofactor:verify" if step == "verify" else "twofactor:setup")
        if request.method == "GET" and not request.headers.get("HX-Request"):
            url += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=200)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
