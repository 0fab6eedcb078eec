"""Retention rules on hand-made patients, with the expected dates worked out in the test."""

from __future__ import annotations

import numpy as np

from sim.calendar import SECONDS_PER_DAY, SECONDS_PER_YEAR
from sim.scenario import Retention
from sim.workload import NEVER
from sim.workload.retention import delete_times

DAY = SECONDS_PER_DAY
YEAR = SECONDS_PER_YEAR
HORIZON = int(40 * YEAR)


def midnight_after(t: float) -> int:
    return int(np.ceil(t / DAY) * DAY)


def test_keep_forever_deletes_nothing():
    out = delete_times(Retention(keep_forever=True), np.array([0, 5]), np.array([0, 1]),
                       np.array([30.0, 40.0], np.float32), np.array([False, False]), HORIZON)
    assert np.all(out == NEVER)


def test_last_study_clock_restarts_at_every_visit():
    """Patient 0 visits at day 0, year 3 and year 9 with an 8-year rule: the gap 3 -> 9 is 6 years
    (< 8), so all three studies stay until 8 years after the year-9 visit.  Patient 1 visits at
    day 10 and year 10 (gap > 8 years): the first study goes 8 years after day 10."""
    created = np.array([0, 10 * DAY, int(3 * YEAR), int(9 * YEAR), int(10 * YEAR)])
    patient = np.array([0, 1, 0, 0, 1])
    ages = np.full(5, 50.0, np.float32)
    rule = Retention(adult_years=8, clock="last_study")
    out = delete_times(rule, created, patient, ages, np.zeros(5, bool), HORIZON)
    last_visit_p0 = 9 * YEAR
    assert out[0] == out[2] == out[3] == midnight_after(last_visit_p0 + 8 * YEAR)
    assert out[1] == midnight_after(10 * DAY + 8 * YEAR)
    assert out[4] == midnight_after(10 * YEAR + 8 * YEAR)


def test_minor_kept_until_age_plus_years():
    """A 5-year-old imaged at day 0 under 'adult 7 years; minors until 18 + 1': kept until the
    19th birthday, 14 years later (later than 7 years).  A 17-year-old: 7 years wins over 2."""
    created = np.array([0, 0])
    ages = np.array([5.0, 17.0], np.float32)
    rule = Retention(adult_years=7, minors={"below_age": 18, "until_age": 18, "plus_years": 1})
    out = delete_times(rule, created, np.array([0, 1]), ages, np.zeros(2, bool), HORIZON)
    assert out[0] == midnight_after(14 * YEAR)
    assert out[1] == midnight_after(7 * YEAR)


def test_mammography_five_years_with_a_later_mammogram_else_ten():
    """MQSA: patient 0 has MG at year 0 and year 2 -> the first is kept 5 years; her last one has no
    later MG, so 10 years.  Patient 1's single MG: 10 years.  The general rule (3 years) is
    shorter, so the MG rule decides."""
    created = np.array([0, int(0.5 * YEAR), int(2 * YEAR)])
    patient = np.array([0, 1, 0])
    ages = np.full(3, 55.0, np.float32)
    rule = Retention(adult_years=3, mammography={"years": 5, "years_without_return": 10})
    out = delete_times(rule, created, patient, ages, np.ones(3, bool), HORIZON)
    assert out[0] == midnight_after(5 * YEAR)
    assert out[1] == midnight_after(0.5 * YEAR + 10 * YEAR)
    assert out[2] == midnight_after(2 * YEAR + 10 * YEAR)


def test_deletions_after_the_run_are_never():
    out = delete_times(Retention(adult_years=7), np.array([0]), np.array([0]),
                       np.array([40.0], np.float32), np.array([False]), int(5 * YEAR))
    assert out[0] == NEVER
