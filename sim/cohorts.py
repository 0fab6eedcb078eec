"""National-scale runs in bounded memory: the workload streamed as independent cohorts.

A national archive is the archive of many health systems whose patients rarely cross between
them.  With ``workload.cohorts: K`` the workload model draws K independent cohorts (each with a
K-th of the annual volume, the same modality mix and rules, and its own seed); each cohort is
generated, simulated and reduced to what the bill and the summary need (its metered usage per
archive and month, its monthly workload table, counts and read figures) before the next one is
drawn.  Only one cohort's studies are in memory at a time (in shards on ``jobs`` processes, as any
run); with a Dask scheduler the cohorts run on the workers.  The usage of all cohorts is added
and billed once, so volume bands and on-prem capacity see the whole archive.

Cohorts cannot share what spans the archive: a capacity-limited cache or a fill-level deleter
(decisions over all studies) and a migration's upload queue are refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.archives.base import HeldAtEnd, MonthUsage
from sim.errors import InputError
from sim.jit import kernel
from sim.read_outcomes import (
    PRIOR_LATENCY_TARGET_S,
    read_masks,
    tally_reads,
)
from sim.scenario import Scenario
from sim.workload.sorting import last_at_or_below

LATENCY_EDGES_S = np.concatenate(([0.0], np.logspace(-3, 6, 721)))
"""Bins of the merged latency histogram: 80 per decade from 1 ms to 11.6 days."""


@dataclass
class CohortOutcome:
    """What one cohort contributes: usage to bill, tables and counts to add."""

    usage: list[list[MonthUsage]]
    table: pd.DataFrame
    counts: dict
    reads: list[dict | None]
    unconfirmed: list[list[str]]
    held: list[HeldAtEnd | None]


def check_cohorts(scenario: Scenario) -> None:
    """Refuse archives whose decisions span all studies."""
    from sim.archives import migration_of, shardable

    for spec in scenario.archives:
        if not shardable(spec):
            raise InputError(f"workload.cohorts: archive {spec.name!r} decides over all studies "
                             "at once (a capacity-limited cache or a fill-level deleter); "
                             "simulate it whole (cohorts: 1)")
        if migration_of(spec) is not None:
            raise InputError(f"workload.cohorts: archive {spec.name!r} migrates the existing "
                             "archive in one upload queue; simulate it whole (cohorts: 1)")


def cohort_scenario(scenario: Scenario, k: int) -> Scenario:
    """Cohort ``k``: a K-th of the volume (the remainder spread over the first cohorts), its
    own seed."""
    n = scenario.workload.cohorts
    annual = scenario.workload.annual_studies
    assert annual is not None  # cohorts need a workload model (checked by the scenario)
    share = annual // n + (1 if k < annual % n else 0)
    seed = int(np.random.SeedSequence([scenario.seed, k]).generate_state(1)[0] & 0x7FFFFFFF)
    overrides: dict = {"workload.annual_studies": max(share, 1), "workload.cohorts": 1,
                       "seed": seed}
    existing = scenario.workload.existing
    if existing is not None and existing.targets():
        overrides["workload.existing"] = _cohort_totals(
            existing.model_dump(mode="python"), k, n)
    return scenario.with_overrides(overrides)


def _cohort_totals(totals: dict, k: int, n: int) -> dict:
    """Cohort ``k``'s part of the archive held at the start: a K-th of each stored TB, and of
    each study count (the remainder spread over the first cohorts), so the parts add up."""
    out = dict(totals)
    if out.get("stored_tb") is not None:
        out["stored_tb"] = out["stored_tb"] / n
    if out.get("studies") is not None:
        out["studies"] = max(1, out["studies"] // n + (1 if k < out["studies"] % n else 0))
    if out.get("modalities"):
        out["modalities"] = {code: _cohort_totals(part, k, n)
                             for code, part in out["modalities"].items()}
    return out


def run_cohort(scenario: Scenario, k: int, jobs: int = 1) -> CohortOutcome:
    """Generate, simulate and reduce cohort ``k`` of ``scenario``."""
    from sim.network import build_link
    from sim.read_outcomes import reads_table
    from sim.run import workload_figures
    from sim.shards import simulate
    from sim.workload import generate_workload
    from sim.workload.threads import beside

    part = cohort_scenario(scenario, k)
    workload = generate_workload(part)
    link = build_link(scenario.network, workload.calendar, scenario.seed)  # one site link
    done = simulate(workload, list(part.archives), jobs=jobs, link=link)
    reads: list[dict | None] = []
    # the workload table and counts on a second thread while the reads are counted
    with beside(workload_figures, workload) as figures:
        for model, outcome in zip(done.models, done.read_outcomes, strict=True):
            if outcome is None:
                reads.append(None)
                continue
            table = reads_table(workload.reads, model.name, model.read_tier_names, *outcome)
            reads.append(read_counts(table))
        table, counts = figures.result()
    return CohortOutcome(done.usage, table, counts, reads, done.unconfirmed, done.held)


def read_counts(reads: pd.DataFrame, target_s: float = PRIOR_LATENCY_TARGET_S) -> dict:
    """Additive read figures of one cohort (counts and a latency histogram): one compiled pass
    for the counts (:func:`sim.read_outcomes.tally_reads`) and one for the histogram (the
    numpy masks where the tally cannot answer)."""
    t = tally_reads(reads, target_s)
    if t is None:
        return _read_counts_by_masks(reads, target_s)
    histogram = np.zeros(LATENCY_EDGES_S.size - 1, dtype=np.int64)
    _latency_histogram(t.codes, t.latency, t.missing_code, t.unavailable_code, LATENCY_EDGES_S,
                       histogram)
    return {
        "reads": int(len(reads)), "missing": t.missing, "unavailable": t.unavailable,
        "priors": t.priors, "priors_unavailable": t.priors_unavailable, "by_tier": t.by_tier(),
        "fast": t.fast, "fast_priors": t.fast_priors,
        "histogram": histogram,
        "max": t.largest if t.served else 0.0,
    }


def _read_counts_by_masks(reads: pd.DataFrame, target_s: float) -> dict:
    """:func:`read_counts` with numpy masks (latencies other than float32, a served read
    without a latency)."""
    m = read_masks(reads, target_s)
    lat = m.served_latency()
    return {
        "reads": int(len(reads)), "missing": int(m.missing.sum()),
        "unavailable": int(m.unavailable.sum()), "priors": int(m.prior.sum()),
        "priors_unavailable": int((m.prior & m.unavailable).sum()),
        "by_tier": dict(m.by_tier),
        "fast": int(m.fast.sum()), "fast_priors": int((m.fast & m.prior).sum()),
        "histogram": np.histogram(np.clip(lat, 0, LATENCY_EDGES_S[-1]), LATENCY_EDGES_S)[0],
        "max": float(lat.max()) if lat.size else 0.0,
    }


@kernel
def _latency_histogram(codes, latency, missing_code, unavailable_code, edges,
                       counts):  # pragma: no cover - compiled
    """Add to ``counts`` the served latencies (as float64, clipped to the edges' range) per bin
    of ``edges``, as ``np.histogram`` bins them: ``[edges[i], edges[i + 1])``, the last bin
    closed.  No latency is NaN (the tally found none)."""
    last = edges.size - 1
    low, top = edges[0], edges[last]
    for r in range(codes.size):
        if codes[r] == missing_code or codes[r] == unavailable_code:
            continue
        v = min(max(np.float64(latency[r]), low), top)
        if v >= top:
            counts[last - 1] += 1
            continue
        counts[last_at_or_below(edges, v)] += 1  # edges[0] <= v < edges[last]


def merge_read_counts(parts: list[dict], target_s: float = PRIOR_LATENCY_TARGET_S) -> dict:
    """The read figures of the whole archive (as :func:`sim.read_outcomes.read_figures`; the
    latency percentiles to the histogram's resolution, the upper edge of their bin)."""
    total = {k: sum(p[k] for p in parts) for k in ("reads", "missing", "unavailable", "priors",
                                                   "priors_unavailable", "fast", "fast_priors")}
    by_tier: dict[str, int] = {}
    for p in parts:
        for tier, n in p["by_tier"].items():
            by_tier[tier] = by_tier.get(tier, 0) + n
    histogram = np.sum([p["histogram"] for p in parts], axis=0)
    cumulative = np.cumsum(histogram)
    slowest = max(p["max"] for p in parts)

    def percentile(q: float) -> float:
        if cumulative[-1] == 0:
            return 0.0
        i = int(np.searchsorted(cumulative, q / 100 * cumulative[-1]))
        return min(float(LATENCY_EDGES_S[min(i + 1, LATENCY_EDGES_S.size - 1)]), slowest)

    return {
        "reads": total["reads"], "missing": total["missing"],
        "unavailable": total["unavailable"], "priors": total["priors"],
        "priors_unavailable": total["priors_unavailable"],
        "by_tier": dict(sorted(by_tier.items())), "latency_target_s": target_s,
        "share_within_target": total["fast"] / total["reads"] if total["reads"] else 1.0,
        "priors_within_target_share": total["fast_priors"] / total["priors"]
        if total["priors"] else 1.0,
        "latency_p50_s": percentile(50), "latency_p99_s": percentile(99),
        "latency_max_s": slowest,
    }


def add_tables(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Monthly workload tables of the cohorts, added cell by cell."""
    first = tables[0]
    keys = [c for c in first.columns if first[c].dtype == object or c in ("month", "modality")]
    total = first.copy()
    numbers = [c for c in first.columns if c not in keys]
    for t in tables[1:]:
        total[numbers] = total[numbers].to_numpy() + t[numbers].to_numpy()
    return total


def add_counts(parts: list[dict]) -> dict:
    """Workload counts of the cohorts added (patients never span cohorts)."""
    out: dict = {}
    for p in parts:
        for key, value in p.items():
            if isinstance(value, dict):
                inner = out.setdefault(key, {})
                for k, v in value.items():
                    inner[k] = inner.get(k, 0) + v
            else:
                out[key] = out.get(key, 0) + value
    return out
