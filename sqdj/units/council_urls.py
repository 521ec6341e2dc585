"""Pages of joint councils and co-building agreements (issue 15 items 5 and 6)."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuItem

from . import council_views as views
from .documents import agreement_pdf_view

urlpatterns = [
    path("councils/", include(views.CouncilViews.urls())),
    path("councils/<int:pk>/seats/add/", views.council_seat_add, name="council_seat_add"),
    path("council-seats/<int:pk>/end/", views.council_seat_end, name="councilmember_end"),
    path("council-meetings/", include(views.CouncilMeetingViews.urls())),
    path("decisions/", include(views.DecisionViews.urls())),
    path("decisions/<int:pk>/status/", views.decision_status, name="decision_status"),
    path("agreements/", include(views.AgreementViews.urls())),
    path("agreements/<int:pk>/review/", views.agreement_review, name="agreement_review"),
    path("agreements/<int:pk>/end/", views.agreement_end, name="agreement_end"),
    path("agreements/<int:pk>/agreement.pdf", agreement_pdf_view, name="agreement_pdf"),
]

menu_items = [
    MenuItem("units:council_list", _("Joint councils"), "people-fill", order=40),
    MenuItem("units:agreement_list", _("Co-building agreements"), "file-earmark-text", order=50),
]
