from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from sqdj.core.plugins import by_urgency, tiles, todo_sources
from sqdj.core.scope import acts_for_self, anchors
from sqdj.members.models import Member

# The home shows this many rows of a to-do; its "all N" link opens the list of every one of them.
ITEMS_SHOWN = 5


def _self_service_only(user) -> bool:
    """Whether `user` acts only for themself as a member: the member's self-service role and no org anchor (a user
    with neither, a superuser, a 三员 duty or a unit's liaison keeps the home). From the role assignments the
    scope gate has read for the request already."""
    if user.is_superuser or getattr(user, "duty", ""):
        return False
    return not anchors(user, "view") and acts_for_self(user, "view", Member)


def home(request):
    """工作台: what waits for the user (the to-dos the apps declare, most urgent first, each one click from the list
    where it is done), then the tiles of every app, each computed by the app that declares it."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    user = request.user
    if request.method in ("GET", "HEAD") and _self_service_only(user):
        return redirect("me")  # a member's own page, not an administrator's home
    todos = by_urgency([todo for source in todo_sources() for todo in source.collect(user)])
    shown = []
    for tile in tiles():
        ctx = tile.context(request)
        if ctx is not None:
            shown.append({"template": tile.template, "key": tile.key, **ctx})
    ctx = {
        "todos": [
            {"todo": t, "items": t.items[:ITEMS_SHOWN], "more": t.count > min(len(t.items), ITEMS_SHOWN)} for t in todos
        ],  # fmt: skip
        "todo_total": sum(t.count for t in todos),
        "overdue_total": sum(t.overdue for t in todos),
        "tiles": shown,
        "assignments": user.role_assignments.select_related("org").order_by("pk"),
    }
    return render(request, "workbench/home.html", ctx)


@login_required
def todo_list(request):
    """The rows of a to-do that no app's list shows (e.g. terms ending; ?list=<its key>): each links to where it
    is done."""
    key = request.GET.get("list", "")
    for source in todo_sources():
        rows = source.rows(request.user, key) if source.rows is not None else None
        if rows is not None:
            break
    else:
        raise Http404
    label = next((t.label for t in source.collect(request.user) if t.key == key), source.label)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    ctx = {"rows": page.object_list, "page": page, "total": len(rows), "label": label, "key": key}
    return render(request, "workbench/todo_list.html", ctx)
