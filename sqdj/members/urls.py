from django.urls import include, path

from . import views

app_name = "members"
urlpatterns = [
    path("<int:pk>/reveal/", views.reveal, name="member_reveal"),
    path("<int:pk>/register/", views.register, name="member_register"),
    # issue 13: the standing changes, one URL each (members:member_suspend, …_restore, …_end, …_probation)
    *(
        path(f"<int:pk>/{action}/", views.standing_change, {"action": action}, name=f"member_{action}")
        for action in views.STANDING_ACTIONS
    ),
    path("registrations/<int:pk>/confirm/", views.registration_confirm, name="registration_confirm"),
    path("registrations/<int:pk>/end/", views.registration_end, name="registration_end"),
    path("registrations/", include(views.RegistrationViews.urls())),
    *views.MemberViews.urls(),
]
