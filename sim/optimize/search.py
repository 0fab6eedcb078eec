"""The search: every candidate of a small space, or Optuna's TPE sampler with constraints on a
large one; each candidate run on one shared workload draw (common random numbers), its
measures stored as it finishes (a search resumes, or widens, without redoing one); the best
re-checked on a second workload draw.

Why TPE (Optuna's Tree-structured Parzen Estimator): the spaces are mostly categorical and
conditional (a class reached or not, days from a short list, archive tiers that only matter
when Intelligent-Tiering is on), which TPE handles natively; it is seeded and deterministic, so
a resumed search asks for the same candidates again and finds them stored; and it takes the
constraints as they are (``Trial.set_constraint``: feasibility first, then cost).  The decision
is one number under hard limits, so the search has one objective; the Pareto front of cost
against priors within 5 s is drawn from every candidate evaluated.
"""

from __future__ import annotations

import copy
import functools
import json
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from sim.errors import InputError
from sim.io.scenario_file import read_merged, set_dotted, validate_scenario
from sim.optimize.candidates import BoundSpace, Params, archive_entry, bind_space
from sim.optimize.measures import (
    Constraint,
    measures_of,
    objective_measure,
    parse_constraint,
)
from sim.optimize.space import load_space
from sim.scenario import Scenario
from sim.shards import keeping_shards, shard_count
from sim.uncertainty.runner import Task, run_tasks
from sim.uncertainty.store import describe, open_batch, write_text

DOCUMENT_FILES = {"lifecycle": "lifecycle.json", "intelligent_tiering": "intelligent-tiering.json"}
MAX_TRIALS_PER_CANDIDATE = 20
"""The sampler stops after this many proposals per candidate of the budget even when it keeps
proposing candidates already measured (it has converged)."""
CURRENT = "current"
"""The key of the archive's policy as the scenario gives it (measured with the candidates)."""


@dataclass(frozen=True)
class Search:
    """What to search: the scenario (file and merged data), the archive and its bound space,
    the objective, the constraints, the budget and the seeds."""

    scenario_path: Path
    data: dict[str, Any]
    scenario: Scenario
    space: BoundSpace
    objective: str = "npv"
    constraints: tuple[Constraint, ...] = ()
    budget: int = 100
    recheck: int = 3
    sampler_seed: int = 0
    batch: int = 4
    """Candidates the sampler proposes at a time (whatever the processes: the same search
    proposes the same candidates on any machine)."""
    overrides: dict[str, Any] = field(default_factory=dict)
    """Dotted paths set in the scenario file's data first (``--set``)."""

    @property
    def archive(self) -> str:
        return self.space.archive

    @property
    def objective_measure(self) -> str:
        return objective_measure(self.objective)

    @property
    def seed(self) -> int:
        return self.scenario.seed


def prepare(scenario_path: str | Path, archive: str, objective: str = "npv",
            constraints: list[str] | tuple[str, ...] = (), budget: int = 100,
            space_path: str | Path | None = None, seed: int | None = None,
            recheck: int = 3, sampler_seed: int = 0,
            overrides: dict[str, Any] | None = None) -> Search:
    """Read and check everything a search needs before anything runs (``overrides``: dotted
    paths set in the scenario first, e.g. ``{"workload.annual_studies": 30000}``)."""
    path = Path(scenario_path)
    objective_measure(objective)
    parsed = tuple(parse_constraint(c) for c in constraints)
    if budget < 1:
        raise InputError(f"--budget: must be 1 or more (got {budget})")
    if recheck < 0:
        raise InputError(f"--recheck: must be 0 or more (got {recheck})")
    data = read_merged(path)
    for dotted, value in (overrides or {}).items():
        set_dotted(data, dotted, value, path)
    from sim.uncertainty.distributions import extract_distributions

    if extract_distributions(data):
        raise InputError("the scenario has distributions; optimize a scenario with values "
                         "(run montecarlo on the result)", file=path)
    if seed is not None:
        data["seed"] = seed
    scenario = validate_scenario(copy.deepcopy(data), path)
    if scenario.workload.cohorts > 1:
        raise InputError("workload.cohorts: the optimizer runs every candidate on one workload "
                         "draw held in memory; set cohorts: 1 (or scale the workload down)",
                         file=path)
    space_file = str(space_path) if space_path is not None else None
    bound = bind_space(load_space(space_path), data, archive, space_file)
    return Search(path, data, scenario, bound, objective, parsed, budget, recheck,
                  sampler_seed, overrides=dict(overrides or {}))


@dataclass
class Outcome:
    """A finished search: every candidate with its measures, the best, the re-check."""

    search: Search
    table: pd.DataFrame
    """One row per distinct candidate (and ``current``): key, the dimensions, the measures,
    ``objective``, ``violation``, ``feasible``, ``trials`` (times the sampler asked for it)."""
    method: str
    best: str | None
    recheck: pd.DataFrame
    elapsed_s: float
    computed_now: int
    params: dict[str, Params] = field(default_factory=dict)
    today_key: str | None = None
    """The candidate that is today's policy, when the space holds it."""

    @property
    def verdict(self) -> str:
        """``change`` (the best candidate is feasible and beats today's policy, or today's
        breaks a constraint), ``keep`` (today's policy meets every constraint and no candidate
        found is cheaper) or ``none`` (nothing measured meets the constraints)."""
        today = self.table[self.table["key"] == CURRENT]
        today_ok = bool(len(today)) and bool(today["feasible"].iloc[0])
        if self.best is None:
            return "keep" if today_ok else "none"
        if not today_ok:
            return "change"
        best = self.table.loc[self.table["key"] == self.best, "objective"].iloc[0]
        return "change" if best < today["objective"].iloc[0] else "keep"


# ------------------------------------------------------------------------------ evaluation

_WORKLOAD: dict[str, Any] = {}
"""The workload drawn in this process, by its settings (one at a time): candidates share it."""


def shared_workload(scenario: Scenario):
    """The scenario's workload, drawn once per process for every candidate, split into its
    shards once and each archive's workload-only set-up computed on each (kept by
    :func:`~sim.shards.keeping_shards`: forked shard processes of every run inherit them)."""
    from sim.compare import workload_key
    from sim.network import build_link
    from sim.run import load_workload
    from sim.shards import prepare_shards

    key = workload_key(scenario)
    if key not in _WORKLOAD:
        _WORKLOAD.clear()
        workload = load_workload(scenario)
        with keeping_shards():
            prepare_shards(workload, list(scenario.archives),
                           build_link(scenario.network, workload.calendar, scenario.seed))
        _WORKLOAD[key] = workload
    return _WORKLOAD[key]


def measure_task(task: Task, jobs: int = 1) -> pd.DataFrame:
    """Run a candidate's scenario on the shared workload (its shards on ``jobs`` processes):
    one row of its measures."""
    from sim.run import run

    scenario = task.scenarios[0]
    started = time.perf_counter()
    with keeping_shards():  # also on a Dask worker: its candidates share one split
        result = run(scenario, workload=shared_workload(scenario), jobs=jobs)
    row = {"key": task.key, **measures_of(result.summary, str(task.labels["archive"])),
           "run_s": time.perf_counter() - started}
    return pd.DataFrame([row])


def candidate_scenario(search: Search, params: Params | None, folder: Path,
                       seed: int | None = None) -> Scenario:
    """The scenario with the candidate's documents (written under ``folder/KEY/``) and
    settings (``params`` None: the scenario as given)."""
    data = copy.deepcopy(search.data)
    if seed is not None:
        data["seed"] = seed
    if params is not None:
        apply_policy(data, search.space, params, folder / search.space.key(params))
    return validate_scenario(data, search.scenario_path)


def apply_policy(data: dict[str, Any], space: BoundSpace, params: Params,
                 documents_dir: Path) -> dict[str, Path]:
    """Put a candidate's settings and documents (written to ``documents_dir``) into scenario
    data; the documents' paths by archive field."""
    archive = archive_entry(data, space.archive)
    cloud = space.cloud_entry(archive)
    policy = space.policy(params)
    for dotted, value in policy.settings.items():
        put(cloud, dotted, value)
    for dotted, value in policy.archive_settings.items():
        put(archive, dotted, value)
    written = {}
    documents_dir.mkdir(parents=True, exist_ok=True)
    if not (documents_dir / "params.json").is_file():
        write_text(documents_dir / "params.json", json.dumps(params, indent=2) + "\n")
    for name, document in policy.documents.items():
        path = documents_dir / DOCUMENT_FILES[name]
        if not path.is_file():
            write_text(path, json.dumps(document, indent=2) + "\n")
        cloud[name] = str(path)
        written[name] = path
    return written


def put(node: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``node[a][b]...`` (value None: remove it)."""
    *parents, last = dotted.split(".")
    for key in parents:
        if not isinstance(node.get(key), dict):
            if value is None:
                return
            node[key] = {}
        node = node[key]
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value


def evaluate(search: Search, keyed: Mapping[str, Params | None], folder: Path, jobs: int,
             scheduler: str | None, seed: int | None = None, prefix: str = "",
             progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """The measures of candidates by key (None: the scenario as given), stored in ``folder``
    (``prefix``: e.g. ``recheck-`` for the second draw)."""
    documents = folder / "candidates"
    tasks = []
    for key, params in keyed.items():
        scenario = candidate_scenario(search, params, documents, seed)
        tasks.append(Task(prefix + key, (scenario,), labels={"archive": search.archive}))
    measure = measure_task
    if tasks and scheduler is None:
        workload = shared_workload(tasks[0].scenarios[0])  # drawn before workers fork
        if jobs > 1 and shard_count(len(workload.studies)) > 1:
            # a large workload runs in shards: one candidate at a time, its shards on the
            # processes, is faster than candidates side by side (less memory traffic)
            measure, jobs = functools.partial(measure_task, jobs=jobs), 1
    rows, computed = run_tasks(tasks, folder, jobs, scheduler, progress, measure)
    rows["key"] = rows["key"].str.removeprefix(prefix)
    rows.attrs["computed"] = len(computed)
    return rows


# ---------------------------------------------------------------------------------- search


def run_search(search: Search, folder: Path, jobs: int = 1, scheduler: str | None = None,
               progress: Callable[[int, int], None] | None = None) -> Outcome:
    """Search the space; results stored in ``folder`` (resumable: the same scenario, archive
    and seed find every candidate already measured, whatever the budget or constraints)."""
    started = time.perf_counter()
    folder = open_batch(Path(folder), _description(search))
    everything = search.space.enumerate()
    trials: dict[str, int] = {}
    params: dict[str, Params] = {}
    computed = 0
    steps = max(search.budget, 1) + 1

    def tick(done: int) -> None:
        if progress:
            progress(min(done, steps), steps)

    today = search.space.today(archive_entry(search.data, search.archive))
    today_key = search.space.key(today) if today is not None else None
    current = evaluate(search, {CURRENT: None}, folder, jobs, scheduler)
    computed += current.attrs["computed"]
    row = current.iloc[0]
    absent = [c.text for c in search.constraints
              if c.measure not in row or pd.isna(row[c.measure])]
    if absent:
        raise InputError(f"--constraint {', '.join(absent)}: archive {search.archive!r} has no "
                         "such measure (reads measures need a cloud or hybrid archive with a "
                         "reads table; exit measures a cloud archive's exit estimate); "
                         "measured: " + ", ".join(k for k in row.index
                                                   if k not in ("key", "run_s")
                                                   and not pd.isna(row[k])))
    tick(1)
    if everything is not None and len(everything) <= search.budget:
        method = f"exhaustive: all {len(everything)} distinct candidates"
        params = {search.space.key(p): p for p in everything}
        trials = dict.fromkeys(params, 1)
        rows = evaluate(search, dict(params), folder, jobs, scheduler,
                        progress=lambda done, total: tick(1 + done))
        computed += rows.attrs["computed"]
    else:
        found = f"{len(everything):,} distinct" if everything is not None else \
            f"{search.space.raw_size:,} combinations of"
        rows, computed_here, asked = _tpe(search, folder, jobs, scheduler, trials, params,
                                          tick, today)
        computed += computed_here
        method = (f"Optuna TPE (seed {search.sampler_seed}, constraints): {len(params)} "
                  f"candidates measured among {found}, in {asked} proposals")
    earlier = _measured_before(search, folder, params)
    table = _table(search, pd.concat([current, rows, *earlier], ignore_index=True), params,
                   trials)
    best = _best(table, search.space, params, today_key)
    recheck = pd.DataFrame()
    if best is not None and search.recheck:
        chosen = table[table["feasible"] & (table["key"] != CURRENT)].nsmallest(
            search.recheck, "objective")["key"].tolist()
        if CURRENT not in chosen:
            chosen.append(CURRENT)
        rechecked = evaluate(search, {k: params.get(k) for k in chosen}, folder, jobs,
                             scheduler, seed=second_seed(search.seed), prefix="recheck-")
        computed += rechecked.attrs["computed"]
        recheck = _table(search, rechecked, params, {})
    tick(steps)
    return Outcome(search, table, method, best, recheck, time.perf_counter() - started,
                   computed, params, today_key)


def _measured_before(search: Search, folder: Path, params: dict[str, Params]
                     ) -> list[pd.DataFrame]:
    """Candidates of this space measured by earlier searches in the folder (another budget,
    constraints or objective) and not proposed now: their rows (``params`` gains them)."""
    names = {d.name for d in search.space.dimensions}
    frames = []
    for path in sorted((folder / "candidates").glob("c-*/params.json")):
        key = path.parent.name
        stored = folder / "tasks" / f"{key}.parquet"
        if key in params or not stored.is_file():
            continue
        candidate = json.loads(path.read_text(encoding="utf-8"))
        if set(candidate) != names or search.space.key(candidate) != key:
            continue  # measured in another space
        params[key] = candidate
        frames.append(pd.read_parquet(stored))
    return frames


def second_seed(seed: int) -> int:
    """The workload seed of the re-check (another draw of the same hospital)."""
    return seed + 1


def _description(search: Search) -> dict:
    """What a stored candidate's measures depend on (not the budget, objective or
    constraints: a search may be widened or re-judged in the same folder)."""
    scenario = SimpleNamespace(path=search.scenario_path, data=search.data)
    return describe("optimize", [scenario], archive=search.archive, seed=search.seed)


def _tpe(search: Search, folder: Path, jobs: int, scheduler: str | None,
         trials: dict[str, int], params: dict[str, Params], tick,
         today: Params | None) -> tuple[pd.DataFrame, int, int]:
    """Optuna's TPE sampler until ``search.budget`` distinct candidates are measured (a
    proposal already measured is told its result again, at no cost), ``search.batch``
    proposals at a time, told in the order it asked; its first proposal is today's policy
    when the space holds it.  The rows, the runs computed now, the proposals made."""
    import optuna
    from optuna.distributions import BaseDistribution, CategoricalDistribution

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    sampler = optuna.samplers.TPESampler(
        seed=search.sampler_seed, multivariate=True, group=True,
        n_startup_trials=min(10, max(search.budget // 4, 1)))
    study = optuna.create_study(direction="minimize", sampler=sampler)
    if today is not None:
        study.enqueue_trial(today)
    space: dict[str, BaseDistribution] = {
        d.name: CategoricalDistribution(list(d.choices)) for d in search.space.dimensions}
    measured: dict[str, dict[str, float]] = {}
    frames, computed, asked = [], 0, 0
    batch = search.batch
    while len(measured) < search.budget and asked < MAX_TRIALS_PER_CANDIDATE * search.budget:
        wave = [study.ask(space) for _ in range(min(batch, search.budget - len(measured)))]
        asked += len(wave)
        keys = []
        for trial in wave:
            candidate = search.space.normalize(dict(trial.params))
            key = search.space.key(candidate)
            params[key] = candidate
            trials[key] = trials.get(key, 0) + 1
            keys.append(key)
        new = {k: params[k] for k in dict.fromkeys(keys) if k not in measured}
        if new:
            rows = evaluate(search, new, folder, jobs, scheduler)
            computed += rows.attrs["computed"]
            frames.append(rows)
            for row in rows.to_dict("records"):
                measured[row["key"]] = row
        for trial, key in zip(wave, keys, strict=True):
            row = measured[key]
            for c in search.constraints:  # feasible when every value is 0 or less
                trial.set_constraint(c.text, c.violation(row))
            study.tell(trial, row[search.objective_measure])
        tick(1 + len(measured))
    return pd.concat(frames, ignore_index=True), computed, asked


def _table(search: Search, rows: pd.DataFrame, params: dict[str, Params],
           trials: dict[str, int]) -> pd.DataFrame:
    """Measures with the candidate's dimensions, objective, violation and feasibility
    (``run_s``: how long its run took, the shared workload draw not included)."""
    rows = rows.drop_duplicates("key").reset_index(drop=True)
    measure = search.objective_measure
    records = []
    for row in rows.to_dict("records"):
        violation = sum(c.violation(row) for c in search.constraints)
        chosen = params.get(row["key"], {})
        records.append({"key": row["key"], "trials": trials.get(row["key"], 0),
                        **{d.name: _cell(chosen.get(d.name)) for d in search.space.dimensions},
                        **{k: v for k, v in row.items() if k != "key"},
                        "objective": row[measure], "violation": violation,
                        "feasible": bool(violation == 0.0)})
    return pd.DataFrame(records)


def _cell(value: Any) -> Any:
    return "" if value is None else value


def _best(table: pd.DataFrame, space: BoundSpace, params: dict[str, Params],
          today_key: str | None) -> str | None:
    """The feasible candidate with the lowest objective (to the cent); on a tie today's
    policy, then the one with the fewest moves (None: no candidate is feasible)."""
    feasible = table[table["feasible"] & (table["key"] != CURRENT)]
    if feasible.empty:
        return None
    ranked = sorted(feasible[["key", "objective"]].itertuples(index=False),
                    key=lambda r: (round(float(r.objective), 2), r.key != today_key,
                                   space.policy(params[r.key]).steps, r.key))
    return str(ranked[0].key)

