"""An S3 bucket whose objects never change class: no reads, no Lifecycle configuration, a class
other than Intelligent-Tiering (e.g. an S3 Replication destination in DEEP_ARCHIVE).

Nothing happens to such an object between its upload and its deletion, so the engine keeps no
per-study record (:data:`sim.archives.s3_state.STUDY_STATE`, 72 bytes a study) and has nothing to
do at the end of a day: it keeps three bytes a study (present, billing tier, small objects) and
reads sizes, object counts and upload times from the workload.  What it meters and books is
what :class:`sim.archives.s3.S3Archive` meters and books for the same bucket, through the same
code: uploads (PUTs, billable bytes with minimum sizes and per-object overheads), deletions
(early deletion, the bytes leaving), and the bill (:class:`sim.archives.s3_billing.S3Billing`).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from sim.archives.s3 import S3Archive
from sim.archives.s3_tiers import CLASSES, IT_CLASS, METER_LINES, MISSING
from sim.calendar import SECONDS_PER_DAY
from sim.pricing.price_book import PriceBook
from sim.providers.aws import Catalog
from sim.tiering.core import ChargeBook, EventLog, Meter
from sim.tiering.keys import RuleMatches
from sim.workload.model import Workload, read_only


def is_static(storage_class: str, lifecycle, n_reads: int) -> bool:
    """Whether a bucket's objects stay in their upload class until deleted."""
    return lifecycle is None and n_reads == 0 and CLASSES.index(storage_class) != IT_CLASS


class StaticS3Bucket(S3Archive):
    """An S3 bucket with no reads and no Lifecycle configuration, its objects uploaded to
    ``storage_class`` (not Intelligent-Tiering) and kept there until deleted.

    Parameters
    ----------
    name
        Archive name (ledger ``archive`` column).
    catalog
        Prices and billing constants.
    workload
        The studies (its reads must be none).
    storage_class
        Class studies are uploaded to.
    keep_events
        Keep an event log (deletions).
    """

    def __init__(self, name: str, catalog: Catalog, workload: Workload, storage_class: str,
                 keep_events: bool = False):
        if not is_static(storage_class, None, len(workload.reads)):
            raise ValueError("a static S3 bucket has no reads and a class other than "
                             "INTELLIGENT_TIERING")
        self.name = name
        self.catalog = catalog
        self._cal = workload.calendar
        st = workload.studies
        n = len(st)
        # the workload's own arrays, read-only here: an assignment fails instead of changing them
        self._size = read_only(st.size_bytes)
        self._objects = read_only(st.objects)
        self._created = read_only(st.created_s)
        self._class_since = self._created  # uploaded at creation; never moved
        self._reads = workload.reads
        self._initial = CLASSES.index(storage_class)
        it_small = int(catalog.intelligent_tiering.small_object_bytes.value)
        self._small = st.size_bytes < st.objects.astype(np.int64) * it_small
        self._present = np.zeros(n, dtype=bool)
        self._tier = np.full(n, MISSING, dtype=np.int8)
        self._any_copies = False
        self._any_archive_tier = False
        self._meter = Meter(METER_LINES, self._cal.n_days)
        self._book = ChargeBook(self._cal)
        self.events = EventLog(keep_events)
        self._egress_bytes: dict[int, float] = defaultdict(float)
        self._read_tier = np.zeros(0, dtype=np.int8)
        self._read_latency = np.zeros(0, dtype=np.float32)
        self.prices = PriceBook(catalog)
        self._lock_until = None
        self._tier_params()
        self._lc_rules, self._lc_actions, self._lc_default = [], [], ""
        self._match = RuleMatches(None)

    def ingest(self, day: int, studies: np.ndarray) -> None:
        studies = studies.astype(np.int64, copy=False)
        self._present[studies] = True
        self._tier[studies] = self._initial
        self._meter_add(studies, self._initial, +1, self._created[studies])
        objects = int(self._objects[studies].sum(dtype=np.int64))
        sc = self._class(self._initial)
        self._book.add(day * SECONDS_PER_DAY, CLASSES[self._initial], "requests", "PUT requests",
                       objects, objects * sc.put_usd_per_1000.value / 1000)

    def read(self, day: int, reads: slice) -> None:
        """No reads reach this bucket."""

    def end_of_day(self, day: int) -> None:
        """Nothing is due: no lifecycle action, no Intelligent-Tiering move, no restore."""

    def _remove(self, ids: np.ndarray, t_s: int, event: str) -> None:
        if ids.size == 0:
            return
        tiers = self._tier[ids]
        self._early_deletion(ids, tiers, t_s)
        self._meter_add(ids, tiers, -1, t_s)
        self._present[ids] = False
        self.events.add(t_s, ids, event, tiers, MISSING)

