"""On-prem storage economics: capacity bought ahead of need, refresh, and running costs."""

from sim.onprem.capacity import CapacityPlan, Purchase
from sim.onprem.costs import OnPremBiller

__all__ = ["CapacityPlan", "OnPremBiller", "Purchase"]
