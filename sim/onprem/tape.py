"""An on-prem archive's tape copy for disaster recovery, billed day by day.

- ``capex`` (tier ``tape copy``): cartridges when the archive's logical size needs more than
  were ever bought (``ceil(stored TB / (cartridge_tb x fill_share))``; reclamation keeps
  cartridges filled, none is ever sold back; media are consumables, charged when bought in both
  capex modes); drives and library on the first day and at each ``equipment_refresh_years``
  (cash: when bought; depreciated: straight line over the refresh period, written off at the
  next refresh like disk hardware);
- ``maintenance``: the archive's ``maintenance_rate`` on the drives and library past the
  archive's ``warranty_years``;
- ``space``: vaulting per cartridge held per year, and the scheduled pickups.

Tape drives draw little power and sit in the room already counted; their power is not billed.
"""

from __future__ import annotations

import math

from sim.calendar import DAYS_PER_YEAR
from sim.scenario import OnPremCosts, TapeCopy

TIER = "tape copy"


class TapeCopyBiller:
    """The state of one archive's tape copy: cartridges bought, equipment in service."""

    def __init__(self, tape: TapeCopy, costs: OnPremCosts) -> None:
        self.tape = tape
        self.costs = costs
        self.cartridges = 0
        self.equipment_purchases = 0
        self._refresh_days = tape.equipment_refresh_years * DAYS_PER_YEAR
        self._bought_day: float | None = None
        self._equipment_usd = tape.drives * tape.usd_per_drive + tape.library_usd

    def day(self, add, day: int, logical_tb: float) -> None:
        """Book ``day``'s charges through ``add(tier, category, unit, quantity, amount)``."""
        t, c = self.tape, self.costs
        per_day = 1.0 / DAYS_PER_YEAR
        if self._bought_day is None or day - self._bought_day >= self._refresh_days:
            self._bought_day = day if self._bought_day is None \
                else self._bought_day + self._refresh_days
            self.equipment_purchases += 1
            if c.capex == "cash":
                add(TIER, "capex", "drives and library bought", 1.0, self._equipment_usd)
        if c.capex == "depreciated":
            share = 1.0 / self._refresh_days
            add(TIER, "capex", "USD depreciation", self._equipment_usd * share,
                self._equipment_usd * share)
        if day - self._bought_day >= c.warranty_years * DAYS_PER_YEAR:
            add(TIER, "maintenance", "USD-day of drives and library past warranty",
                self._equipment_usd, self._equipment_usd * c.maintenance_rate * per_day)
        need = math.ceil(logical_tb / (t.cartridge_tb * t.fill_share) - 1e-9) \
            if logical_tb > 0 else 0
        if need > self.cartridges:
            bought = need - self.cartridges
            add(TIER, "capex", "cartridges bought", bought, bought * t.usd_per_cartridge)
            self.cartridges = need
        add(TIER, "space", "cartridge-days vaulted", self.cartridges,
            self.cartridges * t.vaulting_usd_per_cartridge_year * per_day)
        if t.pickups_per_year:
            pickups = t.pickups_per_year * per_day
            add(TIER, "space", "pickups", pickups, pickups * t.usd_per_pickup)

    def figures(self, day: int) -> dict[str, float | int]:
        """Media held, equipment purchases and the equipment's remaining value on ``day``."""
        left = 0.0
        if self._bought_day is not None:
            left = self._equipment_usd * max(0.0, 1 - (day - self._bought_day)
                                             / self._refresh_days)
        return {"installed_raw_tb_end": self.cartridges * self.tape.cartridge_tb,
                "cartridges": self.cartridges, "purchases": self.equipment_purchases,
                "over_capacity_days": 0, "residual_value_usd_end": left}
