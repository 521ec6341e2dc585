"""The services app's pages, gathered from its parts (each part's `*_urls.py`: `urlpatterns`, `menu_items`)."""

from . import household_urls, public_urls, request_urls, station_urls, visit_urls, wish_urls, workorder_urls

PARTS = (request_urls, workorder_urls, wish_urls, household_urls, visit_urls, station_urls, public_urls)

app_name = "services"
urlpatterns = [pattern for part in PARTS for pattern in part.urlpatterns]
