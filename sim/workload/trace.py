"""Trace replay: build the workload from given studies and reads, exactly as given.

Retention rules of the scenario still decide deletions (from the given ages when a rule needs
them).  The CSV reading and checking is in :mod:`sim.io.trace_files`; this module is pure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calendar import Calendar
from sim.scenario import MODALITIES, Retention
from sim.workload.model import ReadKind, Reads, Studies, Workload
from sim.workload.reads import assemble_reads
from sim.workload.retention import delete_times
from sim.workload.sorting import stable_argsort


def workload_from_trace(
    calendar: Calendar,
    retention: Retention,
    study_uid: np.ndarray,
    created_s: np.ndarray,
    size_bytes: np.ndarray,
    objects: np.ndarray,
    modality_code: np.ndarray,
    patient_key: np.ndarray,
    age_years: np.ndarray,
    read_study: np.ndarray,
    read_time_s: np.ndarray,
) -> Workload:
    """Workload from already-checked trace columns.

    ``read_study`` indexes the study columns as given (before sorting by time).
    """
    order = stable_argsort(created_s, max_key=calendar.horizon_s)
    created_s = created_s[order]
    codes = modality_code[order]
    names = tuple(m for m in MODALITIES if m in set(codes.tolist()))
    modality = pd.Categorical(codes, categories=list(names)).codes.astype(np.int8)
    _, first_index, patient_raw = np.unique(
        patient_key[order], return_index=True, return_inverse=True
    )
    # number patients in order of their first study
    rank = np.empty(first_index.size, dtype=np.int64)
    rank[np.argsort(first_index, kind="stable")] = np.arange(first_index.size)
    patient = rank[patient_raw].astype(np.int32)
    ages = age_years[order].astype(np.float32)
    is_mammo = codes == "MG"
    delete_s = delete_times(retention, created_s, patient, ages, is_mammo, calendar.horizon_s)

    position = np.empty(order.size, dtype=np.int64)
    position[order] = np.arange(order.size)
    end_s = np.minimum(delete_s, calendar.horizon_s)
    parts = [(position[read_study], read_time_s.astype(np.int64), ReadKind.TRACE)]
    reads: Reads = assemble_reads(parts, created_s, end_s, calendar.horizon_s)
    studies = Studies(
        created_s=created_s,
        modality=modality,
        size_bytes=size_bytes[order].astype(np.int64),
        objects=objects[order].astype(np.int32),
        patient=patient,
        age_years=ages,
        delete_s=delete_s,
        study_uid=study_uid[order],
    )
    return Workload(calendar=calendar, modalities=names, studies=studies, reads=reads)
