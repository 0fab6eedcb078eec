"""Study arrivals: daily Poisson counts by modality with growth, weekday and seasonal profiles.

The expected number of studies of modality ``m`` on day ``d`` is::

    annual * share_m * (1 + growth_m) ** (d / 365.25) / 365.25 * weekday[d] * season[d]

with the weekday weights normalised to mean 1 over a week and the monthly weights normalised to
mean 1 over a year (weighted by days per month), so ``annual`` is the first year's expected total.
Acquisition times are uniform within the day.
"""

from __future__ import annotations

import numpy as np

from sim.calendar import DAYS_PER_YEAR, SECONDS_PER_DAY, Calendar
from sim.jit import kernel
from sim.workload.sorting import radix_sort_bits

_DAYS_IN_MONTH = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def daily_weights(calendar: Calendar, weekday: list[float], seasonal: list[float]) -> np.ndarray:
    """Relative volume of each day of the run (mean 1 over a typical year). [-]"""
    days = calendar.day_dates
    weekday_w = np.asarray(weekday, dtype=float)
    weekday_w = weekday_w / weekday_w.mean()
    monthly_w = np.asarray(seasonal, dtype=float)
    monthly_w = monthly_w / np.average(monthly_w, weights=_DAYS_IN_MONTH)
    day_of_week = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    month_of_year = days.astype("datetime64[M]").astype(np.int64) % 12
    return weekday_w[day_of_week] * monthly_w[month_of_year]


def expected_daily_counts(
    calendar: Calendar,
    annual_studies: float,
    shares: np.ndarray,
    growth: np.ndarray,
    weekday: list[float],
    seasonal: list[float],
    origin_day: int = 0,
) -> np.ndarray:
    """Expected studies per day and modality, shape (n_days, n_modalities). [studies/day]

    ``annual_studies`` is the volume of the year starting at day ``origin_day`` (later than 0
    when the calendar starts with the archive's history); growth compounds from there, both
    ways."""
    years = (np.arange(calendar.n_days) - origin_day) / DAYS_PER_YEAR
    trend = (1.0 + growth[None, :]) ** years[:, None]
    per_day = annual_studies * shares[None, :] * trend / DAYS_PER_YEAR
    return per_day * daily_weights(calendar, weekday, seasonal)[:, None]


def draw_arrivals(
    expected: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Draw acquisition times and modalities, sorted by time.

    A Poisson count per day and modality, then each study's second within its day (uniform, in
    day-then-modality order).  Studies of different days never interleave, so each day is
    sorted on its own (:func:`_sorted_by_day`): the order of a stable sort of all the times.

    Returns
    -------
    created_s
        Acquisition time of each study. [s since start], int64
    modality
        Modality index of each study. int8
    """
    counts = rng.poisson(expected)
    second = rng.integers(0, SECONDS_PER_DAY, size=int(counts.sum()))
    created_s = np.empty(second.size, dtype=np.int64)
    modality = np.empty(second.size, dtype=np.int8)
    _sorted_by_day(counts, second, created_s, modality)
    return created_s, modality


@kernel
def _sorted_by_day(counts, second, created_s, modality):  # pragma: no cover - compiled
    """Fill ``created_s`` and ``modality`` with the studies of ``counts[day, modality]``
    (``second``: each one's second in its day, in day-then-modality order), day by day, each day
    sorted by second (ties in that order): the day's (second, position) keys radix sorted in
    the cache."""
    n_days, n_mod = counts.shape
    largest = 0
    for d in range(n_days):
        largest = max(largest, counts[d].sum())
    position_bits = 1
    while (1 << position_bits) < largest:
        position_bits += 1
    mask = (np.int64(1) << position_bits) - 1
    keys = np.empty(largest, dtype=np.int64)
    scratch = np.empty(largest, dtype=np.int64)
    day_modality = np.empty(largest, dtype=np.int8)
    at, out = 0, 0
    second_bits = 17  # a day's 86,400 seconds
    for d in range(n_days):
        k = 0
        for m in range(n_mod):
            for _ in range(counts[d, m]):
                keys[k] = (second[at] << position_bits) | k
                day_modality[k] = m
                at += 1
                k += 1
        day_keys = keys[:k]
        if radix_sort_bits(day_keys, scratch[:k], position_bits, position_bits + second_bits):
            day_keys = scratch[:k]
        start = d * SECONDS_PER_DAY
        for i in range(k):
            key = day_keys[i]
            created_s[out] = start + (key >> position_bits)
            modality[out] = day_modality[key & mask]
            out += 1
