from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from sqdj.core.api import FORBIDDEN, NOT_AUTHENTICATED, NOT_FOUND, VALIDATION_ERROR, ScopedModelViewSet, scoped_schema
from sqdj.core.search_api import PostSearchMixin, search_action

from .. import services
from ..filtersets import MemberApiFilterSet
from ..models import Member
from .serializers import MemberSerializer, RevealRequestSerializer, RevealResponseSerializer


@scoped_schema(MemberSerializer, tags=["members"])
class MemberViewSet(PostSearchMixin, ScopedModelViewSet):
    """Party members. Numbers are masked in every answer; `POST …/reveal/` with a reason shows them once. A search
    by ID or phone number is `POST …/search/` (a number in `?q=` is refused: it would be written to access logs)."""

    queryset = Member.objects.select_related("org", "home_area").order_by("org__path", "name", "pk")
    serializer_class = MemberSerializer
    filterset_class = MemberApiFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]  # members leave the roll by an event
    search = search_action(MemberSerializer, MemberApiFilterSet, "Member", ["members"])

    def create_object(self, data):
        return services.do_create_member(acting_user=self.request.user, **data)

    def update_object(self, obj, data):
        return services.do_update_member(obj, acting_user=self.request.user, **data)

    @extend_schema(
        request=RevealRequestSerializer,
        responses={
            200: RevealResponseSerializer,
            400: VALIDATION_ERROR,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },  # fmt: skip
        tags=["members"],
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The full ID and phone numbers, for a user allowed to see them; the look is logged with the reason."""
        member = self.get_object()
        body = RevealRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = services.do_reveal(
            member,
            acting_user=request.user,
            reason=body.validated_data["reason"],
            remote_addr=request.META.get("REMOTE_ADDR"),
        )
        response = Response(RevealResponseSerializer(values).data)
        response["Cache-Control"] = "no-store"
        return response
