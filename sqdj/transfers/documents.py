"""Printable documents of a transfer case (being built): the letter of introduction and its receipt as PDF."""

from django.http import Http404


def letter_view(request, pk):
    raise Http404


def receipt_view(request, pk):
    raise Http404
