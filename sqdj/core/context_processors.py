"""The side navigation: a declarative menu; each item shows only to users who may use it."""

from __future__ import annotations

from django.urls import reverse

from .models import Notification
from .plugins import menu
from .scope import anchors, is_unrestricted


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    path = request.path
    groups = []
    for group in menu():
        visible = []
        urls = [reverse(item.url_name) for item in group.items]
        for item, url in zip(group.items, urls, strict=True):
            if not (is_unrestricted(user) or anchors(user, item.action)) and url != "/":
                continue
            # the longest menu URL that the page's path starts with is the active one
            active = path == url or (
                url != "/" and path.startswith(url) and not any(path.startswith(o) and len(o) > len(url) for o in urls)
            )
            visible.append({"url": url, "label": item.label, "icon": item.icon, "active": active})
        if visible:
            groups.append({"title": group.label, "items": visible})
    # the top bar's badge: one count on the (user, read_at) index
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {"nav_groups": groups, "unread_notifications": unread}
