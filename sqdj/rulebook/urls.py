from django.urls import path

from . import views

app_name = "rulebook"
urlpatterns = [
    path("", views.parameter_list, name="parameter_list"),
    path("rule/<str:rule_id>/", views.rule_detail, name="rule"),
    path("rule/<str:rule_id>/add/", views.add_variant, name="variant_add"),
    path("<int:pk>/end/", views.end_variant, name="variant_end"),
]
