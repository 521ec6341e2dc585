"""The hours part's pages (issue 16): `urlpatterns` and `menu_items` (core.plugins.MenuItem)."""

urlpatterns: list = []
menu_items: list = []
