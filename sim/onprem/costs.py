"""Running an on-prem archive, day by day: hardware (cash or depreciated), maintenance after
warranty, power, floor space, licences, staff, security and the migration at each refresh.

Every cost accrues per day and is summed into the calendar month's ledger rows:

- ``capex``: cash - the purchase price on the day hardware is installed; depreciated - the price
  spread evenly over ``refresh_years`` from installation, and what is left written off when the
  hardware is replaced at a refresh;
- ``maintenance``: ``maintenance_rate`` x purchase price per year, for hardware past its warranty;
- ``power``: installed raw TB x W/TB x PUE x 24 h x USD/kWh;
- ``space``: installed raw TB x USD/TB/year;
- ``licences``: stored TB x USD/TB/year, plus USD per study ingested (booked at ingest);
- ``staff``: (base FTE + FTE per stored PB) x loaded cost per year;
- ``security``: a yearly amount;
- ``migration``: stored TB x USD/TB on each refresh day;
- a tape copy (:mod:`sim.onprem.tape`) and a WORM licence per TB held (``licences``).

"Stored" is the archive's logical size: the largest of its tiers' stored bytes (the last tier
holds every study).  A year is 365.25 days.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from sim.calendar import DAYS_PER_YEAR, Calendar
from sim.ledger import Charge
from sim.onprem.capacity import TB, CapacityPlan, Purchase
from sim.onprem.tape import TIER as TAPE_TIER
from sim.onprem.tape import TapeCopyBiller
from sim.scenario import OnPremCosts, OnPremTier

ALL_TIERS = "all"
"""Ledger tier of costs that belong to the whole on-prem archive (staff, licences, security)."""


class OnPremBiller:
    """Turns each day's stored bytes per tier into on-prem charges; keeps the purchase state.

    :meth:`bill_month` must be called once per month, in order (capacity decisions depend on the
    days before).
    """

    def __init__(self, costs: OnPremCosts, tiers: list[OnPremTier], calendar: Calendar,
                 archive: str):
        self.costs = costs
        self.tiers = tiers
        self.archive = archive
        self._cal = calendar
        refresh_days = costs.refresh_years * DAYS_PER_YEAR
        self.plans = [CapacityPlan(t, refresh_days, calendar.start) for t in tiers]
        self._refresh_days = refresh_days
        self._warranty_days = costs.warranty_years * DAYS_PER_YEAR
        self.support = {t.name: OwnedSupport.of(t, plan, calendar.start)
                        for t, plan in zip(tiers, self.plans, strict=True)}
        """Owned hardware's support contract per tier (None: no contract price given)."""
        self.over_capacity_days = [0] * len(tiers)
        """Days on which a tier held more than its installed usable capacity."""
        tape = getattr(costs, "tape_copy", None)
        self.tape = TapeCopyBiller(tape, costs) if tape is not None else None
        self.worm = getattr(costs, "worm", None)

    def figures(self) -> dict[str, dict[str, float | int]]:
        """Per tier: raw TB installed now, purchases made, days over installed capacity, and the
        hardware's remaining (straight-line) value at the end of the run."""
        end = self._cal.n_days
        figures: dict[str, dict[str, float | int]] = {
            t.name: {"installed_raw_tb_end": plan.installed_tb,
                     "purchases": plan.purchase_count,
                     "over_capacity_days": self.over_capacity_days[k],
                     "residual_value_usd_end": self.residual_value(plan, end)}
            for k, (t, plan) in enumerate(zip(self.tiers, self.plans, strict=True))}
        if self.tape is not None:
            figures[TAPE_TIER] = self.tape.figures(end)
        return figures

    def residual_value(self, plan: CapacityPlan, day: int) -> float:
        """What the tier's hardware in service is still worth on ``day``: each purchase's
        price less straight-line wear over ``refresh_years``. [USD]"""
        return float(sum(p.usd * max(0.0, 1 - (day - p.installed_day) / self._refresh_days)
                         for p in plan.purchases if not p.sunk))

    def bill_month(self, month: int, daily_bytes: np.ndarray) -> list[Charge]:
        """Charges of calendar month ``month``; ``daily_bytes[tier, d]``: bytes stored at the
        end of each of the month's days."""
        first = int(self._cal.month_starts_day[month])
        cells: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
        c = self.costs
        for offset in range(daily_bytes.shape[1]):
            day = first + offset
            stored = daily_bytes[:, offset]
            logical_tb = float(stored.max()) / TB if stored.size else 0.0
            for k, (tier, plan) in enumerate(zip(self.tiers, self.plans, strict=True)):
                retired = list(plan.purchases)
                for p in plan.start_of_day(day):
                    if p.refresh:
                        self._refresh(cells, tier, day, retired, logical_tb if k == 0 else 0.0)
                    self._capex_on_install(cells, tier, p)
                self._daily_hardware(cells, tier, plan, day)
                plan.end_of_day(day, float(stored[k]))
                if plan.raw_need_tb(float(stored[k])) > plan.installed_tb + 1e-12:
                    self.over_capacity_days[k] += 1
            per_day = 1.0 / DAYS_PER_YEAR
            _add(cells, ALL_TIERS, "licences", "TB-day stored", logical_tb,
                 logical_tb * c.licences.usd_per_tb_year * per_day)
            fte = c.staff.fte_base + c.staff.fte_per_pb * logical_tb / 1000
            _add(cells, ALL_TIERS, "staff", "FTE-day", fte,
                 fte * c.staff.usd_per_fte_year * per_day)
            _add(cells, ALL_TIERS, "security", "days", 1.0, c.security_usd_per_year * per_day)
            if self.worm is not None and self.worm.usd_per_tb_year:
                _add(cells, ALL_TIERS, "licences", "TB-day stored (WORM)", logical_tb,
                     logical_tb * self.worm.usd_per_tb_year * per_day)
            if self.tape is not None:
                self.tape.day(lambda *cell: _add(cells, *cell), day, logical_tb)
        label = self._cal.month_labels[month]
        return [Charge(label, self.archive, tier, category, q, unit, a)
                for (tier, category, unit), (q, a) in sorted(cells.items())
                if q or a]

    def _capex_on_install(self, cells, tier: OnPremTier, p: Purchase) -> None:
        if self.costs.capex == "cash":
            _add(cells, tier.name, "capex", "TB raw installed", p.raw_tb, p.usd)

    def _refresh(self, cells, tier: OnPremTier, day: int, retired: list[Purchase],
                 logical_tb: float) -> None:
        if self.costs.capex == "depreciated":  # book value of replaced hardware written off
            left = sum(p.usd * max(0.0, 1 - (day - p.installed_day) / self._refresh_days)
                       for p in retired if not p.sunk)
            _add(cells, tier.name, "capex", "USD written off at refresh", left, left)
        _add(cells, ALL_TIERS, "migration", "TB migrated at refresh", logical_tb,
             logical_tb * self.costs.migration_usd_per_tb)

    def _daily_hardware(self, cells, tier: OnPremTier, plan: CapacityPlan, day: int) -> None:
        c = self.costs
        per_day = 1.0 / DAYS_PER_YEAR
        raw = plan.installed_tb
        if c.capex == "depreciated":
            for p in plan.purchases:
                if not p.sunk and day - p.installed_day < self._refresh_days:
                    _add(cells, tier.name, "capex", "USD depreciation", p.usd / self._refresh_days,
                         p.usd / self._refresh_days)
        support = self.support[tier.name]
        out_of_warranty = sum(p.usd for p in plan.purchases
                              if day - p.installed_day >= self._warranty_days
                              and not (p.sunk and support is not None))
        if out_of_warranty:
            _add(cells, tier.name, "maintenance", "USD-day of hardware past warranty",
                 out_of_warranty, out_of_warranty * c.maintenance_rate * per_day)
        if support is not None:
            usd_per_year = support.usd_per_year(day)
            if usd_per_year:
                _add(cells, tier.name, "maintenance", "days of owned hardware's support "
                     "contract", 1.0, usd_per_year * per_day)
        kwh = raw * tier.watts_per_raw_tb * c.pue * 24 / 1000
        _add(cells, tier.name, "power", "kWh", kwh, kwh * c.usd_per_kwh)
        _add(cells, tier.name, "space", "TB-day raw", raw,
             raw * tier.space_usd_per_raw_tb_year * per_day)


@dataclass(frozen=True)
class OwnedSupport:
    """The support contract of hardware owned at the start: its price through its last paid
    day (even past the refresh: a contract runs to its end), then the renewal price until the
    refresh, then nothing (the new hardware's warranty and maintenance take over)."""

    price_usd_per_year: float
    last_paid_day: int
    renewal_usd_per_year: float
    refresh_day: int

    @classmethod
    def of(cls, tier: OnPremTier, plan: CapacityPlan, start) -> OwnedSupport | None:
        owned = tier.installed
        if owned is None or owned.maintenance_usd_per_year is None:
            return None
        refresh_day = (plan.refresh_on(start) - start).days
        price = owned.maintenance_usd_per_year
        if owned.maintenance_ends is None:  # it runs until the refresh
            return cls(price, refresh_day - 1, 0.0, refresh_day)
        renewal = price if owned.renewal_usd_per_year is None else owned.renewal_usd_per_year
        return cls(price, (owned.maintenance_ends - start).days, renewal, refresh_day)

    def usd_per_year(self, day: int) -> float:
        """The support paid on run day ``day``. [USD/year]"""
        if day <= self.last_paid_day:
            return self.price_usd_per_year
        return self.renewal_usd_per_year if day < self.refresh_day else 0.0


def _add(cells, tier: str, category: str, unit: str, quantity: float, amount: float) -> None:
    cell = cells[(tier, category, unit)]
    cell[0] += quantity
    cell[1] += amount
