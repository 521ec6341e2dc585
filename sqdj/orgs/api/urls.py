from .views import OrgViewSet

routes = [("orgs", OrgViewSet, "org")]
