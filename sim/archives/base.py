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
from typing import Protocol

import numpy as np

from sim.ledger import Charge

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


class ArchiveModel(Protocol):
    name: str

    def delete(self, day: int, studies: np.ndarray) -> None:
        """Studies removed by retention at the start of ``day``."""

    def ingest(self, day: int, studies: np.ndarray) -> None:
        """Studies acquired during ``day`` (their exact times are in the workload)."""

    def read(self, day: int, reads: slice) -> None:
        """The workload's reads ``reads`` (a slice of the time-sorted reads) during ``day``."""

    def end_of_day(self, day: int) -> None:
        """Run the daily policy evaluation."""

    def close_month(self, month: int) -> MonthUsage:
        """What calendar month ``month`` (index into the calendar's months) used."""

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        """The charges for ``usage`` in calendar month ``month``.  Called once per month, in
        order, on the usage of the whole archive (all shards added): it may keep state that
        depends on totals, such as the on-prem capacity bought so far, never per-study state."""

    def read_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        """Tier code each read was served from and its latency [s]: codes index
        :attr:`read_tier_names`; ``MISSING`` (-1): the study was not held; ``UNAVAILABLE`` (-2):
        the read needed the internet while it was down."""

    read_tier_names: tuple[str, ...]
