"""Pages of transfers and mobile members (being built: the UI work replaces these placeholders)."""

from django.http import Http404


def transfer(request, pk):
    raise Http404


def outflow(request, pk):
    raise Http404


def inflow(request, pk):
    raise Http404
