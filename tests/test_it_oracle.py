"""The S3 Intelligent-Tiering engine against an independent naive model (one SimPy process per
study, in benchmarks/bench_engine_vs_naive.py): the same GiB-months per tier and month."""

from __future__ import annotations

import pytest

from benchmarks.bench_engine_vs_naive import naive_gib_months
from sim.archives import build_archive
from sim.des import run_loop
from sim.ledger import ledger_frame
from sim.workload import generate_workload
from tests.conftest import small_academic


@pytest.mark.parametrize("seed", [1, 2])
def test_engine_matches_one_process_per_study(seed):
    archive = {"name": "s3", "kind": "cloud", "provider": "aws",
               "storage_class": "INTELLIGENT_TIERING"}
    scenario = small_academic(**{"workload.annual_studies": 3000, "horizon_months": 18,
                                 "seed": seed, "workload.retention": {"keep_forever": True},
                                 "archives": [archive]})
    workload = generate_workload(scenario)
    ledger = ledger_frame(run_loop(workload, [build_archive(scenario.archives[0], workload)]))
    storage = ledger[(ledger.category == "storage") & (ledger.unit == "GiB-month")]
    engine = {(r.month, r.tier): r.quantity for r in storage.itertuples()}
    naive = naive_gib_months(workload)
    assert set(engine) == set(naive)
    for key, quantity in naive.items():
        assert engine[key] == pytest.approx(quantity, rel=1e-9), key
