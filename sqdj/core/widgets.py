"""Form widgets shared by every app."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe


class SearchSelect(forms.Widget):
    """One object chosen by searching for it (the model's pick page, core.views.ObjectPickView) instead of a
    `<select>` of every candidate: a community picker must not render the city's 1,300 communities into each
    member's page. The chosen value travels in a hidden input; the search box shows its label."""

    template = "generic/widgets/search_select.html"

    def __init__(self, url, params: dict | None = None, attrs=None):
        super().__init__(attrs)
        self.url = url
        self.params = params or {}
        self.choices: object = ()  # set by ModelChoiceField: its queryset and label_from_instance

    def id_for_label(self, id_):
        return f"{id_}_search" if id_ else id_  # a label names the box one types into

    def _label(self, value) -> str:
        if value in (None, ""):
            return ""
        iterator = self.choices
        queryset = getattr(iterator, "queryset", None)
        field = getattr(iterator, "field", None)
        obj = queryset.filter(pk=value).first() if queryset is not None and str(value).isdigit() else None
        return field.label_from_instance(obj) if obj is not None and field is not None else ""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        query = urlencode(self.params)
        ctx = {
            "name": name,
            "value": "" if value is None else value,
            "label": self._label(value),
            "id": attrs.get("id", f"id_{name}"),
            "required": self.is_required,
            "url": f"{self.url}?{query}" if query else str(self.url),
        }
        return mark_safe(render_to_string(self.template, ctx))  # noqa: S308 (a template, autoescaped)
