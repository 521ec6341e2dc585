"""The units app's pages, gathered from its parts (each part's `*_urls.py`: `urlpatterns`, `menu_items`)."""

from . import council_urls, coverage_urls, intake_urls, list_urls, registry_urls

PARTS = (registry_urls, coverage_urls, intake_urls, council_urls, list_urls)

app_name = "units"
urlpatterns = [pattern for part in PARTS for pattern in part.urlpatterns]
