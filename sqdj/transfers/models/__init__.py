from .mobile import Inflow, Outflow
from .transfers import Transfer

__all__ = ["Inflow", "Outflow", "Transfer"]
