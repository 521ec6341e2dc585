"""Pages of transfer cases (being built: the UI work replaces this placeholder)."""

from django.http import Http404


def transfer(request, pk):
    raise Http404
