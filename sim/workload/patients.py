"""Patients and return visits.

Each new study is, with the modality's return probability, a return visit: a gap is drawn
(lognormal) and the study is matched to the earlier study acquired closest before ``now - gap``
(of the same modality with probability ``same_modality``).  It then belongs to that study's
patient.  A gap reaching back before the run's start means the patient's history is outside the
archive, so the study starts a new patient.  Patient numbers follow from the chain of matches by
pointer jumping (O(n log depth)), with no Python loop per study.

A patient's age is drawn once, at the first study in the archive, from the age bands; later
studies add the elapsed time.
"""

from __future__ import annotations

import numpy as np

from sim.calendar import SECONDS_PER_DAY, SECONDS_PER_YEAR
from sim.jit import kernel
from sim.workload.sorting import stable_argsort


def match_returns(
    created_s: np.ndarray,
    modality: np.ndarray,
    probability: np.ndarray,
    gap_median_days: np.ndarray,
    gap_sigma: np.ndarray,
    same_modality: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """For each study (sorted by time), the earlier study of the same patient, or -1. int64"""
    n = created_s.size
    is_return = rng.random(n) < probability[modality]
    gap_s = gap_median_days[modality] * SECONDS_PER_DAY * np.exp(
        gap_sigma[modality] * rng.standard_normal(n)
    )
    target = created_s - np.maximum(1, np.rint(gap_s)).astype(np.int64)
    want_same = rng.random(n) < same_modality[modality]

    # queries in order of target time, answered in one pass over the studies
    order = stable_argsort(target - int(target.min())) if n else np.zeros(0, np.int64)
    earlier = _last_before(created_s, modality, target, want_same, order,
                           int(modality.max()) + 1 if n else 0)
    valid = is_return & (target >= 0) & (earlier >= 0)
    return np.where(valid, earlier, -1)


@kernel
def _last_before(created_s, modality, target, want_same, order, n_modalities
                 ):  # pragma: no cover - compiled
    """For each study ``q``: the last study created at or before ``target[q]`` (of the same
    modality where ``want_same[q]``), or -1.  ``created_s`` is sorted and ``order`` sorts
    ``target``: one walk through the studies, remembering each modality's latest. int64"""
    n = created_s.size
    earlier = np.empty(n, dtype=np.int64)
    latest = np.full(n_modalities, -1, dtype=np.int64)
    j = -1  # studies 0..j are created at or before the current target
    for k in range(order.size):
        q = order[k]
        while j + 1 < n and created_s[j + 1] <= target[q]:
            j += 1
            latest[modality[j]] = j
        earlier[q] = latest[modality[q]] if want_same[q] else j
    return earlier


def patient_numbers(parent: np.ndarray) -> np.ndarray:
    """Patient number of each study from its earlier-study links (roots numbered in order). int32"""
    numbers = _numbers_of_earlier(parent)
    if numbers is not None:
        return numbers
    n = parent.size
    root = np.where(parent < 0, np.arange(n), parent)
    while True:
        jumped = root[root]
        if np.array_equal(jumped, root):
            break
        root = jumped
    first_of_patient = parent < 0
    number_of_root = np.cumsum(first_of_patient) - 1
    return number_of_root[root].astype(np.int32)


@kernel
def _numbers_of_earlier(parent):  # pragma: no cover - compiled
    """:func:`patient_numbers` in one pass when every link points to an earlier study (as
    :func:`match_returns` gives); None when one does not."""
    n = parent.size
    numbers = np.empty(n, dtype=np.int32)
    count = 0
    for i in range(n):
        p = parent[i]
        if p < 0:
            numbers[i] = count
            count += 1
        elif p < i:
            numbers[i] = numbers[p]
        else:
            return None
    return numbers


def draw_ages(
    created_s: np.ndarray,
    patient: np.ndarray,
    first_study: np.ndarray,
    band_from: np.ndarray,
    band_to: np.ndarray,
    band_share: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Patient's age at each study. [years], float32

    ``first_study`` marks each patient's first study (patients numbered in that order).
    """
    first_created = created_s[first_study]
    n_patients = first_created.size
    band = rng.choice(band_share.size, size=n_patients, p=band_share / band_share.sum())
    age_at_first = band_from[band] + rng.random(n_patients) * (band_to[band] - band_from[band])
    age = age_at_first[patient] + (created_s - first_created[patient]) / SECONDS_PER_YEAR
    return age.astype(np.float32)
