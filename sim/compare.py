"""Compare options: several scenarios run on the same workload draw, then what each costs, what
the switch from the baseline returns (NPV difference, IRR, payback), what drives the difference,
and what could go wrong (missed reads and priors during outages).

Scenarios whose workload settings, seed, start and horizon are equal share one drawn workload
(common random numbers): their differences come from the archives, not from chance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.allocator import small_pages
from sim.describe import describe, window_text
from sim.errors import named_file
from sim.finance import (
    cost_per_study,
    cost_per_tb_year,
    irr_annual,
    monthly_costs,
    payback_month,
    present_value_flows,
)
from sim.numbers import numbers_by_year
from sim.run import RunResult, load_workload, run
from sim.scenario import Scenario, cloud_part
from sim.sensitivity import sensitivity
from sim.workload.model import Workload

TOP_DRIVERS = 3


@dataclass(frozen=True, eq=False)
class Comparison:
    """Results of every option and how they compare with the baseline."""

    results: dict[str, RunResult]
    baseline: str
    summary: dict[str, Any]
    """Everything ``comparison.json`` holds."""
    annual: pd.DataFrame
    """Amount per scenario, calendar year and ledger category. [USD]"""
    monthly: pd.DataFrame
    """Amount per scenario and month (columns: scenarios). [USD]"""
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Per option and input: value, unit, source and the NPV at each end of its range
    (:mod:`sim.sensitivity`), largest swing first."""
    numbers: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Per option and calendar year: TB stored and ingested, cost per TB-year and per new study
    (:mod:`sim.numbers`)."""


@small_pages()
def compare(scenarios: list[Scenario], baseline: str | None = None, jobs: int = 1,
            progress=None, files: list[Path] | None = None) -> Comparison:
    """Run ``scenarios`` (names must differ) and compare them with ``baseline`` (a scenario name;
    default: the first).  ``progress(share)`` is called as the runs advance; ``files``: where
    each scenario came from, named in messages about bad input."""
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must differ to compare them: {names}")
    baseline = baseline or names[0]
    if baseline not in names:
        raise ValueError(f"baseline {baseline!r} is not one of the scenarios: {', '.join(names)}")
    workloads: dict[str, Workload] = {}
    results: dict[str, RunResult] = {}
    for i, scenario in enumerate(scenarios):
        step = None if progress is None else (
            lambda done, i=i: progress((i + done) / len(scenarios)))
        with named_file(files[i] if files else None):
            if scenario.workload.cohorts > 1:  # drawn cohort by cohort (same for equal settings)
                results[scenario.name] = run(scenario, progress=step, jobs=jobs)
                continue
            key = workload_key(scenario)
            if key not in workloads:
                workloads[key] = load_workload(scenario)
            results[scenario.name] = run(scenario, progress=step, workload=workloads[key],
                                         jobs=jobs)
    months = next(iter(results.values())).workload.calendar.month_labels
    monthly = pd.DataFrame({n: monthly_costs(r.ledger, months) for n, r in results.items()},
                           index=pd.Index(months, name="month"))
    annual = annual_by_category(results)
    summary = _summary(results, baseline, monthly, annual)
    sources = {s.name: Path(f) for s, f in zip(scenarios, files, strict=True)} if files else None
    swings = sensitivity(results, sources)
    numbers = pd.concat([numbers_by_year(r).assign(option=n) for n, r in results.items()],
                        ignore_index=True)
    summary["assumptions_that_matter"] = _top_inputs(swings)
    summary["numbers_by_year"] = {
        n: [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
            for row in numbers[numbers.option == n].drop(columns="option")
            .to_dict(orient="records")]
        for n in results}
    return Comparison(results, baseline, summary, annual, monthly, swings, numbers)


TOP_INPUTS = 10
"""How many inputs the comparison lists as the assumptions that matter most."""


def _top_inputs(swings: pd.DataFrame) -> list[dict[str, Any]]:
    """The inputs with the largest NPV swing, across the options (one row each)."""
    if swings.empty:
        return []
    cols = ["option", "input", "path", "value", "unit", "change", "npv_low_usd",
            "npv_high_usd", "swing_usd", "source"]
    return swings.head(TOP_INPUTS)[cols].to_dict(orient="records")


def annual_by_category(results: dict[str, RunResult]) -> pd.DataFrame:
    """Tidy table: scenario, year, category, amount_usd."""
    frames = []
    for name, r in results.items():
        led = r.ledger.assign(year=r.ledger["month"].str.slice(0, 4).astype(int))
        t = led.groupby(["year", "category"], as_index=False)["amount_usd"].sum()
        frames.append(t.assign(scenario=name))
    return pd.concat(frames, ignore_index=True)[["scenario", "year", "category", "amount_usd"]]


def workload_key(scenario: Scenario) -> str:
    """What decides a scenario's workload draw: scenarios with the same key share one."""
    return json.dumps({"workload": scenario.workload.model_dump(mode="json"),
                       "seed": scenario.seed, "start": scenario.start.isoformat(),
                       "horizon": scenario.horizon_months}, sort_keys=True)


def _summary(results: dict[str, RunResult], baseline: str, monthly: pd.DataFrame,
             annual: pd.DataFrame) -> dict[str, Any]:
    base = results[baseline]
    finance = base.scenario.finance
    options = {}
    for name, r in results.items():
        total = float(monthly[name].sum())
        table = r.workload_table
        stored_tb_years = float(table.groupby("month")["stored_bytes_end"].sum().sum()) \
            / 1e12 / 12
        reads = _read_figures(r)
        options[name] = {
            "description": describe(r.scenario),
            "scenario_description": r.scenario.description,
            "archives": [_archive_label(a) for a in r.scenario.archives],
            "total_usd": total,
            "npv_usd": present_value_flows(monthly[name].to_numpy(), r.scenario.finance),
            "per_year_usd": {str(y): float(v) for y, v in
                             annual[annual.scenario == name].groupby("year")["amount_usd"]
                             .sum().items()},
            "by_category_usd": {c: float(v) for c, v in
                                annual[annual.scenario == name].groupby("category")["amount_usd"]
                                .sum().items()},
            "cost_per_study_usd": cost_per_study(total, int(r.summary["workload"]["studies"])),
            "cost_per_tb_year_usd": cost_per_tb_year(total, stored_tb_years),
            "reads": reads,
            "unconfirmed_prices_used": r.summary.get("unconfirmed_prices_used", []),
            "migration": r.summary.get("migration", {}),
            "onprem": r.summary.get("onprem", {}),
            "exit": r.summary.get("exit", {}),
            "existing_held_tb": r.summary["workload"].get("existing_bytes_at_start", 0) / 1e12,
            "existing_given": r.summary["workload"].get("existing_given", {}),
            "exit_counted": r.scenario.finance.exit_cost == "count",
        }
        residual = sum(f.get("residual_value_usd_end", 0.0)
                       for tiers in options[name]["onprem"].values() for f in tiers.values())
        if residual:  # hardware still worth something when the run ends
            months = len(monthly)
            factor = (1.0 + finance.discount_rate) ** (-months / 12.0)
            options[name]["residual_value_usd_end"] = residual
            options[name]["npv_net_of_residual_usd"] = options[name]["npv_usd"] - residual * factor
    versus = {}
    for name in results:
        if name == baseline:
            continue
        savings = monthly[baseline].to_numpy() - monthly[name].to_numpy()
        pay = payback_month(savings)
        by_cat = _npv_by_category(results[baseline], finance)
        theirs = _npv_by_category(results[name], results[name].scenario.finance)
        diff = {c: by_cat.get(c, 0.0) - theirs.get(c, 0.0) for c in set(by_cat) | set(theirs)}
        drivers = sorted(diff.items(), key=lambda kv: -abs(kv[1]))[:TOP_DRIVERS]
        versus[name] = {
            "npv_savings_usd": options[baseline]["npv_usd"] - options[name]["npv_usd"],
            "total_savings_usd": float(savings.sum()),
            "irr_annual": irr_annual(savings),
            "payback_months": pay,
            "break_even_month": None if pay is None else monthly.index[pay],
            "drivers_npv_usd": {c: v for c, v in drivers},
        }
    cheapest = min(options, key=lambda n: options[n]["npv_usd"])
    carried = scope(options, len(monthly) / 12)
    copies = {name: second_copy(r.scenario) for name, r in results.items()}
    return {
        "baseline": baseline,
        "discount_rate": finance.discount_rate,
        "finance_basis": finance.basis,
        "start": base.summary["start"],
        "horizon_months": base.summary["horizon_months"],
        "recommendation": cheapest,
        "scenarios": options,
        "versus_baseline": versus,
        "scope": {"categories": list(SCOPE_CATEGORIES), "usd_per_year": carried,
                  "second_copy": copies},
        "risks": workload_risks({n: r.scenario for n, r in results.items()}, baseline)
        + scope_risks(options, carried, len(monthly) / 12) + copy_risks(copies)
        + _risks(options),
    }


SCOPE_CATEGORIES = ("staff", "security", "licences", "network", "compute")
"""Cost lines an option carries in reality whatever it stores on (DESIGN section 7): a
comparison lists them per option and warns when one option pays a line another lacks."""
MATERIAL_SHARE = 0.02
"""A line is material in an option when it is at least this share of the option's cost."""


def scope(options: dict[str, Any], years: float) -> dict[str, dict[str, float]]:
    """Each option's average cost a year in each of :data:`SCOPE_CATEGORIES`. [USD/year]"""
    return {name: {c: o["by_category_usd"].get(c, 0.0) / years for c in SCOPE_CATEGORIES}
            for name, o in options.items()}


GEO_REDUNDANT = ("GRS", "RA-GRS", "GZRS", "RA-GZRS")
"""Azure redundancy options that keep a copy in a second region."""


def second_copy(scenario: Scenario) -> bool:
    """Whether the option keeps a second copy of its archive for disaster recovery: an on-prem
    tier with two or more copies (sites) or a tape copy; a cloud archive with S3 Replication, a
    geo-redundant Azure account (GRS, RA-GRS, GZRS, RA-GZRS) or a dual- or multi-region Google
    bucket."""
    for a in scenario.archives:
        if a.kind == "onprem" and (any(t.copies >= 2 for t in a.tiers)
                                   or a.tape_copy is not None):
            return True
        cloud = cloud_part(a)
        if cloud is None:
            continue
        if cloud.replication is not None or cloud.location_type != "region":
            return True
        if cloud.azure is not None and cloud.azure.redundancy in GEO_REDUNDANT:
            return True
    return False


def workload_risks(scenarios: dict[str, Scenario], baseline: str) -> list[str]:
    """An option simulated on other studies than the baseline (another existing archive,
    growth, seed, start or horizon): said, naming the settings that differ, since its costs
    then answer another question."""
    def flat(scenario: Scenario) -> dict[str, Any]:
        data = {"seed": scenario.seed, "start": scenario.start.isoformat(),
                "horizon_months": scenario.horizon_months}
        for key, value in scenario.workload.model_dump(mode="json").items():
            data[f"workload.{key}"] = value
        return data

    base = flat(scenarios[baseline])
    risks = []
    for name, scenario in scenarios.items():
        mine = flat(scenario)
        differ = [k for k in base if mine.get(k) != base[k]]
        if differ:
            verb = "differs" if len(differ) == 1 else "differ"
            risks.append(f"{name} is simulated on other studies than {baseline} ("
                         f"{', '.join(differ)} {verb}): its costs are not like for like")
    return risks


def copy_risks(copies: dict[str, bool]) -> list[str]:
    """An option without a second copy while another keeps one: said."""
    keepers = [n for n, kept in copies.items() if kept]
    if not keepers:
        return []
    return [f"{name} keeps no second copy for disaster recovery while {keepers[0]} does: "
            "intended? (replication on an S3 archive, copies on an on-prem tier)"
            for name, kept in copies.items() if not kept]


def scope_risks(options: dict[str, Any], per_year: dict[str, dict[str, float]],
                years: float) -> list[str]:
    """A line material in one option (at least :data:`MATERIAL_SHARE` of its yearly cost) and
    zero in another: said, with what the payer pays a year."""
    risks = []
    for category in SCOPE_CATEGORIES:
        material = {n: v[category] for n, v in per_year.items()
                    if v[category] > 0
                    and v[category] >= MATERIAL_SHARE * options[n]["total_usd"] / years}
        if not material:
            continue
        payer, amount = max(material.items(), key=lambda kv: kv[1])
        for name, v in per_year.items():
            if v[category] == 0:
                risks.append(f"{name} has no {category} cost while {payer} pays "
                             f"${amount:,.0f} a year: intended? (give it in the option's "
                             "operations: block)")
    return risks


def _npv_by_category(r: RunResult, finance) -> dict[str, float]:
    months = r.workload.calendar.month_labels
    out = {}
    for category, part in r.ledger.groupby("category"):
        out[str(category)] = present_value_flows(monthly_costs(part, months), finance)
    return out


def _read_figures(r: RunResult) -> dict[str, Any]:
    figures = r.summary.get("reads_by_archive", {})
    if not figures:
        return {}
    reads = sum(f["reads"] for f in figures.values())
    priors = sum(f["priors"] for f in figures.values())
    return {
        "reads": reads,
        "unavailable": sum(f["unavailable"] for f in figures.values()),
        "priors": priors,
        "priors_unavailable": sum(f["priors_unavailable"] for f in figures.values()),
        "share_within_target": float(np.average(
            [f["share_within_target"] for f in figures.values()],
            weights=[max(f["reads"], 1) for f in figures.values()])),
        "priors_within_target_share": float(np.average(
            [f["priors_within_target_share"] for f in figures.values()],
            weights=[max(f["priors"], 1) for f in figures.values()])),
        "latency_target_s": next(iter(figures.values()))["latency_target_s"],
    }


def _archive_label(archive) -> str:
    """'name (kind)', with a hybrid's mode and window: 'hybrid (hybrid, tiered: studies move
    to the cloud after 24 months)'."""
    if archive.kind != "hybrid":
        return f"{archive.name} ({archive.kind})"
    c = archive.cache
    limits = window_text(c, " on-prem")
    how = (f"tiered: studies move to the cloud after {limits}" if c.mode == "tiered" else
           f"cache: every study in the cloud, the last {limits} also on-prem")
    return f"{archive.name} (hybrid, {how})"


def _risks(options: dict[str, Any]) -> list[str]:
    risks = []
    for name, o in options.items():
        r = o["reads"]
        if r.get("unavailable"):
            risks.append(f"{name}: {r['unavailable']:,} reads ({r['priors_unavailable']:,} "
                         "priors) missed while the internet was down")
        if r and r.get("priors_within_target_share", 1.0) < 0.95:
            risks.append(f"{name}: only {r['priors_within_target_share']:.0%} of priors shown "
                         f"within {r['latency_target_s']:g} s")
        if o["unconfirmed_prices_used"]:
            risks.append(f"{name}: depends on unconfirmed prices: "
                         + ", ".join(o["unconfirmed_prices_used"]))
        if o.get("residual_value_usd_end", 0.0) > 0.01 * abs(o["npv_usd"]):
            risks.append(f"{name}: on-prem hardware worth ${o['residual_value_usd_end']:,.0f} "
                         "(straight line) is still in service when the run ends; NPV net of it "
                         f"${o['npv_net_of_residual_usd']:,.0f} (the headline NPV counts what "
                         "was paid)")
        for archive, e in o.get("exit", {}).items():
            risks.append(
                f"{name}: leaving {archive} at the end would take {e['weeks']:,.0f} weeks at "
                f"{e['rate_tb_per_week']:.3g} TB/week and cost ${e['total_usd']:,.0f} (read out "
                f"${e['read_out_usd']:,.0f}, egress ${e['egress_usd']:,.0f}, storage while it "
                f"drains ${e['storage_while_leaving_usd']:,.0f}); "
                + ("counted in its NPV" if o.get("exit_counted") else
                   "not in its NPV (finance.exit_cost: count adds it)"))
        for archive, tiers in o["onprem"].items():
            for tier, f in tiers.items():
                if f.get("over_capacity_days"):
                    risks.append(f"{name}: {archive}/{tier} over installed capacity on "
                                 f"{f['over_capacity_days']} days (purchases too late)")
    return risks
