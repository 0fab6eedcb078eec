"""A cloud archive reached over the site's internet link: reads while the link is down miss, and
every read served from the cloud also waits for its bytes to come over the link.

The cloud engine is built on the workload's reads that actually reach it (decided up front: the
outage windows and, for a hybrid, the cache's hits are known before the run), so access-based
tiering (Intelligent-Tiering's idle clock) sees exactly the accesses the provider would.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.archives.base import MISSING, UNAVAILABLE, MonthUsage
from sim.calendar import SECONDS_PER_DAY
from sim.ledger import Charge
from sim.network import Link
from sim.workload.model import Reads, Workload


def with_reads(workload: Workload, keep: np.ndarray) -> Workload:
    """The workload with only the reads where ``keep`` (same studies)."""
    r = workload.reads
    return Workload(workload.calendar, workload.modalities, workload.studies,
                    Reads(r.study[keep], r.time_s[keep], r.kind[keep]))


class LinkedCloud:
    """Wraps a cloud archive model so that it serves only the reads in ``reaches``."""

    def __init__(self, build: Callable[[Workload], object], workload: Workload,
                 reaches: np.ndarray, link: Link):
        self._positions = np.flatnonzero(reaches)
        inner_workload = with_reads(workload, reaches)
        self.inner = build(inner_workload)
        self.name = self.inner.name
        self.read_tier_names = self.inner.read_tier_names
        day_starts = np.arange(workload.calendar.n_days + 1, dtype=np.int64) * SECONDS_PER_DAY
        self._first = np.searchsorted(inner_workload.reads.time_s, day_starts)
        self._transfer_s = link.transfer_s(
            workload.studies.size_bytes[inner_workload.reads.study]).astype(np.float32)
        self._n_reads = len(workload.reads)

    def delete(self, day: int, studies: np.ndarray) -> None:
        self.inner.delete(day, studies)

    def ingest(self, day: int, studies: np.ndarray) -> None:
        self.inner.ingest(day, studies)

    def read(self, day: int, reads: slice) -> None:
        lo, hi = int(self._first[day]), int(self._first[day + 1])
        if hi > lo:
            self.inner.read(day, slice(lo, hi))

    def end_of_day(self, day: int) -> None:
        self.inner.end_of_day(day)

    def close_month(self, month: int) -> MonthUsage:
        return self.inner.close_month(month)

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        return self.inner.bill(month, usage)

    def read_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        """Outcomes of every read of the workload: reads that did not reach the cloud are
        ``UNAVAILABLE``; served ones take their transfer time over the link on top. [s]"""
        inner_tier, inner_latency = self.inner.read_outcomes()
        tier = np.full(self._n_reads, UNAVAILABLE, dtype=np.int8)
        latency = np.full(self._n_reads, np.nan, dtype=np.float32)
        tier[self._positions] = inner_tier
        served = inner_tier != MISSING
        latency[self._positions] = np.where(served, inner_latency + self._transfer_s, np.nan)
        return tier, latency

    @property
    def events(self):
        return self.inner.events

    @property
    def unconfirmed_prices(self) -> list[str]:
        return self.inner.unconfirmed_prices
