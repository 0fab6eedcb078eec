"""The run loop: one SimPy environment per run, the clock in seconds since the scenario start.

Processes (each a plain generator; all wake at midnight UTC, in this order within a day):

1. ``month_end``  - at each calendar month boundary, every archive closes its month's usage
   (billed afterwards by :func:`bill`, so that shards of one archive can be added first);
2. ``deletions``  - retention deletes the studies due that midnight;
3. ``arrivals``   - the day's studies are ingested (exact acquisition times are in the workload);
4. ``reads``      - the day's reads are served;
5. ``day_end``    - archives meter the day and run their daily policy evaluation (the tiering
   engines plug in here).

Same-time events in SimPy fire in the order they were scheduled; each process re-arms itself once
per day in the order above and ``month_end`` arms a month ahead, so the order is fixed.  Per-study
state lives in the archives' numpy arrays: the loop hands them index ranges, never one study.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass

import numpy as np
import simpy

from sim.archives.base import ArchiveModel, MonthUsage
from sim.calendar import SECONDS_PER_DAY
from sim.ledger import Charge
from sim.workload.model import NEVER, Workload
from sim.workload.sorting import stable_argsort

ProgressCallback = Callable[[float], None]
"""Called with the share of the run simulated so far (0..1)."""


@dataclass(frozen=True)
class DayIndex:
    """Where each day's studies, deletions and reads start in their (sorted) arrays."""

    study_first: np.ndarray
    """Index of the first study acquired on each day; length n_days + 1."""
    deletion_order: np.ndarray
    """Studies in order of deletion time (only those deleted within the run)."""
    deletion_first: np.ndarray
    """Index into ``deletion_order`` of each day's first deletion; length n_days + 1."""
    read_first: np.ndarray
    """Index of the first read on each day; length n_days + 1."""

    @classmethod
    def build(cls, workload: Workload) -> DayIndex:
        n_days = workload.calendar.n_days
        day_starts = np.arange(n_days + 1, dtype=np.int64) * SECONDS_PER_DAY
        studies, reads = workload.studies, workload.reads
        deleted = np.flatnonzero(studies.delete_s != NEVER)
        deletion_day = studies.delete_s[deleted] // SECONDS_PER_DAY
        order = deleted[stable_argsort(deletion_day, max_key=n_days)]
        return cls(
            study_first=np.searchsorted(studies.created_s, day_starts),
            deletion_order=order,
            deletion_first=np.searchsorted(studies.delete_s[order], day_starts),
            read_first=np.searchsorted(reads.time_s, day_starts),
        )


def run_loop(
    workload: Workload,
    archives: list[ArchiveModel],
    progress: ProgressCallback | None = None,
) -> list[Charge]:
    """Drive ``archives`` through every day of the workload; return all their charges."""
    usage = meter_loop(workload, archives, progress)
    return bill(archives, usage)


def bill(archives: list[ArchiveModel], usage: list[list[MonthUsage]]) -> list[Charge]:
    """Every archive's charges, month by month, from its usage (``usage[archive][month]``)."""
    charges: list[Charge] = []
    n_months = len(usage[0]) if usage else 0
    for month in range(n_months):
        for archive, months in zip(archives, usage, strict=True):
            charges.extend(archive.bill(month, months[month]))
    return charges


def meter_loop(
    workload: Workload,
    archives: list[ArchiveModel],
    progress: ProgressCallback | None = None,
) -> list[list[MonthUsage]]:
    """Drive ``archives`` through every day of the workload; return each archive's usage per
    calendar month (``result[archive][month]``)."""
    calendar = workload.calendar
    index = DayIndex.build(workload)
    n_days = calendar.n_days
    usage: list[list[MonthUsage]] = [[] for _ in archives]
    env = simpy.Environment()

    def month_end() -> Generator[simpy.Event, None, None]:
        bounds = calendar.month_bounds_s
        for month in range(calendar.n_months):
            yield env.timeout(int(bounds[month + 1]) - env.now)
            for months, archive in zip(usage, archives, strict=True):
                months.append(archive.close_month(month))
            if progress is not None:
                progress((month + 1) / calendar.n_months)

    def daily(step: Callable[[int], None]) -> Callable[[], Generator[simpy.Event, None, None]]:
        def process() -> Generator[simpy.Event, None, None]:
            for day in range(n_days):
                step(day)
                if day + 1 < n_days:
                    yield env.timeout(SECONDS_PER_DAY)

        return process

    def deletions(day: int) -> None:
        lo, hi = index.deletion_first[day], index.deletion_first[day + 1]
        if hi > lo:
            due = index.deletion_order[lo:hi]
            for archive in archives:
                archive.delete(day, due)

    def arrivals(day: int) -> None:
        lo, hi = index.study_first[day], index.study_first[day + 1]
        if hi > lo:
            new = np.arange(lo, hi)
            for archive in archives:
                archive.ingest(day, new)

    def reads(day: int) -> None:
        lo, hi = index.read_first[day], index.read_first[day + 1]
        if hi > lo:
            for archive in archives:
                archive.read(day, slice(int(lo), int(hi)))

    def day_end(day: int) -> None:
        for archive in archives:
            archive.end_of_day(day)

    env.process(month_end())
    for step in (deletions, arrivals, reads, day_end):
        env.process(daily(step)())
    env.run()
    return usage
