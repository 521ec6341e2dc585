"""Pages of mobile members (being built)."""

from django.http import Http404


def outflow(request, pk):
    raise Http404


def inflow(request, pk):
    raise Http404
