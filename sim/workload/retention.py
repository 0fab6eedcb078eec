"""Retention: when each study is deleted.

Rules (scenario ``workload.retention``), applied per study:

- adults: ``adult_years`` after the clock's reference time: the study itself (``clock: study``),
  or the patient's last study before a gap longer than ``adult_years`` (``clock: last_study``:
  the clock restarts at every visit, as in the UK and German rules);
- minors (age at the study below ``minors.below_age``): not before the patient reaches
  ``minors.until_age`` plus ``minors.plus_years``;
- mammography (MG): ``mammography.years`` when the patient has a later MG study within that time,
  else ``mammography.years_without_return`` (MQSA); the general rule still applies when it keeps
  the study longer ("or longer if state law requires").

The deleter runs once a day, so a study is deleted at the first midnight (UTC) at or after the
time its rules allow.  Deletions after the run's end are ``NEVER``.  A year is 365.25 days.
"""

from __future__ import annotations

import numpy as np

from sim.calendar import SECONDS_PER_DAY, SECONDS_PER_YEAR
from sim.scenario import Retention
from sim.workload.model import NEVER
from sim.workload.sorting import stable_argsort


def delete_times(
    retention: Retention,
    created_s: np.ndarray,
    patient: np.ndarray,
    age_years: np.ndarray,
    is_mammo: np.ndarray,
    horizon_s: int,
) -> np.ndarray:
    """Deletion time of each study. [s since start], int64 (``NEVER`` if not within the run)"""
    n = created_s.size
    if retention.keep_forever or n == 0:
        return np.full(n, NEVER, dtype=np.int64)
    assert retention.adult_years is not None
    keep_s = retention.adult_years * SECONDS_PER_YEAR
    if retention.clock == "study":
        reference = created_s.astype(np.float64)
    else:
        reference = _last_visit_reference(created_s, patient, keep_s)
    due = reference + keep_s

    if retention.minors is not None:
        rule = retention.minors
        minor = age_years < rule.below_age
        birth = created_s - age_years.astype(np.float64) * SECONDS_PER_YEAR
        grown_up = birth + (rule.until_age + rule.plus_years) * SECONDS_PER_YEAR
        due = np.where(minor, np.maximum(due, grown_up), due)

    if retention.mammography is not None and is_mammo.any():
        due = _apply_mammography(due, retention, created_s, patient, is_mammo)

    due_day = np.ceil(due / SECONDS_PER_DAY)
    due_s = np.where(due_day * SECONDS_PER_DAY < horizon_s, due_day * SECONDS_PER_DAY, -1.0)
    return np.where(due_s >= 0, due_s.astype(np.int64), NEVER)


def _last_visit_reference(created_s: np.ndarray, patient: np.ndarray, keep_s: float) -> np.ndarray:
    """Time of the patient's visit after which no visit follows within ``keep_s``. [s]"""
    order = stable_argsort(patient)  # studies are time-sorted, so each patient stays in time order
    t = created_s[order].astype(np.float64)
    p = patient[order]
    n = t.size
    next_t = np.full(n, np.inf)
    same = p[1:] == p[:-1]
    next_t[:-1][same] = t[1:][same]
    is_break = next_t > t + keep_s
    break_at = np.where(is_break, np.arange(n), n)
    first_break = np.minimum.accumulate(break_at[::-1])[::-1]
    reference = np.empty(n)
    reference[order] = t[first_break]
    return reference


def _apply_mammography(
    due: np.ndarray,
    retention: Retention,
    created_s: np.ndarray,
    patient: np.ndarray,
    is_mammo: np.ndarray,
) -> np.ndarray:
    rule = retention.mammography
    assert rule is not None
    mg = np.flatnonzero(is_mammo)
    order = mg[stable_argsort(patient[mg])]
    t = created_s[order].astype(np.float64)
    p = patient[order]
    next_t = np.full(t.size, np.inf)
    same = p[1:] == p[:-1]
    next_t[:-1][same] = t[1:][same]
    short_s = rule.years * SECONDS_PER_YEAR
    mg_due = np.where(next_t - t <= short_s, t + short_s, t + rule.years_without_return
                      * SECONDS_PER_YEAR)
    due = due.copy()
    due[order] = np.maximum(due[order], mg_due)
    return due
