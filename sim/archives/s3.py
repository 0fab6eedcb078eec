"""An AWS S3 bucket as a PACS/VNA archive: storage classes, Lifecycle, Intelligent-Tiering, and
every fee billed the way AWS bills it.

Per-study state lives in arrays (tier, when it entered its class, last access, restore state).
Each day the run loop hands over deletions, ingests and reads; at the end of the day the studies
due at the next midnight (from the due-day calendar, not a scan) get their lifecycle action and
their Intelligent-Tiering move, effective at that midnight, which is also when AWS starts billing
the new class.  Billing rules live in :mod:`sim.pricing` (volume bands, minimum size and
per-object overhead, early deletion, egress); this module only meters and books.

A study is stored as ``objects`` objects of equal size (``size_bytes / objects``); every object
of a study shares its key prefix, tags and tier.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from sim.archives.base import ArchiveModel, MonthUsage
from sim.calendar import SECONDS_PER_DAY, SECONDS_PER_HOUR
from sim.ledger import Charge
from sim.pricing.catalog import BandedPrice, Catalog, Price, StorageClass
from sim.pricing.early_deletion import early_deletion_byte_seconds
from sim.pricing.metering import BYTES_PER_GIB
from sim.pricing.object_size import billable_bytes
from sim.pricing.volume_bands import banded_cost
from sim.tiering import intelligent_tiering as it
from sim.tiering import s3_lifecycle as lc
from sim.tiering.core import (
    ChargeBook,
    DueCalendar,
    EventLog,
    Meter,
    event_charges,
    rank_within,
)
from sim.tiering.keys import (
    RuleMatches,
    StudyGroups,
    group_studies,
    prefix_matches,
    tags_match,
)
from sim.workload.model import Workload
from sim.workload.sorting import stable_argsort

CLASSES = (*(c for c in lc.ALL_CLASSES if c != "INTELLIGENT_TIERING"), "INTELLIGENT_TIERING")
"""The S3 classes (the parser's list), Intelligent-Tiering last: its access tiers follow it."""
IT_CLASS = CLASSES.index("INTELLIGENT_TIERING")
TIERS = (*CLASSES[:-1], *(f"INTELLIGENT_TIERING_{t}" for t in it.IT_TIERS))
"""Billing tiers: the classes, with Intelligent-Tiering split into its access tiers."""
CLASS_OF_TIER = np.array([0, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6], dtype=np.int8)
IT_BASE = IT_CLASS  # tier code of INTELLIGENT_TIERING_FA
N_TIERS = len(TIERS)
LINE_OVERHEAD = N_TIERS  # + tier: 8 KB/object at the STANDARD rate
LINE_RESTORED = 2 * N_TIERS
LINE_MONITORED = 2 * N_TIERS + 1
ALLOWED = np.array([[c2 in lc.ALLOWED_TRANSITIONS[c1] for c2 in CLASSES] for c1 in CLASSES])
MISSING = -1


class S3Archive(ArchiveModel):
    """Archive model for ``kind: cloud, provider: aws``.

    Parameters
    ----------
    name
        Archive name (ledger ``archive`` column).
    catalog
        Prices and billing constants.
    workload
        The run's studies and reads.
    storage_class
        Class studies are uploaded to.
    lifecycle
        Parsed S3 Lifecycle configuration, or None.
    it_configs
        Parsed Intelligent-Tiering configurations (AA/DAA opt-in), or empty.
    restore_tier
        ``Expedited``, ``Standard`` or ``Bulk`` for reads that need a restore.
    restore_days
        Days a restored GLACIER/DEEP_ARCHIVE copy is kept (RestoreRequest ``Days``), counted
        from the restore request and rounded up to midnight UTC.
    key_template, tag_templates
        How study attributes map to object keys and tags (for filters).
    egress_share
        Share of read bytes that leave AWS to the internet. [0-1]
    keep_events
        Keep an event log (transitions, restores, expirations, deletions).
    """

    def __init__(self, name: str, catalog: Catalog, workload: Workload, storage_class: str,
                 lifecycle: lc.LifecycleConfiguration | None, it_configs: list,
                 restore_tier: str, restore_days: int, key_template: str,
                 tag_templates: dict[str, str], egress_share: float, keep_events: bool = False):
        self.name = name
        self.catalog = catalog
        self._cal = workload.calendar
        st = workload.studies
        self._size = st.size_bytes
        self._objects = st.objects.astype(np.int64)
        self._created = st.created_s
        self._delete_s = st.delete_s
        n = len(st)
        self._reads = workload.reads
        self._initial = CLASSES.index(storage_class)
        self._restore_tier = restore_tier
        self._restore_days = restore_days
        self._egress_share = egress_share
        it_small = int(catalog.intelligent_tiering.small_object_bytes.value)
        self._small = self._size < self._objects * it_small  # objects under 128 KB

        self._present = np.zeros(n, dtype=bool)
        self._tier = np.full(n, MISSING, dtype=np.int8)
        self._class_since = np.zeros(n, dtype=np.int64)
        self._last_access = np.zeros(n, dtype=np.int64)
        self._copy_ready = np.zeros(n, dtype=np.int64)
        self._copy_until = np.zeros(n, dtype=np.int64)
        self._it_ready = np.zeros(n, dtype=np.int64)
        self._calendar = DueCalendar(n, self._cal.n_days)
        self._meter = Meter(2 * N_TIERS + 2, self._cal.n_days)
        self._book = ChargeBook(self._cal)
        self.events = EventLog(keep_events)
        self._restored_due: dict[int, list[tuple]] = defaultdict(list)  # IT restores by day
        self._plan_requests: list[tuple[np.ndarray, np.ndarray]] = []
        self._stamp = np.full(n, -1, dtype=np.int64)  # scratch for de-duplicating requests
        # each study's reads in time order, and the next one not yet served (for IT planning)
        by_study = stable_argsort(self._reads.study, max_key=n)
        self._read_times = self._reads.time_s[by_study]
        self._read_start = np.concatenate(
            ([0], np.cumsum(np.bincount(self._reads.study, minlength=n)))).astype(np.int64)
        self._read_next = self._read_start[:-1].copy()
        self._quiet_after_read = self._quiet_after(by_study)
        self._egress_bytes: dict[int, float] = defaultdict(float)
        self._read_tier = np.full(len(self._reads), MISSING, dtype=np.int8)
        self._read_latency = np.full(len(self._reads), np.nan, dtype=np.float32)
        self._used_unconfirmed: set[str] = set()

        self._tier_params()
        groups = group_studies(workload) if (lifecycle or it_configs) else None
        self._compile_lifecycle(lifecycle, groups, key_template, tag_templates)
        self._compile_it(it_configs, groups, key_template, tag_templates)

    # ------------------------------------------------------------------------------ set-up

    def _tier_params(self) -> None:
        c = self.catalog.classes
        itc = self.catalog.intelligent_tiering
        self._min_bytes = np.zeros(N_TIERS, dtype=np.int64)
        self._ovh_class = np.zeros(N_TIERS, dtype=np.int64)
        self._ovh_std = np.zeros(N_TIERS, dtype=np.int64)
        self._min_days = np.zeros(N_TIERS)
        for t, name in enumerate(CLASSES[:-1]):
            sc = c[name]
            self._min_bytes[t] = int(sc.min_billable_bytes.value)
            self._min_days[t] = sc.min_storage_days.value
            if sc.overhead_bytes_at_class is not None:
                self._ovh_class[t] = int(sc.overhead_bytes_at_class.value)
            if sc.overhead_bytes_at_standard is not None:
                self._ovh_std[t] = int(sc.overhead_bytes_at_standard.value)
        for t in (IT_BASE + it.AA, IT_BASE + it.DAA):
            self._ovh_class[t] = int(itc.overhead_bytes_at_class.value)
            self._ovh_std[t] = int(itc.overhead_bytes_at_standard.value)
        self._first_byte_s = np.array([
            latency.value if (latency := c[name].first_byte_latency_s) is not None else 0.0
            for name in CLASSES])
        self._plain = np.zeros(N_TIERS, dtype=bool)  # warm IT tiers: bill size, nothing else
        self._plain[IT_BASE:IT_BASE + it.AA] = (self._min_bytes[IT_BASE:IT_BASE + it.AA] == 0) \
            & (self._ovh_class[IT_BASE:IT_BASE + it.AA] == 0) \
            & (self._ovh_std[IT_BASE:IT_BASE + it.AA] == 0)

    def _compile_lifecycle(self, config, groups: StudyGroups | None, key: str,
                           tags: dict[str, str]) -> None:
        self._lc_rules, self._lc_actions = ([], []) if config is None else \
            lc.compile_actions(config, self._cal.start)
        self._lc_default = config.default_minimum_object_size if config else ""
        self._match = RuleMatches(groups)
        for rule in self._lc_rules:
            assert groups is not None  # grouped whenever there are rules
            where = f"lifecycle rule {rule.id!r} Filter"
            f = rule.filter
            self._match.add(prefix_matches(key, groups, f.prefix, where)
                            & tags_match(tags, groups, f.tags))
        if "GLACIER_IR" in {a.target for a in self._lc_actions}:
            self._note_price(self.catalog.classes["GLACIER_IR"].transition_in_usd_per_1000,
                             "classes.GLACIER_IR.transition_in_usd_per_1000")

    def _compile_it(self, configs, groups: StudyGroups | None, key: str,
                    tags: dict[str, str]) -> None:
        n = len(self._size)
        self._aa_days = np.zeros(n, dtype=np.int16)
        self._daa_days = np.zeros(n, dtype=np.int16)
        taken = np.zeros(n, dtype=bool)
        for cfg in configs:  # the first enabled configuration that matches applies
            if not cfg.enabled:
                continue
            where = f"intelligent-tiering configuration {cfg.id!r} Filter"
            assert groups is not None  # grouped whenever there are configurations
            ok = prefix_matches(key, groups, cfg.prefix, where) & tags_match(tags, groups, cfg.tags)
            hit = ok[groups.of_study] & ~taken
            self._aa_days[hit] = cfg.archive_access_days
            self._daa_days[hit] = cfg.deep_archive_access_days
            taken |= hit
        self._any_archive_tier = bool((self._aa_days > 0).any() or (self._daa_days > 0).any())
        if (self._aa_days > 0).any() or (self._daa_days > 0).any():
            self._note_price(self.catalog.intelligent_tiering.overhead_bytes_at_class,
                             "intelligent_tiering.overhead_bytes_at_class")

    def _note_price(self, price, name: str) -> None:
        if price is not None and price.confidence == "UNCONFIRMED":
            self._used_unconfirmed.add(f"{self.catalog.catalog}.{name}")

    @property
    def unconfirmed_prices(self) -> list[str]:
        """Catalog prices marked UNCONFIRMED that this run's bill depends on."""
        return sorted(self._used_unconfirmed)

    # ------------------------------------------------------------------------- daily steps

    def delete(self, day: int, studies: np.ndarray) -> None:
        ids = studies[self._present[studies]]
        self._remove(ids, day * SECONDS_PER_DAY, "delete")

    def ingest(self, day: int, studies: np.ndarray) -> None:
        t = self._created[studies]
        tier = IT_BASE if self._initial == IT_CLASS else self._initial
        self._present[studies] = True
        self._tier[studies] = tier
        self._class_since[studies] = t
        self._last_access[studies] = t
        self._meter_add(studies, np.full(studies.size, tier, np.int8), +1, t)
        sc = self._class(self._initial)
        objects = int(self._objects[studies].sum())
        self._book.add(day * SECONDS_PER_DAY, CLASSES[self._initial], "requests", "PUT requests",
                       objects, objects * sc.put_usd_per_1000.value / 1000)
        self._reschedule(studies, day)
        if self._initial == IT_CLASS:  # most studies are read again before they could move
            first = self._read_next[studies]
            has_read = first < self._read_start[studies + 1]
            read_s = self._read_times[np.minimum(first, self._read_times.size - 1)] \
                if self._read_times.size else t
            quiet = has_read & (read_s + 1 <= _move_possible_from(t))
            self._plan_it(studies[~quiet], t[~quiet])
        else:
            self._plan_it(studies, t)

    def read(self, day: int, reads: slice) -> None:
        ids = self._reads.study[reads].astype(np.int64)
        times = self._reads.time_s[reads]
        position = np.arange(reads.start, reads.stop)
        rank = rank_within(ids)
        for r in range(int(rank.max()) + 1 if ids.size else 0):
            # the first read of each study today, then the second, ...
            now = np.flatnonzero(rank == r)
            self._read_next[ids[now]] += 1
            self._serve(day, ids[now], times[now], position[now])

    def end_of_day(self, day: int) -> None:
        self._complete_it_restores(day)
        midnight = (day + 1) * SECONDS_PER_DAY
        due = self._calendar.pop(day + 1)
        due = due[self._present[due]]
        if due.size:
            self._evaluate(day + 1, midnight, due)
        self._book_it_moves()

    def close_month(self, month: int) -> MonthUsage:
        stop_day = self._cal.month_stop_day(month)
        return MonthUsage(self._meter.close(stop_day), self._egress_bytes.pop(month, 0.0),
                          self._book.close_month(month))

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
                                  self.catalog.egress_internet.cost_usd(egress_gib)))
        return charges + event_charges(label, self.name, usage.event_charges)

    # ---------------------------------------------------------------------------- storage

    def _class(self, class_index: int) -> StorageClass:
        return self.catalog.classes[CLASSES[class_index]]

    def _billable(self, ids: np.ndarray, tier: int) -> tuple[np.ndarray, np.ndarray]:
        """Bytes billed at the tier's rate, and overhead bytes billed at the STANDARD rate."""
        objects = self._objects[ids]
        class_bytes = billable_bytes(self._size[ids], objects, int(self._min_bytes[tier]),
                                     int(self._ovh_class[tier]))
        return class_bytes, objects * self._ovh_std[tier]

    def _meter_add(self, ids: np.ndarray, tiers: np.ndarray, sign: int, t_s) -> None:
        """Add (sign +1) or remove (-1) studies' billable bytes on their tiers' lines at ``t_s``."""
        if ids.size == 0:
            return
        tiers = tiers.astype(np.int64)
        t_s = np.broadcast_to(np.asarray(t_s, dtype=np.int64), ids.shape)
        objects = self._objects[ids]
        size = np.maximum(self._size[ids], objects * self._min_bytes[tiers])
        class_bytes = size + objects * self._ovh_class[tiers]
        self._meter.change_many(tiers, sign * class_bytes, t_s)
        std = self._ovh_std[tiers] > 0
        if std.any():
            self._meter.change_many(LINE_OVERHEAD + tiers[std],
                                    sign * objects[std] * self._ovh_std[tiers[std]], t_s[std])
        monitored = (CLASS_OF_TIER[tiers] == IT_CLASS) & ~self._small[ids]
        if monitored.any():
            self._meter.change(LINE_MONITORED, sign * objects[monitored], t_s[monitored])

    def _storage_charges(self, label: str, gib_months: np.ndarray) -> list[Charge]:
        classes = self.catalog.classes
        charges = []
        std_lines = [0, *(LINE_OVERHEAD + t for t in range(N_TIERS) if self._ovh_std[t]),
                     LINE_RESTORED]
        pool = sum(gib_months[line] for line in std_lines)
        pool_cost = _cost(classes["STANDARD"].storage_usd_per_gib_month, pool)
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
                price = classes[TIERS[t]].storage_usd_per_gib_month
            elif t == IT_BASE:
                price = classes["INTELLIGENT_TIERING"].storage_usd_per_gib_month
            else:
                price = itc.tiers[it.IT_TIERS[t - IT_BASE]].storage_usd_per_gib_month
            charges.append(Charge(label, self.name, TIERS[t], "storage", q, "GiB-month",
                                  _cost(price, q)))
        return charges

    # ------------------------------------------------------------------------ transitions

    def _remove(self, ids: np.ndarray, t_s: int, event: str) -> None:
        if ids.size == 0:
            return
        tiers = self._tier[ids]
        self._early_deletion(ids, tiers, t_s)
        self._meter_add(ids, tiers, -1, t_s)
        self._cancel_restored_copies(ids, t_s)
        self._copy_ready[ids] = 0
        self._present[ids] = False
        self._calendar.cancel(ids)
        self.events.add(t_s, ids, event, tiers, MISSING)

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
            month = int(self._cal.month_of_seconds(np.array([t_s]))[0])
            gib_months = owed / BYTES_PER_GIB / self._cal.month_full_seconds[month]
            price = self._class(int(c)).storage_usd_per_gib_month
            rate = price.bands[0].value if isinstance(price, BandedPrice) else price.value
            self._book.add(t_s, CLASSES[c], "early_deletion", "GiB-month", gib_months,
                           gib_months * rate)

    def _move(self, ids: np.ndarray, new_tiers: np.ndarray, t_s) -> None:
        """Move studies to new tiers at ``t_s``."""
        self._shift(ids, self._tier[ids], new_tiers, t_s)
        self._tier[ids] = new_tiers

    def _shift(self, ids: np.ndarray, old: np.ndarray, new: np.ndarray, t_s) -> None:
        """Meter studies leaving tiers ``old`` for tiers ``new`` at ``t_s`` (one pass)."""
        if ids.size == 0:
            return
        old = old.astype(np.int64)
        new = np.broadcast_to(np.asarray(new, dtype=np.int64), ids.shape)
        t_s = np.broadcast_to(np.asarray(t_s, dtype=np.int64), ids.shape)
        size = self._size[ids]
        if self._plain[old].all() and self._plain[new].all():
            # within Intelligent-Tiering's FA/IA/AIA: same bytes, no overhead, still monitored
            self._meter.change_many(np.concatenate([old, new]), np.concatenate([-size, size]),
                                    np.concatenate([t_s, t_s]))
            return
        objects = self._objects[ids]

        def class_bytes(tiers: np.ndarray) -> np.ndarray:
            return np.maximum(size, objects * self._min_bytes[tiers]) \
                + objects * self._ovh_class[tiers]

        lines: list[np.ndarray] = [old, new]
        deltas: list[np.ndarray] = [-class_bytes(old), class_bytes(new)]
        times = [t_s, t_s]
        std_old, std_new = self._ovh_std[old], self._ovh_std[new]
        if std_old.any() or std_new.any():
            lines += [LINE_OVERHEAD + old, LINE_OVERHEAD + new]
            deltas += [-objects * std_old, objects * std_new]
            times += [t_s, t_s]
        joined = (CLASS_OF_TIER[new] == IT_CLASS).astype(np.int64) \
            - (CLASS_OF_TIER[old] == IT_CLASS).astype(np.int64)
        change = (joined != 0) & ~self._small[ids]
        if change.any():
            lines.append(np.full(int(change.sum()), LINE_MONITORED))
            deltas.append((joined * objects)[change])
            times.append(t_s[change])
        self._meter.change_many(np.concatenate(lines), np.concatenate(deltas),
                                np.concatenate(times))

    def _transition(self, ids: np.ndarray, target: np.ndarray, t_s: int) -> None:
        """Lifecycle transitions to target classes at midnight ``t_s``."""
        old = self._tier[ids]
        self._early_deletion(ids, old, t_s)
        new_tier = np.where(target == IT_CLASS, IT_BASE, target).astype(np.int8)
        self._move(ids, new_tier, t_s)
        self._class_since[ids] = t_s
        into_it = target == IT_CLASS
        self._last_access[ids[into_it]] = t_s
        for c in np.unique(target):
            sel = ids[target == c]
            objects = int(self._objects[sel].sum())
            rate = self._class(int(c)).transition_in_usd_per_1000
            assert rate is not None  # every class a lifecycle rule can move into has one
            self._book.add(t_s, CLASSES[c], "transitions", "transition requests", objects,
                           objects * rate.value / 1000)
        self.events.add(t_s, ids, "transition", old, new_tier)

    def _evaluate(self, day: int, t_s: int, ids: np.ndarray) -> None:
        """Lifecycle actions and Intelligent-Tiering moves due at midnight ``t_s``."""
        target, is_expire = self._lifecycle_choice(ids, day)
        self._remove(ids[is_expire], t_s, "expire")
        moving = target >= 0
        self._transition(ids[moving], target[moving], t_s)
        keep = ~is_expire
        stay = ids[keep & ~moving]
        in_it = stay[(CLASS_OF_TIER[self._tier[stay]] == IT_CLASS) & ~self._small[stay]
                     & (self._it_ready[stay] <= t_s)]
        if in_it.size:
            idle = t_s - self._last_access[in_it]
            new = it.target_tier(idle, self._aa_days[in_it], self._daa_days[in_it]) + IT_BASE
            deeper = new > self._tier[in_it]
            before = self._tier[in_it[deeper]]
            self._move(in_it[deeper], new[deeper].astype(np.int8), t_s)
            self.events.add(t_s, in_it[deeper], "transition", before, new[deeper])
        self._reschedule(ids[keep], day)
        self._plan_it(ids[keep], t_s)

    def _lifecycle_choice(self, ids: np.ndarray, day: int) -> tuple[np.ndarray, np.ndarray]:
        best = np.zeros(ids.size, dtype=np.int64)
        target = np.full(ids.size, -1, dtype=np.int64)
        current = CLASS_OF_TIER[self._tier[ids]]
        for a in self._lc_actions:
            ok = self._eligible(a, ids, current)
            if not ok.any():
                continue
            ok &= lc.due_day(a, self._created[ids]) <= day
            priority = lc.EXPIRE_PRIORITY if a.target == lc.EXPIRE else lc.PRIORITY[a.target]
            better = ok & (priority > best)
            best[better] = priority
            target[better] = -2 if a.target == lc.EXPIRE else CLASSES.index(a.target)
        return np.where(target == -2, -1, target), target == -2

    def _eligible(self, a: lc.CompiledAction, ids: np.ndarray, current: np.ndarray) -> np.ndarray:
        if a.target != lc.EXPIRE:
            allowed = ALLOWED[current, CLASSES.index(a.target)]
            if not allowed.any():  # e.g. "into INTELLIGENT_TIERING" for studies already there
                return allowed
        ok = self._match.of(a.rule, ids)
        f = self._lc_rules[a.rule].filter
        if f.size_greater_than is not None or f.size_less_than is not None:
            object_size = self._size[ids] / self._objects[ids]
            if f.size_greater_than is not None:
                ok &= object_size > f.size_greater_than
            if f.size_less_than is not None:
                ok &= object_size < f.size_less_than
        if a.target != lc.EXPIRE:
            ok &= allowed
            if lc.blocks_small(a, self._lc_default):
                ok &= ~self._small[ids]
        return ok

    def _reschedule(self, ids: np.ndarray, day: int) -> None:
        """Next due day: the earliest lifecycle action still possible after ``day``."""
        if ids.size == 0:
            return
        nxt = np.full(ids.size, it.NEVER_DAY, dtype=np.int64)
        current = CLASS_OF_TIER[self._tier[ids]]
        for a in self._lc_actions:
            ok = self._eligible(a, ids, current)
            if not ok.any():
                continue
            due = np.maximum(lc.due_day(a, self._created[ids]), day + 1)
            nxt = np.where(ok & (due < nxt), due, nxt)
        self._calendar.schedule(ids, nxt)

    def _quiet_after(self, by_study: np.ndarray) -> np.ndarray:
        """For each read: whether the study's next read comes before any Intelligent-Tiering
        move could follow this one (then the read needs no planning). bool per read"""
        quiet = np.zeros(len(self._reads), dtype=bool)
        if len(self._reads) > 1:
            times = self._read_times
            same = self._reads.study[by_study[1:]] == self._reads.study[by_study[:-1]]
            quiet[by_study[:-1]] = same & (times[1:] + 1 <= _move_possible_from(times[:-1]))
        return quiet

    def _plan_it(self, ids: np.ndarray, now_s) -> None:
        """Ask for the Intelligent-Tiering moves of ``ids`` from ``now_s`` on to be booked at the
        end of the day (no move can fall inside the day: the first is 30 days after an access)."""
        if ids.size:
            self._plan_requests.append(
                (ids, np.broadcast_to(np.asarray(now_s, dtype=np.int64), ids.shape)))

    def _book_it_moves(self) -> None:
        """Book the Intelligent-Tiering moves of warm IT studies asked for today.

        The latest request of each study counts.  Between two reads an object's path is fixed
        (FA -> IA at 30 idle days -> AIA at 90 -> AA / DAA as configured), so the moves up to the
        study's next read, next lifecycle due day, deletion or the end of the run are booked at
        once as future meter changes, and the study is not looked at again until one of those
        happens.
        """
        if not self._plan_requests:
            return
        ids = np.concatenate([r[0] for r in self._plan_requests])
        now_s = np.concatenate([r[1] for r in self._plan_requests])
        self._plan_requests = []
        if ids.size > 1:  # requests are in time order: keep the last
            position = np.arange(ids.size)
            self._stamp[ids] = -1
            np.maximum.at(self._stamp, ids, position)
            last = self._stamp[ids] == position
            ids, now_s = ids[last], now_s[last]
        tier = self._tier[ids]
        sel = ((tier >= IT_BASE) & (tier < IT_BASE + it.AA) & ~self._small[ids] & self._present[ids]
               & (self._it_ready[ids] <= now_s))
        if not sel.all():
            ids, now_s, tier = ids[sel], now_s[sel], tier[sel]
        if ids.size == 0:
            return
        # moves happen at midnights: the first midnight at or after last access, plus N days
        base_day = -(-self._last_access[ids] // SECONDS_PER_DAY)
        limit = np.full(ids.size, self._cal.horizon_s, dtype=np.int64)
        if self._read_times.size:  # a move at the midnight of the next read comes first
            nxt = self._read_next[ids]
            has_read = nxt < self._read_start[ids + 1]
            read_s = self._read_times[np.minimum(nxt, self._read_times.size - 1)]
            limit = np.where(has_read, np.minimum(limit, read_s + 1), limit)
            # most reads are followed by another before the study would leave FA: nothing to book
            keep = (tier > IT_BASE) | ((base_day + it.IA_DAYS) * SECONDS_PER_DAY < limit)
            if not keep.all():
                ids, now_s, tier, base_day, limit = (ids[keep], now_s[keep], tier[keep],
                                                     base_day[keep], limit[keep])
        limit = np.minimum(limit, self._delete_s[ids])
        due = self._calendar.due_day[ids]
        limit = np.where(due >= 0, np.minimum(limit, due * SECONDS_PER_DAY), limit)
        current = (tier - IT_BASE).astype(np.int8)
        if self._any_archive_tier:
            aa = self._aa_days[ids].astype(np.int64)
            daa = self._daa_days[ids].astype(np.int64)
            steps: tuple = ((it.IA, it.IA_DAYS),
                            (it.AIA, np.where(aa == it.AIA_DAYS, 0, it.AIA_DAYS)),  # AA at 90
                            (it.AA, aa), (it.DAA, daa))                     # replaces AIA
        else:
            steps = ((it.IA, it.IA_DAYS), (it.AIA, it.AIA_DAYS))
        moves = []
        for level, days in steps:
            move_s = (base_day + days) * SECONDS_PER_DAY
            ok = (move_s > now_s) & (move_s < limit) & (current < level)
            if not np.isscalar(days):
                ok &= days > 0
            if not ok.any():
                continue
            where = np.flatnonzero(ok)
            moves.append((where, current[where] + IT_BASE, IT_BASE + level, move_s[where]))
            current[where] = level
        if not moves:
            return
        # nothing can interrupt these moves (the limit above), so they are metered now
        where = np.concatenate([m[0] for m in moves])
        old = np.concatenate([m[1] for m in moves])
        new = np.concatenate([np.full(m[0].size, m[2], dtype=np.int8) for m in moves])
        when = np.concatenate([m[3] for m in moves])
        self._shift(ids[where], old, new, when)
        self.events.add(when, ids[where], "transition", old, new)
        self._tier[ids] = current + IT_BASE  # the tier the study will be in until it is next seen

    # ------------------------------------------------------------------------------ reads

    def _serve(self, day: int, ids: np.ndarray, t: np.ndarray, position: np.ndarray) -> None:
        present = self._present[ids]
        ids, t, position = ids[present], t[present], position[present]
        ready = self._it_ready[ids]
        restored = (ready > 0) & (ready <= t)
        if restored.any():  # restore completed earlier today: back in Frequent Access already
            self._complete_it_restores(day, ids[restored])
        tiers = self._tier[ids]
        self._read_tier[position] = tiers
        classes = CLASS_OF_TIER[tiers]
        size = self._size[ids]
        objects_by_class = np.bincount(classes, weights=self._objects[ids], minlength=IT_CLASS + 1)
        bytes_by_class = np.bincount(classes, weights=size, minlength=IT_CLASS + 1)
        latency = self._first_byte_s[classes]
        t0 = day * SECONDS_PER_DAY
        for c in np.flatnonzero(objects_by_class).tolist():
            sc = self._class(c)
            objects = int(objects_by_class[c])
            self._book.add(t0, CLASSES[c], "requests", "GET requests", objects,
                           objects * sc.get_usd_per_1000.value / 1000)
            if sc.retrieval_usd_per_gib.value:
                gib = float(bytes_by_class[c]) / BYTES_PER_GIB
                self._book.add(t0, CLASSES[c], "retrieval", "GiB retrieved", gib,
                               gib * sc.retrieval_usd_per_gib.value)
            if sc.needs_restore:
                sel = classes == c
                latency[sel] = self._read_archived(ids[sel], t[sel], c, latency[sel])
        if objects_by_class[IT_CLASS]:
            sel = classes == IT_CLASS
            latency[sel] = self._read_it(day, ids[sel], t[sel], latency[sel], position[sel])
        self._read_latency[position] = latency
        month = int(self._cal.month_of_seconds(np.array([t0]))[0])  # a day is in one month
        self._egress_bytes[month] += float(bytes_by_class.sum()) * self._egress_share

    def _read_archived(self, ids, t, c: int, first_byte: np.ndarray) -> np.ndarray:
        """GLACIER / DEEP_ARCHIVE: read the restored copy, wait for one, or request a restore."""
        latency = first_byte.astype(np.float64)
        ready, until = self._copy_ready[ids], self._copy_until[ids]
        waiting = ready > t
        latency[waiting] = ready[waiting] - t[waiting]
        need = ~waiting & ~(until > t)
        if need.any():
            sub, when = ids[need], t[need]
            tiers = self._class(c).restore
            assert tiers is not None  # classes that need a restore list its options
            name = self._restore_tier if self._restore_tier in tiers else "Standard"
            self._bill_restore(sub, when, tiers[name], CLASSES[c])
            hours_s = np.rint(tiers[name].hours * SECONDS_PER_HOUR).astype(np.int64)
            ready = when + hours_s
            until = np.maximum(restored_copy_expiry_s(when, self._restore_days), ready)
            self._copy_ready[sub] = ready
            self._copy_until[sub] = until
            latency[need] = hours_s
            size = self._size[sub]  # the copy is billed at STANDARD while it exists
            self._meter.change(LINE_RESTORED, np.concatenate([size, -size]),
                               np.concatenate([ready, until]))
            self.events.add(when, sub, "restore", self._tier[sub], self._tier[sub])
        return latency

    def _read_it(self, day: int, ids, t, latency, position) -> np.ndarray:
        """Intelligent-Tiering: access resets the clock; IA/AIA come back to FA at once; AA/DAA
        need a restore and come back when it completes."""
        latency = latency.copy()
        tier = self._tier[ids] - IT_BASE
        archived = tier >= it.AA
        pending = archived & (self._it_ready[ids] > t)
        latency[pending] = (self._it_ready[ids] - t)[pending]
        restore = archived & ~pending
        if restore.any():
            sub, when = ids[restore], t[restore]
            for level in (it.AA, it.DAA):
                part = self._tier[sub] - IT_BASE == level
                if not part.any():
                    continue
                options = self.catalog.intelligent_tiering.restore[it.IT_TIERS[level]]
                name = self._restore_tier if self._restore_tier in options else "Standard"
                self._bill_restore(sub[part], when[part], options[name], TIERS[IT_BASE + level],
                                   f"intelligent_tiering.restore.{it.IT_TIERS[level]}.{name}")
                hours_s = int(round(options[name].hours * SECONDS_PER_HOUR))
                self._it_ready[sub[part]] = when[part] + hours_s
            ready = self._it_ready[sub]
            latency[restore] = ready - when
            self._push_it_restored(sub, ready)
            self.events.add(when, sub, "restore", self._tier[sub], IT_BASE)
        warm = ~archived
        back = ids[warm & (tier > it.FA)]
        self._move(back, np.full(back.size, IT_BASE, np.int8), t[warm & (tier > it.FA)])
        self._last_access[ids[warm]] = t[warm]
        plan = warm & ~self._quiet_after_read[position]
        self._plan_it(ids[plan], t[plan])
        return latency

    def _bill_restore(self, ids, t, option, tier_name: str, price_name: str = "") -> None:
        if option.confidence == "UNCONFIRMED":
            self._used_unconfirmed.add(f"{self.catalog.catalog}.{price_name}")
        objects = int(self._objects[ids].sum())
        gib = float(self._size[ids].sum()) / BYTES_PER_GIB
        self._book.add(int(t[0]), tier_name, "retrieval", "restore requests", objects,
                       objects * option.usd_per_1000 / 1000)
        self._book.add(int(t[0]), tier_name, "retrieval", "GiB restored", gib,
                       gib * option.usd_per_gib)

    def _cancel_restored_copies(self, ids: np.ndarray, t_s: int) -> None:
        """Studies removed at ``t_s``: their restored copies (live or still coming) go too."""
        ready, until = self._copy_ready[ids], self._copy_until[ids]
        live = (ready <= t_s) & (until > t_s)
        coming = ready > t_s
        size = self._size[ids]
        self._meter.change(LINE_RESTORED, np.concatenate([-size[live], size[live]]),
                           np.concatenate([np.full(live.sum(), t_s), until[live]]))
        self._meter.change(LINE_RESTORED, np.concatenate([-size[coming], size[coming]]),
                           np.concatenate([ready[coming], until[coming]]))
        self._copy_until[ids] = 0

    def _push_it_restored(self, ids: np.ndarray, when: np.ndarray) -> None:
        """Queue Intelligent-Tiering restores for the end of the day they complete in."""
        days = when // SECONDS_PER_DAY
        for d in np.unique(days).tolist():
            on_day = days == d
            self._restored_due[d].append((ids[on_day], when[on_day]))

    def _complete_it_restores(self, day: int, ids: np.ndarray | None = None) -> None:
        """Restored Intelligent-Tiering objects go back to Frequent Access at the moment their
        restore completes, and their idle clock restarts; ``ids``: only these, ahead of the end
        of the day (a read later the same day)."""
        if ids is None:
            done = self._restored_due.pop(day, [])
            if not done:
                return
            ids = np.concatenate([d[0] for d in done])
        ready = self._it_ready[ids]
        ok = self._present[ids] & (ready > 0) & (ready < (day + 1) * SECONDS_PER_DAY)
        sub, when = ids[ok], ready[ok]
        self._move(sub, np.full(sub.size, IT_BASE, np.int8), when)
        self._last_access[sub] = when
        self._it_ready[sub] = 0
        self._plan_it(sub, when)

    # ------------------------------------------------------------------------------ output

    read_tier_names = TIERS
    events: EventLog

    def read_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        """Tier code each read was served from (``MISSING``: study not held) and its latency. [s]
        """
        return self._read_tier, self._read_latency


def restored_copy_expiry_s(request_s: np.ndarray, days: int) -> np.ndarray:
    """When S3 removes a restored GLACIER / DEEP_ARCHIVE copy: the restore *request* time plus
    ``days``, rounded up to the next midnight UTC (S3 User Guide, "Restoring an archived object":
    restored Oct 15 10:30 for 3 days, available until Oct 19 00:00). [s]

    >>> day = 86_400
    >>> int(restored_copy_expiry_s(np.array([14 * day + 37_800]), 3)[0]) // day  # 10-15 10:30
    18
    """
    return -(-(request_s + days * SECONDS_PER_DAY) // SECONDS_PER_DAY) * SECONDS_PER_DAY


def _move_possible_from(access_s: np.ndarray) -> np.ndarray:
    """Earliest Intelligent-Tiering move after an access: midnight IA_DAYS later. [s]"""
    return (-(-access_s // SECONDS_PER_DAY) + it.IA_DAYS) * SECONDS_PER_DAY


def _cost(price: BandedPrice | Price, gib_months: float) -> float:
    if isinstance(price, BandedPrice):
        return banded_cost(gib_months, [b.from_gib for b in price.bands],
                           [b.value for b in price.bands])
    return gib_months * price.value


def from_spec(spec, catalog, documents, workload: Workload, keep_events: bool) -> S3Archive:
    """The engine of a scenario entry (provider aws): its catalog and parsed documents."""
    lifecycle, it_configs = documents
    return S3Archive(
        name=spec.name,
        catalog=catalog,
        workload=workload,
        storage_class=spec.storage_class,
        lifecycle=lifecycle,
        it_configs=it_configs,
        restore_tier=spec.restore_tier,
        restore_days=spec.restore_days,
        key_template=spec.object_key,
        tag_templates=dict(spec.object_tags),
        egress_share=spec.egress_share,
        keep_events=keep_events,
    )
