"""The public side of the services app (issue 17 item 2): what a resident without an account may see and do — a
community's public page (its stations, its requests marked public), the intake form, the tracking of a request by
its code. Nothing here shows or logs a person: no contact, no description, no code in a URL or in full in a log.

The form's challenge is offline: a small sum whose answer travels signed (django.core.signing, with its time) and
hashed with the site's key, so the page's hidden value does not give it away; it expires, and each one is accepted
once (its nonce kept in the cache for its lifetime)."""

from __future__ import annotations

import dataclasses
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import Prefetch
from django.http import Http404
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core import audit
from sqdj.orgs.services import community_org

from .choices import RequestKind, Source
from .models import Category, Request, RequestStep
from .requests import PLACEABLE, do_create_request, normalize_tracking_code

CONSENT_VERSION = "2026-1"  # the version of the consent text on the form (stored with each request that gives one)
CHALLENGE_SALT = "sqdj.services.public.challenge"
TRACK_EVENT = "public_track"  # the audit trail's event of a tracking try (core.audit; no code in full)
INTAKE_EVENT = "public_request"  # … of a refused public submission (an accepted one is the request's create event)
# the settings' defaults until the deployment names them (SQDJ_PUBLIC_REQUEST_RATE, SQDJ_PUBLIC_TRACK_RATE)
REQUEST_RATE_DEFAULT = "10/min"
TRACK_RATE_DEFAULT = "10/min"
CODE_PREFIX_LOGGED = 3  # characters of a tried code kept in the log: enough to see a pattern, not to find a request


def setting(name: str, default):
    """The public pages' settings, with their defaults until the deployment names them."""
    return getattr(settings, name, default)


# ---- the community and what it shows -------------------------------------------------------------------------------


def community_by_code(code: str) -> Area:
    """A community (or village) by its code; anything else is a 404, the same for every wrong code."""
    community = Area.objects.filter(code=code, type__in=(AreaType.COMMUNITY, AreaType.VILLAGE)).first()
    if community is None:
        raise Http404
    return community


def places_of(community: Area):
    """Where a resident may say the matter is: the community itself, or a place in it (a grid, an estate, a
    building …)."""
    return Area.objects.filter(path__startswith=community.path, type__in=PLACEABLE).order_by("path")


def categories_for(community: Area):
    """The active categories that apply there: the deployment's and those of the community's org and above."""
    org = community_org(community)
    qs = Category.objects.filter(active=True)
    qs = qs.filter(Category.scope_org_q(org, descendants=False)) if org is not None else qs.filter(org__isnull=True)
    return qs.order_by("position", "code")


def public_requests(community: Area):
    """The community's requests marked public, the newest first: only what the public list shows is read."""
    return (
        Request.objects.filter(area__path__startswith=community.path, public=True, kind=RequestKind.REQUEST)
        .select_related("category")
        .only("summary", "category__name", "state", "received_at", "resolved_at", "closed_at")
        .order_by("-received_at", "-pk")
    )


# ---- the challenge -------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Challenge:
    a: int
    b: int
    token: str


def _digest(nonce: str, answer: int) -> str:
    return salted_hmac(CHALLENGE_SALT, f"{nonce}:{answer}").hexdigest()[:20]


def new_challenge() -> Challenge:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    nonce = secrets.token_urlsafe(12)
    token = signing.dumps({"n": nonce, "h": _digest(nonce, a + b)}, salt=CHALLENGE_SALT, compress=True)
    return Challenge(a, b, token)


def challenge_error(token: str, answer) -> str | None:
    """Why the answer is refused (None: right, and now used). A nonce is spent by any try, right or wrong: a
    question is answered once."""
    max_age = int(setting("SQDJ_PUBLIC_CHALLENGE_MAX_AGE", 1800))
    try:
        payload = signing.loads(token or "", salt=CHALLENGE_SALT, max_age=max_age)
        nonce, digest = str(payload["n"]), str(payload["h"])
    except signing.SignatureExpired:
        return _("The question has expired. Please answer the new one.")
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return _("Please answer the question below.")
    if not cache.add(f"sqdj:public-challenge:{nonce}", 1, timeout=max_age + 60):
        return _("This form has been sent already. Please answer the new question.")
    if answer is None or not constant_time_compare(_digest(nonce, answer), digest):
        return _("The answer is wrong. Please answer the new question.")
    return None


# ---- intake and tracking -------------------------------------------------------------------------------------------


def submit(*, community: Area, data: dict) -> Request:
    """A resident's request from the public form (checked by do_create_request: nothing written when wrong)."""
    area = data["area"]
    if area is None or not area.path.startswith(community.path):
        area = community
    return do_create_request(
        acting_user=None, source=Source.WEB, summary=data["summary"], description=data["description"], area=area,
        category=data.get("category"), location=data.get("location", ""), contact_name=data.get("contact_name", ""),
        contact_phone=data.get("contact_phone", ""), consent=bool(data.get("consent")),
        consent_version=CONSENT_VERSION,
    )  # fmt: skip


def log_refused(why: str, *, community: Area, address: str | None) -> None:
    """A refused submission (throttled, the honeypot filled, the challenge failed): what and where, no content."""
    audit.record(INTAKE_EVENT, user=None, outcome=audit.Outcome.REFUSED, object_type="areas.area",
                 object_id=community.pk, remote_addr=address, detail={"why": why})  # fmt: skip


def track(code: str, *, address: str | None) -> Request | None:
    """The request with this tracking code (its public steps prefetched), or None. Every try is logged: found or
    not, and the code's first characters only."""
    code = normalize_tracking_code(code)[:32]
    found = None
    if code:
        public_steps = Prefetch(
            "steps", queryset=RequestStep.objects.exclude(public_note="").order_by("at", "pk"), to_attr="public_steps"
        )
        found = (
            Request.objects.filter(tracking_code=code).select_related("category").prefetch_related(public_steps).first()
        )
    audit.record(TRACK_EVENT, user=None, outcome=audit.Outcome.OK if found else audit.Outcome.FAILED,
                 object_type="services.request", object_id=found.pk if found else "", remote_addr=address,
                 detail={"code_prefix": code[:CODE_PREFIX_LOGGED], "length": len(code),
                         "found": found is not None})  # fmt: skip
    return found
