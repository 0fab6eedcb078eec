"""Money over time: discounting monthly cash flows.

Rates are annual and compounded monthly: the cash flow of month ``m`` (0 = first month of the
run, paid at the month's end) is divided by ``(1 + rate) ** ((m + 1) / 12)``.
"""

from __future__ import annotations

import numpy as np


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
