"""An Azure Blob Storage account as a PACS/VNA archive: Hot, Cool, Cold and Archive tiers, the
account's lifecycle management policy, last-access tracking, archive rehydration, and every fee
billed the way Azure bills it.

Per-study state lives in arrays (tier, when it last changed tier, last access time, rehydration
in progress).  Each day the run loop hands over deletions, ingests and reads; at the end of the
day the studies whose next policy action may be due at the next midnight (from the due-day
calendar, not a scan) are evaluated, and the least expensive due action runs at that midnight.

Billing (shared/reference/cloud-tiering.md §1.5-1.6, §2.4-2.5):

- storage: the average amount stored over the month (byte-time over the month's length) per
  tier, Hot in volume bands; Cool, Cold and Archive bill an object under 128 KiB as 128 KiB from
  the date the catalog gives for the account (new accounts from 2026-07-01, all from 2027-07-01);
- operations per 10,000: a write per object at upload, a read per object at the tier read;
  per-GiB data retrieval from Cool and Cold; a last-access-time update (one "other operation"
  per object, at most once a day) when tracking is on;
- tier changes: cooling is a write at the destination tier; warming (back to Hot from Cool on a
  read, with ``enableAutoTierToHotFromCool``) a read plus data retrieval at the source tier;
- Archive is offline: a read asks for a rehydration (Set Blob Tier to Hot or Cool, Standard or
  High priority): the archive read price and per-GiB retrieval, hours of waiting, billed as
  Archive until the tier flips; lifecycle may archive the study again (rehydration does not change
  its modification time);
- early deletion, prorated: a blob leaving Cool, Cold or Archive (tier change or deletion) before
  30, 90 or 180 days pays the remaining days at that tier's rate;
- internet egress with the monthly free allowance.

A study is ``objects`` blobs of equal size; every blob of a study shares its prefix, index tags
and tier.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np

from sim.archives.base import MISSING, ArchiveModel, MonthUsage
from sim.archives.immutability import retain_until_midnight_s, with_held_deletions
from sim.calendar import SECONDS_PER_DAY, SECONDS_PER_HOUR
from sim.ledger import Charge
from sim.pricing.catalog import BandedPrice, Price
from sim.pricing.early_deletion import early_deletion_byte_seconds
from sim.pricing.metering import BYTES_PER_GIB
from sim.pricing.price_book import PriceBook
from sim.providers.azure import AzureCatalog, priced_for_redundancy, tiers_used
from sim.tiering.azure_lifecycle import (
    ARCHIVE,
    COOL,
    DELETE,
    HOT,
    PREFERENCE,
    TIERS,
    Condition,
    ManagementPolicy,
    due_midnight,
)
from sim.tiering.core import (
    ChargeBook,
    DueCalendar,
    EventLog,
    Meter,
    event_charges,
    first_occurrences,
    read_rounds,
)
from sim.tiering.intelligent_tiering import NEVER_DAY
from sim.tiering.keys import RuleMatches, group_studies, prefix_matches, tags_match
from sim.workload.model import Workload


class AzureBlobArchive(ArchiveModel):
    """Archive model for ``kind: cloud, provider: azure`` (lifecycle management policy).

    Parameters
    ----------
    name
        Archive name (ledger ``archive`` column).
    catalog
        Prices and billing constants.
    workload
        The run's studies and reads.
    access_tier
        Tier studies are uploaded to (``Hot``, ``Cool``, ``Cold`` or ``Archive``).
    policy
        Parsed lifecycle management policy, or None.
    key_template, tag_templates
        How study attributes map to blob names and index tags (for filters).
    egress_share
        Share of read bytes that leave Azure to the internet. [0-1]
    last_access_tracking
        Whether last-access-time tracking is on (else the policy counts from its enable date).
    policy_enabled_s
        When the policy (and tracking) was enabled, in run seconds (may be negative). [s]
    min_size_from_s
        When the 128 KiB minimum billable size starts for this account, in run seconds. [s]
    rehydrate_priority, rehydrate_to
        How reads of archived studies rehydrate them (``Standard``/``High``; ``Hot``/``Cool``).
    hold_days
        Time-based retention (immutable storage): no blob is deleted before creation + these
        days (retention deletions wait, billed meanwhile) and the policy's delete actions do not
        run at all. [days]
    keep_events
        Keep an event log (transitions, rehydrations, expirations, deletions).
    """

    read_tier_names = TIERS
    events: EventLog
    prices: PriceBook

    def __init__(self, name: str, catalog: AzureCatalog, workload: Workload, access_tier: str,
                 policy: ManagementPolicy | None, key_template: str,
                 tag_templates: dict[str, str], egress_share: float,
                 last_access_tracking: bool, policy_enabled_s: int, min_size_from_s: int,
                 rehydrate_priority: str, rehydrate_to: str, keep_events: bool = False,
                 hold_days: int = 0):
        self.name = name
        self.catalog = catalog
        self._cal = workload.calendar
        st = workload.studies
        n = len(st)
        self._size = st.size_bytes
        self._objects = st.objects.astype(np.int64)
        self._created = st.created_s
        self._reads = workload.reads
        self._initial = TIERS.index(access_tier)
        self._egress_share = egress_share
        self._tracking = last_access_tracking
        self._enabled_s = policy_enabled_s
        self._min_size_from_s = max(min_size_from_s, 0)
        self._rehydration = catalog.rehydration[rehydrate_priority]
        self._rehydrate_priority = rehydrate_priority
        self._rehydrate_to = TIERS.index(rehydrate_to)
        tiers = [catalog.tiers[t] for t in TIERS]
        self._min_days = np.array([t.min_storage_days.value for t in tiers])
        self._min_bytes = np.array([int(t.min_billable_object_bytes.value) for t in tiers],
                                   dtype=np.int64)

        self._present = np.zeros(n, dtype=bool)
        self._scratch = np.zeros(n, dtype=np.int64)  # for first_occurrences
        self._tier = np.full(n, MISSING, dtype=np.int8)
        self._tier_since = np.zeros(n, dtype=np.int64)
        self._last_access = np.zeros(n, dtype=np.int64)
        self._ready = np.zeros(n, dtype=np.int64)  # rehydration completes (0: none)
        self._calendar = DueCalendar(n, self._cal.n_days)
        self._meter = Meter(len(TIERS), self._cal.n_days)
        self._book = ChargeBook(self._cal)
        self.events = EventLog(keep_events)
        self._egress_bytes: dict[int, float] = defaultdict(float)
        self._read_tier = np.full(len(self._reads), MISSING, dtype=np.int8)
        self._read_latency = np.full(len(self._reads), np.nan, dtype=np.float32)
        self.prices = PriceBook(catalog)
        self._lock_until = retain_until_midnight_s(self._created, hold_days) if hold_days \
            else None
        self._held: dict[int, list[tuple[np.ndarray, str]]] = defaultdict(list)
        self._compile(policy, workload, key_template, tag_templates)

    # ------------------------------------------------------------------------------ set-up

    def _compile(self, policy: ManagementPolicy | None, workload: Workload, key: str,
                 tags: dict[str, str]) -> None:
        """Which enabled rules match each study (bit mask) and the actions they carry."""
        n = len(self._size)
        self._auto_hot = np.zeros(n, dtype=bool)
        self._actions: list[tuple[int, int, Condition]] = []  # (rule number, target, condition)
        rules = [r for r in policy.rules if r.enabled and r.block_blobs] if policy else []
        groups = group_studies(workload) if rules else None
        self._match = RuleMatches(groups)
        for i, rule in enumerate(rules):
            assert groups is not None  # grouped whenever there are rules
            where = f"lifecycle rule {rule.name!r} filters"
            ok = np.zeros(len(groups.fields), dtype=np.bool_) if rule.prefixes else \
                np.ones(len(groups.fields), dtype=np.bool_)
            for prefix in rule.prefixes:
                ok |= prefix_matches(key, groups, prefix, where)
            ok &= tags_match(tags, groups, rule.index_match)
            hit = self._match.add(ok)
            if rule.auto_tier_to_hot:
                self._auto_hot |= hit
            self._actions += [(i, target, c) for target, c in rule.actions.items()
                              if not (target == DELETE and self._lock_until is not None)]

    def _charge(self, t_s: int, tier: str, category: str, unit: str, quantity: float,
                price: Price, per: float, price_name: str) -> None:
        """Book ``quantity`` at ``price`` per ``per`` units; note the price if unconfirmed."""
        if quantity == 0:
            return
        self.prices.use(price, price_name)
        self._book.add(t_s, tier, category, unit, quantity, quantity * price.value / per)

    # ------------------------------------------------------------------------- daily steps

    def delete(self, day: int, studies: np.ndarray) -> None:
        ids = studies[self._present[studies]]
        self._remove(self._hold(ids, day * SECONDS_PER_DAY, "delete"), day * SECONDS_PER_DAY,
                     "delete")

    def _hold(self, ids: np.ndarray, t_s: int, event: str) -> np.ndarray:
        """Blobs still under their retention period at ``t_s`` wait for its end (billed
        meanwhile, no further lifecycle action); returns the ones that may go now."""
        if self._lock_until is None or ids.size == 0:
            return ids
        until = self._lock_until[ids]
        locked = until > t_s
        for d in np.unique(until[locked] // SECONDS_PER_DAY).tolist():
            self._held[d].append((ids[locked][until[locked] // SECONDS_PER_DAY == d], event))
        self._calendar.cancel(ids[locked])
        return ids[~locked]

    def ingest(self, day: int, studies: np.ndarray) -> None:
        t = self._created[studies]
        self._present[studies] = True
        self._tier[studies] = self._initial
        self._tier_since[studies] = t
        self._last_access[studies] = np.maximum(t, self._enabled_s) if self._tracking \
            else self._enabled_s
        self._meter_add(studies, np.full(studies.size, self._initial), +1, t)
        tier = TIERS[self._initial]
        self._charge(day * SECONDS_PER_DAY, tier, "requests", "write operations",
                     float(self._objects[studies].sum()),
                     self.catalog.tiers[tier].write_usd_per_10000, 10_000,
                     f"tiers.{tier}.write_usd_per_10000")
        self._reschedule(studies, day)

    def read(self, day: int, reads: slice) -> None:
        ids = self._reads.study[reads].astype(np.int64)
        times = self._reads.time_s[reads]
        position = np.arange(reads.start, reads.stop)
        if ids.size == 0:
            return
        repeat = ~first_occurrences(ids, self._scratch)
        for now in read_rounds(ids, repeat):  # each study's first read today, then second, ...
            self._serve(day, ids[now], times[now], position[now])

    def end_of_day(self, day: int) -> None:
        for ids, event in self._held.pop(day + 1, []):  # retention periods ending
            self._remove(ids[self._present[ids]], (day + 1) * SECONDS_PER_DAY, event)
        due = self._calendar.pop(day + 1)
        due = due[self._present[due]]
        if due.size:
            self._evaluate(day + 1, due)

    def close_month(self, month: int) -> MonthUsage:
        stop_day = self._cal.month_stop_day(month)
        return MonthUsage(self._meter.close(stop_day), self._egress_bytes.pop(month, 0.0),
                          self._book.close_month(month))

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        label = self._cal.month_labels[month]
        gib_months = usage.quantity_seconds / BYTES_PER_GIB / self._cal.month_full_seconds[month]
        charges = []
        for t, tier in enumerate(TIERS):
            q = float(gib_months[t])
            if q:
                price = self.catalog.tiers[tier].storage_usd_per_gib_month
                cost = self.prices.cost(price, q, f"tiers.{tier}.storage_usd_per_gib_month")
                charges.append(Charge(label, self.name, tier, "storage", q, "GiB-month", cost))
        egress_gib = usage.egress_bytes / BYTES_PER_GIB
        if egress_gib:
            charges.append(Charge(label, self.name, "internet", "egress", egress_gib, "GiB",
                                  self.prices.egress(egress_gib)))
        return charges + event_charges(label, self.name, usage.event_charges)

    # ---------------------------------------------------------------------------- storage

    def _meter_add(self, ids: np.ndarray, tiers: np.ndarray | int, sign: int, t_s) -> None:
        """Add (+1) or remove (-1) studies' bytes on their tiers at ``t_s``; on cooler tiers the
        128 KiB minimum's extra bytes from the date it applies."""
        if ids.size == 0:
            return
        tiers = np.broadcast_to(np.asarray(tiers, dtype=np.int64), ids.shape)
        t_s = np.broadcast_to(np.asarray(t_s, dtype=np.int64), ids.shape)
        lines, deltas, times = [tiers], [sign * self._size[ids]], [t_s]
        pad = self._pad(ids, tiers)
        padded = pad > 0
        if padded.any():
            lines.append(tiers[padded])
            deltas.append(sign * pad[padded])
            times.append(np.maximum(t_s[padded], self._min_size_from_s))
        self._meter.change_many(np.concatenate(lines), np.concatenate(deltas),
                                np.concatenate(times))

    def _pad(self, ids: np.ndarray, tiers) -> np.ndarray:
        """Bytes added to studies on ``tiers`` once the minimum billable size applies. [bytes]"""
        return np.maximum(self._objects[ids] * self._min_bytes[tiers] - self._size[ids], 0)

    def _billable_at(self, ids: np.ndarray, tier: int, t_s) -> np.ndarray:
        """Bytes billed for studies on ``tier`` at ``t_s``. [bytes]"""
        applies = np.asarray(t_s) >= self._min_size_from_s
        return self._size[ids] + np.where(applies, self._pad(ids, tier), 0)

    def _early_deletion(self, ids: np.ndarray, tiers: np.ndarray, t_s) -> None:
        """Prorated charge for studies leaving a tier before its minimum days (``t_s``: when
        they leave, within one day)."""
        t_s = np.broadcast_to(np.asarray(t_s, dtype=np.int64), ids.shape)
        for tier in np.unique(tiers).tolist():
            min_days = self._min_days[tier]
            if not min_days:
                continue
            sel = tiers == tier
            in_tier = t_s[sel] - self._tier_since[ids[sel]]
            early = in_tier < min_days * SECONDS_PER_DAY
            if not early.any():
                continue
            leaving = ids[sel][early]
            when = t_s[sel][early]
            owed = early_deletion_byte_seconds(self._billable_at(leaving, tier, when),
                                               in_tier[early], min_days).sum()
            t0 = int(when.min())
            month = self._cal.month_of_second(t0)
            gib_months = owed / BYTES_PER_GIB / self._cal.month_full_seconds[month]
            name = TIERS[tier]
            price = self.catalog.tiers[name].storage_usd_per_gib_month
            rate = price.bands[0].value if isinstance(price, BandedPrice) else price.value
            self._book.add(t0, name, "early_deletion", "GiB-month", gib_months,
                           gib_months * rate)

    # ------------------------------------------------------------------- tiers and policy

    def _remove(self, ids: np.ndarray, t_s: int, event: str) -> None:
        if ids.size == 0:
            return
        tiers = self._tier[ids].astype(np.int64)
        pending = self._ready[ids] > t_s
        settled = ids[~pending]
        self._early_deletion(settled, tiers[~pending], t_s)
        self._meter_add(settled, tiers[~pending], -1, t_s)
        if pending.any():  # still Archive until the tier flips: undo the booked flip
            waiting, ready = ids[pending], self._ready[ids[pending]]
            self._meter_add(waiting, ARCHIVE, -1, t_s)
            self._meter_add(waiting, ARCHIVE, +1, ready)
            self._meter_add(waiting, tiers[pending], -1, ready)
        self._present[ids] = False
        self._ready[ids] = 0
        self._calendar.cancel(ids)
        self.events.add(t_s, ids, event, tiers, MISSING)

    def _move(self, ids: np.ndarray, new: int, t_s, charge: str) -> None:
        """Change studies' tier at ``t_s`` (``charge``: ``cooling`` a write at the destination;
        ``warming`` a read plus retrieval at the source)."""
        if ids.size == 0:
            return
        old = self._tier[ids].astype(np.int64)
        t0 = int(np.min(t_s))
        self._early_deletion(ids, old, t_s)
        self._meter_add(ids, old, -1, t_s)
        self._meter_add(ids, np.full(ids.size, new), +1, t_s)
        objects = float(self._objects[ids].sum())
        if charge == "cooling":
            tier = TIERS[new]
            self._charge(t0, tier, "transitions", "write operations (tier change)", objects,
                         self.catalog.tiers[tier].write_usd_per_10000, 10_000,
                         f"tiers.{tier}.write_usd_per_10000")
        else:
            for o in np.unique(old).tolist():
                sel = ids[old == o]
                tier = TIERS[o]
                prices = self.catalog.tiers[tier]
                self._charge(t0, tier, "transitions", "read operations (tier change)",
                             float(self._objects[sel].sum()), prices.read_usd_per_10000, 10_000,
                             f"tiers.{tier}.read_usd_per_10000")
                self._charge(t0, tier, "retrieval", "GiB retrieved (tier change)",
                             float(self._size[sel].sum()) / BYTES_PER_GIB,
                             prices.retrieval_usd_per_gib, 1, f"tiers.{tier}.retrieval_usd_per_gib")
        self._tier[ids] = new
        self._tier_since[ids] = t_s
        self.events.add(t_s, ids, "transition", old, new)

    def _due(self, condition: Condition, ids: np.ndarray) -> np.ndarray:
        """When ``condition`` first holds for each study, from its current state. [s]"""
        clock = self._last_access[ids] if condition.clock == "last_access" else self._created[ids]
        due = due_midnight(clock, condition.days)
        if condition.tier_change_days is not None:
            due = np.maximum(due, due_midnight(self._tier_since[ids], condition.tier_change_days))
        return due

    def _applicable(self, rule: int, target: int, ids: np.ndarray) -> np.ndarray:
        ok = self._match.of(rule, ids)
        if target != DELETE:
            ok &= target > self._tier[ids]  # lifecycle only cools
        return ok

    def _evaluate(self, day: int, ids: np.ndarray) -> None:
        """Run the least expensive action due at the midnight starting ``day``."""
        midnight = day * SECONDS_PER_DAY
        waiting = self._ready[ids] > midnight  # rehydrating: not before the tier flips
        if waiting.any():
            self._calendar.schedule(ids[waiting], -(-self._ready[ids[waiting]]
                                                    // SECONDS_PER_DAY))
            ids = ids[~waiting]
        best = np.zeros(ids.size, dtype=np.int64)
        target = np.zeros(ids.size, dtype=np.int64)
        for rule, tgt, condition in self._actions:
            ok = self._applicable(rule, tgt, ids)
            if not ok.any():
                continue
            ok &= self._due(condition, ids) <= midnight
            better = ok & (PREFERENCE[tgt] > best)
            best[better] = PREFERENCE[tgt]
            target[better] = tgt
        acting = best > 0
        self._remove(ids[acting & (target == DELETE)], midnight, "expire")
        for tgt in np.unique(target[acting & (target != DELETE)]).tolist():
            self._move(ids[acting & (target == tgt)], tgt, midnight, "cooling")
        self._reschedule(ids[~(acting & (target == DELETE))], day)

    def _reschedule(self, ids: np.ndarray, day: int) -> None:
        """Next due day: the earliest action still possible after ``day``."""
        if ids.size == 0 or not self._actions:
            return
        nxt = np.full(ids.size, NEVER_DAY, dtype=np.int64)
        for rule, tgt, condition in self._actions:
            ok = self._applicable(rule, tgt, ids)
            if not ok.any():
                continue
            due = np.maximum(self._due(condition, ids) // SECONDS_PER_DAY, day + 1)
            nxt = np.where(ok & (due < nxt), due, nxt)
        nxt = np.maximum(nxt, -(-self._ready[ids] // SECONDS_PER_DAY))
        self._calendar.schedule(ids, nxt)

    # ------------------------------------------------------------------------------ reads

    def held_at_end(self):
        """Blobs still in the container when the run ends, by access tier."""
        from sim.archives.base import held_by_tier

        return held_by_tier(TIERS, self._present, self._tier, self._size, self._objects)

    def exit_fees(self, tier: str, gib: float, objects: float, studies: float
                  ) -> list[tuple[str, float, float]]:
        """Reading everything in ``tier`` out once: an Archive blob is first rehydrated at
        Standard priority (the rehydration's read operations and retrieval per GiB, then read
        from Hot); an online blob pays its tier's read operations and retrieval per GiB."""
        fees = []
        if tier == TIERS[ARCHIVE]:
            option = self.catalog.rehydration["Standard"]
            path = "rehydration.Standard"
            read = self.prices.use(option.read_usd_per_10000, f"{path}.read_usd_per_10000")
            per_gib = self.prices.use(option.retrieval_usd_per_gib,
                                      f"{path}.retrieval_usd_per_gib")
            fees += [("rehydration read operations (Standard)", objects,
                      objects * read.value / 10_000),
                     ("GiB rehydrated", gib, gib * per_gib.value)]
            tier = "Hot"
        prices = self.catalog.tiers[tier]
        read = self.prices.use(prices.read_usd_per_10000, f"tiers.{tier}.read_usd_per_10000")
        fees.append(("read operations", objects, objects * read.value / 10_000))
        per_gib = self.prices.use(prices.retrieval_usd_per_gib,
                                  f"tiers.{tier}.retrieval_usd_per_gib")
        if per_gib.value:
            fees.append(("GiB retrieved", gib, gib * per_gib.value))
        return fees

    def _serve(self, day: int, ids: np.ndarray, t: np.ndarray, position: np.ndarray) -> None:
        present = self._present[ids]
        ids, t, position = ids[present], t[present], position[present]
        t0 = day * SECONDS_PER_DAY
        latency = np.full(ids.size, self.catalog.first_byte_latency_s.value)
        ready = self._ready[ids]
        pending = ready > t
        latency[pending] = ready[pending] - t[pending]
        archived = (self._tier[ids] == ARCHIVE) & ~pending
        if archived.any():
            latency[archived] = self._rehydrate(ids[archived], t[archived])
        waited = pending | archived
        self._read_tier[position] = np.where(waited, ARCHIVE, self._tier[ids])
        self._read_latency[position] = latency
        tiers = self._tier[ids]  # the tier each study is read from (after a rehydration)
        for tier in np.unique(tiers).tolist():
            sel = tiers == tier
            name = TIERS[tier]
            prices = self.catalog.tiers[name]
            self._charge(t0, name, "requests", "read operations",
                         float(self._objects[ids[sel]].sum()), prices.read_usd_per_10000,
                         10_000, f"tiers.{name}.read_usd_per_10000")
            online = sel & ~waited
            if prices.retrieval_usd_per_gib.value and online.any():
                self._charge(t0, name, "retrieval", "GiB retrieved",
                             float(self._size[ids[online]].sum()) / BYTES_PER_GIB,
                             prices.retrieval_usd_per_gib, 1, f"tiers.{name}.retrieval_usd_per_gib")
        online = ~waited
        if self._tracking:
            self._touch(ids[online], t[online], t0)
        back = online & (tiers == COOL) & self._auto_hot[ids]
        if back.any():  # enableAutoTierToHotFromCool
            self._move(ids[back], HOT, t[back], "warming")
            self._reschedule(ids[back], day)
        month = self._cal.month_of_second(t0)
        self._egress_bytes[month] += float(self._size[ids].sum()) * self._egress_share

    def _touch(self, ids: np.ndarray, t: np.ndarray, t0: int) -> None:
        """Last-access tracking: the first read in 24 hours updates the time (one operation)."""
        update = t >= self._last_access[ids] + SECONDS_PER_DAY
        if update.any():
            self._last_access[ids[update]] = t[update]
            self._lat_operations(ids[update], t0)

    def _lat_operations(self, ids: np.ndarray, t0: int) -> None:
        """One "other operation" per blob whose last access time is updated, at its tier."""
        tiers = self._tier[ids]
        for tier in np.unique(tiers).tolist():
            self._charge(t0, TIERS[tier], "requests", "last-access-time updates",
                         float(self._objects[ids[tiers == tier]].sum()),
                         self.catalog.last_access_update_usd_per_10000, 10_000,
                         "last_access_update_usd_per_10000")

    def _rehydrate(self, ids: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Archived studies read at ``t``: Set Blob Tier to the rehydration tier; returns the
        wait. [s]"""
        r = self._rehydration
        wait_s = int(round(r.hours.value * SECONDS_PER_HOUR))
        ready = t + wait_s
        t0 = int(t.min())
        name = f"rehydration.{self._rehydrate_priority}"
        self._charge(t0, "Archive", "retrieval", f"rehydrations ({self._rehydrate_priority}), "
                     "read operations", float(self._objects[ids].sum()), r.read_usd_per_10000,
                     10_000, f"{name}.read_usd_per_10000")
        self._charge(t0, "Archive", "retrieval", f"GiB rehydrated ({self._rehydrate_priority})",
                     float(self._size[ids].sum()) / BYTES_PER_GIB, r.retrieval_usd_per_gib, 1,
                     f"{name}.retrieval_usd_per_gib")
        self._early_deletion(ids, np.full(ids.size, ARCHIVE), t)
        dest = self._rehydrate_to
        self._meter_add(ids, ARCHIVE, -1, ready)  # billed as Archive until the tier flips
        self._meter_add(ids, dest, +1, ready)
        self._tier[ids] = dest
        self._tier_since[ids] = ready
        self._ready[ids] = ready
        if self._tracking:  # the viewer's read once the study is online
            self._last_access[ids] = ready
            self._lat_operations(ids, t0)
        self.events.add(t, ids, "restore", ARCHIVE, dest)
        self._reschedule(ids, int(t0 // SECONDS_PER_DAY))
        return np.full(ids.size, float(wait_s))

    # ------------------------------------------------------------------------------ output

    def read_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        """Tier each read was served from (``MISSING``: study not held; Archive: waited for a
        rehydration) and its latency. [s]"""
        return self._read_tier, self._read_latency



def from_spec(spec, catalog, policy, workload: Workload, keep_events: bool):
    """The engine of a scenario entry (provider azure): a lifecycle-managed account, or smart
    tier."""
    from sim.scenario import AzureOptions

    engine = _engine(spec, priced_for_redundancy(
        catalog, (spec.azure or AzureOptions()).redundancy, tiers_used(spec, policy),
        f"archive {spec.name!r} azure.redundancy"), policy, workload, keep_events)
    return _with_account_options(spec, engine, workload)


def _with_account_options(spec, engine: ArchiveModel, workload: Workload) -> ArchiveModel:
    """Geo-replication of what is written (geo-redundant accounts) and reserved capacity."""
    from sim.archives.replication import WriteReplication
    from sim.archives.reserved_capacity import ReservedCapacityArchive
    from sim.scenario import AzureOptions

    options = spec.azure or AzureOptions()
    book = engine.prices
    assert book is not None  # every Azure engine bills through a price book
    catalog = book.catalog  # priced for the account's redundancy
    redundancy = catalog.redundancy.get(options.redundancy)
    if redundancy is not None and redundancy.geo_replication_usd_per_gib is not None:
        engine = WriteReplication(
            engine, redundancy.geo_replication_usd_per_gib,
            f"redundancy.{options.redundancy}.geo_replication_usd_per_gib", "geo-replication",
            workload.studies.size_bytes, workload.calendar)
    if options.reserved_capacity:
        prices = {t: (catalog.tiers[t].storage_usd_per_gib_month,
                      f"tiers.{t}.storage_usd_per_gib_month") for t in TIERS}
        engine = ReservedCapacityArchive(engine, options.reserved_capacity, prices, book,
                                         workload.calendar)
    return engine


def _engine(spec, catalog, policy, workload: Workload, keep_events: bool) -> ArchiveModel:
    from sim.scenario import AzureOptions

    options = spec.azure or AzureOptions()
    cal = workload.calendar
    start = cal.start
    hold_days = options.immutability.days if options.immutability is not None else 0
    if options.smart_tier:
        from sim.archives.azure_smart_tier import AzureSmartTierArchive

        return AzureSmartTierArchive(spec.name, catalog, with_held_deletions(workload, hold_days),
                                     spec.egress_share, keep_events)
    dates = catalog.min_billable_size_effective
    new_from = dt.date.fromisoformat(dates.new_accounts_from.value)
    all_from = dt.date.fromisoformat(dates.all_accounts_from.value)
    created = options.account_created or start
    min_size_from = max(created, new_from) if created >= new_from else all_from
    return AzureBlobArchive(
        spec.name, catalog, workload, spec.storage_class, policy, spec.object_key,
        dict(spec.object_tags), spec.egress_share, options.last_access_tracking,
        cal.midnight_s(options.policy_enabled or start), cal.midnight_s(min_size_from),
        options.rehydrate_priority, options.rehydrate_to, keep_events, hold_days)
