"""A test-only cloud provider, "fakecloud": one flat storage price per GiB-month, no policy
documents.  It is all a new provider needs: one module (this one) and one registry line
(:func:`register`, called by the test that uses it)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.archives.base import MonthUsage
from sim.archives.booked import BookedAhead
from sim.ledger import Charge
from sim.pricing.catalog import CatalogBase, Price
from sim.pricing.metering import gib_months
from sim.providers import Provider
from sim.tiering.core import Meter


class FakeCatalog(CatalogBase):
    provider: Literal["fakecloud"]
    storage_usd_per_gib_month: Price


class FakeArchive(BookedAhead):
    """Every study on one tier from upload to deletion, billed per GiB-month."""

    read_tier_names = ("FAKE",)

    def __init__(self, name: str, catalog: FakeCatalog, workload):
        end_s = self._set_up(name, catalog, workload)
        st = workload.studies
        gone = end_s < self._cal.horizon_s
        size = st.size_bytes.astype(np.float64)
        self._meter = Meter(1, self._cal.n_days)
        self._meter.change_many(np.zeros(len(st) + int(gone.sum()), dtype=np.int64),
                                np.concatenate([size, -size[gone]]),
                                np.concatenate([st.created_s, end_s[gone]]))
        self._egress = np.zeros(self._cal.n_months)
        self._cells = [{} for _ in range(self._cal.n_months)]

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        gib = gib_months(float(usage.quantity_seconds[0]), self._cal.month_full_seconds[month])
        price = self.catalog.storage_usd_per_gib_month.value
        return [Charge(self._cal.month_labels[month], self.name, "FAKE", "storage", gib,
                       "GiB-month", gib * price)]


PROVIDER = Provider(
    name="fakecloud",
    summary="a test-only flat-priced provider",
    storage_classes=("FAKE",),
    default_storage_class="FAKE",
    default_catalog="fake-catalog.yaml",
    catalog_model=FakeCatalog,
    engine="tests.fake_provider:from_spec",
)


def from_spec(spec, catalog, documents, workload, keep_events: bool) -> FakeArchive:
    return FakeArchive(spec.name, catalog, workload)
