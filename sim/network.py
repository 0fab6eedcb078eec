"""The site's internet link: when it is down, and how long a cloud read takes to come over it.

Outages are the scenario's explicit windows plus random ones: a Poisson number per year, starting
uniformly in the run, lasting a lognormal number of hours.  Random outages draw from their own
random stream (the seed and a fixed spawn key), so adding outages never changes the workload.
Overlapping windows are merged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sim.calendar import SECONDS_PER_HOUR, SECONDS_PER_YEAR, Calendar
from sim.jit import kernel
from sim.scenario import Network

OUTAGE_STREAM = 7_001
"""Spawn key of the random stream outages are drawn from."""


@dataclass(frozen=True, eq=False)
class Link:
    """Outage windows ``[down_from_s, down_until_s)`` (sorted, disjoint) and the bandwidth."""

    down_from_s: np.ndarray
    down_until_s: np.ndarray
    wan_mbps: float | None = None

    def is_down(self, t_s: np.ndarray) -> np.ndarray:
        """Whether the link is down at each time. bool"""
        t_s = np.asarray(t_s)
        if self.down_from_s.size == 0:
            return np.zeros(t_s.shape, dtype=bool)
        flat = np.ascontiguousarray(t_s, dtype=np.int64).reshape(-1)
        return _inside(flat, self.down_from_s.astype(np.int64, copy=False),
                       self.down_until_s.astype(np.int64, copy=False)).reshape(t_s.shape)

    @property
    def down_hours(self) -> float:
        return float((self.down_until_s - self.down_from_s).sum()) / SECONDS_PER_HOUR


@kernel
def _inside(t_s, down_from_s, down_until_s):  # pragma: no cover - compiled
    """Whether each time falls in one of the sorted, disjoint windows (a binary search over the
    few windows per time, in cache). bool"""
    out = np.empty(t_s.size, dtype=np.bool_)
    for i in range(t_s.size):
        k = np.searchsorted(down_from_s, t_s[i], side="right") - 1
        out[i] = k >= 0 and t_s[i] < down_until_s[k]
    return out


ALWAYS_UP = Link(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


def build_link(network: Network, calendar: Calendar, seed: int) -> Link:
    """The run's outage windows (explicit and random) and bandwidth."""
    o = network.outages
    origin = dt.datetime.combine(calendar.start, dt.time(), tzinfo=dt.UTC)
    starts: list[int] = []
    ends: list[int] = []
    for w in o.windows:
        opens = w.start if w.start.tzinfo else w.start.replace(tzinfo=dt.UTC)
        s = int((opens - origin).total_seconds())
        starts.append(s)
        ends.append(s + int(round(w.hours * SECONDS_PER_HOUR)))
    if o.per_year > 0:
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(OUTAGE_STREAM,)))
        n = rng.poisson(o.per_year * calendar.horizon_s / SECONDS_PER_YEAR)
        begin = np.floor(rng.random(n) * calendar.horizon_s).astype(np.int64)
        hours = o.hours_median * np.exp(o.hours_sigma * rng.standard_normal(n))
        starts.extend(begin.tolist())
        ends.extend((begin + np.rint(hours * SECONDS_PER_HOUR).astype(np.int64)).tolist())
    return Link(*_merge(np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)),
                wan_mbps=network.wan_mbps)


def _merge(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if starts.size == 0:
        return starts, ends
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    reach = np.maximum.accumulate(ends)
    new = np.r_[True, starts[1:] > reach[:-1]]
    group = np.cumsum(new) - 1
    merged_ends = np.zeros(int(group[-1]) + 1, dtype=np.int64)
    np.maximum.at(merged_ends, group, ends)
    return starts[new], merged_ends
