"""Simulation clock helpers: seconds since the scenario start (UTC), days and calendar months.

The clock counts seconds from the scenario's start date at 00:00 UTC.  Day ``d`` covers
``[d * 86400, (d + 1) * 86400)``.  Bills are per calendar month, so a run is cut into the calendar
months it overlaps; the first and last may be partial when the start is not the 1st.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np

SECONDS_PER_DAY = 86_400
SECONDS_PER_HOUR = 3_600
DAYS_PER_YEAR = 365.25
SECONDS_PER_YEAR = DAYS_PER_YEAR * SECONDS_PER_DAY


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day-of-month ``months`` later, clipped to the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = _days_in_month(year, month0 + 1)
    return dt.date(year, month0 + 1, min(day.day, last))


def _days_in_month(year: int, month: int) -> int:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return (nxt - dt.date(year, month, 1)).days


def midnight_s(day: dt.date, start: dt.date) -> int:
    """Midnight UTC starting ``day``, in seconds since ``start`` (negative before it). [s]"""
    return (day - start).days * SECONDS_PER_DAY


@dataclass(frozen=True)
class Calendar:
    """The run's time axis.

    Parameters
    ----------
    start
        First day of the run (UTC).
    horizon_months
        Length of the run in calendar months from ``start``.
    """

    start: dt.date
    horizon_months: int

    @cached_property
    def end(self) -> dt.date:
        """First day after the run (exclusive)."""
        return add_months(self.start, self.horizon_months)

    def midnight_s(self, day: dt.date) -> int:
        """Midnight UTC starting ``day``, in run seconds. [s]"""
        return midnight_s(day, self.start)

    @cached_property
    def n_days(self) -> int:
        """Days in the run. [days]"""
        return (self.end - self.start).days

    @cached_property
    def horizon_s(self) -> int:
        """Length of the run. [s]"""
        return self.n_days * SECONDS_PER_DAY

    @cached_property
    def day_dates(self) -> np.ndarray:
        """``datetime64[D]`` date of every day of the run."""
        return np.arange(np.datetime64(self.start, "D"), np.datetime64(self.end, "D"))

    @cached_property
    def month_starts_day(self) -> np.ndarray:
        """Day index at which each calendar month of the run begins (first may be 0 mid-month)."""
        months = np.arange(
            np.datetime64(self.start, "M"), np.datetime64(self.end - dt.timedelta(days=1), "M") + 1
        )
        first_days = (months.astype("datetime64[D]") - np.datetime64(self.start, "D")).astype(
            np.int64
        )
        first_days[0] = 0
        return first_days

    @cached_property
    def month_labels(self) -> list[str]:
        """``YYYY-MM`` label of every calendar month the run overlaps."""
        months = np.arange(
            np.datetime64(self.start, "M"), np.datetime64(self.end - dt.timedelta(days=1), "M") + 1
        )
        return [str(m) for m in months]

    @cached_property
    def month_bounds_s(self) -> np.ndarray:
        """Start of each month and the run's end, clipped to the run. [s], length n_months + 1"""
        return np.append(self.month_starts_day, self.n_days) * SECONDS_PER_DAY

    @cached_property
    def month_full_seconds(self) -> np.ndarray:
        """Length of each *calendar* month, whether or not the run covers all of it. [s]

        Providers meter storage as byte-time over the whole calendar month, so a partial first
        month divides by the full month's hours, not the covered ones.
        """
        months = np.arange(
            np.datetime64(self.start, "M"), np.datetime64(self.end - dt.timedelta(days=1), "M") + 1
        )
        lengths = (months + 1).astype("datetime64[D]") - months.astype("datetime64[D]")
        return lengths.astype(np.int64) * SECONDS_PER_DAY

    @property
    def n_months(self) -> int:
        return len(self.month_labels)

    def month_stop_day(self, month: int) -> int:
        """First day after calendar month ``month`` (the run's end for the last month)."""
        return int(self.month_bounds_s[month + 1] // SECONDS_PER_DAY)

    def month_of_seconds(self, t_s: np.ndarray) -> np.ndarray:
        """Month index of each time. [s] -> index into :attr:`month_labels`"""
        return np.searchsorted(self.month_bounds_s, t_s, side="right") - 1

    def month_of_second(self, t_s: int) -> int:
        """Month index of one time (what :meth:`month_of_seconds` gives for an array, without
        an array: engines ask this for every booked charge). [s]"""
        return bisect.bisect_right(self._month_bounds_list, int(t_s)) - 1

    @cached_property
    def _month_bounds_list(self) -> list[int]:
        return [int(b) for b in self.month_bounds_s]

    def timestamps(self, t_s: np.ndarray) -> np.ndarray:
        """``datetime64[s]`` UTC timestamps for times in seconds since start."""
        origin = np.datetime64(self.start, "s")
        return origin + np.asarray(t_s, dtype=np.int64).astype("timedelta64[s]")

    def seconds_since_start(self, stamps: np.ndarray) -> np.ndarray:
        """Seconds since start for ``datetime64`` timestamps (any unit, truncated to seconds)."""
        origin = np.datetime64(self.start, "s")
        return (np.asarray(stamps).astype("datetime64[s]") - origin).astype(np.int64)
