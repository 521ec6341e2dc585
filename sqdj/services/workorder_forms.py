"""The work orders' forms: placing a waiting order (待分派) in a community or below, and the replies file's dates."""

from __future__ import annotations

from typing import cast

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.areas.models import Area
from sqdj.core.forms import StyledForm
from sqdj.core.widgets import SearchSelect, use_picker

from .requests import PLACEABLE
from .workorders import placeable_below

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlaceOrderForm(StyledForm):
    """Where the order goes: a community of its subdistrict, or a place in it (the service checks the rest)."""

    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("area"),
                                  help_text=_("A community of the subdistrict, or a grid, an estate or a building "
                                              "in it."))  # fmt: skip
    # shown read only (the generic action page shows every field): the version of the request the user acts on
    version = forms.IntegerField(label=_("version"), help_text=_("the version you read"),
                                 widget=forms.NumberInput(attrs={"readonly": True}))  # fmt: skip

    def __init__(self, *args, order, user, **kwargs):
        super().__init__(*args, **kwargs)
        area = cast(forms.ModelChoiceField, self.fields["area"])
        area.queryset = placeable_below(order.dispatched_to).restrict(user, "add")
        use_picker(area, SearchSelect(reverse_lazy("areas:area_pick"), {"type": list(PLACEABLE), "action": "add"}))
        self.initial.setdefault("version", order.request.version)


class RepliesForm(StyledForm):
    """The replies file: the orders resolved or closed within the dates, as .xlsx or .csv."""

    date_from = forms.DateField(label=_("resolved from"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("resolved until"), required=False, widget=DATE)
    fmt = forms.ChoiceField(label=_("file format"), choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV")],
                            initial="xlsx")  # fmt: skip

    def clean(self):
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end cannot be before the start."))
        return data
