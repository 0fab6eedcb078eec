"""A flat-rate archive: every byte at one price per GiB-month, nothing else billed.

The simplest complete archive: useful for an on-prem service charged per GB, and as the baseline
the tiered engines are checked against.  Storage is metered as byte-seconds over the calendar
month (a study acquired mid-day counts from its acquisition second; a deletion at midnight
removes it from that day on).
"""

from __future__ import annotations

import numpy as np

from sim.archives.base import ArchiveModel, MonthUsage
from sim.calendar import SECONDS_PER_DAY
from sim.ledger import Charge
from sim.pricing.metering import gib_months
from sim.scenario import FlatArchive as FlatArchiveSpec
from sim.workload.model import Workload


class FlatArchive(ArchiveModel):
    """Archive model for ``kind: flat``.

    Parameters
    ----------
    spec
        The scenario's archive entry.
    workload
        The run's workload (sizes and acquisition times are read from it).
    """

    def __init__(self, spec: FlatArchiveSpec, workload: Workload):
        self.name = spec.name
        self.spec = spec
        self._calendar = workload.calendar
        self._size = workload.studies.size_bytes
        self._created = workload.studies.created_s
        self._stored_bytes = 0  # Python int: exact
        self._ingested_today = 0
        self._partial_byte_seconds = 0.0
        self._month_byte_seconds = 0.0

    @property
    def stored_bytes(self) -> int:
        """Bytes held at the end of the last metered day. [bytes]"""
        return self._stored_bytes

    def delete(self, day: int, studies: np.ndarray) -> None:
        self._stored_bytes -= int(self._size[studies].sum())

    def ingest(self, day: int, studies: np.ndarray) -> None:
        size = self._size[studies]
        day_end = (day + 1) * SECONDS_PER_DAY
        self._partial_byte_seconds += float(
            np.dot(size.astype(np.float64), (day_end - self._created[studies]).astype(np.float64))
        )
        self._ingested_today += int(size.sum())

    def read(self, day: int, reads: slice) -> None:
        """Reads are free on a flat-rate archive."""

    def end_of_day(self, day: int) -> None:
        full_day = self._stored_bytes * SECONDS_PER_DAY
        self._month_byte_seconds += full_day + self._partial_byte_seconds
        self._stored_bytes += self._ingested_today
        self._ingested_today = 0
        self._partial_byte_seconds = 0.0

    def close_month(self, month: int) -> MonthUsage:
        usage = MonthUsage(np.array([self._month_byte_seconds]))
        self._month_byte_seconds = 0.0
        return usage

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        quantity = gib_months(float(usage.quantity_seconds[0]),
                              self._calendar.month_full_seconds[month])
        return [
            Charge(
                month=self._calendar.month_labels[month],
                archive=self.name,
                tier=self.spec.tier,
                category="storage",
                quantity=quantity,
                unit="GiB-month",
                amount_usd=quantity * self.spec.price_usd_per_gib_month,
            )
        ]
