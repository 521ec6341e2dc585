"""The station part's pages: the registry's list, detail, add and edit (through the scope gate), and closing."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from sqdj.core.views import ModelViews, action_page
from sqdj.orgs.models import Org

from . import stations
from .models import Station
from .station_filtersets import StationFilterSet
from .station_forms import StationForm
from .station_tables import StationTable


class StationViews(ModelViews):
    """The stations of the orgs and territory in scope."""

    model = Station
    queryset = Station.objects.select_related("org", "area")
    table = StationTable
    filterset = StationFilterSet
    form = StationForm
    create_service = staticmethod(stations.do_create_station)
    update_service = staticmethod(stations.do_update_station)
    detail_template = "services/stations/station.html"

    @classmethod
    def detail_context(cls, obj, user):
        org_visible = Org.objects.restrict(user, "view").filter(pk=obj.org_id).exists()
        rows = [
            (_("party organization"), obj.org.name, obj.org.get_absolute_url() if org_visible else None),
            (_("area"), obj.area.name, None),
            (_("address"), obj.address, None),
            (_("opening hours"), obj.hours or "—", None),
            (_("services offered"), obj.services or "—", None),
            (_("station phone"), obj.phone or "—", None),
            (_("shown on the public page"), _("Yes") if obj.public else _("No"), None),
        ]
        may_change = Station.objects.restrict(user, "change").filter(pk=obj.pk).exists()
        return {"rows": rows, "may_close": obj.active and may_change}


class CloseForm(forms.Form):
    """Nothing to fill in: the page asks to confirm."""


@login_required
def station_close(request, pk):
    station = get_object_or_404(Station.objects.restrict(request.user, "view"), pk=pk)
    if not Station.objects.restrict(request.user, "change").filter(pk=pk).exists():
        raise PermissionDenied(_("You may view this but not change it."))
    back = station.get_absolute_url()
    form = CloseForm(request.POST if request.method == "POST" else None)  # no field: a POST is the confirmation
    return action_page(
        request, station, form, _("Close the station"), back=back, next_url=back,
        done_message=_("The station is closed: kept in the registry, off the public page."),
        call=lambda d: stations.do_close_station(station, acting_user=request.user),
    )  # fmt: skip
