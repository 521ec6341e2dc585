from rest_framework import viewsets

from ..models import Note
from .serializers import NoteSerializer


class NoteViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NoteSerializer
    filterset_fields: list[str] = []

    def get_queryset(self):
        return Note.objects.restrict(self.request.user, "view").order_by("pk")
