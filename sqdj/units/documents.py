"""The printable co-building agreement (共建协议书): an A4 PDF rendered by WeasyPrint (core.pdf) with the system's Noto
CJK fonts — both parties, the term, each side's commitments and the signature lines."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils import formats

from sqdj.core.pdf import page_counter_css, pdf_response, render_pdf

from .models import Agreement

log = logging.getLogger(__name__)


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def agreement_pdf(agreement: Agreement) -> bytes:
    units = list(agreement.units.order_by("name", "pk"))
    context = {
        "agreement": agreement,
        "units": units,
        "number": agreement.number,
        "signed_on": _date(agreement.signed_on),
        "starts_on": _date(agreement.starts_on),
        "ends_on": _date(agreement.ends_on),
        "ended_on": _date(agreement.ended_on),
        "page_counter": page_counter_css(),
    }
    return render_pdf("units/councils/pdf/agreement.html", context)


@login_required
def agreement_pdf_view(request, pk):
    agreement = get_object_or_404(Agreement.objects.restrict(request.user, "view").select_related("org"), pk=pk)
    return pdf_response(lambda: agreement_pdf(agreement), f"agreement-{agreement.number or agreement.pk}.pdf")
