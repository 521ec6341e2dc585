"""FilterSet bases: one class serves the list page's filter form, the API parameters and the export."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ChoiceField


class GivenChoiceField(ChoiceField):
    """For the API: `?state=` with no value is an error — the schema lists the values and "" is not one of them
    (the HTML form's empty choice means "any", which an API client says by leaving the parameter out)."""

    def clean(self, value):
        if value == "":
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
        return super().clean(value)


class GivenChoiceFilter(django_filters.ChoiceFilter):
    field_class = GivenChoiceField


class ColumnChoicesFilter(django_filters.MultipleChoiceFilter):
    """Several values of a column of the list's own table (`?type=a&type=b`). It needs no join, so no DISTINCT:
    django-filter's default, which over every column makes a large list's count and page read slow."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class BaseFilterSet(django_filters.FilterSet):
    """`q` searches the fields listed in `search_fields`."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(method="search", label=_("Search"))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        cond = Q()
        for f in self.search_fields:
            cond |= Q(**{f"{f}__icontains": value})
        return queryset.filter(cond)


class TreeFilterSet(BaseFilterSet):
    """For tree models: `code=`, and a subclass's `<tree>=CODE` filter (method `filter_under`): the node and
    its children, or with `descendants=true` its whole subtree."""

    code = django_filters.CharFilter(field_name="code", label=_("Code"))
    descendants = django_filters.BooleanFilter(method="noop", label=_("Include all levels below"))

    def noop(self, queryset, name, value):
        return queryset

    def filter_under(self, queryset, name, value):
        model = queryset.model
        node = model.objects.filter(code=value.strip()).first()
        if node is None:
            return queryset.none()
        if self.form.cleaned_data.get("descendants"):
            return queryset.filter(path__startswith=node.path)
        return queryset.filter(path__startswith=node.path, depth__lte=node.depth + 1)
