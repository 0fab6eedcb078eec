"""S3 billing inside the S3 engine: the month's storage by class and tier (volume bands, the
Standard-rate overheads, restored copies, monitoring), early deletion, restores, egress, and the
catalog prices marked UNCONFIRMED that a bill used.  A mixin of :class:`sim.archives.s3.S3Archive`;
the rules themselves are the functions of :mod:`sim.pricing`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.archives.s3_state import S3State
from sim.archives.s3_tiers import (
    CLASS_OF_TIER,
    CLASSES,
    IT_BASE,
    IT_CLASS,
    LINE_MONITORED,
    LINE_OVERHEAD,
    LINE_RESTORED,
    N_TIERS,
    TIERS,
)
from sim.calendar import SECONDS_PER_DAY
from sim.ledger import Charge
from sim.pricing.catalog import BandedPrice
from sim.pricing.early_deletion import early_deletion_byte_seconds
from sim.pricing.metering import BYTES_PER_GIB
from sim.tiering import intelligent_tiering as it
from sim.tiering.core import event_charges

if TYPE_CHECKING:
    from sim.archives.base import MonthUsage


class S3Billing(S3State):
    """The billing part of the S3 engine (methods use the engine's state)."""

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        seconds = self._cal.month_full_seconds[month]
        gib_months = usage.quantity_seconds / BYTES_PER_GIB / seconds
        label = self._cal.month_labels[month]
        charges = self._storage_charges(label, gib_months)
        monitored = gib_months[LINE_MONITORED] * BYTES_PER_GIB  # object-months
        if monitored:
            rate = self.catalog.intelligent_tiering.monitoring_usd_per_1000_objects_month.value
            charges.append(Charge(label, self.name, "INTELLIGENT_TIERING", "monitoring",
                                  monitored, "object-months", monitored * rate / 1000))
        egress_gib = usage.egress_bytes / BYTES_PER_GIB
        if egress_gib:
            charges.append(Charge(label, self.name, "internet", "egress", egress_gib, "GiB",
                                  self.prices.egress(egress_gib)))
        return charges + event_charges(label, self.name, usage.event_charges)

    def _storage_charges(self, label: str, gib_months: np.ndarray) -> list[Charge]:
        classes = self.catalog.classes
        charges = []
        std_lines = [0, *(LINE_OVERHEAD + t for t in range(N_TIERS) if self._ovh_std[t]),
                     LINE_RESTORED]
        pool = sum(gib_months[line] for line in std_lines)
        pool_cost = self.prices.cost(classes["STANDARD"].storage_usd_per_gib_month, pool,
                                     "classes.STANDARD.storage_usd_per_gib_month")
        for line in std_lines:
            q = gib_months[line]
            if q == 0:
                continue
            amount = pool_cost * q / pool if pool else 0.0
            if line == 0:
                charges.append(Charge(label, self.name, "STANDARD", "storage", q, "GiB-month",
                                      amount))
            elif line == LINE_RESTORED:
                charges.append(Charge(label, self.name, "STANDARD", "retrieval", q,
                                      "GiB-month restored copy", amount))
            else:
                charges.append(Charge(label, self.name, TIERS[line - LINE_OVERHEAD], "storage",
                                      q, "GiB-month overhead at STANDARD rate", amount))
        itc = self.catalog.intelligent_tiering
        for t in range(1, N_TIERS):
            q = gib_months[t]
            if q == 0:
                continue
            if t < IT_BASE:
                path = f"classes.{TIERS[t]}.storage_usd_per_gib_month"
                price = classes[TIERS[t]].storage_usd_per_gib_month
            elif t == IT_BASE:
                path = "classes.INTELLIGENT_TIERING.storage_usd_per_gib_month"
                price = classes["INTELLIGENT_TIERING"].storage_usd_per_gib_month
            else:
                level = it.IT_TIERS[t - IT_BASE]
                path = f"intelligent_tiering.tiers.{level}.storage_usd_per_gib_month"
                price = itc.tiers[level].storage_usd_per_gib_month
            charges.append(Charge(label, self.name, TIERS[t], "storage", q, "GiB-month",
                                  self.prices.cost(price, q, path)))
        return charges

    def _early_deletion(self, ids: np.ndarray, tiers: np.ndarray, t_s: int) -> None:
        classes = CLASS_OF_TIER[tiers]
        for c in np.unique(classes):
            min_days = self._min_days[c] if c < IT_CLASS else 0.0
            if not min_days:
                continue
            sel = ids[classes == c]
            in_class = t_s - self._class_since[sel]
            early = in_class < min_days * SECONDS_PER_DAY
            if not early.any():
                continue
            class_bytes, _ = self._billable(sel[early], int(c))
            owed = early_deletion_byte_seconds(class_bytes, in_class[early], min_days).sum()
            month = self._cal.month_of_second(t_s)
            gib_months = owed / BYTES_PER_GIB / self._cal.month_full_seconds[month]
            price = self._class(int(c)).storage_usd_per_gib_month
            rate = price.bands[0].value if isinstance(price, BandedPrice) else price.value
            self._book.add(t_s, CLASSES[c], "early_deletion", "GiB-month", gib_months,
                           gib_months * rate)

    def held_at_end(self):
        """Studies still in the bucket when the run ends, by billing tier."""
        from sim.archives.base import held_by_tier

        return held_by_tier(TIERS, self._present, self._tier, self._size, self._objects)

    def exit_fees(self, tier: str, gib: float, objects: float, studies: float
                  ) -> list[tuple[str, float, float]]:
        """Reading everything in ``tier`` out once: GLACIER, DEEP_ARCHIVE and the Archive
        Access tiers of Intelligent-Tiering first need a restore, at the Bulk option (the
        cheapest, what a planned exit uses) where the catalog has one; the other classes pay
        their retrieval per GiB; every object then pays a GET at its class's price."""
        t = TIERS.index(tier)
        c = int(CLASS_OF_TIER[t])
        sc = self._class(c)
        fees = []
        restore = None
        if c == IT_CLASS and t - IT_BASE >= 0:
            it_tier = it.IT_TIERS[t - IT_BASE]
            options = self.catalog.intelligent_tiering.restore.get(it_tier)
            if options:
                name = "Bulk" if "Bulk" in options else "Standard"
                restore = (options[name], f"intelligent_tiering.restore.{it_tier}.{name}")
        elif sc.restore:
            name = "Bulk" if "Bulk" in sc.restore else "Standard"
            restore = (sc.restore[name], f"classes.{CLASSES[c]}.restore.{name}")
        if restore is not None:
            option, path = restore
            self.prices.use(option, path)
            fees += [("restore requests (Bulk)" if path.endswith("Bulk") else "restore requests",
                      objects, objects * option.usd_per_1000 / 1000),
                     ("GiB restored", gib, gib * option.usd_per_gib)]
        else:
            rate = self.prices.use(sc.retrieval_usd_per_gib,
                                   f"classes.{CLASSES[c]}.retrieval_usd_per_gib").value
            if rate:
                fees.append(("GiB retrieved", gib, gib * rate))
        get = self.prices.use(sc.get_usd_per_1000, f"classes.{CLASSES[c]}.get_usd_per_1000")
        fees.append(("GET requests", objects, objects * get.value / 1000))
        return fees

    def _bill_restore(self, ids, t, option, tier_name: str, price_name: str) -> None:
        self.prices.use(option, price_name)
        objects = int(self._objects[ids].sum())
        gib = float(self._size[ids].sum()) / BYTES_PER_GIB
        self._book.add(int(t[0]), tier_name, "retrieval", "restore requests", objects,
                       objects * option.usd_per_1000 / 1000)
        self._book.add(int(t[0]), tier_name, "retrieval", "GiB restored", gib,
                       gib * option.usd_per_gib)

