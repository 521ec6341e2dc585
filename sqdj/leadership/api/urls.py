from .views import ElectionViewSet, PositionViewSet, ResidentsCommitteeViewSet, ResidentsSeatViewSet

routes = [
    ("positions", PositionViewSet, "position"),
    ("elections", ElectionViewSet, "election"),
    ("residents-committees", ResidentsCommitteeViewSet, "residentscommittee"),
    ("residents-seats", ResidentsSeatViewSet, "residentsseat"),
]
