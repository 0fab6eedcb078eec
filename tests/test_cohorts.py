"""National-scale runs in cohorts: a run in K cohorts is the K cohort runs added (a linear
price), billed once on the total; local and Dask runs agree; what cannot be split is refused."""

from __future__ import annotations

import json

import numpy as np
import pytest

import sim
from sim.cohorts import cohort_scenario, merge_read_counts, read_counts
from sim.errors import InputError
from sim.ledger import totals_by_year
from tests.conftest import SCENARIOS, small_academic
from tests.test_cli import cli


def test_a_run_in_cohorts_is_its_cohorts_added():
    scenario = small_academic(**{"workload.annual_studies": 3001, "workload.cohorts": 3})
    whole = sim.run(scenario)
    parts = [sim.run(cohort_scenario(scenario, k)) for k in range(3)]
    assert [p.scenario.workload.annual_studies for p in parts] == [1001, 1000, 1000]
    assert len({p.scenario.seed for p in parts}) == 3
    # the flat archive's price is linear: the bill is the cohorts' bills added
    expected = sum(totals_by_year(p.ledger).sum().sum() for p in parts)
    assert whole.ledger.amount_usd.sum() == pytest.approx(expected, rel=1e-12)
    w = whole.summary["workload"]
    for key in ("studies", "patients", "reads", "bytes_ingested", "deletions"):
        assert w[key] == sum(p.summary["workload"][key] for p in parts), key
    assert whole.summary["cohorts"] == 3
    assert whole.reads is None  # no per-read table at this scale; its figures are summed
    np.testing.assert_array_equal(
        whole.workload_table.studies.to_numpy(),
        sum(p.workload_table.studies.to_numpy() for p in parts))


def test_read_figures_merge_exactly_but_for_latency_resolution():
    scenario = sim.load_scenario(SCENARIOS / "academic-medical-center-s3-tiered.yaml", overrides={
        "workload.annual_studies": 2000, "horizon_months": 24})
    result = sim.run(scenario)
    table = result.reads
    half = len(table) // 2
    merged = merge_read_counts([read_counts(table.iloc[:half]), read_counts(table.iloc[half:])])
    exact = result.summary["reads_by_archive"][scenario.archives[0].name]
    for key in ("reads", "missing", "unavailable", "priors", "priors_unavailable", "by_tier",
                "share_within_target", "priors_within_target_share", "latency_max_s"):
        assert merged[key] == pytest.approx(exact[key]), key
    assert merged["latency_p50_s"] == pytest.approx(exact["latency_p50_s"], rel=0.03)


def test_local_and_dask_runs_in_cohorts_are_identical(tmp_path):
    path = tmp_path / "national.yaml"
    path.write_text(f"extends: {SCENARIOS / 'academic-medical-center-s3-tiered.yaml'}\n"
                    "horizon_months: 18\nworkload:\n  annual_studies: 6000\n  cohorts: 3\n")
    local, dask = tmp_path / "local", tmp_path / "dask"
    assert cli("run", path, "--out", local, "-q").returncode == 0
    result = cli("run", path, "--out", dask, "-q", "--scheduler", "local", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert (local / "ledger.csv").read_text() == (dask / "ledger.csv").read_text()
    assert json.loads((local / "summary.json").read_text()) == \
        json.loads((dask / "summary.json").read_text())


def test_what_cannot_be_split_is_refused(tmp_path):
    with pytest.raises(InputError, match="decides over all studies"):
        sim.run(sim.load_scenario(SCENARIOS / "academic-medical-center-hybrid.yaml", overrides={
            "workload.cohorts": 2, "archives.0.cache.capacity_tb": 50,
            "archives.0.cloud.migration": None, "horizon_months": 6,
            "workload.annual_studies": 1000}))
    with pytest.raises(InputError, match="migrates the existing archive"):
        sim.run(sim.load_scenario(SCENARIOS / "academic-medical-center-cloud.yaml", overrides={
            "workload.cohorts": 2, "horizon_months": 6, "workload.annual_studies": 1000}))
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {SCENARIOS / 'academic-medical-center.yaml'}\n"
                    "horizon_months: 6\nworkload:\n  annual_studies: 1000\n  cohorts: 2\n")
    result = cli("run", path, "--out", tmp_path / "o", "--export-trace")
    assert result.returncode == 2 and "keeps no single workload" in result.stderr
    plain = tmp_path / "p.yaml"
    plain.write_text(f"extends: {SCENARIOS / 'academic-medical-center.yaml'}\n")
    result = cli("run", plain, "--out", tmp_path / "o2", "--scheduler", "local")
    assert result.returncode == 2 and "only a run in cohorts" in " ".join(result.stderr.split())
