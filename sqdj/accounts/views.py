"""The user's own account pages: the password change (security.md R1, R5, R35); and the sign-in page, which says how
many tries are left before the lockout (R2)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from sqdj.core.redirects import next_url

from . import lockout
from .forms import PasswordChangeForm
from .services import do_set_password, password_expired


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
def password_change(request):
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        do_set_password(user, form.cleaned_data["new_password1"], acting_user=user, validate=False)  # the form did
        # stay signed in with a new session key; the user's other sessions end (their auth hash no longer matches)
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect(next_url(request))
    context = {
        "form": form,
        "rules": form.rules(),
        "forced": user.must_change_password,
        "expired": password_expired(user),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "accounts/password_change.html", context, status=400 if form.is_bound else 200)


class LoginView(auth_views.LoginView):
    """Django's sign-in page; after a failed attempt it says how many more the username has before it is locked
    (the same answer for a username that does not exist: the count is axes', kept for any username tried)."""

    redirect_authenticated_user = True

    def form_invalid(self, form):
        username = str(form.data.get("username", ""))[:150]
        context = self.get_context_data(
            form=form, tries_left=lockout.tries_left(username), cooloff_minutes=lockout.cooloff_minutes()
        )
        return self.render_to_response(context)
