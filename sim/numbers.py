"""The figures a planning meeting asks for, per option and calendar year, from a run's ledger
and workload table (pure computation).

- ``tb_stored_end``: the archive's logical size at the year's end (every study once, as
  stored) [TB, 10^12 bytes];
- ``tb_<tier>``: each cloud storage tier's average in the year's last month, from the ledger's
  storage rows (GiB-months, or GiB-hours over the month's hours) [TB];
- ``tb_ingested``: bytes of the studies acquired in the year [TB];
- ``cost_usd``: everything the ledger bills in the year [USD];
- ``cost_per_tb_year_usd``: ``cost_usd`` / the average logical TB stored over the year's
  months [USD/TB-year];
- ``cost_per_new_study_usd``: ``cost_usd`` / the studies acquired in the year (every cost of
  running the archive, spread over the year's new studies) [USD/study].
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.pricing.metering import BYTES_PER_GIB
from sim.run import RunResult


def numbers_by_year(result: RunResult) -> pd.DataFrame:
    """One row per calendar year of the run (see the module's columns)."""
    table = result.workload_table
    ledger = result.ledger
    calendar = result.workload.calendar
    monthly = table.groupby("month", sort=True)[
        ["studies", "bytes_ingested", "stored_bytes_end"]].sum()
    monthly = monthly.reindex(list(calendar.month_labels), fill_value=0)
    year = monthly.index.str[:4]
    cost = ledger.groupby(ledger["month"].str[:4])["amount_usd"].sum()
    tiers = tier_tb_by_month(result)
    rows = []
    for y in sorted(set(year)):
        months = monthly[year == y]
        stored = months["stored_bytes_end"].to_numpy(dtype=np.float64) / 1e12
        usd = float(cost.get(y, 0.0))
        studies = float(months["studies"].sum())
        row = {"year": int(y), "tb_stored_end": float(stored[-1]) if stored.size else 0.0,
               "tb_ingested": float(months["bytes_ingested"].sum()) / 1e12, "cost_usd": usd,
               "cost_per_tb_year_usd": usd / stored.mean() if stored.mean() > 0 else np.nan,
               "cost_per_new_study_usd": usd / studies if studies else np.nan}
        last = months.index[-1]
        for tier in tiers.columns:
            row[f"tb_{tier}"] = float(tiers.loc[last, tier]) if last in tiers.index else 0.0
        rows.append(row)
    return pd.DataFrame(rows)


def tier_tb_by_month(result: RunResult) -> pd.DataFrame:
    """Average TB in each cloud storage tier per month (months x tiers), from the ledger's
    storage rows: GiB-months, or GiB-hours over the month's hours."""
    calendar = result.workload.calendar
    hours = dict(zip(calendar.month_labels,
                     np.diff(calendar.month_bounds_s) / 3600.0, strict=True))
    storage = result.ledger[result.ledger.category == "storage"]
    by_month = storage[storage.unit == "GiB-month"]
    hourly = storage[storage.unit == "GiB-hour"]
    rows = pd.concat([by_month, hourly.assign(
        quantity=hourly.quantity / hourly.month.map(hours).astype(float))])
    if rows.empty:
        return pd.DataFrame(index=pd.Index(list(calendar.month_labels)))
    return rows.pivot_table(index="month", columns="tier", values="quantity", aggfunc="sum",
                            fill_value=0.0) * BYTES_PER_GIB / 1e12
