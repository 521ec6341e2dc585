"""`/api/v1/transfers/`: transfer cases, and each step of their workflow as a POST on the case."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from sqdj.core.api import (
    ERROR,
    FORBIDDEN,
    NOT_AUTHENTICATED,
    NOT_FOUND,
    UNSUPPORTED_MEDIA_TYPE,
    VALIDATION_ERROR,
    WWW_AUTHENTICATE,
    ConflictError,
    ScopedModelViewSet,
)
from sqdj.members.models import Member

from .. import services
from ..models import Transfer
from .filtersets import TransferFilterSet
from .serializers import (
    ReasonSerializer,
    TransferCreateSerializer,
    TransferSerializer,
    TransferUpdateSerializer,
    VersionSerializer,
)

CONFLICT = OpenApiResponse(
    ERROR, description=_("Someone else changed the case first (or it is no longer at this step); nothing was written.")
)
COMMON = {"tags": ["transfers"], "parameters": [WWW_AUTHENTICATE]}


def _write_responses(ok, *extra):
    responses = {
        ok[0]: ok[1],
        400: VALIDATION_ERROR,
        401: NOT_AUTHENTICATED,
        403: FORBIDDEN,
        404: NOT_FOUND,
        415: UNSUPPORTED_MEDIA_TYPE,
    }
    for code, response in extra:
        responses[code] = response
    return responses


def _step(description, body=VersionSerializer):
    """The schema of a workflow step: the body carries the version the client saw; 409 when it is stale."""
    return extend_schema(
        request=body,
        responses=_write_responses((200, TransferSerializer), (409, CONFLICT)),
        description=description,
        **COMMON,
    )


@extend_schema_view(
    list=extend_schema(
        responses={
            200: TransferSerializer(many=True),
            400: VALIDATION_ERROR,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
        },  # fmt: skip
        **COMMON,
    ),
    retrieve=extend_schema(
        responses={200: TransferSerializer, 401: NOT_AUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND}, **COMMON
    ),
    create=extend_schema(
        request=TransferCreateSerializer,
        responses=_write_responses((201, TransferSerializer)),
        description=_(
            "A new case for a member of your scope (404 otherwise), to an organization here (`to_org`) or outside "
            "this system (`external_org_name`); with `submit: true` it is submitted at once."
        ),
        **COMMON,
    ),
    partial_update=extend_schema(
        request=TransferUpdateSerializer,
        responses=_write_responses((200, TransferSerializer), (409, CONFLICT)),
        description=_("Change the receiving side, reason or note of a draft, returned or expired case."),
        **COMMON,
    ),
)
class TransferViewSet(ScopedModelViewSet):
    """Transfer cases (组织关系接转) you may see: your organizations' cases from the draft on, and cases to them
    once submitted. `?state=`, `?direction=`, `?org=CODE` (that organization's subtree on either side),
    `?overdue=true`, `?q=` (name or letter number). Every step is a POST carrying the case's `version`."""

    queryset = Transfer.objects.select_related(
        "member", "from_org", "to_org", "sending_approver", "receiving_approver"
    ).order_by("-pk")
    serializer_class = TransferSerializer
    filterset_class = TransferFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]  # a case is cancelled, never deleted

    def handle_exception(self, exc):
        if isinstance(exc, services.Conflict):
            exc = ConflictError(str(exc))
        return super().handle_exception(exc)

    def _body(self, serializer_class):
        body = serializer_class(data=self.request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    def _answer(self, case, code=status.HTTP_200_OK):
        return Response(self.get_serializer(case).data, status=code)

    def create(self, request, *args, **kwargs):
        data = self._body(TransferCreateSerializer)
        member = Member.objects.restrict(request.user, "view").filter(pk=data.pop("member")).first()
        if member is None:
            raise exceptions.NotFound(_("No such member in your scope."))
        submit = data.pop("submit")
        with transaction.atomic():  # a case that cannot be submitted is not created either
            case = services.do_create_transfer(acting_user=request.user, member=member, **data)
            if submit:
                case = services.do_submit(case, acting_user=request.user, version=case.version)
        return self._answer(case, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        case = self.get_object()
        data = self._body(TransferUpdateSerializer)
        version = data.pop("version")
        case = services.do_update_draft(case, acting_user=request.user, version=version, **data)
        return self._answer(case)

    def _act(self, service, body=VersionSerializer):
        case = self.get_object()
        data = self._body(body)
        case = service(case, acting_user=self.request.user, **data)
        return self._answer(case)

    @_step(_("Submit a draft, returned or expired case to the sending side's approving organization."))
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(services.do_submit)

    @_step(_("The sending side's approving organization approves: the letter of introduction is issued."))
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(services.do_approve)

    @_step(
        _("Return the case (退回) with a reason; the sending organization corrects and resubmits it."), ReasonSerializer
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_case(self, request, pk=None):
        return self._act(services.do_return, ReasonSerializer)

    @_step(_("The receiving side accepts the letter, while it is valid (400 after it expired)."))
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(services.do_accept)

    @_step(_("The member reported to the receiving organization: the membership moves now."))
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._act(services.do_complete)

    @_step(_("Cancel a case that has no letter in force, with a reason."), ReasonSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(services.do_cancel, ReasonSerializer)
