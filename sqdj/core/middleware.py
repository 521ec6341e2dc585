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
