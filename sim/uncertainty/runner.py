"""Run many scenario evaluations (Monte Carlo runs, sensitivity cases, sweep points) on local
processes or a Dask cluster, storing each result as it completes so that an interrupted batch
resumes without redoing anything.

A :class:`Task` holds fully built scenarios; :func:`evaluate` runs them (one workload draw shared
by scenarios with equal workload settings) and returns a tidy table.  :func:`run_tasks` skips
tasks whose result file exists, runs the rest on the chosen executor and writes each result to
``folder/tasks/KEY.parquet`` (written beside and renamed: a file is complete or absent).  Results
do not depend on the executor: every task carries its own seeds.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.allocator import keep_freed_memory
from sim.executors import dask_map
from sim.files import remove_stale, write_atomically
from sim.lifeline import exit_with_parent
from sim.scenario import Scenario
from sim.workload.threads import allow_threads

RESULT_COLUMNS = ["task", "scenario", "metric", "year", "value"]
"""metric: ``cost_usd`` (per calendar year), ``total_usd``, ``npv_usd``, ``priors_within_5s``."""


@dataclass(frozen=True)
class Task:
    key: str
    """File-name-safe identifier, e.g. ``run-00012``."""
    scenarios: tuple[Scenario, ...]
    baseline: str | None = None
    labels: dict[str, object] = field(default_factory=dict)
    """What the task stands for (drawn values, the sweep point): kept with its rows."""


def evaluate(task: Task) -> pd.DataFrame:
    """Run a task's scenarios and return their costs and NPV (rows of RESULT_COLUMNS plus the
    task's labels)."""
    from sim.compare import compare

    c = compare(list(task.scenarios), task.baseline)
    rows = []
    for name, o in c.summary["scenarios"].items():
        for year, usd in sorted(o["per_year_usd"].items()):
            rows.append((task.key, name, "cost_usd", int(year), float(usd)))
        rows.append((task.key, name, "total_usd", -1, float(o["total_usd"])))
        rows.append((task.key, name, "npv_usd", -1, float(o["npv_usd"])))
        if o["reads"]:
            rows.append((task.key, name, "priors_within_5s", -1,
                         float(o["reads"]["priors_within_target_share"])))
    frame = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    for label, value in task.labels.items():
        frame[label] = str(value) if not isinstance(value, int | float) else value
    return frame


def run_tasks(tasks: list[Task], folder: Path, jobs: int = 1, scheduler: str | None = None,
              progress: Callable[[int, int], None] | None = None,
              evaluate_fn: Callable[[Task], pd.DataFrame] = evaluate
              ) -> tuple[pd.DataFrame, list[str]]:
    """Every task's rows (finished ones read back), and the keys computed now.

    ``scheduler``: None for local processes (``jobs`` of them; 1 runs here, in order),
    ``local`` for a Dask LocalCluster of ``jobs`` workers, or a Dask scheduler address
    (``tcp://HOST:PORT``).
    """
    store = folder / "tasks"
    store.mkdir(parents=True, exist_ok=True)
    keys = [t.key for t in tasks]
    if len(set(keys)) != len(keys):
        raise ValueError("task keys must be unique")
    if store.is_dir():  # half-written results of a killed earlier run
        for prefix in {"." + p.name.split(".")[1] + "." for p in store.glob(".*.parquet")}:
            remove_stale(store, prefix)
    todo = [t for t in tasks if not (store / f"{t.key}.parquet").is_file()]
    done_before = len(tasks) - len(todo)
    if progress:
        progress(done_before, len(tasks))
    finished = done_before

    def keep(task_key: str, frame: pd.DataFrame) -> None:
        nonlocal finished
        write_atomically(store / f"{task_key}.parquet",
                         lambda tmp: frame.to_parquet(tmp, index=False))
        finished += 1
        if progress:
            progress(finished, len(tasks))

    if scheduler is not None:
        _run_dask(todo, scheduler, jobs, keep, evaluate_fn)
    elif jobs > 1 and len(todo) > 1:
        context = multiprocessing.get_context(
            "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                 initializer=_start_worker,
                                 initargs=(os.getpid(),)) as pool:
            futures = {pool.submit(evaluate_fn, t): t.key for t in todo}
            for future in as_completed(futures):
                keep(futures[future], future.result())
    else:
        for t in todo:
            keep(t.key, evaluate_fn(t))
    frames = [pd.read_parquet(store / f"{k}.parquet") for k in keys]
    return pd.concat(frames, ignore_index=True), [t.key for t in todo]


def _run_dask(todo: list[Task], scheduler: str, jobs: int, keep, evaluate_fn) -> None:
    for i, frame in dask_map(scheduler, jobs, functools.partial(_on_worker, evaluate_fn), [todo],
                             [f"archive-sim-{t.key}" for t in todo]):
        keep(todo[i].key, frame)


def _start_worker(parent: int) -> None:
    """A local pool worker: it exits with its parent, its workload draws stay on one thread
    (the pool's workers already share the cores), and it keeps the memory its runs free for
    its next run (:func:`sim.allocator.keep_freed_memory`)."""
    exit_with_parent(parent)
    allow_threads(False)
    keep_freed_memory()


def _on_worker(evaluate_fn: Callable[[Task], pd.DataFrame], task: Task) -> pd.DataFrame:
    """``evaluate_fn(task)`` on a Dask worker, its workload draw on one thread (the cluster's
    workers share the cores)."""
    allow_threads(False)
    return evaluate_fn(task)


def percentiles(values: pd.Series, qs=(10, 50, 90)) -> dict[str, float]:
    """P10/P50/P90 (or ``qs``) of ``values``."""
    array = values.to_numpy(dtype=float)
    return {f"p{q}": float(np.percentile(array, q)) for q in qs}
