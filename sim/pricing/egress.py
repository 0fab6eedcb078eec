"""Data transfer out to the internet: a monthly free allowance, then volume bands."""

from __future__ import annotations

from collections.abc import Sequence

from sim.pricing.volume_bands import banded_cost


def egress_cost(
    gib: float, free_gib: float, edges_gib: Sequence[float], prices: Sequence[float],
    edges_on_total: bool = True,
) -> float:
    """Cost of ``gib`` GiB sent out in a month. [USD]

    ``edges_on_total``: the band edges count the month's whole volume and the free allowance is
    the first GiB of the first band (AWS: "Up to 100 GB / Month $0.00, Next 9.999 TB / Month
    $0.09"); otherwise the bands start after the allowance (Azure: "first 100 GB free, next
    10 TB ...").

    >>> edges, prices = [0, 10_240, 51_200], [0.09, 0.085, 0.07]
    >>> round(egress_cost(12_000, 100, edges, prices), 6)  # 10,140 x 0.09 + 1,760 x 0.085
    1062.2
    >>> round(egress_cost(12_000, 100, edges, prices, edges_on_total=False), 6)  # 10,240 + 1,660
    1062.7
    """
    if edges_on_total:  # the allowance is carved out of the bands: later edges come closer
        edges_gib = [edges_gib[0], *(max(0.0, e - free_gib) for e in edges_gib[1:])]
    return banded_cost(max(0.0, gib - free_gib), edges_gib, prices)
