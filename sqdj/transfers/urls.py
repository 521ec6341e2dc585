from django.urls import path

from . import views

app_name = "transfers"
urlpatterns = [
    path("<int:pk>/", views.transfer, name="transfer"),
    path("outflows/<int:pk>/", views.outflow, name="outflow"),
    path("inflows/<int:pk>/", views.inflow, name="inflow"),
]
