from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from .models import Note

app_name = "plugin_app"


@login_required
def note_list(request):
    notes = Note.objects.restrict(request.user, "view").order_by("pk")
    return HttpResponse("\n".join(n.text for n in notes) or "no notes", content_type="text/plain; charset=utf-8")


urlpatterns = [path("", note_list, name="note_list")]
