"""Pages of the member's self service (issue 16 item 7): member accounts in bulk from the member list, and a
member's request to change their phone number or residence, approved by whoever may change the member.

The bulk result — usernames and initial passwords — exists only in the user's session (encrypted like the personal
numbers, core.pii) between the creation and the page that shows it: shown once (a second look shows the usernames
alone), printed at most once as an A4 PDF of slips (which ends it), gone after ONE_TIME_SECONDS anyway; never in a
URL, never cached, never logged.
"""

from __future__ import annotations

import json
import time

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sqdj.areas.models import Area
from sqdj.core import pii, saved_search
from sqdj.core.filtersets import BaseFilterSet
from sqdj.core.forms import RevealForm, errors_to_form
from sqdj.core.pdf import pdf_response, render_pdf
from sqdj.core.services import ScopeViolation
from sqdj.core.tables import BaseTable
from sqdj.core.views import ModelViews, action_page, may
from sqdj.core.widgets import SearchSelect, use_picker

from . import accounts, contact_changes
from .filtersets import MemberFilterSet
from .models import ContactChange, Member
from .self_service import member_of

SESSION_KEY = "sqdj_member_accounts"
ONE_TIME_SECONDS = 15 * 60
SHOWN_AT_MOST = 200  # candidates listed on the bulk page (MAX_BATCH is what one request may create)


# ---- member accounts in bulk ------------------------------------------------------------------------------------


def _candidates(request):
    """The members of the member list as its remembered filters narrow it, that the user may change and that have
    no account yet."""
    qs = Member.objects.restrict(request.user, "change").filter(user__isnull=True).select_related("org")
    state = saved_search.recall(request, reverse("members:member_list"))
    if state:
        params = QueryDict(mutable=True)
        for key, values in state.items():
            params.setlist(key, values)
        fs = MemberFilterSet(MemberFilterSet.with_defaults(params), queryset=qs, request=request)
        qs = fs.qs if fs.is_valid() else qs
    return qs, bool(state)


def _store(request, result: accounts.AccountsResult) -> None:
    body = {
        "user": request.user.pk,
        "shown": False,
        "created": [[a.member_id, a.name, a.org, a.username, a.password] for a in result.created],
        "skipped": [[pk, name] for pk, name in result.skipped],
    }
    request.session[SESSION_KEY] = [time.time(), pii.encrypt(json.dumps(body, ensure_ascii=False))]


def _load(request) -> dict | None:
    entry = request.session.get(SESSION_KEY)
    if not (isinstance(entry, list) and len(entry) == 2):
        return None
    if time.time() - entry[0] > ONE_TIME_SECONDS:
        request.session.pop(SESSION_KEY, None)
        return None
    try:
        body = json.loads(pii.decrypt(entry[1]))
    except Exception:  # noqa: BLE001 (a key rotated away, a tampered session: nothing to show)
        return None
    return body if body.get("user") == request.user.pk else None


def _no_store(response):
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@never_cache
def member_accounts(request):
    """为所选党员开通账号: the list's members without an account, all ticked; creating answers with the result page."""
    _may_create(request.user)
    qs, filtered = _candidates(request)
    if request.method == "POST":
        try:
            chosen = [int(v) for v in request.POST.getlist("member")]
        except ValueError:
            chosen = []
        try:
            result = accounts.do_create_member_accounts(chosen, acting_user=request.user)
        except (ValidationError, ScopeViolation, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", None) or [str(exc)]))
        else:
            _store(request, result)
            return redirect("members:member_accounts_result")
    total = qs.count()
    rows = list(qs.order_by("org__path", "name", "pk")[:SHOWN_AT_MOST])
    return render(request, "members/selfservice/accounts.html",
                  {"rows": rows, "total": total, "filtered": filtered, "limit": SHOWN_AT_MOST})  # fmt: skip


def _may_create(user) -> None:
    if not may(user, "change", Member):
        raise PermissionDenied(_("You may view this but not change it."))


@login_required
def member_accounts_result(request):
    """The usernames and initial passwords, shown once: the first look marks them shown; the slips stay printable
    (once) until they expire."""
    _may_create(request.user)
    body = _load(request)
    show = body is not None and not body["shown"]
    if body is not None and show:
        body["shown"] = True
        entry = request.session[SESSION_KEY]
        request.session[SESSION_KEY] = [entry[0], pii.encrypt(json.dumps(body, ensure_ascii=False))]
    context = {"result": body, "show_passwords": show}
    return _no_store(render(request, "members/selfservice/accounts_result.html", context))


@login_required
def member_accounts_slips(request):
    """The A4 slips of the one-time result (one per member), printed once: the result ends with it."""
    _may_create(request.user)
    body = _load(request)
    if body is None or not body["created"]:
        messages.warning(request, _("The initial passwords were shown once and are no longer available."))
        return redirect("members:member_accounts_result")
    request.session.pop(SESSION_KEY, None)
    slips = [{"name": n, "org": o, "username": u, "password": p} for _pk, n, o, u, p in body["created"]]
    title = _("Member account slips")
    return pdf_response(lambda: render_pdf("members/selfservice/account_slips.html", {"slips": slips, "title": title}),
                        f"{title}.pdf")  # fmt: skip


# ---- contact changes --------------------------------------------------------------------------------------------


class ContactChangeForm(forms.Form):
    """What the member asks for; the service validates (the same phone rule as the member record)."""

    phone = forms.CharField(label=gettext_lazy("new phone number"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))  # fmt: skip
    home_area = forms.ModelChoiceField(label=gettext_lazy("new area of residence"), queryset=Area.objects.all(),
                                       required=False)  # fmt: skip
    address_note = forms.CharField(
        label=gettext_lazy("address note"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("e.g. building, unit and room (for your branch admin)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the administrative divisions are public: the picker searches them all (a member sees no area list)
        use_picker(self.fields["home_area"], SearchSelect(reverse_lazy("areas:area_pick")))
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-control")


class DecideForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("decision note"), max_length=200, required=False,
                           widget=forms.TextInput(attrs={"class": "form-control"}))  # fmt: skip


@login_required
def member_contact_change(request):
    """我的 → 修改手机号 / 居住地址: the member's own form (a phone first), and their requests."""
    member = member_of(request.user)
    if member is None:
        raise Http404(_("No member record is linked to your account."))
    form = ContactChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact_changes.do_request_contact_change(member, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        except ScopeViolation as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your request has been sent to your branch for approval."))
            return redirect("members:member_contact_change")
    requests = ContactChange.objects.restrict(request.user, "view").filter(member=member).select_related("home_area")
    context = {"member": member, "form": form, "requests": requests[:10],
               "pending": any(r.state == ContactChange.State.PENDING for r in requests[:10])}  # fmt: skip
    return render(request, "members/selfservice/contact_change.html", context)


class ContactChangeTable(BaseTable):
    member = tables.Column(linkify=lambda record: record.get_absolute_url(), order_by=("member__name_pinyin",))
    org = tables.Column(accessor="member__org__name", verbose_name=gettext_lazy("party organization"),
                        order_by=("member__org__path",))  # fmt: skip
    phone = tables.Column(verbose_name=gettext_lazy("new phone number"), orderable=False, empty_values=())
    home_area = tables.Column(verbose_name=gettext_lazy("new area of residence"), order_by=("home_area__path",))
    state = tables.Column()
    requested_at = tables.DateTimeColumn(format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = ContactChange
        fields = ("member", "org", "phone", "home_area", "state", "requested_at")
        order_by = ("-requested_at",)

    def render_phone(self, record):
        return record.phone_masked or "—"  # never the full number in a list


class ContactChangeFilterSet(BaseFilterSet):
    search_fields = ("member__name", "member__name_pinyin", "member__name_initials")

    state = django_filters.ChoiceFilter(choices=ContactChange.State.choices, label=gettext_lazy("status"))
    # the workbench's to-do links here: pending requests the user may decide
    to_decide = django_filters.BooleanFilter(method="filter_to_decide", label=gettext_lazy("awaiting my decision"))

    class Meta:
        model = ContactChange
        fields = ["q", "state", "to_decide"]

    def filter_to_decide(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(contact_changes.awaiting_decision(getattr(getattr(self, "request", None), "user", None)))


class ContactChangeViews(ModelViews):
    """The requests, as the member's org line lists them (the member: their own); decided on the detail page."""

    model = ContactChange
    queryset = ContactChange.objects.select_related("member", "member__org", "home_area", "decided_by")
    table = ContactChangeTable
    filterset = ContactChangeFilterSet
    detail_template = "members/selfservice/contactchange.html"

    @classmethod
    def detail_context(cls, obj, user):
        member_visible = Member.objects.restrict(user, "view").filter(pk=obj.member_id).exists()
        member = obj.member
        rows = [
            (_("party member"), member.name, member.get_absolute_url() if member_visible else None),
            (_("party organization"), member.org.name, None),
            (_("requested at"), f"{obj.requested_at:%Y-%m-%d %H:%M}", None),
            (_("status"), obj.get_state_display(), None),
            (_("area of residence"), str(member.home_area) if member.home_area_id else "—", None),
            (_("new area of residence"), str(obj.home_area) if obj.home_area_id else "—", None),
            (_("address note"), obj.address_note or "—", None),
        ]
        if obj.state != ContactChange.State.PENDING:
            rows += [
                (_("decided by"), str(obj.decided_by) if obj.decided_by else "—", None),
                (_("time of the decision"), f"{obj.decided_at:%Y-%m-%d %H:%M}" if obj.decided_at else "—", None),
                (_("decision note"), obj.decision_note or "—", None),
            ]  # fmt: skip
        pending = obj.state == ContactChange.State.PENDING
        return {
            "rows": rows,
            "may_decide": pending and contact_changes.may_decide(obj, user),
            "may_reveal": bool(obj.phone) and contact_changes.may_reveal(obj, user),
            "reveal_form": RevealForm(),
        }


def _change(request, pk):
    change = get_object_or_404(ContactChange.objects.restrict(request.user, "view").select_related("member"), pk=pk)
    if not contact_changes.may_decide(change, request.user):
        raise PermissionDenied(_("You may view this but not change it."))
    if change.state != ContactChange.State.PENDING:  # decided (by someone else, or before): refused, back to it
        messages.error(request, _("This request has been decided already."))
        return change, False
    return change, True


@login_required
def contactchange_approve(request, pk):
    change, open_ = _change(request, pk)
    back = change.get_absolute_url()
    if not open_:
        return redirect(back)
    return action_page(
        request, change, DecideForm(request.POST or None), _("Approve the change"), back=back, next_url=back,
        done_message=_("Approved: the member's record is updated."),
        call=lambda d: contact_changes.do_approve_contact_change(change, acting_user=request.user, **d),
    )  # fmt: skip


@login_required
def contactchange_decline(request, pk):
    change, open_ = _change(request, pk)
    back = change.get_absolute_url()
    if not open_:
        return redirect(back)
    form = DecideForm(request.POST or None)
    form.fields["note"].required = True
    return action_page(
        request, change, form, _("Decline the change"), back=back, next_url=back,
        done_message=_("Declined; the member sees your note."),
        call=lambda d: contact_changes.do_decline_contact_change(change, acting_user=request.user, **d),
    )  # fmt: skip


@login_required
@require_POST
def contactchange_reveal(request, pk):
    """The requested number in full, after a reason (members' reveal rule); an htmx fragment, never cached."""
    change = get_object_or_404(ContactChange.objects.restrict(request.user, "view").select_related("member"), pk=pk)
    form = RevealForm(request.POST)
    context = {"object": change, "reveal_form": form, "may_reveal": True}
    if not contact_changes.may_reveal(change, request.user):
        return render(request, "members/selfservice/_contactchange_phone.html", {"object": change, "denied": True},
                      status=403)  # fmt: skip
    if form.is_valid():
        try:
            phone = contact_changes.do_reveal_requested_phone(
                change, acting_user=request.user, reason=form.cleaned_data["reason"],
                remote_addr=request.META.get("REMOTE_ADDR"),
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error("reason", exc.message_dict.get("reason", exc.messages))
        else:
            response = render(request, "members/selfservice/_contactchange_phone.html",
                              {"object": change, "revealed": phone})  # fmt: skip
            return _no_store(response)
    return render(request, "members/selfservice/_contactchange_phone.html", context, status=400)
