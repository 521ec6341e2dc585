"""Mobile members' pages, included under /transfers/mobile/ in the "transfers" namespace."""

from django.urls import include, path

from . import mobile_views as views

urlpatterns = [
    path("outflows/", include(views.OutflowViews.urls())),
    path("outflows/<int:pk>/contact/", views.outflow_contact, name="outflow_contact"),
    path("outflows/<int:pk>/lost/", views.outflow_lost, name="outflow_lost"),
    path("outflows/<int:pk>/end/", views.outflow_end, name="outflow_end"),
    path("inflows/", include(views.InflowViews.urls())),
    path("inflows/<int:pk>/contact/", views.inflow_contact, name="inflow_contact"),
    path("inflows/<int:pk>/verify/", views.inflow_verify, name="inflow_verify"),
    path("inflows/<int:pk>/branch/", views.inflow_branch, name="inflow_branch"),
    path("inflows/<int:pk>/end/", views.inflow_end, name="inflow_end"),
]
