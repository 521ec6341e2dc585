from __future__ import annotations

from .context import ChangeContext, _current


class ChangeContextMiddleware:
    """Keeps the acting user and a request id available to the change log for the request's duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        token = _current.set(ChangeContext(user=user, remote_addr=request.META.get("REMOTE_ADDR")))
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        return response


class NoStoreMiddleware:
    """Tells browsers and proxies to keep no copy of anything the application answers (security.md R19).

    Pages of signed-in users, API answers and downloads (xlsx, pdf letters) carry personal data; a copy in the browser
    cache or a shared proxy would outlive the session. Static files never reach this middleware (WhiteNoise answers
    them before it), so they stay cacheable. A view's stricter header ("private, no-store") is kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"  # HTTP/1.0 caches ignore Cache-Control
        return response
