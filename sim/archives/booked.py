"""Base of archive engines whose whole path is known up front (AWS HealthImaging, GCS Autoclass):
every study's tier changes follow from its upload, reads and deletion, so the engine meters them
once, at construction, with changes booked ahead; the run loop's daily steps have nothing left to
decide, and each month only closes the meter."""

from __future__ import annotations

import numpy as np

from sim.archives.base import ArchiveModel, HeldAtEnd, MonthUsage
from sim.calendar import Calendar
from sim.tiering.core import Meter


class BookedAhead(ArchiveModel):
    """Subclasses set ``_cal`` (calendar), ``_meter`` (a :class:`Meter` with every change
    booked), ``_egress`` (internet egress bytes per month) and ``_cells`` (per-event charges
    per month) in their constructor, and implement ``bill``."""

    _cal: Calendar
    _meter: Meter
    _egress: np.ndarray
    _cells: list[dict]

    def _set_up(self, name: str, catalog, workload) -> np.ndarray:
        """Name, catalog, calendar; returns when each study leaves (deletion or the run's end).
        [s]"""
        self.name = name
        self.catalog = catalog
        self._cal = workload.calendar
        st = workload.studies
        held = (st.delete_s >= self._cal.horizon_s) & (st.created_s < self._cal.horizon_s)
        self._held_totals = (float(st.size_bytes[held].sum(dtype=np.float64)),
                             float(st.objects[held].sum(dtype=np.int64)), float(held.sum()))
        return np.minimum(st.delete_s, self._cal.horizon_s)

    def held_at_end(self) -> HeldAtEnd:
        """What the archive holds when the run ends: bytes per tier from the meter's final
        levels (the first lines, one per :attr:`read_tier_names`; billable bytes where a
        minimum size applies), objects and studies shared out in proportion to bytes."""
        level = self._meter.level[:len(self.read_tier_names)]
        _, objects, studies = self._held_totals
        scale = float(level.sum()) or 1.0
        return {tier: (float(b), objects * float(b) / scale, studies * float(b) / scale)
                for tier, b in zip(self.read_tier_names, level, strict=True) if b > 0}

    def delete(self, day: int, studies: np.ndarray) -> None:
        """Booked at construction."""

    def ingest(self, day: int, studies: np.ndarray) -> None:
        """Booked at construction."""

    def read(self, day: int, reads: slice) -> None:
        """Booked at construction."""

    def end_of_day(self, day: int) -> None:
        """Nothing to decide: the path is known."""

    def close_month(self, month: int) -> MonthUsage:
        stop_day = self._cal.month_stop_day(month)
        return MonthUsage(self._meter.close(stop_day), float(self._egress[month]),
                          self._cells[month])
