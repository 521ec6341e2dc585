from .views import NoteViewSet

routes = [("notes", NoteViewSet, "note")]
