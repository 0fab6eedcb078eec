"""Invariants over random scenarios (hypothesis): bytes are conserved, charges are never
negative, the same seed gives the identical ledger."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.archives.flat import FlatArchive
from sim.des import run_loop
from sim.pricing.metering import BYTES_PER_GIB
from sim.workload import NEVER, generate_workload
from tests.conftest import small_academic

scenarios = st.builds(
    lambda annual, months, years, forever, start, seed, layout: small_academic(**{
        "workload.annual_studies": annual,
        "horizon_months": months,
        "start": start,
        "seed": seed,
        "workload.object_layout": layout,
        "workload.retention": {"keep_forever": True} if forever else {
            "adult_years": years,
            "minors": {"below_age": 18, "until_age": 18, "plus_years": 0.5},
            "mammography": {"years": years / 2, "years_without_return": years},
        },
    }),
    annual=st.integers(200, 4000),
    months=st.integers(1, 30),
    years=st.floats(0.02, 2.0),
    forever=st.booleans(),
    start=st.dates(dt.date(2025, 1, 1), dt.date(2032, 12, 31)),
    seed=st.integers(0, 2**32 - 1),
    layout=st.sampled_from(["instance", "series", "study"]),
)

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenario=scenarios)
def test_bytes_are_conserved_and_billed_exactly_once(scenario):
    """Bytes stored at the end = ingested - deleted; and billed GiB-months equal an independent
    closed-form sum of size x time stored in each calendar month."""
    workload = generate_workload(scenario)
    archive = FlatArchive(scenario.archives[0], workload)
    charges = run_loop(workload, [archive])
    studies = workload.studies
    kept = studies.delete_s == NEVER
    assert archive.stored_bytes == int(studies.size_bytes[kept].sum())

    cal = workload.calendar
    end = np.minimum(studies.delete_s, cal.horizon_s)
    bounds = cal.month_bounds_s
    expected = []
    for m in range(cal.n_months):
        overlap = np.clip(np.minimum(end, bounds[m + 1]) - np.maximum(studies.created_s, bounds[m]),
                          0, None)
        byte_s = float(np.sum(studies.size_bytes.astype(float) * overlap))
        expected.append(byte_s / BYTES_PER_GIB / cal.month_full_seconds[m])
    billed = [c.quantity for c in charges]
    np.testing.assert_allclose(billed, expected, rtol=1e-9, atol=1e-12)


@SETTINGS
@given(scenario=scenarios)
def test_no_charge_is_negative(scenario):
    ledger = sim.run(scenario).ledger
    assert (ledger["amount_usd"] >= 0).all()
    assert (ledger["quantity"] >= 0).all()


@settings(max_examples=8, deadline=None)
@given(scenario=scenarios)
def test_same_seed_gives_the_identical_ledger(scenario):
    first = sim.run(scenario)
    second = sim.run(scenario)
    pd.testing.assert_frame_equal(first.ledger, second.ledger, check_exact=True)
    pd.testing.assert_frame_equal(first.workload_table, second.workload_table, check_exact=True)
