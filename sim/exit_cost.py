"""Leaving the provider at the end of the run: what it would cost and how long it would take.

For every cloud archive (a hybrid's cloud part included), from what it holds when the run ends
(:meth:`ArchiveModel.held_at_end`, by its own tiers):

- **reading it out**: each tier's fees to read every object once, as the provider bills them
  (:meth:`ArchiveModel.exit_fees`: S3 Bulk restores from GLACIER / DEEP_ARCHIVE and the Archive
  Access tiers, retrieval per GiB, GETs; Azure Standard rehydration from Archive, read
  operations and retrieval; Google Class B operations and retrieval; HealthImaging API calls);
- **egress**: every byte to the internet, spread over the months the move takes at
  ``rate_tb_per_week``, each month priced at the catalog's bands (a long exit pays the higher
  first bands month after month);
- **storage while it drains**: the last month's storage charges for half the months the move
  takes (the archive empties at a steady rate);
- **duration**: held bytes / ``rate_tb_per_week``.

Left out: the next archive's own costs, early-deletion charges for objects younger than their
class's minimum when the archive is deleted, a restored copy's few days of storage, and a
dedicated link (egress is priced as internet egress).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.archives.base import ArchiveModel, HeldAtEnd
from sim.calendar import DAYS_PER_YEAR
from sim.ledger import Charge
from sim.pricing.metering import BYTES_PER_GIB
from sim.scenario.cloud import MIGRATION_SHARE_OF_HISTORY, mbps_to_tb_per_week

WEEKS_PER_MONTH = DAYS_PER_YEAR / 12 / 7
"""Average weeks in a calendar month. [weeks]"""


@dataclass(frozen=True)
class ExitEstimate:
    """What leaving one archive at the end of the run would cost and take."""

    archive: str
    held_bytes: float
    held_objects: float
    rate_tb_per_week: float
    charges: list[Charge]
    """The exit's costs as ledger lines (category ``exit``) in the run's last month."""

    @property
    def weeks(self) -> float:
        """How long moving everything out takes. [weeks]"""
        return self.held_bytes / 1e12 / self.rate_tb_per_week

    @property
    def total_usd(self) -> float:
        return float(sum(c.amount_usd for c in self.charges))

    def by_part(self) -> dict[str, float]:
        """The cost split into reading out (restores, retrieval, requests), egress and storage
        while it drains. [USD]"""
        parts = {"read out": 0.0, "egress": 0.0, "storage while leaving": 0.0}
        for c in self.charges:
            key = ("egress" if c.unit.startswith("GiB egress") else
                   "storage while leaving" if c.unit.startswith("months of storage") else
                   "read out")
            parts[key] += c.amount_usd
        return parts

    def figures(self) -> dict[str, float]:
        """Plain values for the run's summary."""
        return {"held_tb": self.held_bytes / 1e12, "held_objects": self.held_objects,
                "rate_tb_per_week": self.rate_tb_per_week, "weeks": self.weeks,
                "total_usd": self.total_usd,
                **{f"{k.replace(' ', '_')}_usd": v for k, v in self.by_part().items()}}


def exit_estimate(model: ArchiveModel, held: HeldAtEnd, rate_tb_per_week: float,
                  month_label: str, last_month_storage_usd: float) -> ExitEstimate:
    """Price leaving ``model`` with ``held`` in it, at ``rate_tb_per_week``; the lines are
    dated ``month_label`` (the run's last month).

    ``last_month_storage_usd`` is what the archive's storage cost in that month. [USD]
    """
    name = model.name
    charges: list[Charge] = []
    total_bytes = total_objects = 0.0
    for tier in sorted(held):
        size, objects, studies = held[tier]
        total_bytes += size
        total_objects += objects
        for unit, quantity, usd in model.exit_fees(tier, size / BYTES_PER_GIB, objects,
                                                   studies):
            charges.append(Charge(month_label, name, tier, "exit", quantity, f"{unit} (exit)",
                                  usd))
    months = total_bytes / 1e12 / rate_tb_per_week / WEEKS_PER_MONTH
    if total_bytes:
        per_month_gib = rate_tb_per_week * WEEKS_PER_MONTH * 1e12 / BYTES_PER_GIB
        full = math.floor(months)
        rest_gib = total_bytes / BYTES_PER_GIB - full * per_month_gib
        usd = full * model.exit_egress_usd(per_month_gib) + model.exit_egress_usd(
            max(rest_gib, 0.0))
        charges.append(Charge(month_label, name, "internet", "exit",
                              total_bytes / BYTES_PER_GIB,
                              f"GiB egress over {months:.1f} months (exit)", usd))
    if last_month_storage_usd and months:
        charges.append(Charge(month_label, name, "all", "exit", months / 2,
                              "months of storage while the archive drains (exit)",
                              last_month_storage_usd * months / 2))
    return ExitEstimate(name, total_bytes, total_objects, rate_tb_per_week, charges)


def exit_rate_tb_per_week(finance, network, migrated_tb_per_week: float | None,
                          held_tb: float, span_years: float) -> float:
    """How fast an archive can be moved out: ``finance.exit_tb_per_week``; else as a migration
    out without a given rate, in :data:`MIGRATION_SHARE_OF_HISTORY` of the ``span_years`` its
    ``held_tb`` were acquired over, or at the rate the option's migration moved in if that was
    faster; never faster than the WAN. [TB/week]"""
    rate = finance.exit_tb_per_week
    if rate is None:
        weeks = max(span_years * DAYS_PER_YEAR / 7, 1.0) * MIGRATION_SHARE_OF_HISTORY
        rate = max(max(held_tb, 1e-9) / weeks, migrated_tb_per_week or 0.0)
    if network.wan_mbps is not None:
        rate = min(rate, mbps_to_tb_per_week(network.wan_mbps))
    return float(rate)
