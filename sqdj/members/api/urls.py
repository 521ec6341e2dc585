from .views import MemberViewSet

routes = [("members", MemberViewSet, "member")]
