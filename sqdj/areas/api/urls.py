from .views import AreaViewSet

routes = [("areas", AreaViewSet, "area")]
