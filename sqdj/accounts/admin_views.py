"""User administration at /users/ (security.md R5, R7, R8): list the users within reach, add one, grant and revoke
roles, reset a password (a temporary one shown once), unlock a locked-out account.

Not under /account/: those pages stay open before the second factor and the forced password change, these must
not. Every decision is the services' (accounts.services, "user administration"), which the `sqdj user` command
shares: a user or org outside the acting administrator's reach is 404, an operation their duty does not include 403.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sqdj.core.scope import is_unrestricted, may

from . import lockout, services
from .forms import GrantForm, UserCreateForm, UserSearchForm

PER_PAGE = 50


def user_admin(view):
    """Signed in and an administrator of users (else 404, as for any page one has no business with); NotYours
    from a service is 404 too."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not services.administers_users(request.user):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except services.NotYours:
            raise Http404 from None

    return wrapper


def _picker(user) -> bool:
    # the org picker reads through the scope gate: a duty holder (no scope) types the org's code instead
    return is_unrestricted(user) or may(user, "view")


def _grant_form(request, data=None, form_class=GrantForm, **kwargs):
    user = request.user
    orgs = services.admin_orgs(user)
    roles = services.role_choices(user)
    return form_class(data, acting_user=user, orgs=orgs, roles=roles, picker=_picker(user), **kwargs)


def _errors(exc: ValidationError) -> list[str]:
    return exc.messages


@user_admin
def user_list(request):
    acting = request.user
    form = UserSearchForm(request.GET or None)
    users = services.manageable_users(acting).order_by("username")
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
        if form.cleaned_data["locked"]:
            users = users.filter(username__in=lockout.locked_usernames(users.values_list("username", flat=True)))
    page = Paginator(users, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    locked = lockout.locked_usernames(u.username for u in rows)
    roles: dict[int, list] = {}
    for a in services.assignments_in_reach(acting, rows).order_by("org__path", "role"):
        roles.setdefault(a.user_id, []).append(a)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [{"user": u, "locked": u.username in locked, "roles": roles.get(u.pk, [])} for u in rows],
        "may_add": services.may_do(acting, "create_user"),
        "query": query.urlencode(),
    }
    return render(request, "accounts/user_list.html", context)


@user_admin
def user_add(request):
    acting = request.user
    if not services.may_do(acting, "create_user"):
        raise PermissionDenied(_("The %(duty)s may not do this.") % {"duty": acting.get_duty_display()})
    may_grant = services.may_do(acting, "grant_role")
    required = not services.deployment_wide(acting)
    form = _grant_form(request, request.POST or None, UserCreateForm, role_required=required)
    if not may_grant:  # the system administrator creates accounts; the security administrator grants (三员)
        for name in ("role", "org", "descendants"):
            del form.fields[name]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.do_admin_create_user(
                data["username"],
                acting_user=acting,
                display_name=data["display_name"],
                role=data.get("role") or "",
                org=data.get("org"),
                descendants=bool(data.get("descendants")),
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return _show_password(request, user, password, created=True)
    status = 400 if form.is_bound else 200
    return render(request, "accounts/user_add.html", {"form": form, "may_grant": may_grant}, status=status)


def _show_password(request, user, password: str, *, created: bool):
    """The temporary password, once: this response is the only place it appears (not stored, not cached)."""
    response = render(
        request,
        "accounts/user_password_issued.html",
        {"object": user, "password": password, "created": created},
    )
    response["Cache-Control"] = "no-store"
    return response


def _detail_context(request, user, **extra) -> dict:
    acting = request.user
    wholly = services.wholly_in_reach(acting, user)
    may_grant = services.may_do(acting, "grant_role") and not (user.is_superuser or user.duty)
    ctx = {
        "object": user,
        "assignments": services.assignments_in_reach(acting, user).order_by("org__path", "role"),
        "outside": user.role_assignments.count() - services.assignments_in_reach(acting, user).count(),
        "locked": lockout.is_locked(user.username),
        "failures": lockout.failures_of(user.username),
        "may_reset": wholly and services.may_do(acting, "set_password") and user.pk != acting.pk,
        "may_unlock": wholly and services.may_do(acting, "unlock"),
        "may_revoke": services.may_do(acting, "grant_role") and user.pk != acting.pk,
        "may_grant": may_grant,
        "grant_form": extra.pop("grant_form", None) or (_grant_form(request) if may_grant else None),
        "wholly": wholly,
    }
    ctx.update(extra)
    return ctx


@user_admin
def user_detail(request, pk):
    user = services.get_manageable_user(request.user, pk)
    return render(request, "accounts/user_detail.html", _detail_context(request, user))


@user_admin
@require_POST
def user_grant(request, pk):
    acting = request.user
    user = services.get_manageable_user(acting, pk)
    form = _grant_form(request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.do_admin_grant(
                user, acting_user=acting, role=data["role"], org=data["org"], descendants=data["descendants"]
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Granted %(role)s on %(org)s to %(name)s.")
                % {"role": dict(services.Role.choices)[data["role"]], "org": data["org"], "name": user},
            )
            return redirect("users:user_detail", pk=user.pk)
    return render(request, "accounts/user_detail.html", _detail_context(request, user, grant_form=form), status=400)


@user_admin
def user_revoke(request, pk, assignment_pk):
    """GET: what will change; POST: revoke."""
    acting = request.user
    user = services.get_manageable_user(acting, pk)
    assignment = get_object_or_404(services.assignments_in_reach(acting, user), pk=assignment_pk)
    if request.method == "POST":
        services.do_revoke_role(assignment, acting_user=acting)
        messages.success(
            request,
            _("Revoked %(role)s on %(org)s from %(name)s.")
            % {"role": assignment.get_role_display(), "org": assignment.org, "name": user},
        )
        return redirect("users:user_detail", pk=user.pk)
    others = user.role_assignments.exclude(pk=assignment.pk).count()
    return render(
        request, "accounts/user_revoke_confirm.html", {"object": user, "assignment": assignment, "others": others}
    )


@user_admin
def user_reset_password(request, pk):
    """GET: what will change; POST: a new temporary password, shown once."""
    acting = request.user
    user = services.get_manageable_user(acting, pk)
    if request.method == "POST":
        password = services.do_reset_password(user, acting_user=acting)
        return _show_password(request, user, password, created=False)
    if not services.wholly_in_reach(acting, user) or user.pk == acting.pk:
        raise PermissionDenied(_("You may view this but not change it."))
    return render(request, "accounts/user_reset_confirm.html", {"object": user})


@user_admin
@require_POST
def user_unlock(request, pk):
    user = services.get_manageable_user(request.user, pk)
    services.do_unlock(user, acting_user=request.user)
    messages.success(request, _("%(name)s can sign in again.") % {"name": user})
    return redirect(reverse("users:user_detail", args=[user.pk]))


def may_see_menu(user) -> bool:
    return services.administers_users(user)
