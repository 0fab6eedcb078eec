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
from sim.tiering.gcs_lifecycle import CLASSES
from sim.workload.sorting import stable_argsort

__all__ = ["CLASSES", "Stretches", "autoclass_path", "meter_changes"]


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


def meter_changes(path: Stretches, n_steps: int, size_bytes: np.ndarray, created_s: np.ndarray,
                  delete_s: np.ndarray, horizon_s: int, objects: np.ndarray, counted: np.ndarray,
                  count_line: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Meter changes (line, delta, time) of a whole path: bytes on line ``c`` while in class
    ``c`` (upload into class 0, each move, back to class 0 on a read, gone at deletion), and the
    ``counted`` studies' objects on ``count_line`` while stored (a monitoring or management fee).
    """
    size = size_bytes[path.study]
    n = size_bytes.size
    lines, deltas, times = [np.zeros(n, np.int64)], [size_bytes], [created_s]
    prev = np.zeros(path.study.size, dtype=np.int64)  # class before each step
    for k in range(n_steps):
        moved = path.move_s[:, k] >= 0
        lines += [prev[moved], np.full(int(moved.sum()), k + 1)]
        deltas += [-size[moved], size[moved]]
        times += [path.move_s[moved, k], path.move_s[moved, k]]
        prev = np.where(moved, k + 1, prev)
    back = path.ends_in_read & (path.reached > 0)  # a read brings it back to class 0
    lines += [path.reached[back].astype(np.int64), np.zeros(int(back.sum()), np.int64)]
    deltas += [-size[back], size[back]]
    times += [path.end_s[back], path.end_s[back]]
    gone = ~path.ends_in_read & (path.end_s < horizon_s)
    lines.append(path.reached[gone].astype(np.int64))
    deltas.append(-size[gone])
    times.append(path.end_s[gone])
    deleted = counted & (delete_s < horizon_s)
    lines += [np.full(int(counted.sum()), count_line), np.full(int(deleted.sum()), count_line)]
    deltas += [objects[counted], -objects[deleted]]
    times += [created_s[counted], delete_s[deleted]]
    return np.concatenate(lines), np.concatenate(deltas), np.concatenate(times)
