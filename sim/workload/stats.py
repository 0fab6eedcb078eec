"""Monthly workload table: what happened per calendar month and modality."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.workload.model import NEVER, ReadKind, Workload, per_workload
from sim.workload.sorting import stable_argsort

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
    return _monthly_workload(workload).copy()


@per_workload
def _monthly_workload(workload: Workload) -> pd.DataFrame:
    cal = workload.calendar
    st, rd = workload.studies, workload.reads
    n_mod, n_months = len(workload.modalities), cal.n_months
    size = n_months * n_mod

    def cells(time_s: np.ndarray, modality: np.ndarray) -> np.ndarray:
        return cal.month_of_seconds(time_s) * n_mod + modality

    def tally(cell: np.ndarray) -> np.ndarray:
        return np.bincount(cell, minlength=size).reshape(n_months, n_mod)

    new = st.acquisition_s >= st.created_s  # acquired during the run (not already archived)
    in_cells = cells(st.created_s[new], st.modality[new])
    studies = tally(in_cells)
    bytes_in = _exact_tally(in_cells, st.size_bytes[new], size).reshape(n_months, n_mod)
    objects_in = _exact_tally(in_cells, st.objects[new], size).reshape(n_months, n_mod)
    old = ~new  # the existing archive at the start counts as stored from the start
    existing_studies = np.bincount(st.modality[old], minlength=n_mod)
    existing_bytes = _exact_tally(st.modality[old].astype(np.int64), st.size_bytes[old], n_mod)
    read_cells = cells(rd.time_s, st.modality[rd.study])
    reads = tally(read_cells)
    priors = tally(read_cells[rd.kind == ReadKind.PRIOR])
    gone = st.delete_s != NEVER
    del_cells = cells(st.delete_s[gone], st.modality[gone])
    deletions = tally(del_cells)
    bytes_del = _exact_tally(del_cells, st.size_bytes[gone], size).reshape(n_months, n_mod)

    frame = pd.DataFrame(
        {
            "month": np.repeat(cal.month_labels, n_mod),
            "modality": np.tile(workload.modalities, n_months),
            "studies": studies.ravel().astype(np.int64),
            "bytes_ingested": bytes_in.ravel(),
            "objects_ingested": objects_in.ravel(),
            "reads": reads.ravel().astype(np.int64),
            "prior_pulls": priors.ravel().astype(np.int64),
            "deletions": deletions.ravel().astype(np.int64),
            "bytes_deleted": bytes_del.ravel(),
            "stored_studies_end": (existing_studies + np.cumsum(studies - deletions, axis=0)
                                   ).ravel().astype(np.int64),
            "stored_bytes_end": (existing_bytes + np.cumsum(bytes_in - bytes_del, axis=0)
                                 ).ravel(),
        }
    )
    return frame[WORKLOAD_COLUMNS]


def _exact_tally(cells: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Integer sums per cell (bincount's float weights lose bytes above 2^53). int64

    Each value is split into its low 26 bits and the rest; bincount sums each half exactly
    while every partial sum stays below 2^53, which the check below makes sure of (else a sort).
    """
    values = values.astype(np.int64)
    if cells.size == 0:
        return np.zeros(size, dtype=np.int64)
    low_bits = 26
    high = values >> low_bits
    if (values.size < 2 ** (53 - low_bits) and int(values.min()) >= 0
            and int(high.max()) * values.size < 2**53):
        low = np.bincount(cells, weights=values & ((1 << low_bits) - 1), minlength=size)
        high_sums = np.bincount(cells, weights=high, minlength=size)
        return (high_sums.astype(np.int64) << low_bits) + low.astype(np.int64)
    order = stable_argsort(cells, max_key=size)
    sorted_cells = cells[order]
    sums = np.zeros(size, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, sorted_cells[1:] != sorted_cells[:-1]])
    sums[sorted_cells[starts]] = np.add.reduceat(values[order], starts)
    return sums
