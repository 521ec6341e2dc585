"""The API's filter backend (settings: DEFAULT_FILTER_BACKENDS)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, but a filter given with an empty value is an error (400) unless it takes text:
    the schema declares numbers, booleans and choices, and "" is none of them. (A form's empty field means "any";
    an API client says that by leaving the parameter out.)"""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None:
            empty = [
                name
                for name, f in filterset.filters.items()
                if request.query_params.get(name, None) == "" and not isinstance(f, django_filters.CharFilter)
            ]
            if empty:
                raise exceptions.ValidationError(
                    {name: [_("Enter a value, or leave the parameter out.")] for name in empty}
                )
        return super().filter_queryset(request, queryset, view)
