"""The side navigation: a declarative menu; each item shows only to users who may use it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .scope import anchors, is_unrestricted

MENU = [
    (_("Workbench"), [("home", _("To-do and overview"), "house", "view")]),
    (
        _("Party organizations"),
        [
            ("orgs:org_tree", _("Organization tree"), "diagram-3", "view"),
            ("orgs:org_list", _("Organization list"), "list-ul", "view"),
            ("orgs:org_import", _("Import organizations"), "upload", "add"),
            ("orgs:position_list", _("Leadership positions"), "person-badge", "view"),
            ("orgs:election_list", _("Elections"), "check2-square", "view"),
            ("orgs:residentscommittee_list", _("Residents' committees"), "house-heart", "view"),
        ],
    ),
    (_("Party members"), [("members:member_list", _("Member roster"), "people", "view")]),
    (
        _("Membership transfers"),
        [
            ("transfers:transfer_list", _("Transfer cases"), "arrow-left-right", "view"),
            ("transfers:transfer_open", _("Open cases"), "hourglass-split", "view"),
            ("transfers:residence_list", _("To receive into the residence community"), "house", "change"),
            ("transfers:outflow_list", _("Outflow members"), "box-arrow-right", "view"),
            ("transfers:inflow_list", _("Inflow members"), "box-arrow-in-left", "view"),
        ],
    ),
    (_("Statistics"), [("stats:stats", _("Statistics"), "bar-chart", "view")]),
    (_("Rulebook"), [("rulebook:parameter_list", _("Rulebook parameters"), "journal-text", "view")]),
    (
        _("Territory"),
        [
            ("areas:area_list", _("Area list"), "geo-alt", "view"),
            ("areas:area_import", _("Import areas"), "upload", "add"),
        ],
    ),
    (_("Developers"), [("api-docs", _("API documentation"), "code-slash", "view")]),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    path = request.path
    groups = []
    for title, items in MENU:
        visible = []
        for name, label, icon, action in items:
            if not (is_unrestricted(user) or anchors(user, action)) and name != "home":
                continue
            url = reverse(name)
            active = path == url or (
                url != "/"
                and path.startswith(url)
                and not any(path.startswith(reverse(o)) and len(reverse(o)) > len(url) for o, *_r in items if o != name)
            )
            visible.append({"url": url, "label": label, "icon": icon, "active": active})
        if visible:
            groups.append({"title": title, "items": visible})
    from .models import Notification

    # the top bar's badge: one count on the (user, read_at) index
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {"nav_groups": groups, "unread_notifications": unread}
