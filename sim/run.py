"""One run, end to end: scenario -> workload -> archives in the run loop -> ledger -> summary.

>>> from sim.version import __version__
>>> result = sim.run(sim.load_scenario("scenarios/academic-medical-center.yaml"))
>>> result.ledger.groupby("archive").amount_usd.sum()
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.allocator import give_back_freed_memory, small_pages
from sim.archives.base import ArchiveModel, HeldAtEnd, add_held
from sim.des import ProgressCallback
from sim.errors import InputError
from sim.exit_cost import exit_estimate, exit_rate_tb_per_week
from sim.finance import present_value_flows, with_discounts, with_price_changes
from sim.ledger import KEYS, ledger_frame, totals_by_year
from sim.network import build_link
from sim.operations import scenario_operations_charges
from sim.read_outcomes import read_figures, reads_table
from sim.scenario import Scenario
from sim.shards import simulate
from sim.version import __version__
from sim.workload import READ_KIND_NAMES, Workload, generate_workload
from sim.workload.stats import monthly_table, monthly_workload
from sim.workload.threads import beside


@dataclass(frozen=True, eq=False)
class RunResult:
    """What a run produced.

    Attributes
    ----------
    scenario
        The scenario as run (with the seed actually used).
    workload
        Studies and reads (arrays).
    ledger
        Every charge: month, archive, tier, category, quantity, unit, amount_usd.
    workload_table
        Per month and modality: studies, bytes, reads, prior pulls, deletions, stored.
    summary
        Totals, per-year amounts, NPV, workload figures, seed, version, scenario hash.
    reads
        Every read of every cloud archive: study, time_s, archive, tier served from, latency_s.
    events
        With ``events=True``: tier changes, restores, expirations, deletions per archive.
    """

    scenario: Scenario
    workload: Workload
    ledger: pd.DataFrame
    workload_table: pd.DataFrame
    summary: dict[str, Any]
    reads: pd.DataFrame | None = None
    events: pd.DataFrame | None = None


def load_workload(scenario: Scenario, seed: int | None = None) -> Workload:
    """The scenario's workload: replayed from its trace, or drawn from its model."""
    if scenario.workload.trace is not None:
        from sim.io.trace_files import load_trace_workload

        return load_trace_workload(scenario)
    return generate_workload(scenario, seed)


@small_pages()
def run(
    scenario: Scenario,
    seed: int | None = None,
    progress: ProgressCallback | None = None,
    workload: Workload | None = None,
    events: bool = False,
    jobs: int = 1,
    scheduler: str | None = None,
) -> RunResult:
    """Simulate a scenario.

    Parameters
    ----------
    scenario
        The scenario.
    seed
        Overrides ``scenario.seed``.
    progress
        Called with the share of the run done, once per simulated month.
    workload
        A workload to reuse (e.g. the same draw for several scenarios); drawn when omitted.
    events
        Keep the event log (tier changes, restores, expirations, deletions).
    jobs
        Processes to simulate on (large workloads run in shards, see :mod:`sim.shards`); the
        result is the same for any value.
    scheduler
        With ``workload.cohorts`` above 1: a Dask scheduler (``local`` or ``tcp://HOST:PORT``)
        to run the cohorts on (:mod:`sim.cohorts`); the result is the same.
    """
    if seed is not None and seed != scenario.seed:
        scenario = scenario.with_overrides({"seed": seed})
    if scenario.workload.cohorts > 1:
        if events:
            raise InputError("--events: not kept for a run in cohorts (workload.cohorts); run "
                             "a single cohort to see events")
        return run_cohorts(scenario, progress, jobs, scheduler)
    if workload is None:
        workload = load_workload(scenario)
    link = build_link(scenario.network, workload.calendar, scenario.seed)
    done = simulate(workload, list(scenario.archives), jobs=jobs, keep_events=events,
                    progress=progress, link=link)
    tiered = [(m, o) for m, o in zip(done.models, done.read_outcomes, strict=True)
              if o is not None]
    reads = None
    figures: dict[str, Any] = {}
    # the workload table and counts (compiled passes over every study and read) on a second
    # thread while the read figures are found (another compiled pass): both cores are free again
    with beside(workload_figures, workload) as table_job:
        if tiered:
            tables = {m.name: reads_table(workload.reads, m.name, m.read_tier_names, *o)
                      for m, o in tiered}
            reads = pd.concat(tables.values(), ignore_index=True)
            figures = {name: read_figures(t) for name, t in tables.items()}
        table, counts = table_job.result()
    charges = done.charges + scenario_operations_charges(scenario.archives, table,
                                                         workload.calendar)
    ledger = with_price_changes(with_discounts(ledger_frame(charges), scenario.archives),
                                dict(scenario.finance.price_change_per_year))
    ledger, exits = with_exit(scenario, done.models, done.held, ledger, workload.calendar)
    summary = summarise(scenario, workload.calendar, ledger, table, counts)
    if exits:
        summary["exit"] = exits
    if workload.notes:
        summary["notes"] = list(workload.notes)
    if tiered:
        summary["unconfirmed_prices_used"] = sorted(
            {p for u in done.unconfirmed for p in u})
        summary["reads_by_archive"] = figures
    onprem = {m.name: f for m in done.models if (f := m.onprem_figures()) is not None}
    if onprem:
        summary["onprem"] = onprem
    migrations = {m.name: f for m in done.models if (f := m.migration_figures())}
    if migrations:
        summary["migration"] = migrations
    if link.down_from_s.size or link.wan_mbps is not None:
        summary["network"] = {"wan_mbps": link.wan_mbps, "outages": int(link.down_from_s.size),
                              "outage_hours": link.down_hours}
    logged = [(m.name, m.event_tier_names, e)
              for m, e in zip(done.models, done.events, strict=True) if e is not None]
    event_table = _events_table(logged) if events and logged else None
    del done, logged  # the engines, before the memory they freed is given back
    give_back_freed_memory()
    return RunResult(scenario, workload, ledger, table, summary, reads, event_table)


def workload_figures(workload: Workload) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The monthly workload table (:func:`sim.workload.stats.monthly_workload`) and the
    workload counts (:func:`workload_counts`)."""
    return monthly_workload(workload), workload_counts(workload)


def _events_table(logged: list[tuple[str, tuple[str, ...], dict[str, np.ndarray]]]
                  ) -> pd.DataFrame:
    """One table of every archive's events; tier codes become each archive's own tier names
    (code -1, e.g. the 'to' of a deletion, becomes empty)."""
    from sim.tiering.core import EventLog

    kinds = np.array(EventLog.KINDS, dtype=object)
    frames = []
    for archive, tiers, e in logged:
        names = np.array([*tiers, ""], dtype=object)
        frames.append(pd.DataFrame({
            "time_s": e["time_s"], "study": e["study"], "archive": archive,
            "event": kinds[e["event"]], "from_tier": names[e["from_tier"]],
            "to_tier": names[e["to_tier"]],
        }))
    return pd.concat(frames, ignore_index=True).sort_values(["time_s", "archive", "study"],
                                                            kind="stable", ignore_index=True)


def summarise(scenario: Scenario, cal, ledger: pd.DataFrame, table: pd.DataFrame,
              counts: dict[str, Any]) -> dict[str, Any]:
    """The run's headline figures as plain JSON-able values (``counts``: :func:`workload_counts`
    of the workload, or of all cohorts added)."""
    names = [a.name for a in scenario.archives]
    monthly = (
        ledger.pivot_table(index="month", columns="archive", values="amount_usd", aggfunc="sum")
        .reindex(index=cal.month_labels, columns=names)
        .fillna(0.0)
    )
    per_year = totals_by_year(ledger).reindex(columns=names).fillna(0.0)
    last = table[table["month"] == table["month"].iloc[-1]] if len(table) else table
    return {
        "scenario": scenario.name,
        "scenario_sha256": scenario.sha256(),
        "seed": scenario.seed,
        "version": __version__,
        "start": cal.start.isoformat(),
        "end_exclusive": cal.end.isoformat(),
        "horizon_months": scenario.horizon_months,
        "currency": "USD",
        "totals_usd": {n: float(monthly[n].sum()) for n in names},
        "per_year_usd": {
            n: {str(year): float(per_year.loc[year, n]) for year in per_year.index} for n in names
        },
        "npv_usd": {
            n: present_value_flows(monthly[n].to_numpy(), scenario.finance) for n in names
        },
        "finance_basis": scenario.finance.basis,
        "discount_rate": scenario.finance.discount_rate,
        "workload": {
            **counts,
            "stored_studies_end": int(last["stored_studies_end"].sum()) if len(table) else 0,
            "stored_bytes_end": int(last["stored_bytes_end"].sum()) if len(table) else 0,
            **_existing_given(scenario),
        },
    }


def _existing_given(scenario: Scenario) -> dict[str, Any]:
    """The totals the hospital gave for its archive at the start, if any (the run hits them:
    :mod:`sim.workload.held`)."""
    existing = scenario.workload.existing
    if existing is None or not existing.targets():
        return {}
    return {"existing_given": existing.model_dump(mode="json", exclude_none=True,
                                                  exclude={"years"})}


def with_exit(scenario: Scenario, models: list[ArchiveModel], held: list[HeldAtEnd | None],
              ledger: pd.DataFrame, cal) -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    """What leaving each cloud archive at the end would cost and take (:mod:`sim.exit_cost`),
    as summary figures; with ``finance.exit_cost: count`` its lines are also booked in the
    run's last month."""
    if not len(ledger):
        return ledger, {}
    last = cal.month_labels[-1]
    existing = scenario.workload.existing
    span_years = scenario.horizon_months / 12 + (existing.years if existing else 0)
    estimates = []
    for model, holding in zip(models, held, strict=True):
        if holding is None:
            continue
        migrated = model.migration_figures()
        held_tb = sum(v[0] for v in holding.values()) / 1e12
        rate = exit_rate_tb_per_week(scenario.finance, scenario.network,
                                     migrated["rate_tb_per_week"] if migrated else None,
                                     held_tb, span_years)
        rows = ledger[(ledger["archive"] == model.name) & (ledger["month"] == last)
                      & (ledger["category"] == "storage")]
        estimates.append(exit_estimate(model, holding, rate, last,
                                       float(rows["amount_usd"].sum())))
    figures = {e.archive: e.figures() for e in estimates}
    if scenario.finance.exit_cost == "count" and estimates:
        booked = ledger_frame([c for e in estimates for c in e.charges])
        ledger = pd.concat([ledger, booked], ignore_index=True).sort_values(
            KEYS, kind="stable").reset_index(drop=True)
    return ledger, figures


def workload_counts(workload: Workload) -> dict[str, Any]:
    """Studies, patients, bytes, reads by kind and deletions of a workload (all additive); the
    sums come from the monthly workload table (one pass, kept per workload)."""
    studies, reads = workload.studies, workload.reads
    kinds = np.bincount(reads.kind, minlength=len(READ_KIND_NAMES))
    table = monthly_table(workload)
    months = table["month"].to_numpy()
    start = table[months == months[0]] if len(table) else table
    held_studies = (start["stored_studies_end"] - start["studies"] + start["deletions"]
                    ).to_numpy()
    held_bytes = (start["stored_bytes_end"] - start["bytes_ingested"] + start["bytes_deleted"]
                  ).to_numpy()
    return {
        "studies": len(studies),
        "patients": workload.n_patients,
        "existing_studies_at_start": int(held_studies.sum()),
        "existing_bytes_at_start": int(held_bytes.sum()),
        "existing_studies_by_modality": {m: int(n) for m, n in
                                         zip(workload.modalities, held_studies, strict=True)
                                         if n},
        "existing_bytes_by_modality": {m: int(b) for m, b in
                                       zip(workload.modalities, held_bytes, strict=True) if b},
        "bytes_ingested": int(table["bytes_ingested"].sum()),
        "objects_ingested": int(table["objects_ingested"].sum()),
        "reads": len(reads),
        "reads_by_kind": {
            READ_KIND_NAMES[k]: int(kinds[k]) for k in range(kinds.size) if kinds[k]
        },
        "deletions": int(table["deletions"].sum()),
    }


def run_cohorts(scenario: Scenario, progress: ProgressCallback | None = None, jobs: int = 1,
                scheduler: str | None = None) -> RunResult:
    """A run of ``workload.cohorts`` independent cohorts, one in memory at a time (or on Dask
    workers), their usage added and billed once (:mod:`sim.cohorts`).  No per-read table is
    kept (its figures are in the summary)."""
    from sim.archives import build_archive
    from sim.calendar import Calendar
    from sim.cohorts import (
        add_counts,
        add_tables,
        check_cohorts,
        merge_read_counts,
        run_cohort,
    )
    from sim.des import bill
    from sim.workload.model import Reads, Studies

    check_cohorts(scenario)
    n = scenario.workload.cohorts
    if scheduler is not None:
        outcomes = _cohorts_on_dask(scenario, scheduler, jobs, progress)
    else:
        outcomes = []
        for k in range(n):
            outcomes.append(run_cohort(scenario, k, jobs))
            if progress is not None:
                progress((k + 1) / n)
    cal = Calendar(scenario.start, scenario.horizon_months)
    none = np.zeros(0, dtype=np.int64)
    assert scenario.workload.modalities is not None  # cohorts need a workload model
    modalities = tuple(scenario.workload.modalities)
    empty = Workload(cal, modalities, Studies(
        created_s=none, modality=none.astype(np.int8), size_bytes=none,
        objects=none.astype(np.int32), patient=none.astype(np.int32),
        age_years=none.astype(np.float32), delete_s=none), Reads(
        none.astype(np.int32), none, none.astype(np.int8)))
    link = build_link(scenario.network, cal, scenario.seed)
    models = [build_archive(spec, empty, link=link) for spec in scenario.archives]
    usage = outcomes[0].usage
    for o in outcomes[1:]:
        usage = [[a + b for a, b in zip(mine, theirs, strict=True)]
                 for mine, theirs in zip(usage, o.usage, strict=True)]
    table = add_tables([o.table for o in outcomes])
    charges = bill(models, usage) + scenario_operations_charges(scenario.archives, table, cal)
    ledger = with_price_changes(with_discounts(ledger_frame(charges), scenario.archives),
                                dict(scenario.finance.price_change_per_year))
    held = [add_held([o.held[a] for o in outcomes]) for a in range(len(models))]
    ledger, exits = with_exit(scenario, models, held, ledger, cal)
    summary = summarise(scenario, cal, ledger, table, add_counts([o.counts for o in outcomes]))
    if exits:
        summary["exit"] = exits
    summary["cohorts"] = n
    reads = {}
    for a, model in enumerate(models):
        parts = [o.reads[a] for o in outcomes if o.reads[a] is not None]
        if parts:
            reads[model.name] = merge_read_counts(parts)
    if reads:
        summary["reads_by_archive"] = reads
        summary["unconfirmed_prices_used"] = sorted(
            {p for o in outcomes for u in o.unconfirmed for p in u}
            | {p for m in models for p in m.unconfirmed_prices})
    onprem = {m.name: f for m in models if (f := m.onprem_figures()) is not None}
    if onprem:
        summary["onprem"] = onprem
    if link.down_from_s.size or link.wan_mbps is not None:
        summary["network"] = {"wan_mbps": link.wan_mbps, "outages": int(link.down_from_s.size),
                              "outage_hours": link.down_hours}
    return RunResult(scenario, empty, ledger, table, summary, None, None)


def _cohorts_on_dask(scenario: Scenario, scheduler: str, jobs: int,
                     progress: ProgressCallback | None) -> list:
    from sim.cohorts import run_cohort
    from sim.executors import dask_map

    n = scenario.workload.cohorts
    outcomes: list = [None] * n
    keys = [f"archive-sim-cohort-{k}" for k in range(n)]
    for done, (k, outcome) in enumerate(
            dask_map(scheduler, jobs, run_cohort, [[scenario] * n, list(range(n))], keys),
            start=1):
        outcomes[k] = outcome
        if progress is not None:
            progress(done / n)
    return outcomes
