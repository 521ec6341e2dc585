"""Session rules of security.md R2/R5/R34/R35, as three middlewares (settings.MIDDLEWARE, after the messages one):

- `SessionTimeoutMiddleware`: a session idle longer than SQDJ_SESSION_IDLE_MINUTES (privileged users:
  SQDJ_SESSION_IDLE_MINUTES_PRIVILEGED), or older than SQDJ_SESSION_ABSOLUTE_HOURS since sign-in, is flushed —
  its key is deleted server-side — and the request answers as a signed-out one: a redirect to the sign-in page with
  a message, `HX-Redirect` for htmx, 401 JSON for the API.
- `PasswordChangeMiddleware`: a user whose password was issued by someone else or is older than
  SQDJ_PASSWORD_MAX_AGE_DAYS reaches only the password page (and sign-out, the other /account/ pages) until changed.
- `ExportThrottleMiddleware`: at most SQDJ_EXPORT_RATE exports per user (`?export=…` on any page, `*_export` URLs).
"""

from __future__ import annotations

import math
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authentication import get_authorization_header

from .services import needs_password_change
from .throttling import ExportRateThrottle
from .validators import is_privileged

LOGIN_AT = "_sqdj_login_at"  # when the user signed in (epoch seconds)
SEEN_AT = "_sqdj_seen_at"  # the last request, to the minute
PRIVILEGED = "_sqdj_privileged"  # the shorter idle limit applies
TOUCH_SECONDS = 60  # the last activity is written at most this often: no session write on every request
API_PREFIX = "/api/"
OPEN_PREFIXES = ("/account/",)  # the password page and the second-factor pages
PERIODS = {
    1: gettext_lazy("second"),
    60: gettext_lazy("minute"),
    3600: gettext_lazy("hour"),
    86400: gettext_lazy("day"),
}


@receiver(user_logged_in, dispatch_uid="sqdj_session_stamp")
def stamp_sign_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    request.session[PRIVILEGED] = is_privileged(user)


def _htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


def is_token_request(request) -> bool:
    # an API request with `Authorization: Token …` is decided by its token alone (DRF never falls back to the session)
    auth = get_authorization_header(request).split()
    return bool(auth) and auth[0].lower() == b"token"


def is_open_path(path: str) -> bool:
    prefixes = (*OPEN_PREFIXES, settings.STATIC_URL, reverse("login"), reverse("logout"))
    return any(path.startswith(prefix) for prefix in prefixes)


def _client_redirect(url: str) -> HttpResponse:
    response = HttpResponse(status=200)
    response["HX-Redirect"] = url
    return response


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session and not (request.path.startswith(API_PREFIX) and is_token_request(request)):
            expired = self._check(request, session)
            if expired is not None:
                return self._sign_out(request, expired)
        return self.get_response(request)

    def _check(self, request, session) -> str | None:
        """The reason the session has ended, or None (then the last activity is noted, once a minute)."""
        now = time.time()
        login_at, seen = session.get(LOGIN_AT), session.get(SEEN_AT)
        if login_at is None or seen is None:
            # signed in before these stamps existed (or without the signal): the limits count from now
            session[LOGIN_AT] = login_at or now
            session[SEEN_AT] = now
            session[PRIVILEGED] = is_privileged(request.user)
            return None
        idle_minutes = (
            settings.SQDJ_SESSION_IDLE_MINUTES_PRIVILEGED
            if session.get(PRIVILEGED)
            else settings.SQDJ_SESSION_IDLE_MINUTES
        )
        if now - seen > idle_minutes * 60:
            return _("You were signed out after %(minutes)d minutes without activity. Please sign in again.") % {
                "minutes": idle_minutes
            }
        if now - login_at > settings.SQDJ_SESSION_ABSOLUTE_HOURS * 3600:
            return _("You were signed out %(hours)d hours after signing in. Please sign in again.") % {
                "hours": settings.SQDJ_SESSION_ABSOLUTE_HOURS
            }
        if now - seen >= TOUCH_SECONDS:
            session[SEEN_AT] = now
        return None

    def _sign_out(self, request, message: str):
        logout(request)  # flushes the session: its key no longer exists server-side (security.md R19, R35)
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": message, "code": "session_expired"}, status=401)
        messages.warning(request, message)
        if _htmx(request):
            return _client_redirect(resolve_url(settings.LOGIN_URL))
        return redirect_to_login(request.get_full_path() if request.method == "GET" else "/")


class PasswordChangeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not is_open_path(request.path)
            and not (request.path.startswith(API_PREFIX) and is_token_request(request))
            and needs_password_change(user)
        ):
            return self._to_password_page(request)
        return self.get_response(request)

    def _to_password_page(self, request):
        if request.path.startswith(API_PREFIX):
            return JsonResponse(
                {"detail": _("You must change your password first, on the web page."), "code": "password_change"},
                status=403,
            )
        url = reverse("accounts:password_change")
        if _htmx(request):
            return _client_redirect(url)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(url)


def is_export(request) -> bool:
    if request.method != "GET":
        return False
    if request.GET.get("export"):
        return True
    match = request.resolver_match
    return bool(match and match.url_name and match.url_name.endswith("_export"))


class ExportThrottleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or not is_export(request):
            return None
        throttle = ExportRateThrottle()
        if throttle.allow_request(request, None):
            return None
        wait = max(1, math.ceil(throttle.wait() or 1))
        message = _(
            "Too many exports: at most %(count)d per %(period)s for each user. Try again in %(minutes)d minute(s)."
        ) % {
            "count": throttle.num_requests,
            "period": PERIODS.get(throttle.duration, throttle.duration),
            "minutes": math.ceil(wait / 60),
        }
        if request.path.startswith(API_PREFIX):
            response = JsonResponse({"detail": message, "code": "throttled"}, status=429)
        else:
            response = render(request, "accounts/throttled.html", {"message": message}, status=429)
        response["Retry-After"] = str(wait)
        return response
