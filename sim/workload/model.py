"""The workload as struct-of-arrays: studies (sorted by creation) and reads (sorted by time).

All times are integer seconds since the scenario start (UTC).  A study that is never deleted
within the run has ``delete_s == NEVER``.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import TypeVar

import numpy as np

from sim.calendar import Calendar

NEVER = np.iinfo(np.int64).max
"""Sentinel time for 'not within the run' (e.g. a study that is never deleted). [s]"""


class ReadKind(IntEnum):
    """Why a study was read."""

    REPORT = 0
    """The first report read(s)."""
    FOLLOWUP = 1
    """Early follow-up reads in the first weeks."""
    DECAY = 2
    """Reads that fade with study age (clinical look-ups, referrals)."""
    PRIOR = 3
    """Pulled as a relevant prior when the same patient's new study arrived."""
    BULK = 4
    """Part of a bulk cohort read (research, AI, legal)."""
    TRACE = 5
    """Replayed from a trace (reason unknown)."""


READ_KIND_NAMES = {k.value: k.name.lower() for k in ReadKind}


@dataclass(frozen=True, eq=False)
class Studies:
    """One entry per study, sorted by ``created_s``.

    Attributes
    ----------
    created_s
        Acquisition (ingest) time. [s since start], int64
    modality
        Index into ``modalities``. int8
    size_bytes
        Stored size (after compression). [bytes], int64
    objects
        Objects the study is stored as, per the object layout. [objects], int32
    patient
        Patient number (0..n_patients-1, in order of first study). int32
    age_years
        Patient's age at the study (NaN when unknown). [years], float32
    delete_s
        When retention deletes it, or ``NEVER``. [s since start], int64
    study_uid
        Optional external identifiers (trace replay); None for generated studies.
    acquired_s
        Acquisition time when it differs from ``created_s`` (studies already archived at the
        start of the run: created at 0, acquired before). [s since start], int64, or None
    """

    created_s: np.ndarray
    modality: np.ndarray
    size_bytes: np.ndarray
    objects: np.ndarray
    patient: np.ndarray
    age_years: np.ndarray
    delete_s: np.ndarray
    study_uid: np.ndarray | None = None
    acquired_s: np.ndarray | None = None
    """When each study was acquired, for studies already in the archive at the start (negative;
    their ``created_s`` is 0); None when every study is acquired during the run."""

    def __len__(self) -> int:
        return len(self.created_s)

    @property
    def acquisition_s(self) -> np.ndarray:
        """Acquisition time of each study (before the start for existing ones). [s]"""
        return self.created_s if self.acquired_s is None else self.acquired_s


@dataclass(frozen=True, eq=False)
class Reads:
    """One entry per read, sorted by ``time_s`` (ties by study then kind).

    Attributes
    ----------
    study
        Index into :class:`Studies`. int32 (int64 above 2^31 studies)
    time_s
        When the study is read. [s since start], int64
    kind
        :class:`ReadKind` value. int8
    """

    study: np.ndarray
    time_s: np.ndarray
    kind: np.ndarray

    def __len__(self) -> int:
        return len(self.time_s)


@dataclass(frozen=True, eq=False)
class Workload:
    """Everything that happens to the studies, independent of where they are stored."""

    calendar: Calendar
    modalities: tuple[str, ...]
    studies: Studies
    reads: Reads
    notes: tuple[str, ...] = ()
    """What the user should know about how the workload was drawn (e.g. a history scaled far
    from the model's volume to hold the given totals)."""

    @property
    def n_patients(self) -> int:
        return int(self.studies.patient.max()) + 1 if len(self.studies) else 0


_T = TypeVar("_T")


def read_only(values: np.ndarray) -> np.ndarray:
    """A read-only view of a workload's array, for a table or an engine that shares it instead
    of copying it (hundreds of megabytes for millions of rows): an assignment through the view
    fails instead of changing the workload."""
    view = values.view()
    view.flags.writeable = False
    return view


def per_workload(compute: Callable[[Workload], _T]) -> Callable[[Workload], _T]:
    """``compute(workload)`` done once per workload and kept while the workload lives (runs on
    one draw, e.g. a comparison's options or the optimizer's candidates, share it).  Callers
    must not change what it returns (arrays in it may be made read-only)."""
    kept: weakref.WeakKeyDictionary[Workload, _T] = weakref.WeakKeyDictionary()

    @functools.wraps(compute)
    def once(workload: Workload) -> _T:
        found = kept.get(workload)
        if found is None:
            found = kept[workload] = compute(workload)
        return found
    return once
