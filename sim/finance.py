"""Money over time: discounting monthly cash flows, price trajectories, the return and payback of
a switch between options, unit costs.

Rates are annual and compounded monthly: the cash flow of month ``m`` (0 = first month of the
run, paid at the month's end) is divided by ``(1 + rate) ** ((m + 1) / 12)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy_financial as npf
import pandas as pd


def discount_factors(n_months: int, annual_rate: float) -> np.ndarray:
    """Present value of 1 USD paid at the end of each month. [-]"""
    months = np.arange(1, n_months + 1)
    return (1.0 + annual_rate) ** (-months / 12.0)


def npv(monthly_cash_flows: np.ndarray, annual_rate: float) -> float:
    """Net present value of end-of-month cash flows. [USD]

    >>> round(npv(np.array([0.0] * 11 + [105.0]), 0.05), 10)
    100.0
    """
    flows = np.asarray(monthly_cash_flows, dtype=np.float64)
    return float(np.dot(flows, discount_factors(flows.size, annual_rate)))


def monthly_costs(ledger: pd.DataFrame, month_labels: list[str]) -> np.ndarray:
    """Total amount of each calendar month of the run (all archives). [USD]"""
    by_month = ledger.groupby("month")["amount_usd"].sum()
    return by_month.reindex(month_labels, fill_value=0.0).to_numpy(dtype=np.float64)


def with_price_changes(ledger: pd.DataFrame, changes: Mapping[Any, float]) -> pd.DataFrame:
    """The ledger with each category's amounts moved by its annual price change, compounded
    from the first month of the run (e.g. ``{"storage": -0.03}``: cloud storage 3 % cheaper a
    year).  Categories not named keep their prices.  Quantities do not change."""
    if not changes or ledger.empty:
        return ledger
    first = pd.Period(min(ledger["month"]), "M")
    years = ledger["month"].map(lambda m: (pd.Period(m, "M") - first).n / 12.0)
    rate = ledger["category"].map(changes).fillna(0.0)
    return ledger.assign(amount_usd=ledger["amount_usd"] * (1.0 + rate) ** years)


def with_discounts(ledger: pd.DataFrame, archives) -> pd.DataFrame:
    """The ledger with each archive's negotiated discounts applied: the rows of the discounted
    category, in the months of the term, cost ``1 - percent / 100`` of the list amount.
    Quantities do not change; discounts on the same rows multiply."""
    if ledger.empty or not any(a.discounts for a in archives):
        return ledger
    amount = ledger["amount_usd"].to_numpy(dtype=np.float64).copy()
    months = pd.PeriodIndex(ledger["month"], freq="M")
    first = months.min()
    for archive in archives:
        for d in archive.discounts:
            start = pd.Period(d.start, "M") if d.start is not None else first
            rows = (ledger["archive"] == archive.name).to_numpy() \
                & (ledger["category"] == d.category).to_numpy() & (months >= start)
            if d.months is not None:
                rows &= months < start + d.months
            amount[rows] *= 1.0 - d.percent / 100.0
    return ledger.assign(amount_usd=amount)


def irr_annual(monthly_cash_flows: np.ndarray) -> float | None:
    """Internal rate of return of monthly cash flows, as an annual rate compounded monthly
    (``(1 + monthly) ** 12 - 1``); None when there is none (no sign change, or no root).

    >>> round(irr_annual(np.array([-100.0] + [0.0] * 11 + [110.0])), 6)
    0.1
    """
    flows = np.asarray(monthly_cash_flows, dtype=np.float64)
    if not ((flows > 0).any() and (flows < 0).any()):
        return None
    monthly = npf.irr(flows)
    if monthly is None or not np.isfinite(monthly):
        return None
    return float((1.0 + monthly) ** 12 - 1.0)


def payback_month(monthly_savings: np.ndarray) -> int | None:
    """Months until the cumulative savings of a switch are recovered for good: the first month
    index from which the cumulative sum stays at or above zero (0: from the first month);
    None when it never does within the run."""
    cumulative = np.cumsum(np.asarray(monthly_savings, dtype=np.float64))
    below = np.flatnonzero(cumulative < -1e-9)
    if below.size == 0:
        return 0
    month = int(below[-1]) + 1
    return month if month < cumulative.size else None


def cost_per_study(total_usd: float, studies: int) -> float:
    """Cost per study acquired or held. [USD/study]"""
    return total_usd / studies if studies else float("nan")


def cost_per_tb_year(total_usd: float, stored_tb_years: float) -> float:
    """Cost per TB-year stored (logical TB x years). [USD/TB-year]"""
    return total_usd / stored_tb_years if stored_tb_years else float("nan")


def present_value_flows(monthly: np.ndarray, finance) -> float:
    """NPV of a run's monthly costs under the scenario's finance settings (nominal, or real:
    deflated by inflation first). [USD]"""
    flows = np.asarray(monthly, dtype=np.float64)
    if finance.basis == "real":
        flows = flows / (1.0 + finance.inflation) ** (np.arange(1, flows.size + 1) / 12.0)
    return npv(flows, finance.discount_rate)
