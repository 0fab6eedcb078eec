"""An Azure Blob Storage account on smart tier: blobs start in Hot and move to Cool after 30 days
without access and to Cold after 90, back to Hot on a read (the same path shape as GCS
Autoclass, :func:`sim.tiering.autoclass.autoclass_path`).  Small blobs stay in Hot.

Billed from the catalog's ``smart_tier`` block: storage at the tier rates (Hot in volume bands),
a write per blob at upload and a read per blob at the tier read, a monitoring fee per blob per
month; tier-change, early-deletion and retrieval fees are taken as none (UNCONFIRMED: listed in
every run that uses smart tier, as is the fact that smart tier needs a zone-redundant account
whose prices differ from an LRS catalog).  The whole path is known from the uploads and reads,
so it is metered once, ahead.
"""

from __future__ import annotations

import numpy as np

from sim.archives.base import MISSING, MonthUsage
from sim.archives.booked import BookedAhead
from sim.ledger import Charge
from sim.pricing.catalog import Price
from sim.pricing.metering import BYTES_PER_GIB
from sim.pricing.price_book import PriceBook
from sim.providers.azure import AzureCatalog
from sim.tiering.autoclass import autoclass_path, meter_changes
from sim.tiering.core import EventLog, Meter, event_charges, log_path
from sim.workload.model import Workload

TIERS = ("Hot", "Cool", "Cold")
MONITORED = len(TIERS)  # meter line: blobs under smart-tier monitoring


class AzureSmartTierArchive(BookedAhead):
    """Archive model for ``kind: cloud, provider: azure`` with ``azure: {smart_tier: true}``."""

    read_tier_names = TIERS
    events: EventLog
    prices: PriceBook

    def __init__(self, name: str, catalog: AzureCatalog, workload: Workload,
                 egress_share: float, keep_events: bool = False):
        end_s = self._set_up(name, catalog, workload)
        cal, st, rd = self._cal, workload.studies, workload.reads
        smart = catalog.smart_tier
        steps = [int(smart.cool_after_days.value), int(smart.cold_after_days.value)]
        objects = st.objects.astype(np.int64)
        small = st.size_bytes < objects * int(smart.small_object_bytes.value)
        path = autoclass_path(st.created_s, end_s, rd.study, rd.time_s, steps, small)
        self.events = EventLog(keep_events)
        log_path(self.events, path.study, path.move_s, path.end_s, path.ends_in_read,
                 cal.horizon_s)
        self._meter = Meter(MONITORED + 1, cal.n_days)
        self._meter.change_many(*meter_changes(
            path, len(steps), st.size_bytes, st.created_s, st.delete_s, cal.horizon_s, objects,
            ~small, MONITORED))
        n_months = cal.n_months
        self._cells: list[dict] = [{} for _ in range(n_months)]
        self.prices = PriceBook(catalog)
        self.prices.use(smart.tier_change_fees, "smart_tier.tier_change_fees")
        self.prices.use(smart.small_object_bytes, "smart_tier.small_object_bytes")
        self._add(np.bincount(cal.month_of_seconds(st.created_s), weights=objects,
                              minlength=n_months), "Hot", "write operations",
                  catalog.tiers["Hot"].write_usd_per_10000, "tiers.Hot.write_usd_per_10000")
        present = rd.time_s < end_s[rd.study]
        read_tier = np.where(present, path.read_class, MISSING).astype(np.int8)
        read_month = cal.month_of_seconds(rd.time_s)
        for t, tier in enumerate(TIERS):
            sel = read_tier == t
            if sel.any():
                self._add(np.bincount(read_month[sel], weights=objects[rd.study[sel]],
                                      minlength=n_months), tier, "read operations",
                          catalog.tiers[tier].read_usd_per_10000,
                          f"tiers.{tier}.read_usd_per_10000")
        self._egress = np.bincount(read_month[present], weights=st.size_bytes[rd.study[present]]
                                   .astype(float) * egress_share, minlength=n_months)
        self._read_tier = read_tier
        self._read_latency = np.where(present, catalog.first_byte_latency_s.value,
                                      np.nan).astype(np.float32)

    def _add(self, per_month: np.ndarray, tier: str, unit: str, price: Price,
             path: str) -> None:
        if per_month.any():
            self.prices.use(price, path)
        for m in np.flatnonzero(per_month).tolist():
            q = float(per_month[m])
            self._cells[m][(tier, "requests", unit)] = (q, q * price.value / 10_000)

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        label = self._cal.month_labels[month]
        seconds = self._cal.month_full_seconds[month]
        gib_months = usage.quantity_seconds / BYTES_PER_GIB / seconds
        charges = []
        for t, tier in enumerate(TIERS):
            q = float(gib_months[t])
            if not q:
                continue
            price = self.catalog.tiers[tier].storage_usd_per_gib_month
            cost = self.prices.cost(price, q, f"tiers.{tier}.storage_usd_per_gib_month")
            charges.append(Charge(label, self.name, tier, "storage", q, "GiB-month", cost))
        blob_months = float(usage.quantity_seconds[MONITORED] / seconds)
        if blob_months:
            fee = self.catalog.smart_tier.monitoring_usd_per_10000_objects_month.value
            charges.append(Charge(label, self.name, "SMART_TIER", "monitoring", blob_months,
                                  "object-months", blob_months * fee / 10_000))
        egress_gib = usage.egress_bytes / BYTES_PER_GIB
        if egress_gib:
            charges.append(Charge(label, self.name, "internet", "egress", egress_gib, "GiB",
                                  self.prices.egress(egress_gib)))
        return charges + event_charges(label, self.name, usage.event_charges)

    def exit_fees(self, tier: str, gib: float, objects: float, studies: float
                  ) -> list[tuple[str, float, float]]:
        """Reading everything in ``tier`` out once: read operations at the tier's price (smart
        tier charges no retrieval or tier-change fees)."""
        price = self.prices.use(self.catalog.tiers[tier].read_usd_per_10000,
                                f"tiers.{tier}.read_usd_per_10000")
        return [("read operations", objects, objects * price.value / 10_000)]

    def read_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        return self._read_tier, self._read_latency
