"""What the run loop asks of an archive model.

The run loop (:mod:`sim.des`) drives every archive through the same day: deletions at midnight,
the day's ingests, the day's reads, the end-of-day step (metering, daily policy evaluation), and
at each calendar month's end the month's usage.  Archive models keep per-study state in numpy
arrays and are handed index arrays, never one study at a time.

Metering and pricing are separate steps: :meth:`ArchiveModel.close_month` returns what was used
(:class:`MonthUsage`), :meth:`ArchiveModel.bill` prices it.  Prices that depend on the month's
total (volume bands, free egress allowances) are therefore applied to the whole archive even when
its studies were simulated in several shards (:mod:`sim.shards`): the shards' usages are added
first, then billed once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.jit import kernel
from sim.ledger import Charge
from sim.pricing.price_book import PriceBook
from sim.tiering.core import EventLog

MISSING = -1
"""Read outcome: the archive did not hold the study."""
UNAVAILABLE = -2
"""Read outcome: the study was only reachable over the internet, which was down."""

EventCells = dict[tuple[str, str, str], tuple[float, float]]
"""Per-event charges of a month by (tier, category, unit): (quantity, amount_usd)."""


@dataclass(frozen=True, eq=False)
class MonthUsage:
    """What an archive used in one calendar month, before month-total prices are applied.

    Attributes
    ----------
    quantity_seconds
        Metered quantity x seconds per meter line (bytes on a tier, objects monitored, ...);
        the meaning of each line belongs to the archive model.
    egress_bytes
        Bytes sent to the internet. [bytes]
    event_charges
        Charges priced per event (requests, transitions, retrievals, early deletion), summed
        by (tier, category, unit) as (quantity, amount_usd); linear in the events, so they add.
    """

    quantity_seconds: np.ndarray
    egress_bytes: float = 0.0
    event_charges: EventCells = field(default_factory=dict)
    daily_levels: np.ndarray | None = None
    """Level of each meter line at the end of each day of the month (``[line, day]``), for
    archives whose costs follow the daily peak (on-prem capacity)."""

    def __add__(self, other: MonthUsage) -> MonthUsage:
        cells = dict(self.event_charges)
        for key, (q, a) in other.event_charges.items():
            q0, a0 = cells.get(key, (0.0, 0.0))
            cells[key] = (q0 + q, a0 + a)
        daily = None if self.daily_levels is None else self.daily_levels + other.daily_levels
        return MonthUsage(self.quantity_seconds + other.quantity_seconds,
                          self.egress_bytes + other.egress_bytes, cells, daily)


HeldAtEnd = dict[str, tuple[float, float, float]]
"""Per tier: bytes, objects and studies held at the end of the run (additive over shards)."""


def add_held(parts: list[HeldAtEnd | None]) -> HeldAtEnd | None:
    """The tiers' holdings of several shards or cohorts added, or None when none has any."""
    given = [p for p in parts if p is not None]
    if not given:
        return None
    total: dict[str, list[float]] = {}
    for part in given:
        for tier, values in part.items():
            cell = total.setdefault(tier, [0.0, 0.0, 0.0])
            for k in range(3):
                cell[k] += values[k]
    return {tier: (v[0], v[1], v[2]) for tier, v in total.items()}


def held_by_tier(names: tuple[str, ...], present: np.ndarray, tier: np.ndarray,
                 size_bytes: np.ndarray, objects: np.ndarray) -> HeldAtEnd:
    """Holdings by tier of the studies ``present`` (per-study arrays; tier codes index
    ``names``)."""
    size, count, studies = _held_sums(present, tier, size_bytes, objects, len(names))
    return {names[t]: (float(size[t]), float(count[t]), float(studies[t]))
            for t in range(len(names)) if studies[t]}


@kernel
def _held_sums(present, tier, size_bytes, objects, n_tiers):  # pragma: no cover - compiled
    """Bytes, objects and studies per tier of the present studies, added in study order (as
    ``np.bincount`` adds)."""
    size = np.zeros(n_tiers, dtype=np.float64)
    count = np.zeros(n_tiers, dtype=np.float64)
    studies = np.zeros(n_tiers, dtype=np.int64)
    for s in range(present.size):
        if present[s]:
            t = tier[s]
            size[t] += np.float64(size_bytes[s])
            count[t] += np.float64(objects[s])
            studies[t] += 1
    return size, count, studies


class ArchiveModel:
    """Base of every archive model: the six steps the run loop drives (subclasses implement
    them) and what a run's summary asks of an archive, with defaults for archives that lack it
    (no read outcomes, no events, no unconfirmed prices, no on-prem or migration figures).
    Generic code asks these, never ``hasattr``."""

    name: str
    read_tier_names: tuple[str, ...] = ()
    """Tier names the codes of :meth:`read_outcomes` index."""
    events: EventLog | None = None
    """Tier changes, restores, expirations and deletions (when the run keeps them)."""
    prices: PriceBook | None = None
    """The catalog prices the archive bills with (cloud engines), noting the UNCONFIRMED ones
    its bill uses."""

    def delete(self, day: int, studies: np.ndarray) -> None:
        """Studies removed by retention at the start of ``day``."""
        raise NotImplementedError

    def ingest(self, day: int, studies: np.ndarray) -> None:
        """Studies acquired during ``day`` (their exact times are in the workload)."""
        raise NotImplementedError

    def read(self, day: int, reads: slice) -> None:
        """The workload's reads ``reads`` (a slice of the time-sorted reads) during ``day``."""
        raise NotImplementedError

    def end_of_day(self, day: int) -> None:
        """Run the daily policy evaluation."""
        raise NotImplementedError

    def close_month(self, month: int) -> MonthUsage:
        """What calendar month ``month`` (index into the calendar's months) used."""
        raise NotImplementedError

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        """The charges for ``usage`` in calendar month ``month``.  Called once per month, in
        order, on the usage of the whole archive (all shards added): it may keep state that
        depends on totals, such as the on-prem capacity bought so far, never per-study state."""
        raise NotImplementedError

    def read_outcomes(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Tier code each read was served from and its latency [s], or None for an archive that
        keeps no read outcomes: codes index :attr:`read_tier_names`; ``MISSING`` (-1): the study
        was not held; ``UNAVAILABLE`` (-2): the read needed the internet while it was down."""
        return None

    @property
    def event_tier_names(self) -> tuple[str, ...]:
        """Tier names the tier codes of :attr:`events` index (the archive's own names)."""
        return self.read_tier_names

    @property
    def unconfirmed_prices(self) -> list[str]:
        """Catalog prices marked UNCONFIRMED that this archive's bill depends on."""
        return self.prices.unconfirmed if self.prices is not None else []

    def onprem_figures(self) -> dict[str, Any] | None:
        """Capacity bought, refreshes and the like of the on-prem part, or None."""
        return None

    def migration_figures(self) -> dict[str, Any] | None:
        """How the upload of the existing archive went, or None."""
        return None

    def held_at_end(self) -> HeldAtEnd | None:
        """What a cloud archive holds when the run ends, by its own tier names (what leaving
        the provider would take out), or None for an archive with no exit (on-prem)."""
        return None

    def exit_fees(self, tier: str, gib: float, objects: float, studies: float
                  ) -> list[tuple[str, float, float]]:
        """The provider's fees to read ``gib`` GiB (``objects`` objects, ``studies`` studies)
        out of ``tier`` once, to leave: (unit, quantity, amount_usd) per fee (restores or
        rehydration, retrieval per GiB, read requests); internet egress is priced apart
        (:meth:`exit_egress_usd`)."""
        return []

    def exit_egress_usd(self, gib: float) -> float:
        """One month's internet egress of ``gib`` GiB at the catalog's bands. [USD]"""
        return self.prices.egress(gib) if self.prices is not None else 0.0


class ArchiveWrapper(ArchiveModel):
    """An archive model around another that changes only part of its bill (a geo-replication
    transfer, a reservation, a dedicated link): every step is passed on to ``inner``;
    subclasses override :meth:`bill` (and whatever else they change)."""

    def __init__(self, inner: ArchiveModel) -> None:
        self.inner = inner
        self.name = inner.name
        self.read_tier_names = inner.read_tier_names
        self.prices = inner.prices
        self.events = inner.events

    @property
    def event_tier_names(self) -> tuple[str, ...]:
        return self.inner.event_tier_names

    @property
    def unconfirmed_prices(self) -> list[str]:
        return self.inner.unconfirmed_prices

    def delete(self, day: int, studies: np.ndarray) -> None:
        self.inner.delete(day, studies)

    def ingest(self, day: int, studies: np.ndarray) -> None:
        self.inner.ingest(day, studies)

    def read(self, day: int, reads: slice) -> None:
        self.inner.read(day, reads)

    def end_of_day(self, day: int) -> None:
        self.inner.end_of_day(day)

    def close_month(self, month: int) -> MonthUsage:
        return self.inner.close_month(month)

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        return self.inner.bill(month, usage)

    def read_outcomes(self) -> tuple[np.ndarray, np.ndarray] | None:
        return self.inner.read_outcomes()

    def onprem_figures(self) -> dict[str, Any] | None:
        return self.inner.onprem_figures()

    def migration_figures(self) -> dict[str, Any] | None:
        return self.inner.migration_figures()

    def held_at_end(self) -> HeldAtEnd | None:
        return self.inner.held_at_end()

    def exit_fees(self, tier: str, gib: float, objects: float, studies: float
                  ) -> list[tuple[str, float, float]]:
        return self.inner.exit_fees(tier, gib, objects, studies)

    def exit_egress_usd(self, gib: float) -> float:
        return self.inner.exit_egress_usd(gib)
