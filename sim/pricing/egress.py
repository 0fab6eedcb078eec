"""Data transfer out to the internet: a monthly free allowance, then volume bands."""

from __future__ import annotations

from collections.abc import Sequence

from sim.pricing.volume_bands import banded_cost


def egress_cost(
    gib: float, free_gib: float, edges_gib: Sequence[float], prices: Sequence[float]
) -> float:
    """Cost of ``gib`` GiB sent out in a month. [USD]

    The free allowance comes off the top; the bands apply to what remains (AWS: first 100 GB free,
    then $0.09/GB for the next 10 TB, ...).

    >>> round(egress_cost(10_340, 100, [0, 10_240, 51_200], [0.09, 0.085, 0.07]), 6)
    921.6
    """
    return banded_cost(max(0.0, gib - free_gib), edges_gib, prices)
