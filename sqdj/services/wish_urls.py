"""The wish part's pages (issue 17): `urlpatterns` and `menu_items` (core.plugins.MenuItem)."""

urlpatterns: list = []
menu_items: list = []
