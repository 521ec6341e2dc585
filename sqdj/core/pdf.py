"""A4 documents as PDF (the transfer letters, the statistics report): WeasyPrint renders a Django template with the
system's Noto CJK fonts, embedded in the file. The documents use no outside resource: every URL is refused."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


def css_string(text: str) -> str:
    """A CSS string literal (quotes, backslashes and markup escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ").replace("\n", " ")
    return f'"{escaped}"'


def page_counter_css() -> SafeString:
    """The CSS `content` of a page footer, from one translatable sentence ("第 {page} 页 / 共 {pages} 页"); safe to
    put in a template's <style>: every piece of text in it is an escaped CSS string."""
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    parts = re.split(r"(\{page\}|\{pages\})", _("Page {page} of {pages}"))
    return mark_safe(" ".join(counters.get(p) or css_string(p) for p in parts if p))  # noqa: S308 (escaped above)


def render_pdf(template: str, context: dict) -> bytes:
    # imported here, not for a cycle: the rest of the app works where WeasyPrint (or Pango) is not installed
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(template, context)
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()


def pdf_response(build: Callable[[], bytes], filename: str, *, attachment: bool = False) -> HttpResponse:
    """The PDF that `build()` renders as a response (never cached: documents carry personal data), or 503 with a
    Chinese sentence where WeasyPrint or its system libraries (Pango) are missing on this server. A name may be
    Chinese (外省〔2026〕88号): characters a file system refuses become "_", and Django adds filename*=utf-8''."""
    try:
        body = build()
    except (ImportError, OSError):
        log.exception("PDF rendering is not available")
        return HttpResponse(
            _("Printing is not available on this server (WeasyPrint is not installed)."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(body, content_type="application/pdf")
    disposition = content_disposition_header(attachment, re.sub(r'[\\/:*?"<>|\s]', "_", filename))
    response["Content-Disposition"] = disposition or ""
    response["Cache-Control"] = "private, no-store"
    return response
