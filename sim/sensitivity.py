"""The inputs that move each option's NPV most, from its own ledger (no re-run).

Most cost inputs enter the bill linearly: a loaded cost per FTE scales the staff rows it
prices, a price per raw TB the capex rows of its tier, an electricity price the power rows, a
catalog's storage prices the storage rows, and so on.  For such an input, a change of ``STEP``
(20 %) moves the NPV by exactly ``STEP x`` the present value of the rows it prices; that is
computed from the ledger the run already wrote.  The discount rate (plus or minus one point) and
the storage price trend are recomputed exactly from the monthly flows.  Inputs the bill is not
linear in (volume, growth, sizes, read rates, policies) are not in this table: run
``archive-sim montecarlo`` or ``sweep`` on them.

Each input carries its value, unit and source: the comment next to it in the scenario files
(:mod:`sim.io.scenario_sources`), or the catalog's source for prices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.finance import monthly_costs, present_value_flows
from sim.io.scenario_sources import source_of
from sim.run import RunResult
from sim.scenario import Scenario, cloud_part

STEP = 0.2
"""Relative change applied to each linear input. [-]"""
RATE_STEP = 0.01
"""Change applied to the discount rate and to the storage price trend. [1/year]"""

Rows = Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class Lever:
    """One input and the ledger rows it prices."""

    label: str
    path: str
    """Dotted scenario path of the input (for its source), or '' for catalog prices."""
    value: str
    unit: str
    rows: Rows
    source: str = ""
    """Set for catalog prices; scenario inputs are looked up in the files."""


def levers(scenario: Scenario) -> list[Lever]:
    """The linear inputs of a scenario's archives, each with the ledger rows it prices."""
    out: list[Lever] = []
    for i, a in enumerate(scenario.archives):
        name = a.name

        def of(category: str | tuple[str, ...], unit: str | None = None,
               tier: str | None = None, prefix: bool = False, archive: str = name) -> Rows:
            categories = (category,) if isinstance(category, str) else category

            def pick(ledger: pd.DataFrame) -> pd.Series:
                sel = (ledger["archive"] == archive) & ledger["category"].isin(categories)
                if unit is not None:
                    sel &= ledger["unit"].str.startswith(unit) if prefix \
                        else ledger["unit"] == unit
                if tier is not None:
                    sel &= ledger["tier"] == tier
                return sel
            return pick

        at = f"archives.{i}"
        ops = a.operations
        if ops.staff.usd_per_fte_year:
            out.append(Lever(f"{name}: loaded cost per FTE (running the archive)",
                             f"{at}.operations.staff.usd_per_fte_year",
                             f"${ops.staff.usd_per_fte_year:,.0f}", "USD/FTE/year",
                             of("staff", "FTE-month")))
        if ops.security_usd_per_year:
            out.append(Lever(f"{name}: security (running the archive)",
                             f"{at}.operations.security_usd_per_year",
                             f"${ops.security_usd_per_year:,.0f}", "USD/year",
                             of("security", "months")))
        if a.kind in ("onprem", "hybrid"):
            out += _onprem_levers(a, at, of)
        cloud = cloud_part(a)
        if cloud is not None:
            out += _cloud_levers(name, cloud, at + (".cloud" if a.kind == "hybrid" else ""), of)
    return out


def _onprem_levers(a, at: str, of) -> list[Lever]:
    out = []
    if a.staff.usd_per_fte_year:
        out.append(Lever(f"{a.name}: storage team, loaded cost per FTE",
                         f"{at}.staff.usd_per_fte_year", f"${a.staff.usd_per_fte_year:,.0f}",
                         "USD/FTE/year", of("staff", "FTE-day")))
    if a.security_usd_per_year:
        out.append(Lever(f"{a.name}: on-prem security", f"{at}.security_usd_per_year",
                         f"${a.security_usd_per_year:,.0f}", "USD/year",
                         of("security", "days")))
    out.append(Lever(f"{a.name}: electricity price", f"{at}.usd_per_kwh",
                     f"${a.usd_per_kwh:g}", "USD/kWh", of("power")))
    out.append(Lever(f"{a.name}: maintenance after warranty", f"{at}.maintenance_rate",
                     f"{a.maintenance_rate:.0%}", "of the price a year",
                     of("maintenance", "USD-day of hardware past warranty")))
    if a.migration_usd_per_tb:
        out.append(Lever(f"{a.name}: data migration at each refresh",
                         f"{at}.migration_usd_per_tb", f"${a.migration_usd_per_tb:g}",
                         "USD/TB", of("migration", "TB migrated at refresh")))
    tiers = list(a.tiers) if a.kind == "onprem" else [a.cache.tier]
    for k, t in enumerate(tiers):
        where = f"{at}.tiers.{k}" if a.kind == "onprem" else f"{at}.cache.tier"
        out.append(Lever(f"{a.name}/{t.name}: hardware price", f"{where}.price_usd_per_raw_tb",
                         f"${t.price_usd_per_raw_tb:g}", "USD/raw TB",
                         _either(of("capex", tier=t.name), of(  # support: a share of the price
                             "maintenance", "USD-day of hardware past warranty", tier=t.name))))
        if t.space_usd_per_raw_tb_year:
            out.append(Lever(f"{a.name}/{t.name}: floor space",
                             f"{where}.space_usd_per_raw_tb_year",
                             f"${t.space_usd_per_raw_tb_year:g}", "USD/raw TB/year",
                             of("space", tier=t.name)))
    return out


def _either(first: Rows, second: Rows) -> Rows:
    """The rows either selection picks."""
    def pick(ledger: pd.DataFrame) -> pd.Series:
        return first(ledger) | second(ledger)
    return pick


def _cloud_levers(name: str, cloud, at: str, of) -> list[Lever]:
    from sim import providers

    catalog = providers.load_catalog(cloud.provider, cloud.catalog)
    seen = f"catalog {catalog.catalog} ({catalog.region}, compiled {catalog.compiled})"
    out = [Lever(f"{name}: cloud storage prices", "", "catalog", "USD/GiB-month",
                 of("storage"), seen),
           Lever(f"{name}: internet egress prices", "", "catalog", "USD/GiB", of("egress"),
                 seen)]
    out.append(Lever(f"{name}: request and retrieval prices", "", "catalog", "USD per 1,000",
                     of(("requests", "retrieval", "transitions")), seen))
    m = cloud.migration
    if m is not None:
        if m.project_usd:
            out.append(Lever(f"{name}: migration project", f"{at}.migration.project_usd",
                             f"${m.project_usd:,.0f}", "USD",
                             of("migration", "migration project")))
        if m.old_system_usd_per_month:
            out.append(Lever(f"{name}: running the old archive while migrating",
                             f"{at}.migration.old_system_usd_per_month",
                             f"${m.old_system_usd_per_month:,.0f}", "USD/month",
                             of("migration", "months", prefix=True)))
    return out


def sensitivity(results: dict[str, RunResult], files: dict[str, Path] | None = None
                ) -> pd.DataFrame:
    """Per option and input: its value, unit, source and the NPV with the input at the low and
    at the high end of its range (``npv_low_usd``: ``-STEP``, or ``-RATE_STEP`` for a rate;
    ``npv_high_usd``: ``+STEP`` or ``+RATE_STEP``), largest swing first. [USD]"""
    rows = []
    for option, r in results.items():
        finance = r.scenario.finance
        ledger = r.ledger
        months = list(r.workload.calendar.month_labels)
        npv = present_value_flows(monthly_costs(ledger, months), finance)
        file = (files or {}).get(option)

        def source(path: str, file=file) -> str:
            found = source_of(file, path) if file is not None and path else None
            return found.describe() if found is not None else "model default (no file sets it)"

        for lever in levers(r.scenario):
            sel = lever.rows(ledger).to_numpy()
            if not sel.any():
                continue
            part = present_value_flows(monthly_costs(ledger[sel], months), finance)
            if not part:
                continue
            rows.append(dict(option=option, input=lever.label, path=lever.path,
                             value=lever.value, unit=lever.unit, change=f"±{STEP:.0%}",
                             npv_usd=npv, npv_low_usd=npv - STEP * part,
                             npv_high_usd=npv + STEP * part,
                             source=lever.source or source(lever.path)))
        rate = finance.discount_rate
        low, high = (present_value_flows(monthly_costs(ledger, months),
                                         finance.model_copy(update={"discount_rate": x}))
                     for x in (rate - RATE_STEP, rate + RATE_STEP))
        rows.append(dict(option=option, input="discount rate", path="finance.discount_rate",
                         value=f"{rate:.1%}", unit="a year", change=f"±{RATE_STEP:.0%} point",
                         npv_usd=npv, npv_low_usd=low, npv_high_usd=high,
                         source=source("finance.discount_rate")))
        trend = finance.price_change_per_year.get("storage")
        if trend is not None:
            lo, hi = (_with_storage_trend(ledger, months, finance, trend, x)
                      for x in (trend - RATE_STEP, trend + RATE_STEP))
            rows.append(dict(option=option, input="cloud storage price trend",
                             path="finance.price_change_per_year.storage",
                             value=f"{trend:+.0%}", unit="a year",
                             change=f"±{RATE_STEP:.0%} point", npv_usd=npv,
                             npv_low_usd=lo, npv_high_usd=hi,
                             source=source("finance.price_change_per_year.storage")))
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["swing_usd"] = (table["npv_high_usd"] - table["npv_low_usd"]).abs()
    return table.sort_values("swing_usd", ascending=False, kind="stable").reset_index(drop=True)


def _with_storage_trend(ledger: pd.DataFrame, months, finance, old: float, new: float
                        ) -> float:
    """NPV with the storage rows' yearly price change ``new`` instead of ``old`` (the ledger
    already holds ``old``: each row is scaled by ((1 + new) / (1 + old)) ** years)."""
    first = pd.Period(months[0], "M")
    years = ledger["month"].map(lambda m: (pd.Period(m, "M") - first).n / 12.0)
    factor = np.where(ledger["category"] == "storage", ((1 + new) / (1 + old)) ** years, 1.0)
    moved = ledger.assign(amount_usd=ledger["amount_usd"] * factor)
    return present_value_flows(monthly_costs(moved, months), finance)


def decision_swings(table: pd.DataFrame, baseline: str, option: str) -> pd.DataFrame:
    """How each input moves the NPV saving of ``option`` against ``baseline`` (baseline NPV
    minus option NPV) at its low and high end: inputs of either option, the discount rate of
    both together. [USD]"""
    if table.empty:
        return table
    rows = []
    base, other = table[table.option == baseline], table[table.option == option]
    saving = float(base["npv_usd"].iloc[0] - other["npv_usd"].iloc[0]) \
        if len(base) and len(other) else 0.0
    shared = set(base["input"]) & set(other["input"])
    for _, r in base.iterrows():
        if r["input"] in shared:
            o = other[other["input"] == r["input"]].iloc[0]
            low = r["npv_low_usd"] - o["npv_low_usd"]
            high = r["npv_high_usd"] - o["npv_high_usd"]
        else:
            low = saving + (r["npv_low_usd"] - r["npv_usd"])
            high = saving + (r["npv_high_usd"] - r["npv_usd"])
        rows.append(dict(input=f"{r['input']}" if r["input"] in shared
                         else f"{r['input']} ({baseline})", low_usd=low, high_usd=high))
    for _, r in other[~other["input"].isin(shared)].iterrows():
        rows.append(dict(input=f"{r['input']} ({option})",
                         low_usd=saving - (r["npv_low_usd"] - r["npv_usd"]),
                         high_usd=saving - (r["npv_high_usd"] - r["npv_usd"])))
    out = pd.DataFrame(rows)
    out["saving_usd"] = saving
    out["swing_usd"] = (out["high_usd"] - out["low_usd"]).abs()
    return out.sort_values("swing_usd", ascending=False, kind="stable").reset_index(drop=True)
