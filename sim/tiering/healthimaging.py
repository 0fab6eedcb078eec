"""AWS HealthImaging tiering, in closed form: an image set is in Frequent Access (FA) from its
import; after ``days`` consecutive days without a touch it moves to Archive Instant Access (AIA);
a touch (a read) brings it back to FA at once.

Moves happen at midnight UTC: the first midnight at or after the last touch, plus ``days`` (as
the engine core's other daily engines).  Because a study's touches are all known (its import and
its reads), its whole path follows at once, with no daily evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calendar import SECONDS_PER_DAY
from sim.workload.sorting import stable_argsort

FA, AIA = 0, 1


@dataclass(frozen=True, eq=False)
class Path:
    """Every idle stretch between touches, and where it moved to AIA."""

    study: np.ndarray
    """Study of each stretch (touch to next touch or end)."""
    start_s: np.ndarray
    """The touch that starts the stretch (import or read). [s]"""
    end_s: np.ndarray
    """The next touch, or the study's deletion or the end of the run. [s]"""
    ends_in_read: np.ndarray
    """Whether the stretch ends with a read (else with deletion / the run's end). bool"""
    move_s: np.ndarray
    """When the study moved to AIA in the stretch, or -1 if it did not. [s]"""
    read_tier: np.ndarray
    """Tier each read of the workload was served from (FA or AIA)."""


def tier_path(created_s: np.ndarray, end_s: np.ndarray, read_study: np.ndarray,
              read_time_s: np.ndarray, days: int) -> Path:
    """The FA/AIA path of every study from its import (``created_s``) to ``end_s`` (deletion or
    the end of the run), given its reads (time-sorted, as the workload holds them)."""
    n, m = created_s.size, read_time_s.size
    by_study = stable_argsort(read_study, max_key=n) if m else np.zeros(0, np.int64)
    study = np.concatenate([np.arange(n), read_study[by_study].astype(np.int64)])
    start = np.concatenate([created_s, read_time_s[by_study]])
    is_read = np.concatenate([np.zeros(n, bool), np.ones(m, bool)])
    read_no = np.concatenate([np.full(n, -1), by_study])
    order = stable_argsort(study, max_key=n)  # per study: import first, then reads in order
    study, start, is_read, read_no = study[order], start[order], is_read[order], read_no[order]
    last = np.r_[study[1:] != study[:-1], True]
    nxt = np.r_[start[1:], 0]
    end = np.where(last, end_s[study], nxt)
    ends_in_read = ~last
    move = (-(-start // SECONDS_PER_DAY) + days) * SECONDS_PER_DAY
    moved = move < end
    move_s = np.where(moved, move, -1)
    read_tier = np.zeros(m, dtype=np.int8)
    # a read is served from AIA when the stretch before it moved there
    before_read = np.flatnonzero(ends_in_read)
    read_tier[read_no[before_read + 1]] = np.where(moved[before_read], AIA, FA)
    return Path(study, start, end, ends_in_read, move_s, read_tier)
