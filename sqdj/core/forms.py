from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import dates


def errors_to_form(form, exc: ValidationError) -> None:
    """A service's ValidationError shown on the form that sent the data: each field's errors on that field (a form
    may name the service's fields its own way: `field_for`), the others above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errs in exc.message_dict.items():
        target = form.field_for(field) if hasattr(form, "field_for") else field if field in form.fields else None
        form.add_error(target, errs)


def widget_css(widget) -> str:
    """Bootstrap's class for a widget: a tick box, a select, or a text-like control."""
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    return "form-select" if isinstance(widget, forms.Select) else "form-control"


class ScopedModelForm(forms.ModelForm):
    """Every relation picker offers only what the user may see (NetBox's restrict_form_fields)."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            field = cast(Any, field)  # model choice fields carry a queryset
            qs = getattr(field, "queryset", None)
            if qs is not None and hasattr(qs, "restrict"):
                field.queryset = qs.restrict(user, "view")
            field.widget.attrs.setdefault("class", widget_css(field.widget))

    # service field name -> form field name, where a form shows a model field under another name
    service_field_map: dict[str, str] = {}

    def field_for(self, service_field: str) -> str | None:
        name = self.service_field_map.get(service_field, service_field)
        return name if name in self.fields else None

    def service_data(self) -> dict:
        """The cleaned values handed to the service (the form's own fields, by name)."""
        return dict(self.cleaned_data)


class ParentedForm(ScopedModelForm):
    """A form of something that hangs from a parent chosen first (an org, a committee, a council): the parent comes
    from the instance, the posted data or ?<parent_field>= — the choices offered next depend on it."""

    parent_field = "org"

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.limit_choices(user)
        self.parent = self._parent()
        self.needs_parent = self.parent is None and not self.is_bound

    def limit_choices(self, user):
        """Narrow the pickers before the parent is looked up among them."""

    def _parent(self):
        field = cast(forms.ModelChoiceField, self.fields[self.parent_field])
        if self.instance.pk:
            return getattr(self.instance, self.parent_field)
        raw = self.data.get(self.parent_field) if self.is_bound else self.initial.get(self.parent_field)
        if not raw:
            return None
        try:
            return cast(Any, field.queryset).filter(pk=int(raw)).first()
        except (TypeError, ValueError):
            return None


class TreeNodeForm(ScopedModelForm):
    """A tree node's form: a `parent` picker limited to the nodes under which the user may add."""

    parent: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, required=False, label=_("Parent"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        model = self._meta.model
        parents = model.objects.restrict(user, "add").order_by("path")
        if self.instance.pk:
            parents = parents.exclude(path__startswith=self.instance.path)
            current = model.objects.get_parent(self.instance)
            self.fields["parent"].initial = current.pk if current else None
        picker = cast(forms.ModelChoiceField, self.fields["parent"])
        picker.queryset = parents
        picker.widget.attrs["class"] = "form-select"
        picker.label_from_instance = lambda n: f"{'　' * (n.depth - 1)}{n.name}（{n.code}）"  # type: ignore[method-assign,assignment]


class StyledForm(forms.Form):
    """A plain form with Bootstrap's class on every widget (widget_css)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", widget_css(field.widget))


class ServiceForm(StyledForm):
    """A form whose cleaned data go to a service as they are; `instance` and `user` as the generic pages pass them
    (core.views: the edit and action pages)."""

    def __init__(self, *args, instance=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance, self.user = instance, user

    def service_data(self) -> dict:
        return dict(self.cleaned_data)

    def _choice(self, name) -> forms.ModelChoiceField:
        return cast(forms.ModelChoiceField, self.fields[name])


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.csv"}),
    )


class EndForm(forms.Form):
    """Ending something dated (a registration, a claim, a team membership) with a day and a reason of `reasons`
    (choices); the service checks them (core.services.end_data)."""

    reason = forms.ChoiceField(label=_("why it ended"))
    ended_on = forms.DateField(label=_("ended on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, reasons=(), **kwargs):
        kwargs.setdefault("initial", {"ended_on": dates.today()})
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["reason"]).choices = [("", "—"), *reasons]
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", widget_css(f.widget))


class RevealForm(forms.Form):
    """The reason for seeing a record's personal numbers in full (core.views.reveal_fragment)."""

    reason = forms.CharField(
        label=_("Why do you need the full numbers?"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
