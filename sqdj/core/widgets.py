"""Form widgets shared by every app."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.apps import apps
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from . import context
from .picking import PickSet

__all__ = ["PickSet", "SearchSelect", "preset_single_choice", "use_picker"]


class SearchSelect(forms.Widget):
    """One object chosen by searching for it (the model's pick page, core.views.ObjectPickView → core.picking)
    instead of a `<select>` of every candidate: a community picker must not render the city's 1,300 communities into
    each member's page. The words match a name or code, or a name's pinyin (full or initials); for a tree model a
    button opens the top of the user's tree, and each node expands to its children, loaded when asked for. The
    chosen value travels in a hidden input; the search box shows its label.

    `params` narrow the choice (`{"type": [...], "set": "membership", "action": "add"}`: see core.picking).
    `value_field` is what the form or filter receives: the pk (a model choice field), or the code (a filter taking
    `?org=CODE`, or a model choice field with `to_field_name="code"`). `model` ("orgs.Org") lets a field that is no
    model choice field (a filter) show the chosen object's label, read through the scope gate with the acting user
    (public models: `public=True`)."""

    template = "generic/widgets/search_select.html"

    def __init__(
        self, url, params: dict | None = None, attrs=None, *, value_field="pk", model=None, public=False, tree=True
    ):
        super().__init__(attrs)
        self.url = url
        self.params = params or {}
        self.value_field = value_field
        self.model = model
        self.public = public
        self.tree = tree
        self.choices: object = ()  # set by ModelChoiceField: its queryset and label_from_instance

    def id_for_label(self, id_):
        return f"{id_}_search" if id_ else id_  # a label names the box one types into

    def _lookup(self) -> tuple[object, object]:
        """(queryset, field) the label is read from: the model choice field's own, or the model's through the gate."""
        queryset = getattr(self.choices, "queryset", None)
        field = getattr(self.choices, "field", None)
        if queryset is None and self.model is not None:
            model = apps.get_model(self.model) if isinstance(self.model, str) else self.model
            if self.public:
                queryset = model.objects.all()
            else:
                acting = context.current()
                user = getattr(acting, "user", None)
                queryset = model.objects.restrict(user, "view") if user is not None else model.objects.none()
        return queryset, field

    def _label(self, value) -> str:
        if value in (None, ""):
            return ""
        queryset, field = self._lookup()
        if queryset is None:
            return str(value)
        key = self.value_field
        if key == "pk" and not str(value).isdigit():
            return ""
        obj = queryset.filter(**{key: value}).first()  # type: ignore[attr-defined]
        if obj is None:
            return str(value) if key != "pk" else ""  # a code typed into the URL: shown as it is
        if field is not None:
            return field.label_from_instance(obj)  # type: ignore[attr-defined]
        return getattr(obj, "name_with_code", None) or str(obj)

    def format_value(self, value):
        # a model instance as initial (e.g. a case's org): the value the field expects
        if hasattr(value, "_meta"):
            value = getattr(value, self.value_field if self.value_field != "pk" else "pk")
        return "" if value is None else str(value)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        value = self.format_value(value)
        pairs = []
        for key, given in self.params.items():
            pairs += [(key, v) for v in (given if isinstance(given, list | tuple | set) else [given])]
        query = urlencode(pairs)
        url = f"{self.url}?{query}" if query else f"{self.url}?"
        ctx = {
            "name": name,
            "value": value,
            "label": self._label(value),
            "id": attrs.get("id", f"id_{name}"),
            "required": self.is_required,
            "url": url,
            "value_field": "code" if self.value_field == "code" else "value",
            "tree": self.tree,
            "placeholder": self.attrs.get("placeholder", ""),
        }
        return mark_safe(render_to_string(self.template, ctx))  # noqa: S308 (a template, autoescaped)

    def value_from_datadict(self, data, files, name):
        return data.get(name)


def preset_single_choice(field) -> None:
    """Never ask twice: a choice field whose queryset holds exactly one object starts with it (a community
    secretary adding a member has one org)."""
    if field.initial not in (None, "") or field.disabled:
        return
    only = list(field.queryset[:2])
    if len(only) == 1:
        to_field = getattr(field, "to_field_name", None) or "pk"
        field.initial = getattr(only[0], to_field)


def use_picker(field, widget: SearchSelect, label_from_instance=None) -> None:
    """Give a model choice field made elsewhere (e.g. TreeNodeForm's `parent`) the search picker instead of its
    select. `label_from_instance` defaults to the object's `name_with_code`."""
    widget.choices = field.choices
    widget.is_required = field.required
    widget.attrs.update(field.widget.attrs)
    field.widget = widget
    field.label_from_instance = label_from_instance or (lambda obj: getattr(obj, "name_with_code", str(obj)))
