"""A cloud archive reached over the site's internet link: reads while the link is down miss, and
every read served from the cloud also waits for its bytes to come over the link.  With a
migration, the hospital's existing archive is uploaded at the start, oldest study first: each
study enters the cloud engine (PUTs, storage, lifecycle clock) when its bytes have crossed, the
old archive serves it until then and keeps running (and costing) until the upload is done.

The cloud engine is built on the workload's reads that actually reach it (decided up front: the
outage windows and, for a hybrid, the cache's hits are known before the run), so access-based
tiering (Intelligent-Tiering's idle clock) sees exactly the accesses the provider would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from sim.archives.base import MISSING, UNAVAILABLE, ArchiveModel, ArchiveWrapper, MonthUsage
from sim.calendar import SECONDS_PER_DAY
from sim.jit import kernel
from sim.ledger import Charge
from sim.network import Link
from sim.pricing.metering import BYTES_PER_GIB
from sim.scenario import Migration
from sim.scenario.cloud import MIGRATION_SHARE_OF_HISTORY, tb_per_week_to_mbps
from sim.tiering.core import ChargeBook
from sim.workload.model import NEVER, Reads, Studies, Workload

SECONDS_PER_WEEK = 7 * SECONDS_PER_DAY

OLD_ARCHIVE = "old-archive"
"""Tier name of the archive being migrated away from (reads it serves, its costs)."""


def upload_schedule(size_bytes: np.ndarray, delete_s: np.ndarray, existing: np.ndarray,
                    mbps: float, studies_per_hour: float | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Which existing studies are uploaded, oldest first, and when each has arrived. [s]

    The upload runs back to back at ``mbps`` (the lesser of the link and the old VNA's export
    rate in bytes): study k arrives when the bytes of studies 0..k have crossed (rounded up to
    the second), and, with ``studies_per_hour``, not before (k + 1) x 3600 / studies_per_hour.
    Studies that retention deletes before their turn are left out (the schedule is computed
    twice: without them, the others come sooner).
    """
    def arrivals(ids: np.ndarray) -> np.ndarray:
        by_bytes = np.ceil(np.cumsum(size_bytes[ids], dtype=np.float64) * 8 / (mbps * 1e6))
        if studies_per_hour is not None:
            by_count = np.ceil(np.arange(1, ids.size + 1) * 3600.0 / studies_per_hour)
            by_bytes = np.maximum(by_bytes, by_count)
        return by_bytes.astype(np.int64)

    candidates = np.flatnonzero(existing)
    for _ in range(2):
        keep = delete_s[candidates] > arrivals(candidates)
        if keep.all():
            break
        candidates = candidates[keep]
    return candidates, arrivals(candidates)


def with_reads(workload: Workload, keep: np.ndarray) -> Workload:
    """The workload with only the reads where ``keep`` (same studies)."""
    r = workload.reads
    return Workload(workload.calendar, workload.modalities, workload.studies,
                    Reads(r.study[keep], r.time_s[keep], r.kind[keep]))


@dataclass(frozen=True, eq=False)
class UploadPlan:
    """A migration's upload over the whole archive (computed before any split into shards)."""

    arrival_s: np.ndarray
    """When each study has arrived in the cloud, or ``NEVER`` (new studies, or not uploaded
    because retention deletes them first). [s], per study"""
    done_s: int
    """When the last study has arrived. [s]"""
    studies: int
    bytes: int

    def part(self, study_ids: np.ndarray) -> UploadPlan:
        """The plan for a shard's studies (the totals stay the whole archive's)."""
        return UploadPlan(self.arrival_s[study_ids], self.done_s, self.studies, self.bytes)


def plan_upload(workload: Workload, migration: Migration,
                only: np.ndarray | None = None) -> UploadPlan:
    """The upload schedule of the existing archive in ``workload`` (of the studies in ``only``,
    when given: a tiered hybrid migrates only those already past its window)."""
    st = workload.studies
    existing = st.acquisition_s < st.created_s
    if only is not None:
        existing = existing & only
    mbps = migration.rate_mbps
    if migration.export_tb_per_week is None and migration.export_studies_per_hour is None:
        mbps = min(mbps, tb_per_week_to_mbps(default_export_tb_per_week(
            st.size_bytes[existing], st.acquisition_s[existing])))
    ids, arrival = upload_schedule(st.size_bytes, st.delete_s, existing, mbps,
                                   migration.export_studies_per_hour)
    arrival_s = np.full(len(st), NEVER, dtype=np.int64)
    arrival_s[ids] = arrival
    return UploadPlan(arrival_s, int(arrival[-1]) if arrival.size else 0, int(ids.size),
                      int(st.size_bytes[ids].sum()))


def default_export_tb_per_week(size_bytes: np.ndarray, acquisition_s: np.ndarray) -> float:
    """The export rate at which studies acquired over some years move in
    :data:`~sim.scenario.cloud.MIGRATION_SHARE_OF_HISTORY` of those years: their bytes over
    that share of the span from the oldest acquisition to the start (at least a week). [TB/week]

    >>> # 400 TB acquired over 5 years move in 1.25 years = 65.2 weeks: 6.13 TB a week
    >>> round(default_export_tb_per_week(np.array([4e14]), np.array([-5 * 365.25 * 86_400])), 2)
    6.13
    """
    if not size_bytes.size:
        return float("inf")
    span_weeks = max(-float(acquisition_s.min()) / SECONDS_PER_WEEK, 1.0)
    return float(size_bytes.sum(dtype=np.float64)) / 1e12 / (
        MIGRATION_SHARE_OF_HISTORY * span_weeks)


def take(studies: Studies, ids: np.ndarray) -> Studies:
    """The studies ``ids`` (every per-study array indexed)."""
    parts: dict[str, Any] = {f.name: None if (v := getattr(studies, f.name)) is None
                             else v[ids] for f in fields(Studies)}
    return Studies(**parts)


class LinkedCloud(ArchiveWrapper):
    """Wraps a cloud archive model (what is not overridden here is passed on to it) so that it
    serves only the reads in ``reaches`` and, with a ``migration``, receives the existing
    archive's studies as they are uploaded (reads of those not uploaded yet are served by the
    old archive).

    With ``moves_s`` (a tiered hybrid), each study enters the cloud when it moves there (upload
    then, its lifecycle clock from then), not at acquisition; the migration, if any, moves the
    studies already past the window at the start.  The cloud engine only ever sees the studies
    that reach the cloud (renumbered), so a study that never arrives costs nothing there."""

    def __init__(self, build: Callable[[Workload], ArchiveModel], workload: Workload,
                 reaches: np.ndarray, link: Link, migration: Migration | None = None,
                 plan: UploadPlan | None = None, moves_s: np.ndarray | None = None):
        st = workload.studies
        n = len(st)
        self._cal = workload.calendar
        self._n_reads = len(workload.reads)
        self._migration = migration
        self._book = ChargeBook(self._cal)
        arrival = st.created_s.copy()  # when each study enters the cloud
        scheduled = np.zeros(n, dtype=bool)  # ... by upload on that day, not at its ingest
        if moves_s is not None:
            arrival = np.maximum(moves_s, st.created_s)
            scheduled[:] = True
        old_served = np.zeros(self._n_reads, dtype=bool)
        if migration is not None:
            existing = st.acquisition_s < st.created_s
            planned = existing if moves_s is None else existing & (moves_s <= 0)
            plan = plan or plan_upload(workload, migration, planned)
            self.plan = plan
            arrival[planned] = plan.arrival_s[planned]  # NEVER: deleted before its turn
            scheduled |= planned
            self.upload_done_s = plan.done_s
            old_served = planned[workload.reads.study] & \
                (workload.reads.time_s < arrival[workload.reads.study])
        in_cloud = ~scheduled | (arrival < self._cal.horizon_s)
        self._scheduled = scheduled
        self._old_served = old_served
        reaches = reaches & ~old_served & in_cloud[workload.reads.study]
        every_read = bool(reaches.all())
        # the reads the cloud serves, as positions in the workload's reads (all: no index)
        self._positions: np.ndarray | slice = slice(None) if every_read \
            else np.flatnonzero(reaches)
        uploads = np.flatnonzero(scheduled & in_cloud)
        uploads = uploads[np.argsort(arrival[uploads], kind="stable")]
        self._uploads = uploads
        self._arrival_day = arrival[uploads] // SECONDS_PER_DAY
        self._in_cloud = in_cloud
        self._everyone = bool(in_cloud.all())
        if self._everyone:
            inner_studies = replace(st, created_s=arrival)
        else:
            inner_ids = np.flatnonzero(in_cloud)
            self._inner_index = np.full(n, -1, dtype=np.int64)
            self._inner_index[inner_ids] = np.arange(inner_ids.size)
            inner_studies = replace(take(st, inner_ids), created_s=arrival[inner_ids])
        rd = workload.reads
        # the reads the cloud serves, numbered as its studies (the workload's own when they are
        # all of them: no copy of millions of rows)
        served = rd if every_read else Reads(rd.study[reaches], rd.time_s[reaches],
                                             rd.kind[reaches])
        inner_reads = served if self._everyone else Reads(
            self._inner(served.study).astype(rd.study.dtype), served.time_s, served.kind)
        inner_workload = Workload(workload.calendar, workload.modalities, inner_studies,
                                  inner_reads)
        super().__init__(build(inner_workload))
        self.read_tier_names = self.inner.read_tier_names + (
            (OLD_ARCHIVE,) if migration is not None else ())
        day_starts = np.arange(self._cal.n_days + 1, dtype=np.int64) * SECONDS_PER_DAY
        self._first = np.searchsorted(inner_reads.time_s, day_starts)
        self._link, self._read_study = link, rd.study  # for the transfer times, at the end
        self._size = st.size_bytes
        self._uploaded_until_day = -1

    def _inner(self, studies: np.ndarray) -> np.ndarray:
        """The cloud engine's numbers for ``studies`` (all of them in the cloud)."""
        return studies if self._everyone else self._inner_index[studies]

    def migration_figures(self) -> dict[str, float | int | str] | None:
        """The upload: studies and bytes moved, how long it took, when it was done."""
        if self._migration is None:
            return None
        done = self._cal.start + dt.timedelta(seconds=self.upload_done_s)
        return {"studies_uploaded": self.plan.studies,
                "bytes_uploaded": self.plan.bytes,
                "upload_days": self.upload_done_s / SECONDS_PER_DAY,
                "upload_done": done.isoformat(),
                "rate_tb_per_week": self.plan.bytes / 1e12 / max(
                    self.upload_done_s / SECONDS_PER_WEEK, 1e-9)}

    def _upload(self, day: int) -> None:
        """Hand the studies uploaded today to the cloud engine (once per day)."""
        if self._uploaded_until_day >= day or not self._uploads.size:
            return
        self._uploaded_until_day = day
        lo, hi = np.searchsorted(self._arrival_day, [day, day + 1])
        if hi > lo:
            today = self._uploads[lo:hi]
            self.inner.ingest(day, self._inner(today))
            m = self._migration
            if m is None:
                return
            today = today[self.plan.arrival_s[today] != NEVER]  # the migration's part
            moved_bytes = float(self._size[today].sum())
            when = day * SECONDS_PER_DAY
            if m.source_egress_usd_per_gib:
                gib = moved_bytes / BYTES_PER_GIB
                self._book.add(when, OLD_ARCHIVE, "migration", "GiB egress from the old archive",
                               gib, gib * m.source_egress_usd_per_gib)
            if m.services_usd_per_study:
                self._book.add(when, OLD_ARCHIVE, "migration", "studies migrated (services)",
                               float(today.size), today.size * m.services_usd_per_study)
            if m.services_usd_per_tb:
                tb = moved_bytes / 1e12
                self._book.add(when, OLD_ARCHIVE, "migration", "TB migrated (services)", tb,
                               tb * m.services_usd_per_tb)

    def delete(self, day: int, studies: np.ndarray) -> None:
        if not self._everyone:
            studies = studies[self._in_cloud[studies]]
        self.inner.delete(day, self._inner(studies))

    def ingest(self, day: int, studies: np.ndarray) -> None:
        self._upload(day)
        studies = studies[~self._scheduled[studies]]  # the others come by upload
        if studies.size:
            self.inner.ingest(day, self._inner(studies))

    def read(self, day: int, reads: slice) -> None:
        self._upload(day)
        lo, hi = int(self._first[day]), int(self._first[day + 1])
        if hi > lo:
            self.inner.read(day, slice(lo, hi))

    def end_of_day(self, day: int) -> None:
        self._upload(day)
        self.inner.end_of_day(day)

    def close_month(self, month: int) -> MonthUsage:
        usage = self.inner.close_month(month)
        cells = self._book.close_month(month)
        if not cells:
            return usage
        return MonthUsage(usage.quantity_seconds, usage.egress_bytes,
                          {**usage.event_charges, **cells}, usage.daily_levels)

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        return self.inner.bill(month, usage) + self.migration_charges(month)

    def migration_charges(self, month: int) -> list[Charge]:
        """The migration's fixed costs in ``month``: the project at the start, the old archive
        running until the upload is done (prorated by time), its decommissioning then.  Billed
        once for the whole archive (not per shard)."""
        m = self._migration
        if m is None:
            return []
        cal = self._cal
        label = cal.month_labels[month]
        lo, hi = int(cal.month_bounds_s[month]), int(cal.month_bounds_s[month + 1])
        charges = []
        if month == 0 and m.project_usd:
            charges.append(Charge(label, self.name, OLD_ARCHIVE, "migration",
                                  1.0, "migration project", m.project_usd))
        for begin_s, end_s, usd_per_month, unit in self._old_archive_periods(m):
            running = max(0, min(hi, end_s) - max(lo, begin_s))
            if running and usd_per_month:
                share = running / float(cal.month_full_seconds[month])
                charges.append(Charge(label, self.name, OLD_ARCHIVE, "migration", share, unit,
                                      share * usd_per_month))
        if lo <= self.upload_done_s < hi and m.decommission_usd:
            charges.append(Charge(label, self.name, OLD_ARCHIVE, "migration", 1.0,
                                  "decommissioning", m.decommission_usd))
        return charges

    def _old_archive_periods(self, m: Migration) -> list[tuple[int, int, float, str]]:
        """When the old archive is paid for, at what price: until the upload is done; with a
        support contract, until the contract's end at least (paid even if switched off
        sooner), then at the renewal price while the upload goes on. [s], [USD/month]"""
        done = self.upload_done_s
        if m.old_contract_ends is None:
            return [(0, done, m.old_system_usd_per_month, "months the old archive runs")]
        last_paid_day = m.old_contract_ends
        end = max(0, self._cal.midnight_s(last_paid_day + dt.timedelta(days=1)))
        renewal = m.old_system_usd_per_month if m.old_renewal_usd_per_month is None \
            else m.old_renewal_usd_per_month
        return [(0, end, m.old_system_usd_per_month, "months of the old archive's contract"),
                (end, done, renewal, "months the old archive runs on a renewed contract")]

    def read_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        """Outcomes of every read of the workload: reads that did not reach the cloud are
        ``UNAVAILABLE`` (or served by the old archive during a migration); served ones take
        their transfer time over the link on top. [s]"""
        outcomes = self.inner.read_outcomes()
        assert outcomes is not None  # every cloud engine keeps its read outcomes
        inner_tier, inner_latency = outcomes
        tier = np.full(self._n_reads, UNAVAILABLE, dtype=np.int8)
        latency = np.full(self._n_reads, np.nan, dtype=np.float32)
        tier[self._positions] = inner_tier
        served = inner_tier != MISSING
        transfer_s = np.zeros(inner_tier.size, dtype=np.float32) \
            if self._link.wan_mbps is None else _transfer_s(
                self._size, self._read_study[self._positions], self._link.wan_mbps)
        latency[self._positions] = np.where(served, inner_latency + transfer_s, np.nan)
        if self._migration is not None:
            tier[self._old_served] = len(self.read_tier_names) - 1
            latency[self._old_served] = self._migration.old_read_latency_s
        return tier, latency


@kernel
def _transfer_s(size_bytes, study, wan_mbps):  # pragma: no cover - compiled
    """Time each read of a ``study`` takes to bring the study's bytes over a link of
    ``wan_mbps`` (computed in float64, kept as float32). [s]"""
    out = np.empty(study.size, dtype=np.float32)
    for k in range(study.size):
        out[k] = np.float64(size_bytes[study[k]]) * 8 / (wan_mbps * 1e6)
    return out
