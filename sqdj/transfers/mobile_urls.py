"""Mobile members' pages, included under /transfers/mobile/ in the "transfers" namespace."""

from django.urls import path

from . import mobile_views

urlpatterns = [
    path("outflows/<int:pk>/", mobile_views.outflow, name="outflow"),
    path("inflows/<int:pk>/", mobile_views.inflow, name="inflow"),
]
