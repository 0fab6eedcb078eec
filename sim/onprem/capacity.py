"""Capacity bought ahead of need: the purchase rule of one on-prem tier, day by day.

At the end of each day the tier's raw need (stored bytes x copies / usable fraction) is compared
with the capacity installed or on order.  When the need passes ``fill_threshold`` of it, enough
whole units are ordered to bring the need back under the threshold; they are installed at the
start of the day ``lead_time_days`` later (the next day at the earliest), paid at the price of the
order day (the price changes by
``price_change_per_year``, compounded daily).  Every ``refresh_years`` the whole tier is replaced
at the then-current price, on the same calendar date (a whole number of years after the last
refresh; fractional years count 365.25 days each): expansions bought in between co-terminate with
the system (the usual practice of buying expansions on the system's support contract).

Hardware the hospital already owns (``installed``) is in service from the first day without a
purchase (a sunk cost: no capex, no residual value); the first refresh falls on its
``refresh_on`` date (default: its purchase date + ``refresh_years``), the later ones every
``refresh_years`` after it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from sim.calendar import DAYS_PER_YEAR, add_months
from sim.scenario import OnPremTier

TB = 10**12
"""Bytes per (decimal) terabyte, as storage is sold."""


@dataclass
class Purchase:
    """Hardware bought for one tier."""

    ordered_day: int
    installed_day: int
    raw_tb: float
    usd: float
    refresh: bool = False
    """True for the replacement of the whole tier at a refresh."""
    sunk: bool = False
    """True for hardware owned before the run (bought before day 0; not billed)."""


@dataclass
class CapacityPlan:
    """The purchase state of one tier; :meth:`end_of_day` is called for every day in order."""

    tier: OnPremTier
    refresh_days: float
    start: dt.date | None = None
    """The run's first day (needed to place owned hardware's dates)."""
    purchases: list[Purchase] = field(default_factory=list)
    """Purchases whose hardware is still in service (since the last refresh)."""
    installed_tb: float = 0.0
    purchase_count: int = 0
    """Orders and refreshes installed so far (the initial capacity counts as one)."""
    _on_order: list[Purchase] = field(default_factory=list)
    _next_refresh: int = 0

    def __post_init__(self) -> None:
        p = self.tier.purchase
        if p.initial_raw_tb > 0:  # installed at the start of day 0
            self._on_order.append(
                Purchase(0, 0, p.initial_raw_tb, p.initial_raw_tb * self.price_usd_per_tb(0)))
        self._next_refresh = self._refresh_after(0)
        owned = self.tier.installed
        if owned is not None:
            assert self.start is not None, "owned hardware needs the run's start date"
            day = (owned.purchased_on(self.start) - self.start).days
            self.purchases.append(Purchase(day, day, owned.raw_tb, owned.price_usd or 0.0,
                                           sunk=True))
            self.installed_tb += owned.raw_tb
            refresh = (self.refresh_on(self.start) - self.start).days
            self._next_refresh = max(0, refresh)

    def refresh_on(self, start: dt.date) -> dt.date:
        """The first refresh's date: owned hardware's ``refresh_on`` or its purchase plus
        ``refresh_years``; without owned hardware, ``refresh_years`` after the start."""
        owned = self.tier.installed
        if owned is None:
            return self._years_after(start)
        if owned.refresh_on is not None:
            return owned.refresh_on
        return self._years_after(owned.purchased_on(start))

    def _years_after(self, day: dt.date) -> dt.date:
        """``refresh_years`` after ``day``: the same calendar date for whole years."""
        years = self.refresh_days / DAYS_PER_YEAR
        if abs(years - round(years)) < 1e-9:
            return add_months(day, 12 * round(years))
        return day + dt.timedelta(days=int(round(self.refresh_days)))

    def _refresh_after(self, day: int) -> int:
        """The run day of the refresh ``refresh_years`` after run day ``day``."""
        if self.start is None:
            return int(round(day + self.refresh_days))
        return (self._years_after(self.start + dt.timedelta(days=day)) - self.start).days

    def price_usd_per_tb(self, day: int) -> float:
        """Price of raw capacity bought on ``day``. [USD/TB]"""
        return self.tier.price_usd_per_raw_tb * (1 + self.tier.price_change_per_year) ** (
            day / DAYS_PER_YEAR)

    def raw_need_tb(self, stored_bytes: float) -> float:
        """Raw capacity needed to hold ``stored_bytes`` (copies, RAID/erasure overhead). [TB]"""
        return stored_bytes * self.tier.copies / self.tier.usable_fraction / TB

    def start_of_day(self, day: int) -> list[Purchase]:
        """Install what arrives today; replace everything on a refresh day. New purchases."""
        new = []
        arriving = [p for p in self._on_order if p.installed_day <= day]
        refresh_today = day == self._next_refresh and (day > 0 or self.tier.installed is not None)
        for p in arriving:
            self._on_order.remove(p)
            self.purchases.append(p)
            self.installed_tb += p.raw_tb
            self.purchase_count += 1
            if not (refresh_today and day == 0):  # bought on an overdue refresh's day: in it
                new.append(p)
        if refresh_today:
            total = self.installed_tb + sum(p.raw_tb for p in self._on_order)
            for p in self._on_order:  # orders in flight become part of the refresh
                p.installed_day = day
            self._on_order.clear()
            refresh = Purchase(day, day, total, total * self.price_usd_per_tb(day), refresh=True)
            self.purchases = [refresh]
            self.purchase_count += 1
            self.installed_tb = total
            new.append(refresh)
            self._next_refresh = self._refresh_after(day)
        return new

    def end_of_day(self, day: int, stored_bytes: float) -> None:
        """Order more capacity if the need passes the threshold (never for a tier run by a
        fill-level deleter: its capacity is fixed)."""
        if self.tier.deleter is not None:
            return
        p = self.tier.purchase
        need = self.raw_need_tb(stored_bytes)
        available = self.installed_tb + sum(o.raw_tb for o in self._on_order)
        if need <= p.fill_threshold * available:
            return
        units = math.ceil((need / p.fill_threshold - available) / p.unit_raw_tb - 1e-9)
        raw = units * p.unit_raw_tb
        self._on_order.append(Purchase(day, day + max(1, p.lead_time_days), raw,
                                       raw * self.price_usd_per_tb(day)))
