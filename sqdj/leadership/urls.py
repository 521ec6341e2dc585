from django.urls import include, path

from . import views

app_name = "leadership"
urlpatterns = [
    path("<int:pk>/extend-term/", views.extend_term, name="org_extend_term"),
    path("positions/", include(views.PositionViews.urls())),
    path("elections/", include(views.ElectionViews.urls())),
    path("residents-committees/", include(views.ResidentsCommitteeViews.urls())),
    path("residents-seats/", include(views.ResidentsSeatViews.urls())),
]
