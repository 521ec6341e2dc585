from django.urls import path

from .views import ChecksView

urlpatterns = [path("", ChecksView.as_view(), name="checks")]
