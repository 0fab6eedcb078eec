"""The S3 engine's per-study state and the helpers its parts share, declared once so that the
engine (:mod:`sim.archives.s3`), its Intelligent-Tiering planner
(:mod:`sim.archives.s3_intelligent_tiering`) and its billing (:mod:`sim.archives.s3_billing`) are
checked against one definition.  Arrays are indexed by study unless noted."""

from __future__ import annotations

import numpy as np

from sim.archives.base import ArchiveModel
from sim.calendar import Calendar
from sim.errors import InputError
from sim.jit import kernel
from sim.pricing.price_book import PriceBook
from sim.providers.aws import Catalog, StorageClass
from sim.tiering.core import ChargeBook, DueCalendar, EventLog, Meter
from sim.workload.model import Reads

STUDY_STATE = np.dtype([
    ("size_bytes", np.int64), ("delete_s", np.int64), ("it_ready_s", np.int64),
    ("last_access_s", np.int64), ("class_since_s", np.int64),
    ("objects", np.int32), ("read_next", np.int32), ("read_end", np.int32), ("due_day", np.int32),
    ("stamp", np.int32), ("aa_days", np.int16), ("daa_days", np.int16),
    ("tier", np.int8), ("small", np.bool_), ("present", np.bool_),
], align=True)
"""One record per study of what the engine looks up for a study in its daily steps.  A day's
studies are scattered over millions, so each lookup misses the CPU cache; with a study's fields
side by side one miss brings them all (the daily kernels of the academic medical center ran about
1.6 times as fast as with one array per field).  Aligned (72 bytes): with unaligned records
numpy's scatters into the fields were slow enough to cancel the gain.  Counts, read positions and
days are 32-bit (a workload's object counts are int32; :func:`new_study_state` refuses an engine
with 2^31 reads or more); times and sizes 64-bit.  The engine's per-field arrays (``_tier``,
``_present``, ...) are views of it; Python code that multiplies ``objects`` converts it to int64
first."""


def new_study_state(size_bytes: np.ndarray, objects: np.ndarray, delete_s: np.ndarray,
                    read_start: np.ndarray, small_object_bytes: int,
                    missing_tier: int) -> np.ndarray:
    """The :data:`STUDY_STATE` records of studies not yet ingested: their size, objects and
    deletion time, whether their objects are small (under ``small_object_bytes`` each, not
    monitored by Intelligent-Tiering), their reads (``read_start``: where each study's reads
    start in study order, and the number of reads at the end), no due day, tier
    ``missing_tier``, nothing else set.  One pass over the records."""
    if read_start.size and read_start[-1] >= 2**31:
        raise InputError(f"workload: {int(read_start[-1]):,} reads in one S3 archive's run; it "
                         "holds at most 2,147,483,647: split the workload into workload.cohorts")
    state = np.zeros(size_bytes.size, dtype=STUDY_STATE)
    _fill_state(state, size_bytes, objects, delete_s, read_start, small_object_bytes,
                missing_tier)
    return state


@kernel
def _fill_state(state, size_bytes, objects, delete_s, read_start, small_object_bytes,
                missing_tier):  # pragma: no cover - compiled
    for s in range(state.size):
        r = state[s]
        r.size_bytes = size_bytes[s]
        r.objects = objects[s]
        r.delete_s = delete_s[s]
        r.small = size_bytes[s] < np.int64(objects[s]) * small_object_bytes
        r.read_next = read_start[s]
        r.read_end = read_start[s + 1]
        r.due_day = -1
        r.stamp = -1
        r.tier = missing_tier


class S3State(ArchiveModel):
    """What the S3 engine's parts share (set by :class:`sim.archives.s3.S3Archive`)."""

    catalog: Catalog
    events: EventLog
    _cal: Calendar
    _calendar: DueCalendar
    _book: ChargeBook
    _reads: Reads
    _state: np.ndarray
    """Per-study record (:data:`STUDY_STATE`); the per-field arrays below are views of it."""
    _size: np.ndarray
    _objects: np.ndarray
    _delete_s: np.ndarray
    _small: np.ndarray
    _present: np.ndarray
    _tier: np.ndarray
    _class_since: np.ndarray
    _last_access: np.ndarray
    _it_ready: np.ndarray
    _aa_days: np.ndarray
    _daa_days: np.ndarray
    _any_archive_tier: bool
    _restore_tier: str
    _restored_due: dict[int, list[tuple]]
    _plan_requests: list[tuple[np.ndarray, np.ndarray]]
    _stamp: np.ndarray
    _read_times: np.ndarray
    _read_start: np.ndarray
    _read_next: np.ndarray
    _read_end: np.ndarray
    _quiet_after_read: np.ndarray
    _min_days: np.ndarray
    _min_bytes: np.ndarray
    _ovh_class: np.ndarray
    _ovh_std: np.ndarray
    _plain: np.ndarray
    _meter: Meter
    prices: PriceBook

    def _class(self, class_index: int) -> StorageClass:
        raise NotImplementedError

    def _billable(self, ids: np.ndarray, tier: int) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _move(self, ids: np.ndarray, new_tiers: np.ndarray, t_s) -> None:
        raise NotImplementedError

    def _shift(self, ids: np.ndarray, old: np.ndarray, new: np.ndarray | int, t_s) -> None:
        raise NotImplementedError

    def _bill_restore(self, ids, t, option, tier_name: str, price_name: str) -> None:
        raise NotImplementedError

    def _storage_charges(self, label: str, gib_months: np.ndarray) -> list:
        raise NotImplementedError

    def _plan_it(self, ids: np.ndarray, now_s) -> None:
        raise NotImplementedError

    def _push_it_restored(self, ids: np.ndarray, when: np.ndarray) -> None:
        raise NotImplementedError
