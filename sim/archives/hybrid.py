"""A hybrid archive: on-prem storage in front of a cloud archive, in one of two modes.

**cache** (the default): the cloud archive receives every study, and an on-prem cache keeps
recent ones too.  Writes go to both.  A read is served by the cache when it holds the study
(``sim.onprem.cache``: an age window, or least recently used by capacity), else by the cloud
engine over the internet link - unless the link is down, when the read misses.  The cloud part
is billed by its engine (requests, retrieval, restores, egress); the cache by the on-prem cost
model (its hardware, power, space, staff, licences, security).

**tiered**: a study lives only on-prem until it leaves the window (its age, or oldest first when
the capacity is full), then moves to the cloud (uploaded that day: the cloud engine's PUTs,
storage and lifecycle clock start then; the on-prem copy is deleted); reads before the move are
served on-prem, later ones by the cloud over the link (:func:`sim.onprem.cache.tiered_pass`).
"""

from __future__ import annotations

import numpy as np

from sim.archives.base import ArchiveWrapper, MonthUsage
from sim.archives.linked import LinkedCloud
from sim.calendar import SECONDS_PER_DAY
from sim.ledger import Charge
from sim.network import Link
from sim.onprem.cache import CachePass, lru_cache, tiered_pass, window_cache, window_days
from sim.onprem.capacity import TB
from sim.onprem.costs import ALL_TIERS, OnPremBiller
from sim.scenario import HybridArchive as HybridSpec
from sim.tiering.core import ChargeBook, Meter
from sim.workload.model import Workload


def cache_pass(spec: HybridSpec, workload: Workload) -> CachePass:
    """The cache mode's on-prem pass (which reads it serves, its stored bytes)."""
    c = spec.cache
    days = None if c.window_months is None else window_days(c.window_months)
    if c.capacity_tb is None:
        assert days is not None  # a cache has a window, a capacity or both (scenario check)
        return window_cache(workload, days)
    return lru_cache(workload, c.capacity_tb * TB, days)


def tiered_moves(spec: HybridSpec, workload: Workload) -> tuple[CachePass, np.ndarray]:
    """The tiered mode's on-prem pass and when each study moves to the cloud. [s]"""
    c = spec.cache
    days = None if c.window_months is None else window_days(c.window_months)
    return tiered_pass(workload, days, None if c.capacity_tb is None else c.capacity_tb * TB)


def migrated_at_start(spec: HybridSpec, workload: Workload) -> np.ndarray | None:
    """The studies a tiered hybrid's migration moves (those already past the window at the
    start); None for the cache mode (it migrates the whole existing archive)."""
    if spec.cache.mode != "tiered":
        return None
    _, moves = tiered_moves(spec, workload)
    return moves <= 0


class HybridArchive(ArchiveWrapper):
    """Archive model for ``kind: hybrid``: the cloud part (``inner``, a :class:`LinkedCloud`)
    with the on-prem part's storage, reads and bill added; the rest is passed on to the cloud."""

    def __init__(self, spec: HybridSpec, workload: Workload, link: Link, build_cloud,
                 plan=None):
        self.spec = spec
        self._cal = workload.calendar
        moves = None
        if spec.cache.mode == "tiered":
            self._cache, moves = tiered_moves(spec, workload)
        else:
            self._cache = cache_pass(spec, workload)
        down = link.is_down(workload.reads.time_s)
        self._hit = self._cache.hit
        super().__init__(LinkedCloud(build_cloud, workload, ~self._hit & ~down, link,
                                     spec.cloud.migration, plan, moves))
        self.name = spec.name
        self._meter = Meter(1, self._cal.n_days)
        self._meter.change_many(np.zeros(self._cache.change_s.size, dtype=np.int64),
                                self._cache.change_bytes, self._cache.change_s)
        self._book = ChargeBook(self._cal)
        self._biller = OnPremBiller(spec, [spec.cache.tier], self._cal, spec.name)
        self.read_tier_names = (spec.cache.tier.name, *self.inner.read_tier_names)

    def onprem_figures(self) -> dict:
        return self._biller.figures()

    def ingest(self, day: int, studies: np.ndarray) -> None:
        self.inner.ingest(day, studies)
        rate = self.spec.licences.usd_per_study
        if rate:
            self._book.add(day * SECONDS_PER_DAY, ALL_TIERS, "licences", "studies ingested",
                           studies.size, studies.size * rate)

    def close_month(self, month: int) -> MonthUsage:
        cloud = self.inner.close_month(month)
        stop_day = self._cal.month_stop_day(month)
        cache_q, daily = self._meter.close_days(stop_day)
        cells = {**cloud.event_charges, **self._book.close_month(month)}
        return MonthUsage(np.concatenate([cloud.quantity_seconds, cache_q]), cloud.egress_bytes,
                          cells, daily)

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        n = usage.quantity_seconds.size - 1
        cloud = MonthUsage(usage.quantity_seconds[:n], usage.egress_bytes, usage.event_charges)
        assert usage.daily_levels is not None  # the cache's usage keeps the daily levels
        return self.inner.bill(month, cloud) + self._biller.bill_month(month,
                                                                       usage.daily_levels)

    def read_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        outcomes = self.inner.read_outcomes()
        assert outcomes is not None  # a linked cloud serves reads
        tier, latency = outcomes
        tier = np.where(tier >= 0, tier + 1, tier).astype(np.int8)
        tier[self._hit] = 0
        latency = latency.copy()
        latency[self._hit] = self.spec.cache.tier.read_latency_s
        return tier, latency
