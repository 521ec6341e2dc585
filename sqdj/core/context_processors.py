"""The side navigation: a declarative menu; each item shows only to users who may use it."""

from __future__ import annotations

from django.urls import resolve, reverse

from .models import Notification
from .plugins import menu
from .scope import may


def _page_model(url: str):
    """The model a menu item's page lists (the generic list views: `views.model`), or None for another page."""
    views = getattr(resolve(url).func, "view_initkwargs", {}).get("views")
    return getattr(views, "model", None)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if hasattr(request, "_sqdj_navigation"):  # {% render_table %} renders its template with the request again
        return request._sqdj_navigation
    path = request.path
    groups = []
    for group in menu():
        visible = []
        urls = [reverse(item.url_name) for item in group.items]
        for item, url in zip(group.items, urls, strict=True):
            if item.visible is not None:  # the item decides itself (e.g. the user administration)
                if not item.visible(user):
                    continue
            elif item.duty:  # a duty's page (三员): its holders only
                if getattr(user, "duty", "") != item.duty:
                    continue
            # a self-only role (a member's self service) sees only the lists of models with a self scope
            elif url != "/" and not (may(user, item.action) or may(user, item.action, _page_model(url))):
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
    request._sqdj_navigation = {"nav_groups": groups, "unread_notifications": unread}
    return request._sqdj_navigation
