"""Google Cloud Storage Autoclass, in closed form: every object starts in Standard; after 30,
90 and 365 days without a data read it moves to Nearline, Coldline and Archive, down to the
bucket's terminal class (Nearline by default, or Archive); a read moves it back to Standard and
restarts the clock.  Objects under 128 KiB never leave Standard.

Moves happen at midnight UTC: the first midnight at or after the last access, plus the days (as
the other daily engines).  A study's accesses are all known, so its path follows at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calendar import SECONDS_PER_DAY
from sim.workload.sorting import stable_argsort

CLASSES = ("STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE")


@dataclass(frozen=True, eq=False)
class Stretches:
    """Each study's stretches between accesses and the class it reaches in each."""

    study: np.ndarray
    start_s: np.ndarray
    end_s: np.ndarray
    ends_in_read: np.ndarray
    move_s: np.ndarray
    """``[stretch, step]``: when the object entered class ``step + 1``, or -1. [s]"""
    reached: np.ndarray
    """Class at the end of each stretch (index into CLASSES)."""
    read_class: np.ndarray
    """Class each read of the workload was served from."""


def autoclass_path(created_s: np.ndarray, end_s: np.ndarray, read_study: np.ndarray,
                   read_time_s: np.ndarray, step_days: list[int], small: np.ndarray
                   ) -> Stretches:
    """The class path of every study (``step_days``: days without access to enter Nearline,
    Coldline, Archive, cut at the terminal class; ``small`` studies stay in Standard)."""
    n, m = created_s.size, read_time_s.size
    by_study = stable_argsort(read_study, max_key=n) if m else np.zeros(0, np.int64)
    study = np.concatenate([np.arange(n), read_study[by_study].astype(np.int64)])
    start = np.concatenate([created_s, read_time_s[by_study]])
    read_no = np.concatenate([np.full(n, -1), by_study])
    order = stable_argsort(study, max_key=n)
    study, start, read_no = study[order], start[order], read_no[order]
    last = np.r_[study[1:] != study[:-1], True]
    end = np.where(last, end_s[study], np.r_[start[1:], 0])
    base = -(-start // SECONDS_PER_DAY)
    move = np.full((start.size, len(step_days)), -1, dtype=np.int64)
    reached = np.zeros(start.size, dtype=np.int8)
    movable = ~small[study]
    for k, days in enumerate(step_days):
        t = (base + days) * SECONDS_PER_DAY
        ok = movable & (t < end)
        move[ok, k] = t[ok]
        reached[ok] = k + 1
    read_class = np.zeros(m, dtype=np.int8)
    before = np.flatnonzero(~last)
    read_class[read_no[before + 1]] = reached[before]
    return Stretches(study, start, end, ~last, move, reached, read_class)
