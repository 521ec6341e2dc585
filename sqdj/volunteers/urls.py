"""The volunteers app's pages, gathered from its parts (each part's `*_urls.py`: `urlpatterns`, `menu_items`)."""

from . import activity_urls, certificate_urls, feedback_urls, hours_urls, post_urls, registration_urls

PARTS = (registration_urls, post_urls, activity_urls, hours_urls, feedback_urls, certificate_urls)

app_name = "volunteers"
urlpatterns = [pattern for part in PARTS for pattern in part.urlpatterns]
