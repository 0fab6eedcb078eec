"""An AWS S3 bucket as a PACS/VNA archive: storage classes, Lifecycle, Intelligent-Tiering, and
every fee billed the way AWS bills it.

Per-study state (tier, when it entered its class, last access, restore state) lives in one
record per study (:data:`sim.archives.s3_state.STUDY_STATE`), with a view per field.
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
from dataclasses import dataclass

import numpy as np

from sim.archives.base import MonthUsage
from sim.archives.s3_billing import S3Billing
from sim.archives.s3_changes import IS_IT_TIER, add_changes_of, shift_changes
from sim.archives.s3_intelligent_tiering import (
    IntelligentTieringPlanner,
    move_possible_from,
)
from sim.archives.s3_state import new_study_state
from sim.archives.s3_tiers import (
    ALLOWED,
    CLASS_OF_TIER,
    CLASSES,
    IT_BASE,
    IT_CLASS,
    LINE_RESTORED,
    METER_LINES,
    MISSING,
    N_TIERS,
    TIERS,
)
from sim.calendar import SECONDS_PER_DAY, SECONDS_PER_HOUR
from sim.jit import int64s, kernel
from sim.pricing.metering import BYTES_PER_GIB
from sim.pricing.object_size import billable_bytes
from sim.pricing.price_book import PriceBook
from sim.providers.aws import Catalog, StorageClass
from sim.tiering import intelligent_tiering as it
from sim.tiering import s3_lifecycle as lc
from sim.tiering.core import (
    ChargeBook,
    DueCalendar,
    EventLog,
    Meter,
    read_rounds,
)
from sim.tiering.keys import (
    RuleMatches,
    StudyGroups,
    group_studies,
    prefix_matches,
    tags_match,
)
from sim.workload.model import Workload, per_workload


class S3Archive(IntelligentTieringPlanner, S3Billing):
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
                 tag_templates: dict[str, str], egress_share: float, keep_events: bool = False,
                 lock_days: int = 0):
        self.name = name
        self.catalog = catalog
        self._cal = workload.calendar
        st = workload.studies
        n = len(st)
        it_small = int(catalog.intelligent_tiering.small_object_bytes.value)
        # each study's reads in time order, and the next one not yet served (for IT planning)
        order = read_order(workload)
        self._state = state = new_study_state(st.size_bytes, st.objects, st.delete_s,
                                              order.start, it_small, MISSING)
        self._size = state["size_bytes"]
        self._objects = state["objects"]
        self._created = st.created_s
        self._delete_s = state["delete_s"]
        self._reads = workload.reads
        self._initial = CLASSES.index(storage_class)
        self._restore_tier = restore_tier
        self._restore_days = restore_days
        self._egress_share = egress_share
        self._small = state["small"]  # objects under 128 KB
        self._present = state["present"]
        self._tier = state["tier"]
        self._class_since = state["class_since_s"]
        self._last_access = state["last_access_s"]
        self._copy_ready = np.zeros(n, dtype=np.int64)
        self._copy_until = np.zeros(n, dtype=np.int64)
        self._any_copies = False  # a GLACIER / DEEP_ARCHIVE restore was requested
        self._it_ready = state["it_ready_s"]
        self._calendar = DueCalendar(n, self._cal.n_days, due_day=state["due_day"])
        self._meter = Meter(METER_LINES, self._cal.n_days)
        self._book = ChargeBook(self._cal)
        self.events = EventLog(keep_events)
        self._restored_due: dict[int, list[tuple]] = defaultdict(list)  # IT restores by day
        self._plan_requests: list[tuple[np.ndarray, np.ndarray]] = []
        self._stamp = state["stamp"]  # scratch for de-duplicating requests
        self._read_times = order.times
        self._read_start = order.start
        self._read_next = state["read_next"]
        self._read_end = state["read_end"]
        self._quiet_after_read = order.quiet_after
        self._repeat_read = order.repeat
        self._egress_bytes: dict[int, float] = defaultdict(float)
        self._read_tier = np.full(len(self._reads), MISSING, dtype=np.int8)
        self._read_latency = np.full(len(self._reads), np.nan, dtype=np.float32)
        self.prices = PriceBook(catalog)
        # Object Lock: nothing is removed before its retain-until date (creation + lock_days)
        self._lock_until = self._created + lock_days * SECONDS_PER_DAY if lock_days else None
        self._held: dict[int, list[tuple[np.ndarray, str]]] = defaultdict(list)

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
        self._needs_restore = np.array([c[name].needs_restore for name in CLASSES])
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
            self.prices.use(self.catalog.classes["GLACIER_IR"].transition_in_usd_per_1000,
                             "classes.GLACIER_IR.transition_in_usd_per_1000")

    # ------------------------------------------------------------------------- daily steps

    def delete(self, day: int, studies: np.ndarray) -> None:
        ids = studies[self._present[studies]]
        self._remove(self._hold_locked(ids, day * SECONDS_PER_DAY, "delete"),
                     day * SECONDS_PER_DAY, "delete")

    def _hold_locked(self, ids: np.ndarray, t_s: int, event: str) -> np.ndarray:
        """Studies still under Object Lock at ``t_s`` wait for the first midnight at or after
        their retain-until date (billed meanwhile); returns the ones that may go now."""
        if self._lock_until is None or ids.size == 0:
            return ids
        until = self._lock_until[ids]
        locked = until > t_s
        if locked.any():
            days = -(-until[locked] // SECONDS_PER_DAY)
            for d in np.unique(days).tolist():
                self._held[d].append((ids[locked][days == d], event))
            self._calendar.cancel(ids[locked])  # no further lifecycle action: it is going
        return ids[~locked]

    def ingest(self, day: int, studies: np.ndarray) -> None:
        studies = studies.astype(np.int64, copy=False)
        tier = IT_BASE if self._initial == IT_CLASS else self._initial
        # most studies put in Intelligent-Tiering are read again before they could move; a
        # study put in another class has no move to plan (a lifecycle transition into
        # Intelligent-Tiering plans its moves then)
        objects, t, plan, plan_s = _ingest_state(self._state, studies, self._created, tier,
                                                 self._read_times, self._initial == IT_CLASS)
        self._meter_add(studies, tier, +1, t)
        sc = self._class(self._initial)
        self._book.add(day * SECONDS_PER_DAY, CLASSES[self._initial], "requests", "PUT requests",
                       objects, objects * sc.put_usd_per_1000.value / 1000)
        self._reschedule(studies, day)
        self._plan_it(plan, plan_s)

    def read(self, day: int, reads: slice) -> None:
        ids = self._reads.study[reads].astype(np.int64)
        times = self._reads.time_s[reads]
        position = np.arange(reads.start, reads.stop)
        if ids.size == 0:
            return
        for now in read_rounds(ids, self._repeat_read[reads]):
            self._serve(day, ids[now], times[now], position[now])

    def end_of_day(self, day: int) -> None:
        self._complete_it_restores(day)
        midnight = (day + 1) * SECONDS_PER_DAY
        for ids, event in self._held.pop(day + 1, []):  # Object Lock periods ending
            self._remove(ids[self._present[ids]], midnight, event)
        due = self._calendar.pop(day + 1)
        due = due[self._present[due]]
        if due.size:
            self._evaluate(day + 1, midnight, due)
        self._book_it_moves()

    def close_month(self, month: int) -> MonthUsage:
        stop_day = self._cal.month_stop_day(month)
        return MonthUsage(self._meter.close(stop_day), self._egress_bytes.pop(month, 0.0),
                          self._book.close_month(month))

    # ---------------------------------------------------------------------------- storage

    def _class(self, class_index: int) -> StorageClass:
        return self.catalog.classes[CLASSES[class_index]]

    def _billable(self, ids: np.ndarray, tier: int) -> tuple[np.ndarray, np.ndarray]:
        """Bytes billed at the tier's rate, and overhead bytes billed at the STANDARD rate."""
        objects = self._objects[ids].astype(np.int64)
        class_bytes = billable_bytes(self._size[ids], objects, int(self._min_bytes[tier]),
                                     int(self._ovh_class[tier]))
        return class_bytes, objects * self._ovh_std[tier]

    def _meter_add(self, ids: np.ndarray, tiers: np.ndarray | int, sign: int, t_s) -> None:
        """Add (sign +1) or remove (-1) studies' billable bytes on their tiers' lines at ``t_s``."""
        if ids.size == 0:
            return
        n = ids.size
        lines, deltas, times = add_changes_of(
            ids.astype(np.int64, copy=False), int64s(tiers, n), sign, int64s(t_s, n),
            self._size, self._objects, self._small, self._min_bytes, self._ovh_class,
            self._ovh_std, IS_IT_TIER)
        self._meter.change_many(lines, deltas, times)

    # ------------------------------------------------------------------------ transitions

    def _remove(self, ids: np.ndarray, t_s: int, event: str) -> None:
        if ids.size == 0:
            return
        tiers = self._tier[ids]
        self._early_deletion(ids, tiers, t_s)
        self._meter_add(ids, tiers, -1, t_s)
        if self._any_copies:
            self._cancel_restored_copies(ids, t_s)
            self._copy_ready[ids] = 0
        self._present[ids] = False
        self._calendar.cancel(ids)
        self.events.add(t_s, ids, event, tiers, MISSING)

    def _move(self, ids: np.ndarray, new_tiers: np.ndarray, t_s) -> None:
        """Move studies to new tiers at ``t_s``."""
        self._shift(ids, self._tier[ids], new_tiers, t_s)
        self._tier[ids] = new_tiers

    def _shift(self, ids: np.ndarray, old: np.ndarray, new: np.ndarray | int, t_s) -> None:
        """Meter studies leaving tiers ``old`` for tiers ``new`` at ``t_s`` (one pass)."""
        if ids.size == 0:
            return
        n = ids.size
        lines, deltas, times = shift_changes(
            ids.astype(np.int64, copy=False), int64s(old, n), int64s(new, n), int64s(t_s, n),
            self._size, self._objects, self._small, self._plain, self._min_bytes,
            self._ovh_class, self._ovh_std, IS_IT_TIER)
        self._meter.change_many(lines, deltas, times)

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
        self._remove(self._hold_locked(ids[is_expire], t_s, "expire"), t_s, "expire")
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

    # ------------------------------------------------------------------------------ reads

    def _serve(self, day: int, ids: np.ndarray, t: np.ndarray, position: np.ndarray) -> None:
        """Serve a round of reads (each study at most once) with one pass over them
        (:func:`_serve_round`); the reads that need a restore (GLACIER, DEEP_ARCHIVE, archived
        Intelligent-Tiering tiers) are then handled here, class by class.  Intelligent-Tiering
        restores that completed earlier in the day, before a read, are completed first."""
        ids, t = ids.astype(np.int64, copy=False), t.astype(np.int64, copy=False)
        position = position.astype(np.int64, copy=False)
        restored = _restored_before_read(ids, t, self._state)
        if restored.size:  # back in Frequent Access before these reads
            self._complete_it_restores(day, restored)
        objects_by_class, bytes_by_class, back, old, back_s, plan, plan_s, slow, slow_class = \
            _serve_round(ids, t, position, self._state, CLASS_OF_TIER, self._needs_restore,
                         self._first_byte_s, self._read_tier, self._read_latency,
                         self._quiet_after_read)
        t0 = day * SECONDS_PER_DAY
        for c in np.flatnonzero(objects_by_class).tolist():
            self._book_gets(t0, c, objects_by_class, bytes_by_class)
            if self._needs_restore[c]:
                sel = slow[slow_class == c]
                self._read_latency[position[sel]] = self._read_archived(
                    ids[sel], t[sel], c, np.full(sel.size, self._first_byte_s[c]))
        sel = slow[slow_class == IT_CLASS]
        if sel.size:
            self._read_latency[position[sel]] = self._read_it_archived(ids[sel], t[sel])
        self._shift(back, old, IT_BASE, back_s)
        self._plan_it(plan, plan_s)
        month = self._cal.month_of_second(t0)  # a day is in one month
        self._egress_bytes[month] += float(bytes_by_class.sum()) * self._egress_share

    def _book_gets(self, t0: int, c: int, objects_by_class: np.ndarray,
                   bytes_by_class: np.ndarray) -> None:
        """GET requests (and retrieval, where the class charges it) of a round's reads of class
        ``c``, booked at midnight ``t0``."""
        sc = self._class(c)
        objects = int(objects_by_class[c])
        self._book.add(t0, CLASSES[c], "requests", "GET requests", objects,
                       objects * sc.get_usd_per_1000.value / 1000)
        if sc.retrieval_usd_per_gib.value:
            gib = float(bytes_by_class[c]) / BYTES_PER_GIB
            self._book.add(t0, CLASSES[c], "retrieval", "GiB retrieved", gib,
                           gib * sc.retrieval_usd_per_gib.value)

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
            self._bill_restore(sub, when, tiers[name], CLASSES[c],
                               f"classes.{CLASSES[c]}.restore.{name}")
            hours_s = np.rint(tiers[name].hours * SECONDS_PER_HOUR).astype(np.int64)
            ready = when + hours_s
            until = np.maximum(restored_copy_expiry_s(when, self._restore_days), ready)
            self._copy_ready[sub] = ready
            self._copy_until[sub] = until
            self._any_copies = True
            latency[need] = hours_s
            size = self._size[sub]  # the copy is billed at STANDARD while it exists
            self._meter.change(LINE_RESTORED, np.concatenate([size, -size]),
                               np.concatenate([ready, until]))
            self.events.add(when, sub, "restore", self._tier[sub], self._tier[sub])
        return latency

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

    # ------------------------------------------------------------------------------ output

    read_tier_names = TIERS
    events: EventLog

    def read_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        """Tier code each read was served from (``MISSING``: study not held) and its latency. [s]
        """
        return self._read_tier, self._read_latency


@kernel
def _ingest_state(state, studies, created_s, tier, read_times, into_it
                  ):  # pragma: no cover - compiled
    """:meth:`S3Archive.ingest`'s records: ``studies`` present on ``tier`` from their creation
    (class and idle clock start then).  Returns their objects, their creation times [s], and,
    when they go ``into_it`` (Intelligent-Tiering), the studies to plan moves for (those whose
    next read does not come before a move could) with the time to plan from."""
    n = studies.size
    t = np.empty(n, dtype=np.int64)
    plan = np.empty(n, dtype=np.int64)
    plan_s = np.empty(n, dtype=np.int64)
    objects = 0
    k = 0
    for i in range(n):
        s = studies[i]
        r = state[s]
        t[i] = created_s[s]
        r.present = True
        r.tier = tier
        r.class_since_s = t[i]
        r.last_access_s = t[i]
        objects += r.objects
        if not into_it or (r.read_next < r.read_end
                           and read_times[r.read_next] + 1 <= move_possible_from(t[i])):
            continue  # nothing to plan, or read again before the first move
        plan[k], plan_s[k] = s, t[i]
        k += 1
    return objects, t, plan[:k], plan_s[:k]


@kernel
def _restored_before_read(ids, t, state):  # pragma: no cover - compiled
    """The present studies of a round whose Intelligent-Tiering restore completed before their
    read, in read order."""
    found = np.empty(ids.size, dtype=np.int64)
    k = 0
    for i in range(ids.size):
        r = state[ids[i]]
        if r.present and 0 < r.it_ready_s <= t[i]:
            found[k] = ids[i]
            k += 1
    return found[:k]


@kernel
def _serve_round(ids, t, position, state, class_of_tier, needs_restore, first_byte_s, read_tier,
                 read_latency, quiet_after_read):  # pragma: no cover - compiled
    """:meth:`S3Archive._serve`'s pass over a round of reads (each study at most once, no
    Intelligent-Tiering restore completed before its read: :func:`_restored_before_read`).
    Every study's next read moves on; each present study's read is recorded (tier, first-byte
    latency [s]) and its objects and bytes summed per class, in read order; Intelligent-Tiering
    reads of FA/IA/AIA bring IA/AIA back to FA and restart the idle clock.  Returns (objects by
    class, bytes by class, studies back to FA, their old tier, the read time [s], studies to
    plan, from when [s], positions in the round of the reads that need a restore, their
    class)."""
    n = ids.size
    n_classes = class_of_tier.max() + 1
    objects_by_class = np.zeros(n_classes, dtype=np.float64)
    bytes_by_class = np.zeros(n_classes, dtype=np.float64)
    back = np.empty(n, dtype=np.int64)
    old = np.empty(n, dtype=np.int8)
    back_s = np.empty(n, dtype=np.int64)
    plan = np.empty(n, dtype=np.int64)
    plan_s = np.empty(n, dtype=np.int64)
    slow = np.empty(n, dtype=np.int64)
    slow_class = np.empty(n, dtype=np.int64)
    n_back = 0
    n_plan = 0
    n_slow = 0
    for i in range(n):
        s = ids[i]
        state[s].read_next += 1
        if not state[s].present:
            continue
        p = position[i]
        tier = state[s].tier
        c = class_of_tier[tier]
        read_tier[p] = tier
        read_latency[p] = first_byte_s[c]
        objects_by_class[c] += state[s].objects
        bytes_by_class[c] += state[s].size_bytes
        if needs_restore[c] or tier >= IT_BASE + it.AA:
            slow[n_slow], slow_class[n_slow] = i, c
            n_slow += 1
            continue
        if c != IT_CLASS:
            continue
        if tier > IT_BASE:  # IA / AIA: back to FA at the read
            back[n_back], old[n_back], back_s[n_back] = s, tier, t[i]
            state[s].tier = IT_BASE
            n_back += 1
        state[s].last_access_s = t[i]
        if not quiet_after_read[p]:
            plan[n_plan], plan_s[n_plan] = s, t[i]
            n_plan += 1
    return (objects_by_class, bytes_by_class, back[:n_back], old[:n_back], back_s[:n_back],
            plan[:n_plan], plan_s[:n_plan], slow[:n_slow], slow_class[:n_slow])


@dataclass(frozen=True)
class ReadOrder:
    """A workload's reads in study order (by study, then time) and what the engine derives
    from them alone; kept per workload (runs on one draw share it).  Read-only arrays."""

    times: np.ndarray
    """Time of each read, in study order. [s]"""
    start: np.ndarray
    """Where each study's reads start in study order, and the number of reads at the end."""
    quiet_after: np.ndarray
    """Per read: the study's next read comes before any Intelligent-Tiering move could."""
    repeat: np.ndarray
    """Per read: its study was already read earlier the same day."""


@per_workload
def read_order(workload: Workload) -> ReadOrder:
    """The :class:`ReadOrder` of ``workload``, computed once while the workload lives."""
    reads = workload.reads
    found = ReadOrder(*_order_by_study(reads.study, reads.time_s, len(workload.studies)))
    for array in (found.times, found.start, found.quiet_after, found.repeat):
        array.flags.writeable = False
    return found


@kernel
def _order_by_study(study, time_s, n_studies):  # pragma: no cover - compiled
    """The fields of :class:`ReadOrder` for reads ``study`` at ``time_s`` (in time order): a
    counting sort by study (stable, so each study's reads stay in time order), then one pass
    over neighbours in study order."""
    n_reads = study.size
    start = np.zeros(n_studies + 1, dtype=np.int64)
    for r in range(n_reads):
        start[study[r] + 1] += 1
    for s in range(n_studies):
        start[s + 1] += start[s]
    fill = start[:-1].copy()
    by_study = np.empty(n_reads, dtype=np.int64)
    times = np.empty(n_reads, dtype=np.int64)
    for r in range(n_reads):
        at = fill[study[r]]
        fill[study[r]] += 1
        by_study[at] = r
        times[at] = time_s[r]
    quiet = np.zeros(n_reads, dtype=np.bool_)
    repeat = np.zeros(n_reads, dtype=np.bool_)
    for s in range(n_studies):
        for at in range(start[s], start[s + 1] - 1):  # each read but the study's last
            # the next read comes before any Intelligent-Tiering move could follow this one
            quiet[by_study[at]] = times[at + 1] + 1 <= move_possible_from(times[at])
            repeat[by_study[at + 1]] = \
                times[at + 1] // SECONDS_PER_DAY == times[at] // SECONDS_PER_DAY
    return times, start, quiet, repeat


def restored_copy_expiry_s(request_s: np.ndarray, days: int) -> np.ndarray:
    """When S3 removes a restored GLACIER / DEEP_ARCHIVE copy: the restore *request* time plus
    ``days``, rounded up to the next midnight UTC (S3 User Guide, "Restoring an archived object":
    restored Oct 15 10:30 for 3 days, available until Oct 19 00:00). [s]

    >>> day = 86_400
    >>> int(restored_copy_expiry_s(np.array([14 * day + 37_800]), 3)[0]) // day  # 10-15 10:30
    18
    """
    return -(-(request_s + days * SECONDS_PER_DAY) // SECONDS_PER_DAY) * SECONDS_PER_DAY


def from_spec(spec, catalog, documents, workload: Workload, keep_events: bool):
    """The engine of a scenario entry (provider aws): its catalog and parsed documents, and a
    replica bucket when the entry asks for S3 Replication."""
    lifecycle, it_configs = documents
    source = S3Archive(
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
        lock_days=spec.object_lock.days if spec.object_lock is not None else 0,
    )
    r = spec.replication
    if r is None:
        return source
    from sim.archives.linked import with_reads
    from sim.archives.replication import ReplicatedArchive
    from sim.archives.s3_static import StaticS3Bucket, is_static
    from sim.errors import InputError
    from sim.io.policy_files import load_lifecycle

    transfer = 0.0
    cross_region = r.cross_region if r.region is None else r.region != catalog.region
    if cross_region:
        price = catalog.inter_region_transfer_usd_per_gib
        if price is None:
            raise InputError(f"archive {spec.name!r} replication: catalog {catalog.catalog!r} "
                             "has no inter_region_transfer_usd_per_gib; add it (with its "
                             "source) or set cross_region: false")
        transfer = source.prices.use(price, "inter_region_transfer_usd_per_gib").value
    copies = with_reads(workload, np.zeros(len(workload.reads), dtype=bool))
    lifecycle = load_lifecycle(r.lifecycle) if r.lifecycle else None
    if is_static(r.storage_class, lifecycle, 0):  # e.g. DEEP_ARCHIVE: no per-study record
        replica: S3Archive = StaticS3Bucket(spec.name, catalog, copies, r.storage_class)
    else:
        replica = S3Archive(
            name=spec.name, catalog=catalog, workload=copies, storage_class=r.storage_class,
            lifecycle=lifecycle, it_configs=[], restore_tier=spec.restore_tier,
            restore_days=spec.restore_days, key_template=spec.object_key,
            tag_templates=dict(spec.object_tags), egress_share=0.0)
    return ReplicatedArchive(source, replica, METER_LINES, transfer, r.follow_deletes,
                             workload.studies.size_bytes, workload.calendar)
