from django.urls import include, path

from . import documents, views

app_name = "transfers"
urlpatterns = [
    path("mobile/", include("sqdj.transfers.mobile_urls")),
    path("<int:pk>/", views.transfer, name="transfer"),
    path("<int:pk>/letter.pdf", documents.letter_view, name="transfer_letter"),
    path("<int:pk>/receipt.pdf", documents.receipt_view, name="transfer_receipt"),
]
