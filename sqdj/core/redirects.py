"""Where a page may send the browser next: only to this site (an open redirect would let a link to sqdj lead
elsewhere after sign-in)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def is_local(request, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def next_url(request, default: str = "home") -> str:
    """The `next` the form or link carries, if it stays on this site; else the page named `default`."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    return url if is_local(request, url) else reverse(default)
