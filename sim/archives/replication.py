"""Copies in a second region: S3 Replication (a replica bucket that receives every new object)
and the copies providers keep themselves (Azure geo-redundant accounts, Google dual- and
multi-region buckets), billed per GiB written.

S3 Replication: a cloud archive and a replica bucket that receives every new object.

The replica is a second S3 engine over the same studies with no reads: it is uploaded into the
destination class as the source is (replication PUTs billed at that class), runs the destination
bucket's own lifecycle, and is deleted with the source when ``follow_deletes``.  Cross-region
replication pays the catalog's inter-region transfer per GiB replicated.  In the ledger the
replica's rows carry its tiers as ``replica CLASS``; the transfer is ``egress`` on tier
``replication`` (unit ``GiB to another region``).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from sim.archives.base import ArchiveModel, ArchiveWrapper, MonthUsage
from sim.calendar import SECONDS_PER_DAY
from sim.ledger import Charge
from sim.pricing.metering import BYTES_PER_GIB

REPLICA = "replica "
"""Prefix of the replica's tier names in the ledger."""


class ReplicatedArchive(ArchiveWrapper):
    """A source archive and its replica, billed as one archive.

    Parameters
    ----------
    source, replica
        Two S3 engines over the same studies (the replica's workload has no reads).
    source_lines
        Meter lines of the source engine (its part of the month's usage comes first).
    transfer_usd_per_gib
        Price of moving a GiB to the replica's region (0 for same-region replication). [USD]
    follow_deletes
        Whether retention's deletions also remove the replica.
    """

    def __init__(self, source: ArchiveModel, replica: ArchiveModel, source_lines: int,
                 transfer_usd_per_gib: float, follow_deletes: bool, size_bytes: np.ndarray,
                 calendar) -> None:
        super().__init__(source)
        self.source, self.replica = source, replica
        self._lines = source_lines
        self._transfer = transfer_usd_per_gib
        self._follow = follow_deletes
        self._size = size_bytes
        self._cal = calendar
        self._replicated: dict[int, float] = defaultdict(float)  # bytes per month

    @property
    def unconfirmed_prices(self) -> list[str]:
        return sorted(set(self.source.unconfirmed_prices) | set(self.replica.unconfirmed_prices))

    def delete(self, day: int, studies: np.ndarray) -> None:
        self.source.delete(day, studies)
        if self._follow:
            self.replica.delete(day, studies)

    def ingest(self, day: int, studies: np.ndarray) -> None:
        self.source.ingest(day, studies)
        self.replica.ingest(day, studies)
        month = self._cal.month_of_second(day * SECONDS_PER_DAY)
        self._replicated[month] += float(self._size[studies].sum())

    def end_of_day(self, day: int) -> None:
        self.source.end_of_day(day)
        self.replica.end_of_day(day)

    def close_month(self, month: int) -> MonthUsage:
        mine, theirs = self.source.close_month(month), self.replica.close_month(month)
        cells = dict(mine.event_charges)
        for (tier, category, unit), cell in theirs.event_charges.items():
            cells[(REPLICA + tier, category, unit)] = cell
        gib = self._replicated.pop(month, 0.0) / BYTES_PER_GIB
        if gib and self._transfer:
            cells[("replication", "egress", "GiB to another region")] = (gib, gib * self._transfer)
        return MonthUsage(np.concatenate([mine.quantity_seconds, theirs.quantity_seconds]),
                          mine.egress_bytes, cells)

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        q = usage.quantity_seconds
        own = self.source.bill(month, MonthUsage(q[:self._lines], usage.egress_bytes,
                                                 usage.event_charges))
        replica = self.replica.bill(month, MonthUsage(q[self._lines:]))
        return own + [Charge(c.month, self.name, REPLICA + c.tier, c.category, c.quantity,
                             c.unit, c.amount_usd) for c in replica]


class WriteReplication(ArchiveWrapper):
    """A storage account or bucket that the provider itself copies to a second region (Azure
    GRS/RA-GRS/GZRS/RA-GZRS, Google Cloud Storage dual- and multi-regions): storage and
    operations are billed at the catalog's prices for that redundancy or location (the inner
    engine's), and every byte written is billed once more per GiB for the copy to the other
    region.  Studies held at the start are written in the first month (the copy of an existing
    archive, as converting an account or moving a bucket copies everything once).

    In the ledger: category ``egress``, tier ``tier`` (e.g. ``geo-replication``), unit
    ``GiB replicated``.

    Parameters
    ----------
    inner
        The engine, already priced at the redundancy's storage and operation prices.
    price, price_path
        The replication price per GiB written and its catalog path. [USD/GiB]
    """

    def __init__(self, inner: ArchiveModel, price, price_path: str, tier: str,
                 size_bytes: np.ndarray, calendar) -> None:
        super().__init__(inner)
        self._price, self._path, self._tier = price, price_path, tier
        self._size = size_bytes
        self._cal = calendar
        self._written: dict[int, float] = defaultdict(float)  # bytes per month

    @property
    def unconfirmed_prices(self) -> list[str]:
        own = [f"{self.prices.catalog.catalog}.{self._path}"] \
            if self.prices is not None and self._price.confidence == "UNCONFIRMED" else []
        return sorted(set(self.inner.unconfirmed_prices) | set(own))

    def ingest(self, day: int, studies: np.ndarray) -> None:
        self.inner.ingest(day, studies)
        month = self._cal.month_of_second(day * SECONDS_PER_DAY)
        self._written[month] += float(self._size[studies].sum())

    def close_month(self, month: int) -> MonthUsage:
        usage = self.inner.close_month(month)
        gib = self._written.pop(month, 0.0) / BYTES_PER_GIB
        if not gib:
            return usage
        cells = dict(usage.event_charges)
        key = (self._tier, "egress", "GiB replicated")
        q0, a0 = cells.get(key, (0.0, 0.0))
        cells[key] = (q0 + gib, a0 + gib * self._price.value)
        return MonthUsage(usage.quantity_seconds, usage.egress_bytes, cells, usage.daily_levels)
