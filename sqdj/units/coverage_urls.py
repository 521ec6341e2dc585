urlpatterns: list = []
menu_items: list = []
