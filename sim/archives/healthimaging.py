"""AWS HealthImaging as an archive: one image set per study, Frequent Access and Archive Instant
Access by touches (:mod:`sim.tiering.healthimaging`), billed as AWS bills it: GiB-months per tier
(5 MB minimum per image set), API calls per read (GetImageSetMetadata plus a GetImageFrame per
frame), a 30-day minimum storage duration charged on deletion, no import, retrieval or tier-move
fees, and internet egress.

The whole tier path of every study is known from its import and reads, so it is metered once, at
construction, with changes booked ahead; the daily steps have nothing left to decide.
"""

from __future__ import annotations

import numpy as np

from sim.archives.base import MISSING, MonthUsage
from sim.archives.booked import BookedAhead
from sim.ledger import Charge
from sim.pricing.early_deletion import early_deletion_byte_seconds
from sim.pricing.metering import BYTES_PER_GIB
from sim.pricing.price_book import PriceBook
from sim.providers.healthimaging import HealthImagingCatalog
from sim.tiering.core import EventLog, Meter, event_charges, log_path
from sim.tiering.healthimaging import AIA, FA, tier_path
from sim.workload.model import Workload

TIERS = ("FREQUENT_ACCESS", "ARCHIVE_INSTANT_ACCESS")


class HealthImagingArchive(BookedAhead):
    """Archive model for ``kind: cloud, provider: aws-healthimaging``."""

    read_tier_names = TIERS
    events: EventLog
    prices: PriceBook

    def __init__(self, name: str, catalog: HealthImagingCatalog, workload: Workload,
                 egress_share: float, keep_events: bool = False):
        end_s = self._set_up(name, catalog, workload)
        cal, st, rd = self._cal, workload.studies, workload.reads
        horizon = cal.horizon_s
        billable = np.maximum(st.size_bytes, int(catalog.min_billable_bytes.value))
        path = tier_path(st.created_s, end_s, rd.study, rd.time_s,
                         int(catalog.days_to_archive_instant.value))
        self.events = EventLog(keep_events)
        self.prices = PriceBook(catalog)  # metadata storage is not billed: its price is a stand-in
        self.prices.use(catalog.metadata_usd_per_gib_month, "metadata_usd_per_gib_month")
        log_path(self.events, path.study, path.move_s, path.end_s, path.ends_in_read, horizon)
        b = billable[path.study]
        moved = path.move_s >= 0
        back = moved & path.ends_in_read
        gone = ~path.ends_in_read & (path.end_s < horizon)
        lines = [np.full(len(st), FA), np.full(int(moved.sum()), FA),
                 np.full(int(moved.sum()), AIA), np.full(int(back.sum()), AIA),
                 np.full(int(back.sum()), FA), np.where(moved[gone], AIA, FA)]
        deltas = [billable, -b[moved], b[moved], -b[back], b[back], -b[gone]]
        times = [st.created_s, path.move_s[moved], path.move_s[moved], path.end_s[back],
                 path.end_s[back], path.end_s[gone]]
        self._meter = Meter(2, cal.n_days)
        self._meter.change_many(np.concatenate(lines), np.concatenate(deltas),
                                np.concatenate(times))
        n_months = cal.n_months
        self._cells: list[dict] = [{} for _ in range(n_months)]
        # API calls: metadata once, then a frame per object, for every read
        calls = st.objects[rd.study].astype(np.int64) + int(catalog.api_calls_per_read_extra.value)
        month = cal.month_of_seconds(rd.time_s)
        per_month = np.bincount(month, weights=calls, minlength=n_months)
        rate = catalog.api_usd_per_1000.value / 1000
        for m in np.flatnonzero(per_month).tolist():
            self._cells[m][(TIERS[FA], "requests", "API calls")] = (
                float(per_month[m]), float(per_month[m]) * rate)
        # 30-day minimum: a study deleted younger pays the rest at the Frequent Access rate
        deleted = np.flatnonzero(st.delete_s < horizon)
        age = st.delete_s[deleted] - st.created_s[deleted]
        owed = early_deletion_byte_seconds(billable[deleted], age,
                                           catalog.min_storage_days.value)
        early = owed > 0
        if early.any():
            dm = cal.month_of_seconds(st.delete_s[deleted][early])
            gib_months = owed[early] / BYTES_PER_GIB / cal.month_full_seconds[dm]
            sums = np.bincount(dm, weights=gib_months, minlength=n_months)
            fa_rate = catalog.frequent_access_usd_per_gib_month.value
            for m in np.flatnonzero(sums).tolist():
                self._cells[m][(TIERS[FA], "early_deletion", "GiB-month")] = (
                    float(sums[m]), float(sums[m]) * fa_rate)
        read_bytes = st.size_bytes[rd.study].astype(np.float64) * egress_share
        self._egress = np.bincount(month, weights=read_bytes, minlength=n_months)
        self._read_tier = path.read_tier.copy()
        present = rd.time_s < end_s[rd.study]
        self._read_tier[~present] = MISSING
        self._read_latency = np.where(present, catalog.first_byte_latency_s.value,
                                      np.nan).astype(np.float32)

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        label = self._cal.month_labels[month]
        gib_months = usage.quantity_seconds / BYTES_PER_GIB / self._cal.month_full_seconds[month]
        c = self.catalog
        charges = []
        for tier, price in ((FA, c.frequent_access_usd_per_gib_month),
                            (AIA, c.archive_instant_access_usd_per_gib_month)):
            if gib_months[tier]:
                charges.append(Charge(label, self.name, TIERS[tier], "storage",
                                      float(gib_months[tier]), "GiB-month",
                                      float(gib_months[tier]) * price.value))
        egress_gib = usage.egress_bytes / BYTES_PER_GIB
        if egress_gib:
            charges.append(Charge(label, self.name, "internet", "egress", egress_gib, "GiB",
                                  self.prices.egress(egress_gib)))
        return charges + event_charges(label, self.name, usage.event_charges)

    def exit_fees(self, tier: str, gib: float, objects: float, studies: float
                  ) -> list[tuple[str, float, float]]:
        """Reading everything out once: API calls as for a read (the image set's metadata,
        then one frame per object); HealthImaging charges no retrieval fees."""
        extra = self.prices.use(self.catalog.api_calls_per_read_extra,
                                "api_calls_per_read_extra").value
        calls = objects + studies * extra
        rate = self.prices.use(self.catalog.api_usd_per_1000, "api_usd_per_1000").value
        return [("API calls", calls, calls * rate / 1000)]

    def read_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        return self._read_tier, self._read_latency


def from_spec(spec, catalog, documents, workload: Workload,
              keep_events: bool) -> HealthImagingArchive:
    """The engine of a scenario entry (provider aws-healthimaging)."""
    return HealthImagingArchive(spec.name, catalog, workload, spec.egress_share, keep_events)
