"""Monthly workload table: what happened per calendar month and modality."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.jit import kernel
from sim.workload.model import NEVER, ReadKind, Workload, per_workload
from sim.workload.sorting import last_at_or_below

WORKLOAD_COLUMNS = [
    "month",
    "modality",
    "studies",
    "bytes_ingested",
    "objects_ingested",
    "reads",
    "prior_pulls",
    "deletions",
    "bytes_deleted",
    "stored_studies_end",
    "stored_bytes_end",
]


def monthly_workload(workload: Workload) -> pd.DataFrame:
    """Per month and modality: studies, bytes and objects ingested, reads (all kinds), prior
    pulls, deletions, bytes deleted, and what is stored at the month's end (including the
    existing archive held at the start).  [counts, bytes]"""
    return monthly_table(workload).copy()


@per_workload
def monthly_table(workload: Workload) -> pd.DataFrame:
    """:func:`monthly_workload`, computed once per workload and shared: not to be changed."""
    cal = workload.calendar
    st, rd = workload.studies, workload.reads
    n_mod, n_months = len(workload.modalities), cal.n_months
    existing = np.zeros((2, n_mod), dtype=np.int64)  # studies, bytes held at the start
    tallies = np.zeros((7, n_months, n_mod), dtype=np.int64)
    _tally_months(cal.month_bounds_s.astype(np.int64), st.created_s, st.acquisition_s,
                  st.modality, st.size_bytes, st.objects, st.delete_s, NEVER, rd.time_s,
                  rd.study, rd.kind, int(ReadKind.PRIOR), existing, tallies)
    studies, bytes_in, objects_in, reads, priors, deletions, bytes_del = tallies
    frame = pd.DataFrame(
        {
            "month": np.repeat(cal.month_labels, n_mod),
            "modality": np.tile(workload.modalities, n_months),
            "studies": studies.ravel(),
            "bytes_ingested": bytes_in.ravel(),
            "objects_ingested": objects_in.ravel(),
            "reads": reads.ravel(),
            "prior_pulls": priors.ravel(),
            "deletions": deletions.ravel(),
            "bytes_deleted": bytes_del.ravel(),
            "stored_studies_end": (existing[0] + np.cumsum(studies - deletions, axis=0)
                                   ).ravel(),
            "stored_bytes_end": (existing[1] + np.cumsum(bytes_in - bytes_del, axis=0)
                                 ).ravel(),
        }
    )
    return frame[WORKLOAD_COLUMNS]


@kernel
def _month_of(bounds_s, t_s):  # pragma: no cover - compiled
    """Index of the month holding ``t_s`` (the tallies have no cell for a time before the
    first month or at the run's end)."""
    month = last_at_or_below(bounds_s, t_s)
    if month < 0 or month == bounds_s.size - 1:
        raise ValueError("a study or read time outside the run's months")
    return month


@kernel
def _tally_months(bounds_s, created_s, acquisition_s, modality, size_bytes, objects, delete_s,
                  never, read_time_s, read_study, read_kind, prior_kind, existing,
                  tallies):  # pragma: no cover - compiled
    """One pass over studies and reads, adding into ``tallies`` [7, month, modality] (studies,
    bytes and objects ingested, reads, prior pulls, deletions, bytes deleted) and ``existing``
    [2, modality] (studies and bytes held at the start).  Integer sums: exact."""
    month = 0
    for i in range(created_s.size):  # sorted by creation
        m = modality[i]
        if acquisition_s[i] >= created_s[i]:  # acquired during the run
            t = created_s[i]
            if not bounds_s[month] <= t < bounds_s[month + 1]:
                month = _month_of(bounds_s, t)
            tallies[0, month, m] += 1
            tallies[1, month, m] += size_bytes[i]
            tallies[2, month, m] += objects[i]
        else:  # the existing archive at the start counts as stored from the start
            existing[0, m] += 1
            existing[1, m] += size_bytes[i]
        if delete_s[i] != never:
            gone = _month_of(bounds_s, delete_s[i])
            tallies[5, gone, m] += 1
            tallies[6, gone, m] += size_bytes[i]
    month = 0
    for j in range(read_time_s.size):  # sorted by time: the month changes rarely
        t = read_time_s[j]
        if not bounds_s[month] <= t < bounds_s[month + 1]:
            month = _month_of(bounds_s, t)
        m = modality[read_study[j]]
        tallies[3, month, m] += 1
        if read_kind[j] == prior_kind:
            tallies[4, month, m] += 1
