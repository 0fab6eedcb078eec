"""Volume bands: a per-GiB price that falls as the month's total grows (tiered, not all-units)."""

from __future__ import annotations

from collections.abc import Sequence


def banded_cost(quantity_gib: float, edges_gib: Sequence[float], prices: Sequence[float]) -> float:
    """Cost of ``quantity_gib`` priced band by band. [USD]

    ``edges_gib[i]`` is the lower edge of band ``i`` (the first is 0) and ``prices[i]`` its price
    per GiB.  E.g. S3 Standard: 60,000 GiB-months = 51,200 x 0.023 + 8,800 x 0.022.

    >>> round(banded_cost(60_000, [0, 51_200, 512_000], [0.023, 0.022, 0.021]), 6)
    1371.2
    """
    cost = 0.0
    for i, (lower, price) in enumerate(zip(edges_gib, prices, strict=True)):
        upper = edges_gib[i + 1] if i + 1 < len(edges_gib) else float("inf")
        if quantity_gib <= lower:
            break
        cost += (min(quantity_gib, upper) - lower) * price
    return cost
