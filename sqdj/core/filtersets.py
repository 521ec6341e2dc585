"""FilterSet bases: one class serves the list page's filter form, the API parameters and the export."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.translation import gettext
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


# The list pages' filter widgets (issue 14): a multiple choice is a searchable dropdown of checkboxes (static
# sqdj/multiselect.js turns every `select[data-sqdj-multiselect]` into one; without script it stays a plain select),
# and a yes/no filter with a default (`BaseFilterSet.checkbox_defaults`) is one checkbox.
MULTISELECT_ATTR = "data-sqdj-multiselect"


class MultiSelectWidget(forms.SelectMultiple):
    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "form-select", MULTISELECT_ATTR: "", **(attrs or {})}, choices)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # the script's words, in the page's language: the button with nothing ticked, the search box
        context["widget"]["attrs"].update({"data-any-label": gettext("Any"), "data-search-label": gettext("Search")})
        return context


_BOOLEAN_WORDS = {
    "true": True,
    "1": True,
    "on": True,
    "yes": True,
    "false": False,
    "0": False,
    "off": False,
    "no": False,
}


class CheckboxWidget(forms.CheckboxInput):
    """A yes/no filter as one checkbox that can also say no: a hidden "false" goes before the box's "true" and the
    last value sent counts. Not given at all: None (the list page puts its default in, BaseFilterSet.with_defaults;
    an API client that leaves it out filters nothing)."""

    def __init__(self, attrs=None):
        super().__init__({"class": "form-check-input", **(attrs or {})})

    def format_value(self, value):
        return "true"

    def render(self, name, value, attrs=None, renderer=None):
        hidden = format_html('<input type="hidden" name="{}" value="false">', name)
        return hidden + super().render(name, value, attrs, renderer)

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        values = [v for v in values if v is not None]
        if not values:
            return None
        last = values[-1]
        return last if isinstance(last, bool) else _BOOLEAN_WORDS.get(str(last).strip().lower())

    def value_omitted_from_data(self, data, files, name):
        return name not in data


class AnyYesNoSelect(forms.NullBooleanSelect):
    """A yes/no filter without a default: 不限 / 是 / 否 (the values Django's NullBooleanSelect reads)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("unknown", _("Any")), ("true", _("Yes")), ("false", _("No")))


class ColumnChoicesFilter(django_filters.MultipleChoiceFilter):
    """Several values of a column of the list's own table (`?type=a&type=b`). It needs no join, so no DISTINCT:
    django-filter's default, which over every column makes a large list's count and page read slow."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        kwargs.setdefault("widget", MultiSelectWidget)
        super().__init__(*args, **kwargs)


class BaseFilterSet(django_filters.FilterSet):
    """`q` searches the fields listed in `search_fields`. The yes/no filters named in `checkbox_defaults` show as
    one checkbox, and a list page opened without them takes the default given (包含所有下级: yes)."""

    search_fields: tuple[str, ...] = ()
    checkbox_defaults: dict[str, bool] = {"descendants": True}

    q = django_filters.CharFilter(method="search", label=_("Search"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if getattr(self, "_sqdj_strict", False):
            return  # the API's copy (core.api.strict_filterset): its booleans parse strictly, no page widgets
        for name, f in self.filters.items():
            # an unchosen filter reads 不限 (any), not "---------" or 未知 (unknown)
            if isinstance(f, django_filters.BooleanFilter):
                f.extra["widget"] = CheckboxWidget if name in self.checkbox_defaults else AnyYesNoSelect
            elif isinstance(f, django_filters.ChoiceFilter):
                f.extra["empty_label"] = _("Any")
            else:
                continue
            f.__dict__.pop("_field", None)  # a field made before (and copied with the filter) is made again

    @classmethod
    def with_defaults(cls, params: QueryDict) -> QueryDict:
        """A list page's query with the defaults of the checkbox filters it does not give (the API's stays as sent)."""
        missing = [n for n in cls.checkbox_defaults if n in cls.base_filters and n not in params]
        if not missing:
            return params
        params = params.copy()
        for name in missing:
            params[name] = "true" if cls.checkbox_defaults[name] else "false"
        return params

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
