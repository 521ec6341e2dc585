"""The 403, 404 and 500 answers (urls.py handler403/404/500, settings.CSRF_FAILURE_VIEW): a Chinese page with a way
home and back, on a minimal layout (templates/error_base.html) rendered without the request's context processors —
no menu, no user, no query — so that it renders even when the database is what failed.

An htmx request gets a short Chinese sentence as text/plain instead of a page: sqdj.js shows it in place (the form's
error area or a toast). The API keeps JSON (`{"detail": …}`) unless a browser asks for HTML.
"""

from __future__ import annotations

import logging

from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

ASSETS = {"css": "vendor/bootstrap/bootstrap.min.css", "own_css": "sqdj/sqdj.css", "js": "sqdj/sqdj.js"}


def message_for(status: int) -> str:
    """The short sentence an htmx request or the API gets for `status`."""
    if status == 403:
        return _("You do not have permission to do this.")
    if status == 404:
        return _("The page or record was not found. It may have been deleted or be outside your scope.")
    if status == 400:
        return _("The request could not be processed. Please check what you entered and try again.")
    return _("Something went wrong on the server. It has been recorded; please try again later.")


def _assets() -> dict[str, str]:
    urls = {}
    for key, name in ASSETS.items():
        try:
            urls[key] = staticfiles_storage.url(name)
        except Exception:  # a missing manifest entry must not turn an error page into another error
            logger.warning("error page: no static URL for %s", name)
    return urls


def _back_url(request) -> str:
    """The page the visitor came from, if it is on this site; the home page otherwise."""
    referer = request.META.get("HTTP_REFERER", "") if request is not None else ""
    safe = referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if safe else "/"


def _wants_json(request) -> bool:
    if request is None or not request.path.startswith("/api/"):
        return False
    return "text/html" not in request.headers.get("Accept", "")


def error_response(request, status: int, template: str, message: str = "") -> HttpResponse:
    message = message or message_for(status)
    if request is not None and request.headers.get("HX-Request"):
        response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    elif _wants_json(request):
        response = JsonResponse({"detail": message}, status=status)
    else:
        try:
            back = _back_url(request)
        except Exception:  # a bad Host header (DisallowedHost) must still get a page
            back = "/"
        context = {"assets": _assets(), "back_url": back, "message": message, "status": status}
        response = HttpResponse(render_to_string(template, context), status=status)
    response["Cache-Control"] = "no-store"
    return response


def permission_denied(request, exception=None):
    return error_response(request, 403, "403.html")


def page_not_found(request, exception=None):
    return error_response(request, 404, "404.html")


def server_error(request):
    return error_response(request, 500, "500.html")


def csrf_failure(request, reason=""):
    """A form sent after its page grew stale (a new sign-in in another tab): the 403 page, not Django's English one."""
    message = _("This page has expired (you may have signed in again in another window). Reload it and try again.")
    return error_response(request, 403, "403.html", message)
