from sqdj.core.plugins import Tile, Todo, TodoSource

from .models import Note


def _count(request):
    n = Note.objects.restrict(request.user, "view").count()
    return {"label": "我能看到的随手记", "count": n, "url": "/notes/"}


def _todos(user):
    return [Todo(label=f"处理随手记：{n.text}", url="/notes/") for n in Note.objects.restrict(user, "change")]


tiles = [Tile("plugin-notes", "generic/_count_tile.html", _count, order=60)]
todos = [TodoSource("plugin-notes", "随手记待办", _todos)]
