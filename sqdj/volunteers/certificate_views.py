"""志愿服务证明's pages: the list and detail (through the scope gate; a member sees their own), issuing, revoking,
the A4 PDF, and the public verification page (no sign-in, rate-limited per address, every try logged)."""

from __future__ import annotations

import ipaddress

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from sqdj.accounts.lockout import client_ip
from sqdj.accounts.throttling import AddressRateThrottle
from sqdj.core.forms import errors_to_form
from sqdj.core.pdf import page_counter_css, pdf_response, render_pdf
from sqdj.core.services import ScopeViolation
from sqdj.core.views import ModelViews, ObjectListView, action_page, may
from sqdj.members.models import Member
from sqdj.members.pick_views import MemberPick as SharedMemberPick
from sqdj.orgs.models import Org

from . import certificates
from .certificate_filtersets import CertificateFilterSet
from .certificate_forms import (
    CertificateIssueForm,
    CertificateRevokeForm,
    CertificateVerifyForm,
    members_with_verified_hours,
)
from .certificate_tables import CertificateTable
from .models import Certificate


class CertificateListView(ObjectListView):
    """The list; its "issue" button only for a user who may issue (certificate_issue answers 403 otherwise)."""

    def base_context(self, **extra):
        ctx = super().base_context(**extra)
        if not may(self.request.user, "add", Certificate):
            ctx["hidden_list_actions"] = ["volunteers:certificate_issue"]
        return ctx


class CertificateViews(ModelViews):
    """The certificates of the issuing orgs and communities in scope; a member sees their own (self scope)."""

    model = Certificate
    queryset = Certificate.objects.select_related("member", "org", "community")
    table = CertificateTable
    filterset = CertificateFilterSet
    detail_template = "volunteers/certificates/certificate.html"
    extra_list_actions = (("volunteers:certificate_issue", gettext_lazy("Issue a certificate"), "award"),)

    @classmethod
    def urls(cls):
        listed = path("", CertificateListView.as_view(views=cls), name="certificate_list")
        return [listed, *(p for p in super().urls() if p.name != "certificate_list")]

    @classmethod
    def detail_context(cls, obj, user):
        member_visible = Member.objects.restrict(user, "view").filter(pk=obj.member_id).exists()
        org_visible = Org.objects.restrict(user, "view").filter(pk=obj.org_id).exists()
        rows = [
            (_("number"), obj.number, None),
            (_("party member"), obj.member.name, obj.member.get_absolute_url() if member_visible else None),
            (_("issuing organization"), obj.org.name, obj.org.get_absolute_url() if org_visible else None),
            (_("community"), obj.community.name, None),
            (_("period"), f"{obj.period_start:%Y-%m-%d} — {obj.period_end:%Y-%m-%d}", None),
            (_("verified hours"), str(obj.hours), None),
            (_("number of service records"), str(obj.records), None),
            (_("issued on"), f"{obj.issued_on:%Y-%m-%d}", None),
        ]
        if obj.revoked_on:
            rows += [(_("revoked on"), f"{obj.revoked_on:%Y-%m-%d}", None),
                     (_("why it was revoked"), obj.revoke_reason, None)]  # fmt: skip
        may_change = Certificate.objects.restrict(user, "change").filter(pk=obj.pk).exists()
        return {"rows": rows, "may_revoke": obj.revoked_on is None and may_change}


class MemberPick(SharedMemberPick):
    """The issue form's member picker: the shared one (members.pick_views) over the members with verified hours."""

    queryset = members_with_verified_hours().select_related("org")


@login_required
def certificate_issue(request):
    if not may(request.user, "add", Certificate):
        raise PermissionDenied(_("You have no role that lets you add this."))
    # opened from a member's context (?member=<pk>): the member chosen already, if the user may pick them
    member = request.GET.get("member", "")
    initial = {"member": int(member)} if member.isdigit() and len(member) < 12 else {}
    form = CertificateIssueForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cert = certificates.do_issue_certificate(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        except ScopeViolation as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Issued certificate %(number)s.") % {"number": cert.number})
            return redirect(cert.get_absolute_url())
    context = {"form": form, "list_url": reverse("volunteers:certificate_list")}
    return render(request, "volunteers/certificates/issue.html", context)


@login_required
def certificate_revoke(request, pk):
    cert = get_object_or_404(Certificate.objects.restrict(request.user, "view"), pk=pk)
    if not Certificate.objects.restrict(request.user, "change").filter(pk=pk).exists():
        raise PermissionDenied(_("Only the issuing organization revokes its certificates."))
    back = cert.get_absolute_url()
    return action_page(
        request, cert, CertificateRevokeForm(request.POST or None), _("Revoke the certificate"), back=back,
        next_url=back, done_message=_("The certificate is revoked."),
        call=lambda d: certificates.do_revoke_certificate(cert, acting_user=request.user, **d),
    )  # fmt: skip


def certificate_pdf_bytes(cert: Certificate, verify_url: str) -> bytes:
    def day(value):
        return formats.date_format(value, "DATE_FORMAT") if value else ""

    context = {
        "certificate": cert,
        "records": list(certificates.records_of(cert)),
        "period_start": day(cert.period_start),
        "period_end": day(cert.period_end),
        "issued_on": day(cert.issued_on),
        "revoked_on": day(cert.revoked_on),
        "verify_url": verify_url,
        "page_counter": page_counter_css(),
    }
    return render_pdf("volunteers/certificates/pdf.html", context)


@login_required
def certificate_pdf(request, pk):
    cert = get_object_or_404(CertificateViews.queryset.restrict(request.user, "view"), pk=pk)
    verify_url = request.build_absolute_uri(reverse("volunteers:certificate_verify"))
    return pdf_response(lambda: certificate_pdf_bytes(cert, verify_url), f"certificate-{cert.number}.pdf")


# ---- the public verification ----------------------------------------------------------------------------------------


def _verify_throttle() -> AddressRateThrottle:
    """Tries of the verification page per address (`SQDJ_CERTIFICATE_VERIFY_RATE`)."""
    return AddressRateThrottle("certificate_verify", "SQDJ_CERTIFICATE_VERIFY_RATE")


def _address(request) -> str | None:
    """The client's address as logged (None when a proxy header holds something that is no address)."""
    try:
        return str(ipaddress.ip_address(client_ip(request) or ""))
    except ValueError:
        return None


@never_cache
def certificate_verify(request):
    """Anyone with a certificate's number and the member's name sees whether it is genuine, and its totals: nothing
    else. The form POSTs (no number in a URL); a mistyped number is told before any lookup; an unknown number and
    a name that does not match get one same answer."""
    form = CertificateVerifyForm(request.POST or None)
    context: dict = {"form": form}
    if request.method == "POST":
        if not _verify_throttle().allow(request):
            return render(request, "volunteers/certificates/verify.html", {"form": form, "refused": True},
                          status=429)  # fmt: skip
        if form.is_valid():
            data = form.cleaned_data
            result = certificates.verify(data["number"], data["name"], address=_address(request))
            if result.mistyped:
                form.add_error("number", _("The certificate number is wrong; please check it."))
            elif result.certificate is None:
                context["not_found"] = True
            else:
                context["certificate"] = result.certificate
                context["name"] = data["name"].strip()
    return render(request, "volunteers/certificates/verify.html", context)
