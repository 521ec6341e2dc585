"""The certificate part's pages (issue 16): `urlpatterns` and `menu_items` (core.plugins.MenuItem). The verification
page is public (no sign-in): /volunteers/verify/."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuItem
from sqdj.core.views import ObjectPickView

from . import certificate_views as views

urlpatterns = [
    path("certificates/issue/", views.certificate_issue, name="certificate_issue"),
    path("certificates/members/", ObjectPickView.as_view(views=views.MemberPick), name="certificate_member_pick"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/", include(views.CertificateViews.urls())),
    path("verify/", views.certificate_verify, name="certificate_verify"),
]
menu_items = [MenuItem("volunteers:certificate_list", _("Service certificates"), "award", order=50)]
