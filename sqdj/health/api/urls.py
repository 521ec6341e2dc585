from django.urls import path

from .views import ChecksView

urlpatterns = [path("checks/", ChecksView.as_view(), name="checks")]
