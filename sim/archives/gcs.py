"""A Google Cloud Storage bucket with Autoclass as an archive: objects move between Standard,
Nearline, Coldline and Archive by their last read (:mod:`sim.tiering.autoclass`), billed as
Google bills Autoclass: storage per GiB-hour of each class, Class A operations per object at
upload, Class B per object per read at the class the object is in, the management fee per 1,000
objects (128 KiB and up) per 30 days, no retrieval, early-deletion or transition fees; internet
egress.  The whole path is known from the uploads and reads, so it is metered once, ahead.
"""

from __future__ import annotations

import numpy as np

from sim.archives.base import MISSING, MonthUsage
from sim.archives.booked import BookedAhead
from sim.calendar import SECONDS_PER_DAY, SECONDS_PER_HOUR
from sim.ledger import Charge
from sim.pricing.catalog import GcsCatalog
from sim.pricing.metering import BYTES_PER_GIB
from sim.tiering.autoclass import CLASSES, autoclass_path
from sim.tiering.core import Meter, event_charges
from sim.workload.model import Workload

MANAGED = len(CLASSES)  # meter line: objects under Autoclass management (128 KiB and up)


class GcsAutoclassArchive(BookedAhead):
    """Archive model for ``kind: cloud, provider: gcp`` with ``autoclass``."""

    read_tier_names = CLASSES

    def __init__(self, name: str, catalog: GcsCatalog, workload: Workload, terminal: str,
                 egress_share: float):
        end_s = self._set_up(name, catalog, workload)
        cal, st, rd = self._cal, workload.studies, workload.reads
        horizon = cal.horizon_s
        a = catalog.autoclass
        steps = [int(a.nearline_after_days.value), int(a.coldline_after_days.value),
                 int(a.archive_after_days.value)][:CLASSES.index(terminal)]
        objects = st.objects.astype(np.int64)
        small = st.size_bytes < objects * int(a.small_object_bytes.value)
        path = autoclass_path(st.created_s, end_s, rd.study, rd.time_s, steps, small)
        size = st.size_bytes[path.study]
        lines, deltas, times = [np.zeros(len(st), np.int64)], [st.size_bytes], [st.created_s]
        prev = np.zeros(path.study.size, dtype=np.int64)  # class before each step
        for k in range(len(steps)):
            moved = path.move_s[:, k] >= 0
            lines += [prev[moved], np.full(int(moved.sum()), k + 1)]
            deltas += [-size[moved], size[moved]]
            times += [path.move_s[moved, k], path.move_s[moved, k]]
            prev = np.where(moved, k + 1, prev)
        back = path.ends_in_read & (path.reached > 0)  # a read brings it back to Standard
        lines += [path.reached[back].astype(np.int64), np.zeros(int(back.sum()), np.int64)]
        deltas += [-size[back], size[back]]
        times += [path.end_s[back], path.end_s[back]]
        gone = ~path.ends_in_read & (path.end_s < horizon)
        lines.append(path.reached[gone].astype(np.int64))
        deltas.append(-size[gone])
        times.append(path.end_s[gone])
        managed = ~small  # management fee: object-time under Autoclass
        deleted = managed & (st.delete_s < horizon)
        lines += [np.full(int(managed.sum()), MANAGED), np.full(int(deleted.sum()), MANAGED)]
        deltas += [objects[managed], -objects[deleted]]
        times += [st.created_s[managed], st.delete_s[deleted]]
        self._meter = Meter(MANAGED + 1, cal.n_days)
        self._meter.change_many(np.concatenate(lines), np.concatenate(deltas),
                                np.concatenate(times))
        n_months = cal.n_months
        self._cells: list[dict] = [{} for _ in range(n_months)]
        self._used: set[str] = set()  # UNCONFIRMED prices this run's bill depends on
        upload_month = cal.month_of_seconds(st.created_s)
        self._add_ops(np.bincount(upload_month, weights=objects, minlength=n_months),
                      "STANDARD", "class_a_usd_per_1000", "Class A operations (uploads)")
        read_month = cal.month_of_seconds(rd.time_s)
        present = rd.time_s < end_s[rd.study]
        read_class = np.where(present, path.read_class, MISSING).astype(np.int8)
        for c, cls in enumerate(CLASSES):
            sel = read_class == c
            if sel.any():
                self._add_ops(np.bincount(read_month[sel], weights=objects[rd.study[sel]],
                                          minlength=n_months),
                              cls, "class_b_usd_per_1000", "Class B operations (reads)")
        self._egress = np.bincount(read_month, weights=st.size_bytes[rd.study].astype(float)
                                   * egress_share, minlength=n_months)
        self._read_class = read_class
        self._read_latency = np.where(present, catalog.first_byte_latency_s.value,
                                      np.nan).astype(np.float32)
        if self._egress.any():
            self._used.add(f"{catalog.catalog}.egress_internet_usd_per_gib")

    def _add_ops(self, per_month: np.ndarray, cls: str, field: str, unit: str) -> None:
        price = getattr(self.catalog.classes[cls], field)
        if price.confidence == "UNCONFIRMED" and per_month.any():
            self._used.add(f"{self.catalog.catalog}.classes.{cls}.{field}")
        for m in np.flatnonzero(per_month).tolist():
            q = float(per_month[m])
            self._cells[m][(cls, "requests", unit)] = (q, q * price.value / 1000)

    @property
    def unconfirmed_prices(self) -> list[str]:
        return sorted(self._used)

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        label = self._cal.month_labels[month]
        q = usage.quantity_seconds
        charges = []
        for c, cls in enumerate(CLASSES):
            gib_hours = q[c] / BYTES_PER_GIB / SECONDS_PER_HOUR
            if gib_hours:
                rate = self.catalog.classes[cls].storage_usd_per_gib_hour.value
                charges.append(Charge(label, self.name, cls, "storage", float(gib_hours),
                                      "GiB-hour", float(gib_hours) * rate))
        periods = q[MANAGED] / (30 * SECONDS_PER_DAY)  # objects x 30-day periods
        if periods:
            fee = self.catalog.autoclass.management_usd_per_1000_objects_per_30_days.value
            charges.append(Charge(label, self.name, "AUTOCLASS", "monitoring", float(periods),
                                  "objects x 30 days", float(periods) * fee / 1000))
        egress_gib = usage.egress_bytes / BYTES_PER_GIB
        if egress_gib:
            charges.append(Charge(label, self.name, "internet", "egress", egress_gib, "GiB",
                                  egress_gib * self.catalog.egress_internet_usd_per_gib.value))
        return charges + event_charges(label, self.name, usage.event_charges)

    def read_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        return self._read_class, self._read_latency
