"""The on-prem cache of a hybrid archive: which studies it holds when, and which reads it serves.

Two policies, alone or together:

- **age window**: a study is cached from acquisition until the first midnight after it is
  ``window_days`` old (or its deletion); studies already archived at the start are cached if
  they are younger than that.  Hits follow from the read's study age alone.
- **least recently used, by capacity** (optionally also limited by the age window): every study
  is cached at acquisition and again when a read has to fetch it from the cloud; when the cached
  bytes would pass the capacity, the least recently used studies are evicted until the new one
  fits.  A study larger than the whole cache
  is never cached.  Deletions free their space.  This policy depends on every study at once, so it
  runs as one sequential pass over the run's events (about a microsecond per event).

Both return, per read, whether the cache served it, and the cache's stored-bytes changes
``(time_s, delta_bytes)`` for the meter.

A **tiered** hybrid (:func:`tiered_pass`) keeps each study only on-prem until it leaves the
window - at the first midnight after it is ``window_days`` old, or, with a capacity, when newer
studies fill it (oldest acquisition first) - and then moves it to the cloud; a study deleted
while on-prem never moves.  Reads before the move are served on-prem, later ones by the cloud.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from sim.calendar import SECONDS_PER_DAY
from sim.workload.model import NEVER, Workload

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True, eq=False)
class CachePass:
    hit: np.ndarray
    """Whether the cache served each read of the workload. bool"""
    change_s: np.ndarray
    """Times of the cache's stored-bytes changes. [s]"""
    change_bytes: np.ndarray
    """The changes (+ cached, - evicted or deleted). [bytes]"""


def window_days(window_months: int) -> int:
    """An age window of whole months as days (a month of 365.25 / 12 days, rounded)."""
    return int(round(window_months * DAYS_PER_MONTH))


def window_cache(workload: Workload, days: int) -> CachePass:
    """Age-window cache: hits and stored-bytes changes."""
    st = workload.studies
    leave = -(-(st.acquisition_s + days * SECONDS_PER_DAY) // SECONDS_PER_DAY) * SECONDS_PER_DAY
    leave = np.minimum(leave, st.delete_s)
    reads = workload.reads
    hit = reads.time_s < leave[reads.study]
    held = leave > st.created_s  # an existing study older than the window is not cached
    gone = held & (leave < workload.calendar.horizon_s)
    return CachePass(hit,
                     np.concatenate([st.created_s[held], leave[gone]]),
                     np.concatenate([st.size_bytes[held], -st.size_bytes[gone]]))


def lru_cache(workload: Workload, capacity_bytes: float, days: int | None = None) -> CachePass:
    """Least-recently-used cache of ``capacity_bytes``: hits and stored-bytes changes.

    With ``days``, a study also leaves the cache at the first midnight after it is ``days`` old
    and is not cached again after that (capacity and age window together).  Events at the same
    second run in the order deletion or age-out, acquisition, read.
    """
    st, rd = workload.studies, workload.reads
    n, m = len(st), len(rd)
    leave = st.delete_s
    if days is not None:
        aged = -(-(st.acquisition_s + days * SECONDS_PER_DAY) // SECONDS_PER_DAY) \
            * SECONDS_PER_DAY
        leave = np.minimum(leave, aged)
    horizon = workload.calendar.horizon_s
    deleted = np.flatnonzero(leave < horizon)
    times = np.concatenate([leave[deleted], st.created_s, rd.time_s])
    kinds = np.concatenate([np.zeros(deleted.size, np.int8), np.ones(n, np.int8),
                            np.full(m, 2, np.int8)])
    who = np.concatenate([deleted, np.arange(n), rd.study.astype(np.int64)])
    read_no = np.concatenate([np.full(deleted.size + n, -1), np.arange(m)])
    too_old = (leave <= st.created_s).tolist()  # never cached (older than the window)
    leave_at = leave.tolist()
    order = np.lexsort((kinds, times))
    size = st.size_bytes.tolist()
    cache: OrderedDict[int, int] = OrderedDict()
    used = 0
    hit = np.zeros(m, dtype=bool)
    change_t: list[int] = []
    change_b: list[int] = []
    for t, kind, s, r in zip(times[order].tolist(), kinds[order].tolist(), who[order].tolist(),
                             read_no[order].tolist(), strict=True):
        if kind == 0:  # deletion or age-out frees the space
            b = cache.pop(s, None)
            if b is not None:
                used -= b
                change_t.append(t)
                change_b.append(-b)
            continue
        if kind == 2 and s in cache:
            hit[r] = True
            cache.move_to_end(s)
            continue
        b = size[s]
        if b > capacity_bytes or too_old[s] or t >= leave_at[s]:
            continue
        while used + b > capacity_bytes:
            _, old = cache.popitem(last=False)
            used -= old
            change_t.append(t)
            change_b.append(-old)
        cache[s] = b
        used += b
        change_t.append(t)
        change_b.append(b)
    return CachePass(hit, np.array(change_t, dtype=np.int64), np.array(change_b, dtype=np.int64))


def tiered_pass(workload: Workload, days: int | None, capacity_bytes: float | None
                ) -> tuple[CachePass, np.ndarray]:
    """A tiered hybrid's on-prem tier: reads it serves, its stored-bytes changes, and when each
    study moves to the cloud (``NEVER``: deleted while on-prem, or still there at the end).
    Studies already older than the window at the start move at the start (0). [s]"""
    st = workload.studies
    horizon = workload.calendar.horizon_s
    if capacity_bytes is None:
        assert days is not None  # a cache has a window, a capacity or both (scenario check)
        aged = -(-(st.acquisition_s + days * SECONDS_PER_DAY) // SECONDS_PER_DAY) \
            * SECONDS_PER_DAY
        move = np.maximum(aged, st.created_s)
        move = np.where(move < st.delete_s, move, NEVER)
    else:
        move = _oldest_out(workload, capacity_bytes, days)
    move = np.where(move < horizon, move, NEVER)
    leave = np.minimum(move, st.delete_s)  # off the on-prem tier: moved, or deleted
    hit = workload.reads.time_s < leave[workload.reads.study]
    held = leave > st.created_s
    gone = held & (leave < horizon)
    return CachePass(hit, np.concatenate([st.created_s[held], leave[gone]]),
                     np.concatenate([st.size_bytes[held], -st.size_bytes[gone]])), move


def _oldest_out(workload: Workload, capacity_bytes: float, days: int | None) -> np.ndarray:
    """When each study is pushed out of an on-prem tier of ``capacity_bytes`` holding the
    newest acquisitions (and, with ``days``, none older than the window). [s], or NEVER"""
    st = workload.studies
    n = len(st)
    leave = st.delete_s
    aged = np.full(n, NEVER, dtype=np.int64)
    if days is not None:
        aged = -(-(st.acquisition_s + days * SECONDS_PER_DAY) // SECONDS_PER_DAY) \
            * SECONDS_PER_DAY
        aged = np.maximum(aged, st.created_s)
    horizon = workload.calendar.horizon_s
    out = np.minimum(leave, aged)
    ends = np.flatnonzero(out < horizon)
    times = np.concatenate([out[ends], st.created_s])
    kinds = np.concatenate([np.zeros(ends.size, np.int8), np.ones(n, np.int8)])
    who = np.concatenate([ends, np.arange(n)])
    order = np.lexsort((kinds, times))
    move = np.full(n, NEVER, dtype=np.int64)
    size = st.size_bytes.tolist()
    deleted_first = (leave <= aged).tolist()
    held: OrderedDict[int, int] = OrderedDict()
    used = 0
    for t, kind, s in zip(times[order].tolist(), kinds[order].tolist(), who[order].tolist(),
                          strict=True):
        if kind == 0:  # deleted (no move) or aged out of the window (moves now)
            b = held.pop(s, None)
            if b is not None:
                used -= b
                if not deleted_first[s]:
                    move[s] = t
            continue
        if t >= out[s]:  # already past the window, or deleted, on arrival
            if not deleted_first[s]:
                move[s] = t
            continue
        held[s] = size[s]
        used += size[s]
        while used > capacity_bytes:
            first, b = held.popitem(last=False)
            used -= b
            move[first] = t
    return move
