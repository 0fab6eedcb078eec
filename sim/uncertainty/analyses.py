"""Monte Carlo runs, one-at-a-time sensitivity and grid sweeps: the tasks each needs, and what
their results say (pure computation; :mod:`sim.uncertainty.runner` runs the tasks)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from sim.uncertainty.runner import Task, percentiles
from sim.uncertainty.spec import UncertainScenario, run_seed

LOW_Q, HIGH_Q = 0.10, 0.90


def montecarlo_tasks(specs: list[UncertainScenario], runs: int, seed: int,
                     baseline: str | None) -> list[Task]:
    """One task per run: every scenario with its inputs drawn for that run (the same draw of
    an input shared by several scenarios, and the same workload seed)."""
    tasks = []
    for run in range(runs):
        values = [s.draw_values(seed, run) for s in specs]
        scenarios = tuple(s.with_values(v, seed=run_seed(seed, run))
                          for s, v in zip(specs, values, strict=True))
        labels: dict[str, object] = {"run": run}
        for v in values:
            labels.update(v)
        tasks.append(Task(f"run-{run:05d}", scenarios, baseline, labels))
    return tasks


def summarize_montecarlo(rows: pd.DataFrame, baseline: str) -> dict:
    """P10/P50/P90 per scenario (NPV, total, each year), the NPV difference from the baseline,
    and how often each option is the cheapest."""
    npv = rows[rows.metric == "npv_usd"].pivot(index="task", columns="scenario", values="value")
    out: dict = {"runs": int(len(npv)), "baseline": baseline, "scenarios": {}}
    cheapest = npv.idxmin(axis=1).value_counts()
    for name in npv.columns:
        per_year = rows[(rows.metric == "cost_usd") & (rows.scenario == name)]
        total = rows[(rows.metric == "total_usd") & (rows.scenario == name)].value
        entry = {"npv_usd": percentiles(npv[name]), "total_usd": percentiles(total),
                 "per_year_usd": {str(y): percentiles(g.value)
                                  for y, g in per_year.groupby("year")},
                 "probability_cheapest": float(cheapest.get(name, 0) / len(npv))}
        if name != baseline and baseline in npv.columns:
            diff = npv[name] - npv[baseline]
            entry["npv_minus_baseline_usd"] = {**percentiles(diff),
                                               "probability_cheaper": float((diff < 0).mean())}
        out["scenarios"][name] = entry
    return out


def sensitivity_tasks(spec: UncertainScenario) -> list[Task]:
    """The central case, then each uncertain input at its P10 and P90 with the others central
    (the scenario's own seed throughout: only the input changes)."""
    tasks = [Task("central", (spec.central,), None, {"input": "", "case": "central"})]
    for i, (path, dist) in enumerate(spec.inputs.items()):
        for case, q in (("low", LOW_Q), ("high", HIGH_Q)):
            value = dist.value(dist.quantile(q))
            tasks.append(Task(f"{case}-{i:03d}", (spec.with_values({path: value}),), None,
                              {"input": path, "case": case, "input_value": value}))
    return tasks


def summarize_sensitivity(rows: pd.DataFrame, spec: UncertainScenario) -> dict:
    """NPV at each input's low and high, sorted by the swing (largest first)."""
    npv = rows[rows.metric == "npv_usd"].set_index("task").value
    central = float(npv["central"])
    inputs = []
    for i, path in enumerate(spec.inputs):
        low, high = float(npv[f"low-{i:03d}"]), float(npv[f"high-{i:03d}"])
        dist = spec.inputs[path]
        inputs.append({"input": path, "low_value": dist.value(dist.quantile(LOW_Q)),
                       "high_value": dist.value(dist.quantile(HIGH_Q)),
                       "npv_at_low_usd": low, "npv_at_high_usd": high,
                       "swing_usd": abs(high - low)})
    inputs.sort(key=lambda e: -e["swing_usd"])
    return {"scenario": spec.name, "central_npv_usd": central, "quantiles": [LOW_Q, HIGH_Q],
            "inputs": inputs}


def sweep_tasks(spec: UncertainScenario, grid: dict[str, list]) -> list[Task]:
    """Every combination of the ``grid`` values (uncertain inputs at their central values)."""
    tasks = []
    paths = list(grid)
    for i, values in enumerate(itertools.product(*(grid[p] for p in paths))):
        point = dict(zip(paths, values, strict=True))
        tasks.append(Task(f"point-{i:05d}", (spec.with_values(point),), None, point))
    return tasks


def summarize_sweep(rows: pd.DataFrame, grid: dict[str, list]) -> pd.DataFrame:
    """One row per sweep point: its values, total cost and NPV."""
    wide = rows[rows.metric.isin(["total_usd", "npv_usd"])].pivot_table(
        index=["task", *grid], columns="metric", values="value").reset_index()
    return wide.sort_values("task").reset_index(drop=True)


def fan(rows: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """Per year: P10, P50, P90 of one scenario's annual cost."""
    per_year = rows[(rows.metric == "cost_usd") & (rows.scenario == scenario)]
    return per_year.groupby("year").value.apply(
        lambda v: pd.Series(np.percentile(v, [10, 50, 90]), index=["p10", "p50", "p90"])
    ).unstack()
