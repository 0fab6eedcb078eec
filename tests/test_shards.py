"""Shards: a run split by study gives the same bill as one piece, and the same bits whether its
shards run one after another or on several processes (serial equals parallel)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from sim.archives import shardable
from sim.ledger import ledger_frame
from sim.shards import shard_count, simulate, split
from sim.workload import generate_workload
from tests.conftest import small_academic
from tests.test_s3_properties import s3_scenarios


def _same_outcomes(a, b):
    for x, y in zip(a.read_outcomes, b.read_outcomes, strict=True):
        assert (x is None) == (y is None)
        if x is not None:
            np.testing.assert_array_equal(x[0], y[0])
            np.testing.assert_array_equal(x[1], y[1])
    for x, y in zip(a.events, b.events, strict=True):
        assert (x is None) == (y is None)
        if x is None:
            continue
        order_x = np.lexsort((x["to_tier"], x["event"], x["study"], x["time_s"]))
        order_y = np.lexsort((y["to_tier"], y["event"], y["study"], y["time_s"]))
        for key in x:
            np.testing.assert_array_equal(x[key][order_x], y[key][order_y])
    assert a.unconfirmed == b.unconfirmed


@settings(max_examples=4, deadline=None)
@given(scenario=s3_scenarios())
def test_serial_equals_parallel_bit_for_bit(scenario):
    workload = generate_workload(scenario)
    serial = simulate(workload, list(scenario.archives), jobs=1, keep_events=True, shards=2)
    parallel = simulate(workload, list(scenario.archives), jobs=2, keep_events=True, shards=2)
    pd.testing.assert_frame_equal(ledger_frame(serial.charges), ledger_frame(parallel.charges),
                                  check_exact=True)
    _same_outcomes(serial, parallel)


@settings(max_examples=4, deadline=None)
@given(scenario=s3_scenarios())
def test_shards_add_up_to_the_whole(scenario):
    """Two shards billed together give the one-piece bill (to float rounding: the byte-seconds
    are summed in a different order) and exactly the same reads and events."""
    workload = generate_workload(scenario)
    whole = simulate(workload, list(scenario.archives), keep_events=True, shards=1)
    parts = simulate(workload, list(scenario.archives), keep_events=True, shards=2)
    a, b = ledger_frame(whole.charges), ledger_frame(parts.charges)
    pd.testing.assert_frame_equal(a.drop(columns=["quantity", "amount_usd"]),
                                  b.drop(columns=["quantity", "amount_usd"]))
    np.testing.assert_allclose(b["quantity"], a["quantity"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b["amount_usd"], a["amount_usd"], rtol=1e-12, atol=1e-12)
    _same_outcomes(whole, parts)


def test_split_partitions_studies_and_reads():
    workload = generate_workload(small_academic(**{"workload.annual_studies": 2000}))
    parts = [split(workload, i, 3) for i in range(3)]
    studies = np.sort(np.concatenate([p.study_ids for p in parts]))
    read_ids = [np.flatnonzero(workload.reads.study % 3 == i) for i in range(3)]
    reads = np.sort(np.concatenate(read_ids))
    np.testing.assert_array_equal(studies, np.arange(len(workload.studies)))
    np.testing.assert_array_equal(reads, np.arange(len(workload.reads)))
    for p, ids in zip(parts, read_ids, strict=True):
        # local study numbers point at the same studies; reads keep their time order
        np.testing.assert_array_equal(p.study_ids[p.workload.reads.study],
                                      workload.reads.study[ids])
        np.testing.assert_array_equal(p.workload.studies.size_bytes,
                                      workload.studies.size_bytes[p.study_ids])
        assert (np.diff(p.workload.reads.time_s) >= 0).all()
        assert (np.diff(p.workload.studies.created_s) >= 0).all()


@pytest.mark.parametrize(("n", "count"), [(0, 1), (999_999, 1), (1_000_000, 2), (10**8, 2)])
def test_shard_count_depends_on_size_only(n, count):
    assert shard_count(n) == count


def test_flat_archive_in_shards_bills_the_same():
    scenario = small_academic(**{"workload.annual_studies": 3000, "horizon_months": 14})
    workload = generate_workload(scenario)
    whole = ledger_frame(simulate(workload, list(scenario.archives), shards=1).charges)
    parts = ledger_frame(simulate(workload, list(scenario.archives), jobs=2, shards=2).charges)
    assert len(whole) == len(parts) == 14
    np.testing.assert_allclose(parts["amount_usd"], whole["amount_usd"], rtol=1e-12)


@pytest.mark.parametrize("variant", ["onprem", "hybrid", "healthimaging", "gcs-autoclass", "cloud",
                                     "hybrid-migration", "azure", "azure-smart-tier",
                                     "gcs-lifecycle"])
def test_onprem_and_hybrid_in_shards_bill_as_one(variant):
    """On-prem capacity is decided on the whole archive's daily bytes, so shards added before
    billing buy the same hardware as one piece."""
    from sim.io.scenario_file import load_scenario
    from sim.network import build_link
    from tests.conftest import SCENARIOS

    overrides = {"workload.annual_studies": 4000, "horizon_months": 40}
    if variant == "hybrid":
        overrides["archives.0.cloud.migration"] = None
    if variant in ("cloud", "hybrid-migration"):  # the upload queue is planned before the split
        overrides["workload.existing"] = {"years": 1}
        overrides["network.outages.per_year"] = 0.0
    file = "hybrid" if variant == "hybrid-migration" else variant
    scenario = load_scenario(SCENARIOS / f"academic-medical-center-{file}.yaml",
                             overrides=overrides)
    assert shardable(scenario.archives[0])
    workload = generate_workload(scenario)
    link = build_link(scenario.network, workload.calendar, scenario.seed)
    whole = simulate(workload, list(scenario.archives), shards=1, link=link)
    serial = simulate(workload, list(scenario.archives), shards=2, link=link)
    parallel = simulate(workload, list(scenario.archives), jobs=2, shards=2, link=link)
    a, b, c = (ledger_frame(x.charges) for x in (whole, serial, parallel))
    pd.testing.assert_frame_equal(b, c, check_exact=True)
    pd.testing.assert_frame_equal(a.drop(columns=["quantity", "amount_usd"]),
                                  b.drop(columns=["quantity", "amount_usd"]))
    np.testing.assert_allclose(b["amount_usd"], a["amount_usd"], rtol=1e-9, atol=1e-9)
    _same_outcomes(whole, serial)


def test_a_least_recently_used_cache_is_never_sharded():
    from sim.io.scenario_file import load_scenario
    from tests.conftest import SCENARIOS

    scenario = load_scenario(SCENARIOS / "academic-medical-center-hybrid.yaml", overrides={
        "workload.annual_studies": 2000, "horizon_months": 12,
        "archives.0.cache": {"capacity_tb": 1.0, "tier": load_scenario(
            SCENARIOS / "academic-medical-center-hybrid.yaml").archives[0].cache.tier
            .model_dump()}})
    workload = generate_workload(scenario)
    assert simulate(workload, list(scenario.archives), shards=2).shards == 1
