from django.conf import settings
from django.shortcuts import redirect, render

from sqdj.core.plugins import tiles, todo_sources


def home(request):
    """工作台: what waits for the user, then the tiles of every app, each computed by the app that declares it."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    user = request.user
    todos = []
    for source in todo_sources():
        items = source.items(user)
        if items:
            todos.append({"label": source.label, "items": items, "overdue": sum(1 for t in items if t.overdue)})
    shown = []
    for tile in tiles():
        ctx = tile.context(request)
        if ctx is not None:
            shown.append({"template": tile.template, "key": tile.key, **ctx})
    ctx = {
        "todos": todos,
        "tiles": shown,
        "assignments": user.role_assignments.select_related("org").order_by("pk"),
    }
    return render(request, "workbench/home.html", ctx)
