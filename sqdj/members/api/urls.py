from . import registrations
from .views import MemberViewSet

routes = [("members", MemberViewSet, "member"), *registrations.routes]
