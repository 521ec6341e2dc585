from django.urls import include, path

from . import selfservice_views as selfservice
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
    # issue 16 item 7: accounts in bulk from the member list; contact changes asked by the member, decided by the org
    path("accounts/", selfservice.member_accounts, name="member_accounts"),
    path("accounts/result/", selfservice.member_accounts_result, name="member_accounts_result"),
    path("accounts/slips/", selfservice.member_accounts_slips, name="member_accounts_slips"),
    path("me/contact/", selfservice.member_contact_change, name="member_contact_change"),
    path("contact-changes/<int:pk>/approve/", selfservice.contactchange_approve, name="contactchange_approve"),
    path("contact-changes/<int:pk>/decline/", selfservice.contactchange_decline, name="contactchange_decline"),
    path("contact-changes/<int:pk>/reveal/", selfservice.contactchange_reveal, name="contactchange_reveal"),
    path("contact-changes/", include(selfservice.ContactChangeViews.urls())),
    *views.MemberViews.urls(),
]
