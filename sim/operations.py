"""Operations costs of an archive, billed monthly from its ``operations:`` block.

The same lines for every archive kind (:mod:`sim.scenario.operations`), each a twelfth of its
yearly amount a month, sized by what the archive holds at the month's end (the run's monthly
workload table: studies ingested, studies and bytes stored):

- ``staff``: (FTE + FTE per PB stored + the changes active on the month's first day) x loaded
  cost per FTE-year / 12;
- ``security``: USD per year / 12 + TB stored x USD per TB-year / 12;
- ``licences``: studies ingested x USD per study + studies stored x USD per study-year / 12 +
  TB stored x USD per TB-year / 12 + USD per year / 12;
- ``maintenance`` (support contracts): USD per year / 12;
- ``compute``: USD per month;
- ``network``: USD per year / 12.

TB are 10^12 bytes, PB 10^15 (as the on-prem capacity model counts them).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sim.calendar import Calendar
from sim.ledger import Charge
from sim.scenario.operations import Operations

TB = 10**12
TIER = "all"
"""Ledger tier of costs that belong to the whole archive (as on-prem staff, licences)."""


def operations_charges(archive: str, ops: Operations, table: pd.DataFrame,
                       calendar: Calendar) -> list[Charge]:
    """The monthly charges of ``ops`` for ``archive``; ``table``: the run's monthly workload
    (:func:`sim.workload.stats.monthly_workload`, one row per month and modality)."""
    if ops.empty:
        return []
    months = calendar.month_labels
    per_month = table.groupby("month", sort=False)[
        ["studies", "stored_studies_end", "stored_bytes_end"]].sum().reindex(months).fillna(0)
    ingested = per_month["studies"].to_numpy(dtype=np.float64)
    stored = per_month["stored_studies_end"].to_numpy(dtype=np.float64)
    tb = per_month["stored_bytes_end"].to_numpy(dtype=np.float64) / TB
    firsts = [dt.date.fromisoformat(m + "-01") for m in months]
    lic, staff = ops.licences, ops.staff
    out: list[Charge] = []

    def add(m: int, category: str, quantity: float, unit: str, usd: float) -> None:
        if usd:
            out.append(Charge(months[m], archive, TIER, category, quantity, unit, usd))

    for m, first in enumerate(firsts):
        fte = staff.fte + staff.fte_per_pb * tb[m] / 1000 + sum(
            c.fte for c in staff.changes if c.start <= first and (c.end is None or first < c.end))
        fte = max(fte, 0.0)
        add(m, "staff", fte, "FTE-month", fte * staff.usd_per_fte_year / 12)
        add(m, "security", 1.0, "months", ops.security_usd_per_year / 12)
        add(m, "security", tb[m], "TB-month stored", tb[m] * ops.security_usd_per_tb_year / 12)
        add(m, "licences", ingested[m], "studies ingested", ingested[m] * lic.usd_per_study)
        add(m, "licences", stored[m], "study-months stored",
            stored[m] * lic.usd_per_study_stored_year / 12)
        add(m, "licences", tb[m], "TB-month stored", tb[m] * lic.usd_per_tb_year / 12)
        add(m, "licences", 1.0, "months", lic.usd_per_year / 12)
        add(m, "maintenance", 1.0, "months (support contracts)", ops.support_usd_per_year / 12)
        add(m, "compute", 1.0, "months", ops.compute_usd_per_month)
        add(m, "network", 1.0, "months", ops.network_usd_per_year / 12)
    return out


def scenario_operations_charges(archives, table: pd.DataFrame,
                                calendar: Calendar) -> list[Charge]:
    """Operations charges of every archive of a scenario (a hybrid's on its own entry)."""
    return [c for a in archives for c in operations_charges(a.name, a.operations, table,
                                                             calendar)]
