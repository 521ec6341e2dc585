from .exchange import ImportedLetter, PeerDeployment
from .mobile import Inflow, Outflow
from .transfers import Transfer

__all__ = ["ImportedLetter", "Inflow", "Outflow", "PeerDeployment", "Transfer"]
