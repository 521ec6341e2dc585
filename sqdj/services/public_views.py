"""The public pages (no account, phone first): a community's page, the resident's form, the tracking page. They
render on the layout without the staff menu for everyone — a signed-in user sees what a resident sees — and send
nothing personal in a URL: forms POST, the tracking code is shown once on the answer page."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sqdj.accounts.lockout import client_ip
from sqdj.accounts.throttling import AddressRateThrottle
from sqdj.core.forms import errors_to_form

from . import public, stations
from .public_forms import PublicRequestForm, TrackForm

PAGE_SIZE = 20


def _render(request, template, context, status=200):
    # the public layout for everyone: base.html shows the staff menu only to a signed-in `user`
    return render(request, template, {**context, "user": AnonymousUser()}, status=status)


def _request_throttle():
    return AddressRateThrottle("public_request", "SQDJ_PUBLIC_REQUEST_RATE", public.REQUEST_RATE_DEFAULT)


def _track_throttle():
    return AddressRateThrottle("public_track", "SQDJ_PUBLIC_TRACK_RATE", public.TRACK_RATE_DEFAULT)


@never_cache
@require_http_methods(["GET", "HEAD"])
def community_page(request, code):
    """The community's public stations and its requests marked public (summary, category, state, dates), paged."""
    community = public.community_by_code(code)
    page = Paginator(public.public_requests(community), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"community": community, "stations": stations.public_stations(community), "page": page}
    return _render(request, "services/public/community.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def request_new(request, code):
    """The resident's form. Only a POST writes; the answer page shows the tracking code once."""
    community = public.community_by_code(code)
    address = client_ip(request)
    if request.method != "POST":
        form = PublicRequestForm(community=community)
        return _render(request, "services/public/new.html", {"community": community, "form": form})
    form = PublicRequestForm(request.POST, community=community)
    if not _request_throttle().allow(request):
        public.log_refused("throttled", community=community, address=address)
        form = PublicRequestForm(community=community)
        return _render(request, "services/public/new.html", {"community": community, "form": form, "refused": True},
                       status=429)  # fmt: skip
    if form.honeypot_filled:  # a program filled the field people never see: one plain refusal, nothing written
        public.log_refused("honeypot", community=community, address=address)
        form = PublicRequestForm(community=community)
        return _render(request, "services/public/new.html", {"community": community, "form": form,
                                                             "not_accepted": True}, status=400)  # fmt: skip
    if form.is_valid():
        try:
            made = public.submit(community=community, data=form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            context = {"community": community, "tracking_code": made.tracking_code, "made": made}
            return _render(request, "services/public/done.html", context)
    elif form.challenge_refused:
        public.log_refused("challenge", community=community, address=address)
    form.renew_challenge()
    return _render(request, "services/public/new.html", {"community": community, "form": form})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def track(request):
    """A request's summary, category, state, dates and public notes, for its tracking code (POSTed); an unknown code
    gets one plain answer."""
    form = TrackForm(request.POST if request.method == "POST" else None)
    context: dict = {"form": form}
    if request.method == "POST":
        if not _track_throttle().allow(request):
            return _render(request, "services/public/track.html", {"form": TrackForm(), "refused": True}, status=429)
        if form.is_valid():
            found = public.track(form.cleaned_data["code"], address=client_ip(request))
            context["found"] = found
            context["not_found"] = found is None
            context["form"] = TrackForm()  # the code is not written back into the page
    return _render(request, "services/public/track.html", context)
