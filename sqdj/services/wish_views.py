"""The wish part's pages: the list (with its to-do filters), the detail (what, for whom, by when, the claim and its
fulfilment, the photo through a scoped view), the staff's post page, claim (the staff for a member, a team or a
unit; a member "我来认领" for themself), withdraw, fulfil (with the photo upload). A wish is a Request: its pages here
are named `services:wish…` and read the wishes through the scope gate (wishes.visible: a member sees the open wishes
of their communities, to claim them)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, resolve, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.areas.models import Area
from sqdj.core.files import private_response
from sqdj.core.views import ModelViews, ObjectChangesView, ObjectDetailView, ObjectEditView, ObjectListView, action_page

from . import wishes
from .choices import ClaimState, RequestKind
from .models import Request, WishClaim
from .request_tables import verbatim, when
from .request_views import _link, no_import
from .wish_filtersets import WishFilterSet
from .wish_forms import ClaimForm, FulfilForm, SelfClaimForm, WishForm, WithdrawForm
from .wish_tables import WishExport, WishTable, by_when

# the action pages: name → (title, done message, icon)
ACTIONS = {
    "claim": (gettext_lazy("Claim the wish"), gettext_lazy("The wish is claimed."), "hand-thumbs-up"),
    "withdraw": (
        gettext_lazy("Withdraw the claim"),
        gettext_lazy("The claim is withdrawn: the wish is open again."),
        "arrow-counterclockwise",
    ),  # fmt: skip
    "fulfil": (gettext_lazy("Record the fulfilment"), gettext_lazy("The wish is fulfilled."), "gift"),
}


class WishViews(ModelViews):
    """微心愿 of the user's territory; a member and a unit's liaison: the open wishes of their communities and those
    they claimed."""

    model = Request
    queryset = Request.objects.filter(kind=RequestKind.WISH).select_related("area", "org")
    table = WishTable
    filterset = WishFilterSet
    form = WishForm
    create_service = staticmethod(wishes.do_post_wish)
    importer = WishExport  # the list's export only: the import page answers 404
    detail_template = "services/wishes/wish.html"

    @classmethod
    def url_name(cls, action: str = "") -> str:
        return f"services:wish{'_' + action if action else ''}"

    @classmethod
    def urls(cls):
        return [
            path("", WishListView.as_view(views=cls), name="wish_list"),
            path("<int:pk>/", WishDetailView.as_view(views=cls), name="wish"),
            path("add/", WishEditView.as_view(views=cls), name="wish_add"),
            path("<int:pk>/edit/", wish_edit, name="wish_edit"),
            path("import/", no_import, name="wish_import"),
            path("<int:pk>/changes/", WishChangesView.as_view(views=cls), name="wish_changes"),
        ]

    @classmethod
    def detail_context(cls, obj, user):
        rows = [
            (_("wish number"), verbatim(obj.number), None),
            (_("the wish"), obj.summary, None),
            (_("for whom"), obj.beneficiary or "—", None),
            (_("description"), obj.description, None),
            (_("area"), obj.area.name, _link(Area, obj.area, user)[1]),
            (_("wanted by"), by_when(obj.due_at), None),
            (_("posted at"), when(obj.received_at), None),
        ]
        for label, value in ((_("resolved at"), obj.resolved_at), (_("closed at"), obj.closed_at)):
            if value:
                rows.append((label, when(value), None))
        claims = list(obj.claims.select_related("member", "team", "unit").order_by("-claimed_at", "-pk"))
        actions = [(name, *ACTIONS[name]) for name in wishes.allowed_actions(obj, user) if name in ACTIONS]
        staff = wishes.is_staff(obj, user)
        return {
            "rows": rows,
            "claims": claims,
            "wish_actions": actions,
            "self_claim": "claim" in dict.fromkeys(a[0] for a in actions) and not staff,
            "may_close": "close" in wishes.allowed_actions(obj, user),
            "steps": obj.steps.select_related("by").order_by("at", "pk"),
            "late": wishes.wishes().filter(wishes.late_q(), pk=obj.pk).exists(),
            "staff": staff,  # the others read the claimant's kind and the public notes, no one's name
            "can_change": False,
        }


class _WishPages:
    """What the wish pages share: the wishes seen through wishes.visible, named as wishes."""

    def restricted(self, action: str = "view"):
        user = self.request.user  # type: ignore[attr-defined]
        qs = wishes.visible(user) if action == "view" else Request.objects.restrict(user, action)
        return qs.filter(kind=RequestKind.WISH).select_related("area", "org")

    def base_context(self, **extra):
        ctx = super().base_context(**extra)  # type: ignore[misc]
        ctx.update(verbose_name=_("small wish"), verbose_name_plural=_("small wishes"), can_import=False)
        return ctx


class WishListView(_WishPages, ObjectListView):
    pass


class WishDetailView(_WishPages, ObjectDetailView):
    pass


class WishEditView(_WishPages, ObjectEditView):
    def post(self, request, pk=None):
        response = super().post(request, pk)
        if response.status_code == 302:  # posted: to the wish's page rather than the request's
            match = resolve(urlsplit(response["Location"]).path)
            if match.url_name == "request":
                return redirect("services:wish", match.kwargs["pk"])
        return response


class WishChangesView(_WishPages, ObjectChangesView):
    pass


def _wish(http, pk) -> Request:
    return get_object_or_404(wishes.visible(http.user).select_related("area", "org"), pk=pk)


@login_required
def wish_edit(http, pk):
    """A wish changes by its steps: the edit link leads to its page (the staff), else 403."""
    wish = _wish(http, pk)
    if not wishes.is_staff(wish, http.user):
        raise PermissionDenied(_("You may view this but not change it."))
    return redirect("services:wish", wish.pk)


def _allowed(http, wish, action):
    if action not in wishes.allowed_actions(wish, http.user):
        raise PermissionDenied(_("You may not take this step now."))


@login_required
def wish_claim(http, pk):
    wish = _wish(http, pk)
    _allowed(http, wish, "claim")
    initial = {"version": wish.version}
    url = reverse("services:wish", args=[wish.pk])
    title, done, _icon = ACTIONS["claim"]
    form: SelfClaimForm | ClaimForm
    if wishes.is_staff(wish, http.user):
        form = ClaimForm(http.POST or None, instance=wish, user=http.user, initial=initial)
        call = lambda d: wishes.do_claim_wish(wish, acting_user=http.user, **d)  # noqa: E731
    else:  # 我来认领: for themself (their member record), else for the unit they are the liaison of
        form = SelfClaimForm(http.POST or None, instance=wish, user=http.user, initial=initial)
        member = wishes.own_member(http.user)
        units = [] if member is not None else wishes.own_units(http.user)
        helper = {"member": member} if member is not None else {"unit": units[0] if units else None}
        call = lambda d: wishes.do_claim_wish(wish, acting_user=http.user, **helper, **d)  # noqa: E731
    return action_page(http, wish, form, str(title), back=url, next_url=url, done_message=str(done), call=call)


def _claim(wish) -> WishClaim:
    claim = wishes.active_claim(wish)
    if claim is None or claim.state != ClaimState.CLAIMED:
        raise Http404
    return claim


@login_required
def wish_withdraw(http, pk):
    wish = _wish(http, pk)
    _allowed(http, wish, "withdraw")
    claim = _claim(wish)
    url = reverse("services:wish", args=[wish.pk])
    title, done, _icon = ACTIONS["withdraw"]
    form = WithdrawForm(http.POST or None, instance=claim, user=http.user, initial={"version": wish.version})
    call = lambda d: wishes.do_withdraw_claim(claim, acting_user=http.user, **d)  # noqa: E731
    return action_page(http, wish, form, str(title), back=url, next_url=url, done_message=str(done), call=call)


@login_required
def wish_fulfil(http, pk):
    """The fulfilment with its photo (the action page sends a form with a file field as multipart)."""
    wish = _wish(http, pk)
    _allowed(http, wish, "fulfil")
    claim = _claim(wish)
    url = reverse("services:wish", args=[wish.pk])
    title, done, _icon = ACTIONS["fulfil"]
    form = FulfilForm(http.POST or None, http.FILES or None, instance=claim, user=http.user,
                      initial={"version": wish.version})  # fmt: skip
    call = lambda d: wishes.do_fulfil_wish(claim, acting_user=http.user, **d)  # noqa: E731
    return action_page(http, wish, form, str(title), back=url, next_url=url, done_message=str(done), call=call)


@login_required
def wish_photo(http, pk):
    """A fulfilment's photo (pk: the claim's), streamed to whoever may see the claim; 404 otherwise."""
    claim = get_object_or_404(WishClaim.objects.restrict(http.user, "view"), pk=pk)
    return private_response(claim.photo)
