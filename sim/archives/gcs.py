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
from sim.pricing.early_deletion import early_deletion_gib_hours
from sim.pricing.metering import BYTES_PER_GIB
from sim.pricing.price_book import PriceBook
from sim.providers.gcp import GcsCatalog
from sim.tiering.autoclass import CLASSES, autoclass_path, meter_changes
from sim.tiering.core import EventLog, Meter, event_charges, log_path
from sim.workload.model import Workload

MANAGED = len(CLASSES)  # meter line: objects under Autoclass management (128 KiB and up)


class GcsAutoclassArchive(BookedAhead):
    """Archive model for ``kind: cloud, provider: gcp`` with ``autoclass``."""

    read_tier_names = CLASSES
    events: EventLog
    prices: PriceBook

    def __init__(self, name: str, catalog: GcsCatalog, workload: Workload, terminal: str,
                 egress_share: float, keep_events: bool = False):
        end_s = self._set_up(name, catalog, workload)
        cal, st, rd = self._cal, workload.studies, workload.reads
        horizon = cal.horizon_s
        a = catalog.autoclass
        steps = [int(a.nearline_after_days.value), int(a.coldline_after_days.value),
                 int(a.archive_after_days.value)][:CLASSES.index(terminal)]
        objects = st.objects.astype(np.int64)
        small = st.size_bytes < objects * int(a.small_object_bytes.value)
        path = autoclass_path(st.created_s, end_s, rd.study, rd.time_s, steps, small)
        self.events = EventLog(keep_events)
        log_path(self.events, path.study, path.move_s, path.end_s, path.ends_in_read, horizon)
        self._meter = Meter(MANAGED + 1, cal.n_days)
        self._meter.change_many(*meter_changes(  # management fee: objects under Autoclass
            path, len(steps), st.size_bytes, st.created_s, st.delete_s, horizon, objects,
            ~small, MANAGED))
        n_months = cal.n_months
        self._cells: list[dict] = [{} for _ in range(n_months)]
        self.prices = PriceBook(catalog)
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

    def _add_ops(self, per_month: np.ndarray, cls: str, field: str, unit: str) -> None:
        price = getattr(self.catalog.classes[cls], field)
        if per_month.any():
            self.prices.use(price, f"classes.{cls}.{field}")
        for m in np.flatnonzero(per_month).tolist():
            q = float(per_month[m])
            self._cells[m][(cls, "requests", unit)] = (q, q * price.value / 1000)

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        label = self._cal.month_labels[month]
        charges = _storage_charges(self, label, usage)
        periods = usage.quantity_seconds[MANAGED] / (30 * SECONDS_PER_DAY)  # objects x 30 days
        if periods:
            fee = self.catalog.autoclass.management_usd_per_1000_objects_per_30_days.value
            charges.append(Charge(label, self.name, "AUTOCLASS", "monitoring", float(periods),
                                  "objects x 30 days", float(periods) * fee / 1000))
        return charges + _egress_and_events(self, label, usage)

    def exit_fees(self, tier: str, gib: float, objects: float, studies: float
                  ) -> list[tuple[str, float, float]]:
        """Reading everything in ``tier`` out once: a Class B operation per object at its
        class's price; Autoclass charges no retrieval fees."""
        price = self.prices.use(self.catalog.classes[tier].class_b_usd_per_1000,
                                f"classes.{tier}.class_b_usd_per_1000")
        return [("Class B operations", objects, objects * price.value / 1000)]

    def read_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        return self._read_class, self._read_latency


class GcsLifecycleArchive(BookedAhead):
    """Archive model for ``kind: cloud, provider: gcp`` with lifecycle rules (or none): objects
    start in the bucket's class and follow :func:`sim.tiering.gcs_lifecycle.lifecycle_path`.

    Billed as Google bills it: storage per GiB-hour of each class; Class A operations per object
    at upload (at the upload class) and per SetStorageClass (see the catalog's
    ``lifecycle.set_storage_class_operation``); Class B per object per read and retrieval per
    GiB at the class read; early deletion when an object is deleted (by lifecycle or retention)
    before its class's minimum storage duration, as if stored for the minimum (from creation or
    from the last class change, per ``lifecycle.early_deletion_clock``); internet egress.
    """

    read_tier_names = CLASSES
    events: EventLog
    prices: PriceBook

    def __init__(self, name: str, catalog: GcsCatalog, workload: Workload, storage_class: str,
                 lifecycle, key_template: str, egress_share: float, custom_time: str,
                 keep_events: bool = False, hold_days: int = 0):
        from sim.archives.immutability import retain_until_midnight_s
        from sim.tiering.core import EventLog
        from sim.tiering.gcs_lifecycle import NEVER_S, lifecycle_path

        end_s = self._set_up(name, catalog, workload)
        cal, st, rd = self._cal, workload.studies, workload.reads
        n_months = cal.n_months
        self._cells: list[dict] = [{} for _ in range(n_months)]
        self.prices = PriceBook(catalog)
        self.events = EventLog(keep_events)
        initial = CLASSES.index(storage_class)
        clock = catalog.lifecycle.early_deletion_clock.value
        if clock not in ("creation", "class_change"):
            from sim.errors import InputError

            raise InputError(f"catalog {catalog.catalog}: lifecycle.early_deletion_clock is "
                             f"{clock!r}; allowed: creation, class_change")
        objects = st.objects.astype(np.int64)
        size = st.size_bytes
        n = len(st)
        custom_s = st.acquisition_s if custom_time == "acquisition" else None
        rules = lifecycle.rules if lifecycle is not None else ()
        static_ok = self._static_matches(rules, workload, key_template, custom_s)
        prices = [catalog.classes[c].storage_usd_per_gib_hour.value for c in CLASSES]
        cheapest_first = sorted(range(len(CLASSES)), key=lambda c: (prices[c], -c))
        path = lifecycle_path(rules, static_ok, initial, st.created_s, custom_s, end_s,
                              cheapest_first)
        self._path, self._initial = path, initial  # kept for the property tests
        lifecycle_delete_s = path.delete_s if not hold_days else np.where(
            path.delete_s < NEVER_S,  # a retention policy holds lifecycle deletions too
            np.maximum(path.delete_s, retain_until_midnight_s(st.created_s, hold_days)),
            path.delete_s)
        gone_s = np.minimum(lifecycle_delete_s, st.delete_s)  # lifecycle or retention
        leaves = gone_s < cal.horizon_s
        # storage: one line per class, changes at upload, each move and the deletion
        lines, deltas, times = [np.full(n, initial, np.int64)], [size], [st.created_s]
        cls = np.full(n, initial, dtype=np.int64)
        since = st.created_s.copy()  # start of the early-deletion clock
        upload_month = cal.month_of_seconds(st.created_s)
        self._add(np.bincount(upload_month, weights=objects, minlength=n_months), storage_class,
                  "requests", "Class A operations (uploads)", "class_a_usd_per_1000", 1000)
        for k in range(path.move_s.shape[1]):
            moved = (path.move_s[:, k] >= 0) & (path.move_s[:, k] < gone_s)
            if not moved.any():
                continue
            when, to = path.move_s[moved, k], path.move_to[moved, k].astype(np.int64)
            lines += [cls[moved], to]
            deltas += [-size[moved], size[moved]]
            times += [when, when]
            if clock == "class_change":
                self._early(size[moved], cls[moved], when - since[moved], when)
                since[moved] = when
            self.events.add(when, np.flatnonzero(moved), "transition", cls[moved], to)
            for c in np.unique(to).tolist():
                sel = to == c
                self._add(np.bincount(cal.month_of_seconds(when[sel]),
                                      weights=objects[moved][sel], minlength=n_months),
                          CLASSES[c], "transitions", "Class A operations (SetStorageClass)",
                          "class_a_usd_per_1000", 1000)
            self.prices.use(catalog.lifecycle.set_storage_class_operation,
                            "lifecycle.set_storage_class_operation")
            cls[moved] = to
        lines.append(cls[leaves])
        deltas.append(-size[leaves])
        times.append(gone_s[leaves])
        self._early(size[leaves], cls[leaves], gone_s[leaves] - since[leaves], gone_s[leaves])
        expired = leaves & (lifecycle_delete_s <= st.delete_s)
        self.events.add(gone_s[expired], np.flatnonzero(expired), "expire", cls[expired], MISSING)
        self._meter = Meter(len(CLASSES), cal.n_days)
        self._meter.change_many(np.concatenate(lines), np.concatenate(deltas),
                                np.concatenate(times))
        # reads: Class B and retrieval at the class the object is in
        present = (rd.time_s >= st.created_s[rd.study]) & (rd.time_s < gone_s[rd.study])
        read_class = np.where(present, path.class_at(rd.study, rd.time_s, initial),
                              MISSING).astype(np.int8)
        read_month = cal.month_of_seconds(rd.time_s)
        for c, cls_name in enumerate(CLASSES):
            sel = read_class == c
            if not sel.any():
                continue
            self._add(np.bincount(read_month[sel], weights=objects[rd.study[sel]],
                                  minlength=n_months),
                      cls_name, "requests", "Class B operations (reads)", "class_b_usd_per_1000",
                      1000)
            self._add(np.bincount(read_month[sel], weights=size[rd.study[sel]] / BYTES_PER_GIB,
                                  minlength=n_months),
                      cls_name, "retrieval", "GiB retrieved", "retrieval_usd_per_gib", 1)
        self._egress = np.bincount(read_month[present], weights=size[rd.study[present]]
                                   .astype(float) * egress_share, minlength=n_months)
        if (clock == "creation") and (path.move_s >= 0).any():
            self.prices.use(catalog.lifecycle.early_deletion_clock,
                            "lifecycle.early_deletion_clock")
        self._read_class = read_class
        self._read_latency = np.where(present, catalog.first_byte_latency_s.value,
                                      np.nan).astype(np.float32)
        assert cal.horizon_s < NEVER_S

    def _static_matches(self, rules, workload: Workload, key: str,
                        custom_s: np.ndarray | None) -> list[np.ndarray]:
        """For each rule, whether its conditions that never change hold for each study."""
        from sim.tiering.keys import group_studies, prefix_matches, suffix_matches

        st = workload.studies
        groups = group_studies(workload) if any(r.prefixes or r.suffixes for r in rules) \
            else None
        out = []
        for rule in rules:
            where = f"lifecycle rule {rule.number} condition"
            ok = np.ones(len(st), dtype=bool)
            for names, match in ((rule.prefixes, prefix_matches), (rule.suffixes, suffix_matches)):
                if names:
                    assert groups is not None  # grouped whenever a rule filters on names
                    hit = np.zeros(len(groups.fields), dtype=np.bool_)
                    for name in names:
                        hit |= match(key, groups, name, where)
                    ok &= hit[groups.of_study]
            if rule.created_before is not None:
                ok &= st.created_s < self._cal.midnight_s(rule.created_before)
            if rule.custom_time_before is not None:
                ok &= False if custom_s is None else \
                    custom_s < self._cal.midnight_s(rule.custom_time_before)
            out.append(ok)
        return out

    def _early(self, size: np.ndarray, cls: np.ndarray, held_s: np.ndarray,
               when_s: np.ndarray) -> None:
        """Objects leaving ``cls`` after ``held_s``: charged as if stored the minimum."""
        for c in np.unique(cls).tolist():
            min_days = self.catalog.classes[CLASSES[c]].min_storage_days.value
            if not min_days:
                continue
            sel = (cls == c) & (held_s < min_days * SECONDS_PER_DAY)
            if not sel.any():
                continue
            owed_gib_hours = early_deletion_gib_hours(size[sel], held_s[sel], min_days)
            month = self._cal.month_of_seconds(when_s[sel])
            self._add(np.bincount(month, weights=owed_gib_hours, minlength=self._cal.n_months),
                      CLASSES[c], "early_deletion", "GiB-hour", "storage_usd_per_gib_hour", 1)

    def _add(self, per_month: np.ndarray, cls: str, category: str, unit: str, field: str,
             per: float) -> None:
        price = getattr(self.catalog.classes[cls], field)
        if per_month.any():
            self.prices.use(price, f"classes.{cls}.{field}")
        for m in np.flatnonzero(per_month).tolist():
            q0, a0 = self._cells[m].get((cls, category, unit), (0.0, 0.0))
            q = float(per_month[m])
            self._cells[m][(cls, category, unit)] = (q0 + q, a0 + q * price.value / per)

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        label = self._cal.month_labels[month]
        return _storage_charges(self, label, usage) + _egress_and_events(self, label, usage)

    def exit_fees(self, tier: str, gib: float, objects: float, studies: float
                  ) -> list[tuple[str, float, float]]:
        """Reading everything in ``tier`` out once: a Class B operation per object and the
        class's retrieval per GiB (Nearline, Coldline, Archive)."""
        c = self.catalog.classes[tier]
        class_b = self.prices.use(c.class_b_usd_per_1000, f"classes.{tier}.class_b_usd_per_1000")
        fees = [("Class B operations", objects, objects * class_b.value / 1000)]
        per_gib = self.prices.use(c.retrieval_usd_per_gib, f"classes.{tier}.retrieval_usd_per_gib")
        if per_gib.value:
            fees.append(("GiB retrieved", gib, gib * per_gib.value))
        return fees

    def read_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        return self._read_class, self._read_latency


def _storage_charges(archive, label: str, usage: MonthUsage) -> list[Charge]:
    """GiB-hours of each class (meter lines 0-3) at the class's hourly price."""
    charges = []
    for c, cls in enumerate(CLASSES):
        gib_hours = float(usage.quantity_seconds[c] / BYTES_PER_GIB / SECONDS_PER_HOUR)
        if gib_hours:
            rate = archive.catalog.classes[cls].storage_usd_per_gib_hour.value
            charges.append(Charge(label, archive.name, cls, "storage", gib_hours, "GiB-hour",
                                  gib_hours * rate))
    return charges


def _egress_and_events(archive, label: str, usage: MonthUsage) -> list[Charge]:
    """Internet egress (free allowance, volume bands) and the month's per-event charges."""
    charges = []
    egress_gib = usage.egress_bytes / BYTES_PER_GIB
    if egress_gib:
        charges.append(Charge(label, archive.name, "internet", "egress", egress_gib, "GiB",
                              archive.prices.egress(egress_gib)))
    return charges + event_charges(label, archive.name, usage.event_charges)


def from_spec(spec, catalog, lifecycle, workload: Workload, keep_events: bool):
    """The engine of a scenario entry (provider gcp): Autoclass, or lifecycle rules; a bucket
    retention policy holds deletions (:mod:`sim.archives.immutability`)."""
    from sim.archives.immutability import with_held_deletions
    from sim.archives.replication import WriteReplication
    from sim.providers.gcp import priced_for_location

    hold_days = spec.retention_policy.days if spec.retention_policy is not None else 0
    held = with_held_deletions(workload, hold_days)
    catalog = priced_for_location(catalog, spec.location_type,
                                  f"archive {spec.name!r} location_type")
    engine: BookedAhead
    if spec.autoclass is not None:
        engine = GcsAutoclassArchive(spec.name, catalog, held,
                                     spec.autoclass.terminal_storage_class, spec.egress_share,
                                     keep_events)
    else:
        engine = GcsLifecycleArchive(spec.name, catalog, held, spec.storage_class, lifecycle,
                                     spec.object_key, spec.egress_share, spec.custom_time,
                                     keep_events, hold_days)
    if spec.location_type == "region":
        return engine
    location = catalog.locations[spec.location_type]
    name = "turbo_replication_usd_per_gib" if spec.turbo_replication \
        else "replication_usd_per_gib"
    price = getattr(location, name)  # sold: checked when the catalog was loaded
    return WriteReplication(engine, price, f"locations.{spec.location_type}.{name}",
                            "replication", workload.studies.size_bytes, workload.calendar)
