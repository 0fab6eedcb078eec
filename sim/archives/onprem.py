"""An on-prem archive (PACS / VNA storage) with one to four tiers.

Every study is written at acquisition to every tier: the first tier (e.g. fast disk) keeps it for
``keep_days`` (the VNA's age rule moving studies off primary storage) or until it is deleted, and
its fill-level deleter (optional) removes the oldest studies when it runs full; the later tiers
(an object store, a tape library, a second site) keep every study until retention deletes it.
A read is served by the first tier that still holds the study, with that tier's latency; reads
from a later tier do not bring the study back to the first.

Deletions and age moves are known at acquisition (the workload fixes the deletion time), so each
study's stored bytes are booked on the meter once, at ingest, for its whole stay.  What the
stored bytes cost - capacity bought ahead of need, refresh, power, space, staff - follows from the
daily stored bytes per tier in :mod:`sim.onprem.costs`.
"""

from __future__ import annotations

import numpy as np

from sim.archives.base import MISSING, ArchiveModel, MonthUsage
from sim.calendar import SECONDS_PER_DAY
from sim.ledger import Charge
from sim.onprem.capacity import TB
from sim.onprem.costs import ALL_TIERS, OnPremBiller
from sim.scenario import OnPremArchive as OnPremSpec
from sim.tiering.core import ChargeBook, Meter, event_charges
from sim.workload.model import Workload


class OnPremArchive(ArchiveModel):
    """Archive model for ``kind: onprem``."""

    def __init__(self, spec: OnPremSpec, workload: Workload):
        self.name = spec.name
        self.spec = spec
        self._cal = workload.calendar
        st = workload.studies
        self._size = st.size_bytes
        self._created = st.created_s
        self._delete_s = st.delete_s
        self._reads = workload.reads
        keep = spec.tiers[0].keep_days
        self._leave_first = self._delete_s.copy()
        if keep is not None:  # the first midnight after the study is keep_days old
            moved = -(-(st.acquisition_s + keep * SECONDS_PER_DAY) // SECONDS_PER_DAY) \
                * SECONDS_PER_DAY
            # an existing study already older than that is only on the later tiers
            self._leave_first = np.maximum(np.minimum(moved, self._delete_s), self._created)
        self._meter = Meter(len(spec.tiers), self._cal.n_days)
        self._book = ChargeBook(self._cal)
        self._biller = OnPremBiller(spec, list(spec.tiers), self._cal, spec.name)
        self._latency = np.array([t.read_latency_s for t in spec.tiers])
        first = spec.tiers[0]
        self._first_capacity = first.start_raw_tb * TB * first.usable_fraction \
            / first.copies  # fixed when a deleter runs the tier [bytes]
        self._oldest = 0  # no study before this index is on the first tier any more
        deleter = first.deleter
        self._last_read = None  # last read, or acquisition, per study [s]
        if deleter is not None and deleter.order == "least_recently_read":
            self._last_read = self._created.copy()
        self.deleted_by_deleter = 0
        """Studies the fill-level deleter removed from the first tier."""
        self.read_tier_names = tuple(t.name for t in spec.tiers)
        self._read_tier = np.full(len(self._reads), MISSING, dtype=np.int8)
        self._read_latency = np.full(len(self._reads), np.nan, dtype=np.float32)

    def onprem_figures(self) -> dict:
        figures = self._biller.figures()
        first = self.spec.tiers[0]
        if first.deleter is not None:
            figures[first.name]["deleted_by_deleter"] = self.deleted_by_deleter
        return figures

    def delete(self, day: int, studies: np.ndarray) -> None:
        """Deletions were booked at ingest."""

    def ingest(self, day: int, studies: np.ndarray) -> None:
        size = self._size[studies]
        t = self._created[studies]
        horizon = self._cal.horizon_s
        for k in range(len(self.spec.tiers)):
            leave = self._leave_first[studies] if k == 0 else self._delete_s[studies]
            gone = leave < horizon
            self._meter.change_many(np.full(size.size + int(gone.sum()), k),
                                    np.concatenate([size, -size[gone]]),
                                    np.concatenate([t, leave[gone]]))
        rate = self.spec.licences.usd_per_study
        if rate:
            self._book.add(day * SECONDS_PER_DAY, ALL_TIERS, "licences", "studies ingested",
                           studies.size, studies.size * rate)

    def read(self, day: int, reads: slice) -> None:
        ids = self._reads.study[reads]
        t = self._reads.time_s[reads]
        tier = np.where(t < self._leave_first[ids], 0, 1).astype(np.int8)
        if self._last_read is not None:
            np.maximum.at(self._last_read, ids, t)
        self._read_tier[reads] = tier
        self._read_latency[reads] = self._latency[tier]

    def end_of_day(self, day: int) -> None:
        """Run the first tier's fill-level deleter (age moves and deletions are booked)."""
        deleter = self.spec.tiers[0].deleter
        if deleter is None:
            return
        stored = float(self._meter.level_at_end_of(day)[0])
        if stored <= deleter.high_water * self._first_capacity:
            return
        excess = stored - deleter.low_water * self._first_capacity
        if deleter.order == "oldest":
            self._delete_oldest(day, excess)
        else:
            self._delete_least_recently_read(day, excess)

    def _delete_least_recently_read(self, day: int, excess_bytes: float) -> None:
        """Remove the studies on the first tier whose last read (or acquisition) is oldest,
        ``excess_bytes`` or just more; ties go to the older study."""
        midnight = (day + 1) * SECONDS_PER_DAY
        held = np.arange(self._oldest, np.searchsorted(self._created, midnight))
        held = held[self._leave_first[held] > midnight]
        assert self._last_read is not None  # kept when the deleter goes by last read
        order = np.lexsort((held, self._last_read[held]))
        ranked = held[order]
        cum = np.cumsum(self._size[ranked])
        gone = ranked[:int(np.searchsorted(cum, excess_bytes, side="left")) + 1]
        self._take_off_first(gone, midnight)
        while self._oldest < self._size.size:  # skip the leading studies no longer on the tier
            ids = np.arange(self._oldest, min(self._oldest + 4096, self._size.size))
            still = np.flatnonzero(self._leave_first[ids] > midnight)
            if still.size:
                self._oldest = int(ids[still[0]])
                break
            self._oldest = int(ids[-1]) + 1

    def _delete_oldest(self, day: int, excess_bytes: float) -> None:
        """Remove the oldest studies still on the first tier at midnight, ``excess_bytes`` or
        just more; they stay on the later tiers."""
        midnight = (day + 1) * SECONDS_PER_DAY
        freed = 0.0
        chunk = 4096
        while freed < excess_bytes and self._oldest < self._size.size:
            ids = np.arange(self._oldest, min(self._oldest + chunk, self._size.size))
            ids = ids[self._created[ids] < midnight]
            if ids.size == 0:
                break
            on_first = self._leave_first[ids] > midnight
            cum = np.cumsum(np.where(on_first, self._size[ids], 0))
            need = excess_bytes - freed
            cut = int(np.searchsorted(cum, need, side="left")) + 1  # enough to reach need
            take = ids[:cut]
            gone = take[on_first[:cut]]
            freed += self._take_off_first(gone, midnight)
            self._oldest = int(take[-1]) + 1

    def _take_off_first(self, gone: np.ndarray, midnight: int) -> float:
        """Remove studies from the first tier at ``midnight``; bytes freed."""
        size = self._size[gone]
        booked = self._leave_first[gone]
        later = booked < self._cal.horizon_s  # cancel the booked age move or deletion
        self._meter.change_many(np.zeros(size.size + int(later.sum()), dtype=np.int64),
                                np.concatenate([-size, size[later]]),
                                np.concatenate([np.full(size.size, midnight), booked[later]]))
        self._leave_first[gone] = midnight
        self.deleted_by_deleter += int(gone.size)
        return float(size.sum())

    def close_month(self, month: int) -> MonthUsage:
        stop_day = self._cal.month_stop_day(month)
        quantity_seconds, daily = self._meter.close_days(stop_day)
        return MonthUsage(quantity_seconds, 0.0, self._book.close_month(month), daily)

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        label = self._cal.month_labels[month]
        assert usage.daily_levels is not None  # on-prem usage keeps the daily levels
        return self._biller.bill_month(month, usage.daily_levels) + \
            event_charges(label, self.name, usage.event_charges)

    def read_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        return self._read_tier, self._read_latency
