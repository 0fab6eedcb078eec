"""Uncertainty and scale: scenarios whose numbers are distributions, Monte Carlo runs,
one-at-a-time sensitivity, grid sweeps; run on local processes or Dask, resumable (a batch's
folder keeps its finished runs and refuses a different batch).

>>> spec = load_uncertain("scenario-with-distributions.yaml")      # doctest: +SKIP
>>> rows, summary = montecarlo([spec], runs=100, folder=Path("mc"))  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.uncertainty.analyses import (
    montecarlo_tasks,
    sensitivity_tasks,
    summarize_montecarlo,
    summarize_sensitivity,
    summarize_sweep,
    sweep_tasks,
)
from sim.uncertainty.runner import run_tasks
from sim.uncertainty.spec import UncertainScenario, load_uncertain
from sim.uncertainty.store import describe, open_batch


def montecarlo(specs: list[UncertainScenario], runs: int, folder: Path, seed: int | None = None,
               baseline: str | None = None, jobs: int = 1, scheduler: str | None = None,
               progress=None) -> tuple[pd.DataFrame, dict]:
    """``runs`` Monte Carlo runs of the scenarios; the rows of every run and the summary
    (P10/P50/P90, NPV difference from the baseline, probability of being cheapest)."""
    baseline = baseline or specs[0].name
    seed = specs[0].central.seed if seed is None else seed
    tasks = montecarlo_tasks(specs, runs, seed, baseline)  # every draw checked first
    folder = open_batch(Path(folder), describe("montecarlo", specs, runs=runs, seed=seed,
                                               baseline=baseline))
    rows, computed = run_tasks(tasks, folder, jobs, scheduler, progress)
    summary = summarize_montecarlo(rows, baseline)
    summary["computed_now"] = len(computed)
    summary["inputs"] = {s.name: {p: d.model_dump() for p, d in s.inputs.items()}
                         for s in specs}
    return rows, summary


def sensitivity(spec: UncertainScenario, folder: Path, jobs: int = 1,
                scheduler: str | None = None, progress=None) -> tuple[pd.DataFrame, dict]:
    """Each uncertain input at its P10 and P90, the others central: rows and the tornado."""
    tasks = sensitivity_tasks(spec)  # every P10/P90 case checked first
    folder = open_batch(Path(folder), describe("sensitivity", [spec]))
    rows, _ = run_tasks(tasks, folder, jobs, scheduler, progress)
    return rows, summarize_sensitivity(rows, spec)


def sweep(spec: UncertainScenario, grid: dict[str, list], folder: Path, jobs: int = 1,
          scheduler: str | None = None, progress=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scenario at every combination of ``grid`` values: the rows, and a table with one
    row per point."""
    tasks = sweep_tasks(spec, grid)  # every point is checked before anything runs
    folder = open_batch(Path(folder), describe("sweep", [spec], grid=grid))
    rows, _ = run_tasks(tasks, folder, jobs, scheduler, progress)
    return rows, summarize_sweep(rows, grid)


__all__ = ["UncertainScenario", "load_uncertain", "montecarlo", "sensitivity", "sweep"]
