from .mobile import InflowViewSet, OutflowViewSet
from .views import TransferViewSet

routes = [
    ("transfers", TransferViewSet, "transfer"),
    ("outflows", OutflowViewSet, "outflow"),
    ("inflows", InflowViewSet, "inflow"),
]
