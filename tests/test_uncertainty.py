"""Uncertainty: distributions drawn as specified, Monte Carlo / sensitivity / sweep batches that
give identical results serially, in a process pool and on a Dask LocalCluster, and resume without
recomputing what is finished."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.errors import InputError
from sim.uncertainty.analyses import montecarlo_tasks, sweep_tasks
from sim.uncertainty.distributions import draw_value, parse_distribution
from sim.uncertainty.runner import evaluate, run_tasks
from sim.uncertainty.spec import load_uncertain
from tests.conftest import SCENARIOS
from tests.test_cli import cli

N = 40_000


@pytest.mark.parametrize(("raw", "mean", "var"), [
    ({"dist": "triangular", "low": 0.02, "mode": 0.05, "high": 0.10},
     (0.02 + 0.05 + 0.10) / 3,
     (0.02**2 + 0.05**2 + 0.10**2 - 0.02 * 0.05 - 0.02 * 0.10 - 0.05 * 0.10) / 18),
    ({"dist": "uniform", "low": 2.0, "high": 6.0}, 4.0, 16 / 12),
    ({"dist": "normal", "mean": -0.03, "sd": 0.01}, -0.03, 0.0001),
    ({"dist": "lognormal", "median": 355.0, "sigma": 0.2},
     355 * math.exp(0.02), (math.exp(0.04) - 1) * 355**2 * math.exp(0.04)),
    ({"dist": "choice", "values": [1, 3, 7], "weights": [0.5, 0.3, 0.2]},
     0.5 + 0.9 + 1.4, 0.5 * 1 + 0.3 * 9 + 0.2 * 49 - 2.8**2),
])
def test_distributions_are_drawn_as_specified(raw, mean, var):
    dist = parse_distribution(raw, "x")
    x = dist.draw(np.random.default_rng(7), N)
    assert x.mean() == pytest.approx(mean, abs=4 * math.sqrt(var / N))
    assert x.var() == pytest.approx(var, rel=0.05)
    if raw["dist"] == "choice":  # each value as often as its weight; quantiles are values
        for value, weight in zip(raw["values"], raw["weights"], strict=True):
            assert np.mean(x == value) == pytest.approx(weight, abs=0.01)
        assert (dist.quantile(0.1), dist.quantile(0.9)) == (1, 7)
        return
    for q in (0.1, 0.5, 0.9):  # quantiles (sensitivity's low and high) match the draws
        assert np.mean(x <= dist.quantile(q)) == pytest.approx(q, abs=0.01)


def test_one_run_draws_the_same_value_wherever_the_input_appears():
    dist = parse_distribution({"dist": "uniform", "low": 0, "high": 1}, "x")
    a = draw_value(dist, 1, 5, "workload.modalities.CT.growth")
    assert a == draw_value(dist, 1, 5, "workload.modalities.CT.growth")
    assert a != draw_value(dist, 1, 6, "workload.modalities.CT.growth")
    assert a != draw_value(dist, 1, 5, "workload.modalities.MR.growth")


def _uncertain_file(folder: Path, variant: str = "s3-tiered") -> Path:
    path = folder / f"{variant}.yaml"
    path.write_text(
        f"extends: {SCENARIOS / f'academic-medical-center-{variant}.yaml'}\n"
        "horizon_months: 24\n"
        "workload:\n  annual_studies: 2000\n  modalities:\n    CT:\n"
        "      growth: {dist: triangular, low: 0.02, mode: 0.05, high: 0.10}\n"
        "finance:\n  price_change_per_year:\n"
        "    storage: {dist: normal, mean: -0.03, sd: 0.02}\n")
    return path


def test_bad_distributions_and_plain_runs_are_clear_errors(tmp_path):
    with pytest.raises(InputError, match="needs low <= mode <= high"):
        parse_distribution({"dist": "triangular", "low": 1, "mode": 0, "high": 2}, "growth")
    with pytest.raises(InputError, match="'beta' is not known; allowed: triangular"):
        parse_distribution({"dist": "beta", "a": 1}, "growth")
    path = _uncertain_file(tmp_path)
    result = cli("run", path, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "workload.modalities.CT.growth, finance.price_change_per_year.storage: given as " \
           "distributions; run this scenario with archive-sim montecarlo" in \
           " ".join(result.stderr.split())


def test_serial_pool_and_dask_give_identical_results(tmp_path):
    specs = [load_uncertain(_uncertain_file(tmp_path, v)) for v in ("s3-tiered", "azure")]
    tasks = montecarlo_tasks(specs, runs=4, seed=11, baseline=specs[0].name)
    serial, _ = run_tasks(tasks, tmp_path / "serial", jobs=1)
    pool, _ = run_tasks(tasks, tmp_path / "pool", jobs=2)
    dask, _ = run_tasks(tasks, tmp_path / "dask", jobs=2, scheduler="local")
    pd.testing.assert_frame_equal(serial, pool)
    pd.testing.assert_frame_equal(serial, dask)
    # runs differ from each other; the drawn CT growth is the same for both options in a run
    npv = serial[serial.metric == "npv_usd"]
    assert npv.groupby("scenario").value.nunique().min() == 4
    assert (serial.groupby("task")["workload.modalities.CT.growth"].nunique() == 1).all()


class _Counting:
    """An evaluate function that counts its calls and can fail on one task."""

    def __init__(self, fail_on: str | None = None):
        self.calls: list[str] = []
        self.fail_on = fail_on

    def __call__(self, task):
        self.calls.append(task.key)
        if task.key == self.fail_on:
            raise RuntimeError("interrupted")
        return evaluate(task)


def test_a_resumed_sweep_recomputes_nothing_finished(tmp_path):
    spec = load_uncertain(_uncertain_file(tmp_path))
    tasks = sweep_tasks(spec, {"workload.annual_studies": [1000, 2000, 4000]})
    folder = tmp_path / "sweep"
    interrupted = _Counting(fail_on="point-00001")
    with pytest.raises(RuntimeError, match="interrupted"):
        run_tasks(tasks, folder, jobs=1, evaluate_fn=interrupted)
    assert sorted(p.name for p in (folder / "tasks").iterdir()) == ["point-00000.parquet"]
    resumed = _Counting()
    rows, computed = run_tasks(tasks, folder, jobs=1, evaluate_fn=resumed)
    assert resumed.calls == computed == ["point-00001", "point-00002"]
    again = _Counting()
    rows2, computed2 = run_tasks(tasks, folder, jobs=1, evaluate_fn=again)
    assert again.calls == [] and computed2 == []
    pd.testing.assert_frame_equal(rows, rows2)
    npv = rows[rows.metric == "npv_usd"].set_index("task").value
    assert npv["point-00000"] < npv["point-00001"] < npv["point-00002"]  # more studies, more cost


def test_montecarlo_sensitivity_and_sweep_commands(tmp_path):
    a, b = _uncertain_file(tmp_path, "s3-tiered"), _uncertain_file(tmp_path, "gcs-lifecycle")
    out = tmp_path / "mc"
    result = cli("montecarlo", a, b, "--runs", "4", "--out", out, "-j", "2")
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "montecarlo.json").read_text())
    assert summary["runs"] == 4
    cheapest = sum(e["probability_cheapest"] for e in summary["scenarios"].values())
    assert cheapest == pytest.approx(1.0)
    for e in summary["scenarios"].values():
        assert e["npv_usd"]["p10"] <= e["npv_usd"]["p50"] <= e["npv_usd"]["p90"]
    assert (out / "figures" / "fan-chart.png").is_file()
    assert (out / "percentiles.csv").read_text().startswith("scenario,metric,year,p10,p50,p90")
    again = cli("montecarlo", a, b, "--runs", "4", "--out", out)
    assert again.returncode == 0 and "0 computed now" in again.stdout
    other = cli("montecarlo", a, b, "--runs", "5", "--out", out)
    assert other.returncode == 2 and "holds a different batch (differs in: runs)" in \
        " ".join(other.stderr.split())
    sens = cli("sensitivity", a, "--out", tmp_path / "sens", "-q")
    assert sens.returncode == 0, sens.stderr
    tornado = json.loads((tmp_path / "sens" / "sensitivity.json").read_text())
    assert {e["input"] for e in tornado["inputs"]} == {"workload.modalities.CT.growth",
                                                        "finance.price_change_per_year.storage"}
    assert (tmp_path / "sens" / "figures" / "tornado.png").is_file()
    sweep = cli("sweep", a, "--set", "archives.s3-lifecycle.restore_days=1,7", "--set",
                "workload.object_layout=study,instance", "--out", tmp_path / "sweep", "-q")
    assert sweep.returncode == 0, sweep.stderr
    table = pd.read_csv(tmp_path / "sweep" / "sweep.csv")
    assert len(table) == 4 and set(table["workload.object_layout"]) == {"study", "instance"}
    bad = cli("sweep", a, "--set", "archives.nope.restore_days=1", "--out", tmp_path / "bad")
    assert bad.returncode == 2 and not (tmp_path / "bad").exists()


def test_validate_lists_the_uncertain_inputs(tmp_path):
    result = cli("validate", _uncertain_file(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "2 uncertain input(s), for montecarlo and sensitivity: " \
           "workload.modalities.CT.growth, finance.price_change_per_year.storage" in \
           " ".join(result.stdout.split())
