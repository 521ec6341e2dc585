from sqdj.core.api import ServiceViewSet, scoped_schema

from .. import services
from ..filtersets import ElectionFilterSet, PositionFilterSet, ResidentsCommitteeFilterSet, ResidentsSeatFilterSet
from ..models import Election, Position, ResidentsCommittee, ResidentsSeat
from .serializers import (
    ElectionSerializer,
    PositionSerializer,
    ResidentsCommitteeSerializer,
    ResidentsSeatSerializer,
)


@scoped_schema(PositionSerializer, tags=["leadership"])
class PositionViewSet(ServiceViewSet):
    """Leadership positions (书记, 副书记, 委员) of the organizations within the caller's scope. `?org=CODE` (with
    `&descendants=true`: the whole subtree), `?role=`, `?current=true` (held today), `?q=` (name, org)."""

    queryset = Position.objects.select_related("org", "member").order_by("org__path", "role", "started_on", "pk")
    serializer_class = PositionSerializer
    filterset_class = PositionFilterSet
    create_service = staticmethod(services.do_create_position)
    update_service = staticmethod(services.do_update_position)
    delete_service = staticmethod(services.do_delete_position)


@scoped_schema(ElectionSerializer, tags=["leadership"])
class ElectionViewSet(ServiceViewSet):
    """Elections (换届, 补选) with their candidates, written in one request. A general election starts the
    organization's term on its day. Candidates must be full members, at least 20% more than the seats (差额)."""

    queryset = Election.objects.select_related("org").prefetch_related("candidates__member").order_by("-held_on", "pk")
    serializer_class = ElectionSerializer
    filterset_class = ElectionFilterSet
    create_service = staticmethod(services.do_create_election)
    update_service = staticmethod(services.do_update_election)
    delete_service = staticmethod(services.do_delete_election)


@scoped_schema(ResidentsCommitteeSerializer, tags=["leadership"])
class ResidentsCommitteeViewSet(ServiceViewSet):
    """Residents' committees (居委会), one per community area."""

    queryset = ResidentsCommittee.objects.select_related("area").order_by("area__path", "pk")
    serializer_class = ResidentsCommitteeSerializer
    filterset_class = ResidentsCommitteeFilterSet
    create_service = staticmethod(services.do_create_residents_committee)
    update_service = staticmethod(services.do_update_residents_committee)
    delete_service = staticmethod(services.do_delete_residents_committee)


@scoped_schema(ResidentsSeatSerializer, tags=["leadership"])
class ResidentsSeatViewSet(ServiceViewSet):
    """Seats on residents' committees (主任, 副主任, 委员): a party member, or a person given by name."""

    queryset = ResidentsSeat.objects.select_related("committee", "member").order_by("committee_id", "role", "pk")
    serializer_class = ResidentsSeatSerializer
    filterset_class = ResidentsSeatFilterSet
    create_service = staticmethod(services.do_create_residents_seat)
    update_service = staticmethod(services.do_update_residents_seat)
    delete_service = staticmethod(services.do_delete_residents_seat)
