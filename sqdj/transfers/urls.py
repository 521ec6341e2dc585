from django.urls import include, path, re_path

from sqdj.core.views import ObjectChangesView, ObjectListView

from . import documents, exchange_views, views

app_name = "transfers"
urlpatterns = [
    path("mobile/", include("sqdj.transfers.mobile_urls")),
    path("", ObjectListView.as_view(views=views.TransferViews), name="transfer_list"),
    path("open/", views.open_cases, name="transfer_open"),
    path("residence/", views.residence_list, name="residence_list"),
    path("new/<int:member_pk>/", views.transfer_create, name="transfer_create"),
    path("<int:pk>/", views.transfer, name="transfer"),
    path("<int:pk>/edit/", views.transfer_edit, name="transfer_edit"),
    path("<int:pk>/changes/", ObjectChangesView.as_view(views=views.TransferViews), name="transfer_changes"),
    re_path(
        r"^(?P<pk>[0-9]+)/(?P<action>submit|approve|return|accept|complete|cancel)/$",
        views.transfer_action,
        name="transfer_action",
    ),
    path("<int:pk>/letter.pdf", documents.letter_view, name="transfer_letter"),
    path("<int:pk>/receipt.pdf", documents.receipt_view, name="transfer_receipt"),
    path("<int:pk>/package/", exchange_views.package, name="transfer_package"),
    path("import/", exchange_views.import_package, name="transfer_import"),
]
