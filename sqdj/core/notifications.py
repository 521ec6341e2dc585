"""The user's notifications: a list (newest first, unread marked), open one (marks it read), mark all read.
A user only ever sees their own: another user's notification is a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .models import Notification
from .redirects import is_local


@login_required
def notification_list(request):
    qs = Notification.objects.filter(user=request.user).order_by("-created", "-pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def mark_all_read(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications")


@login_required
def notification_open(request, pk):
    note = get_object_or_404(Notification, pk=pk, user=request.user)
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())
    # only links inside this site are followed
    if is_local(request, note.url):
        return redirect(note.url)
    return redirect("notifications")
