"""The billing rules of sim/pricing, each a small function, by hand; and every docstring example
in the package runs (doctests)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

from sim.pricing.catalog import Band, BandedPrice, Price
from sim.pricing.early_deletion import early_deletion_byte_seconds, early_deletion_gib_hours
from sim.pricing.egress import egress_cost
from sim.pricing.metering import gib_months
from sim.pricing.object_size import billable_bytes
from sim.pricing.price_book import PriceBook
from sim.pricing.volume_bands import banded_cost

DAY = 86_400
GIB = 2**30


def test_early_deletion_owes_the_rest_of_the_minimum():
    """GLACIER (90 days): 1 GiB + 40 KiB billable, deleted after 30 days 12 h: owes 59.5 days;
    a study past the minimum owes nothing.  Google: 2 GiB Nearline (30 days) removed on day 10
    owes 20 days = 480 h x 2 GiB = 960 GiB-hours."""
    owed = early_deletion_byte_seconds(np.array([GIB + 40 * 1024, GIB]),
                                       np.array([30.5 * DAY, 91 * DAY]), 90)
    assert owed.tolist() == [(GIB + 40 * 1024) * 59.5 * DAY, 0.0]
    assert early_deletion_gib_hours(np.array([2 * GIB]), np.array([10 * DAY]), 30).tolist() \
        == [960.0]


def test_volume_bands_and_egress():
    """S3 Standard: 60,000 GiB-months = 51,200 x 0.023 + 8,800 x 0.022 = 1,177.6 + 193.6.
    AWS egress of 12,000 GiB with 100 free, bands on the whole volume: 10,140 x 0.09 +
    1,760 x 0.085 = 912.6 + 149.6; Azure-style bands after the allowance: 10,240 x 0.09 +
    1,660 x 0.085 = 921.6 + 141.1."""
    assert banded_cost(60_000, [0, 51_200, 512_000], [0.023, 0.022, 0.021]) == \
        pytest.approx(1371.2)
    edges, prices = [0, 10_240, 51_200], [0.09, 0.085, 0.07]
    assert egress_cost(12_000, 100, edges, prices) == pytest.approx(1062.2)
    assert egress_cost(12_000, 100, edges, prices, edges_on_total=False) == \
        pytest.approx(1062.7)
    assert egress_cost(80, 100, edges, prices) == 0.0


def test_minimum_size_and_gib_months():
    """A 6 KiB object in STANDARD_IA is billed as 128 KiB; 3 objects of a 300 KiB study (100 KiB
    each) as 3 x 128 KiB = 384 KiB.  1 GiB for half of a 30-day month = 0.5 GiB-month."""
    assert billable_bytes(np.array([6 * 1024]), np.array([1]), 128 * 1024).tolist() == \
        [128 * 1024]
    assert billable_bytes(np.array([300 * 1024]), np.array([3]), 128 * 1024).tolist() == \
        [384 * 1024]
    assert gib_months(GIB * 15 * DAY, 30 * DAY) == 0.5


def test_price_book_notes_the_stand_ins_a_bill_uses():
    """A sourced price is not noted; an UNCONFIRMED one is, once; a band is noted only when the
    quantity reaches it: 600 GiB-months at 0.02 to 512, then 0.01 = 10.24 + 0.88."""
    book = PriceBook(type("Catalog", (), {"catalog": "demo"})())
    sourced = Price(value=0.5, source="page", as_of="2026", confidence="P")
    stand_in = Price(value=0.3, source="none", as_of="2026", confidence="UNCONFIRMED")
    assert book.cost(sourced, 2, "a") == 1.0 and book.unconfirmed == []
    book.use(stand_in, "b")
    book.use(stand_in, "b")
    banded = BandedPrice(bands=[Band(from_gib=0, value=0.02),
                                Band(from_gib=512, value=0.01, confidence="UNCONFIRMED")],
                         source="s", as_of="2026", confidence="S")
    assert book.cost(banded, 500, "c") == pytest.approx(10.0)
    assert book.unconfirmed == ["demo.b"]
    assert book.cost(banded, 600, "c") == pytest.approx(10.24 + 0.88)
    assert book.unconfirmed == ["demo.b", "demo.c.bands[1]"]


@pytest.mark.parametrize("module", sorted(
    m.name for m in pkgutil.iter_modules(importlib.import_module("sim.pricing").__path__,
                                         "sim.pricing.")))
def test_docstring_examples(module):
    failures, _ = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert failures == 0


def test_compiled_study_billable_bytes_is_the_same_rule():
    from sim.pricing.object_size import study_billable_bytes

    # 2 objects of 5 KB under a 128 KB minimum: 2 x 131,072 = 262,144
    assert study_billable_bytes(10 * 1024, 2, 128 * 1024, 0) == 262_144
    # 3 objects in Deep Archive: 1,000,000 + 3 x 32,768 (class-rate overhead) = 1,098,304
    assert study_billable_bytes(1_000_000, 3, 0, 32_768) == 1_098_304
    for size, objects, minimum, overhead in [(0, 1, 131_072, 0), (5 * 2**30, 400, 131_072, 0),
                                             (7, 1, 0, 32_768)]:
        expected = billable_bytes(np.array([size]), np.array([objects]), minimum, overhead)[0]
        assert study_billable_bytes(size, objects, minimum, overhead) == expected
