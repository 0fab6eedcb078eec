"""Finance, hand-computed: NPV, IRR of a switch, payback, price trajectories, real basis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.finance import (
    irr_annual,
    npv,
    payback_month,
    present_value_flows,
    with_price_changes,
)
from sim.scenario import Finance


def test_npv_discounts_each_month_end():
    # 100 at the end of month 1 and 100 at the end of month 12, at 10 %/yr compounded monthly:
    # 100 / 1.1^(1/12) + 100 / 1.1^(12/12) = 99.2089... + 90.9090...
    flows = np.zeros(12)
    flows[0] = flows[11] = 100.0
    assert npv(flows, 0.10) == pytest.approx(100 / 1.1 ** (1 / 12) + 100 / 1.1)


def test_irr_of_a_switch():
    # pay 1,000 now (month 0), save 100 a month for 12 months: the monthly IRR r solves
    # -1000 + 100 * (1 - (1 + r)^-12) / r = 0  ->  r = 2.9229 %/month; annual (1 + r)^12 - 1
    flows = np.array([-1000.0] + [100.0] * 12)
    r = 0.029228
    assert -1000 + 100 * (1 - (1 + r) ** -12) / r == pytest.approx(0, abs=0.05)
    assert irr_annual(flows) == pytest.approx((1 + r) ** 12 - 1, rel=1e-3)
    assert irr_annual(np.array([100.0, 50.0])) is None  # no investment: no IRR


def test_payback_is_where_cumulative_savings_stay_non_negative():
    # cumulative savings: -50, -20, +10, -5, +25  -> non-negative for good from month 4
    assert payback_month(np.array([-50.0, 30.0, 30.0, -15.0, 30.0])) == 4
    assert payback_month(np.array([10.0, 5.0])) == 0
    assert payback_month(np.array([-10.0, 5.0])) is None


def test_price_changes_compound_by_category_from_the_first_month():
    ledger = pd.DataFrame({"month": ["2027-01", "2028-01", "2029-07", "2029-07"],
                           "category": ["storage", "storage", "storage", "staff"],
                           "amount_usd": [100.0, 100.0, 100.0, 100.0]})
    moved = with_price_changes(ledger, {"storage": -0.10})
    # 0, 12 and 30 months after January 2027: x 0.9^0, 0.9^1, 0.9^2.5; staff unchanged
    assert moved.amount_usd.tolist() == pytest.approx([100.0, 90.0, 100 * 0.9 ** 2.5, 100.0])


def test_real_basis_removes_inflation_before_discounting():
    finance = Finance(discount_rate=0.03, inflation=0.02, basis="real")
    flows = np.array([0.0] * 11 + [102.0])
    # 102 at month 12 is 100 in today's money; discounted a year at 3 %: 100 / 1.03
    assert present_value_flows(flows, finance) == pytest.approx(100 / 1.03)
