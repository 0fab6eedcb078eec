"""The flat archive's bill, against hand-computed byte-time over calendar months."""

from __future__ import annotations

import pytest

import sim
from tests.conftest import write_trace_scenario

GIB = 2**30


def bill(tmp_path, studies_csv, **kwargs):
    scenario = sim.load_scenario(write_trace_scenario(tmp_path, studies_csv, **kwargs))
    ledger = sim.run(scenario).ledger
    return ledger.set_index("month")


def test_one_gib_for_whole_31_and_28_day_months(tmp_path):
    """1 GiB stored from the first second of January: exactly 1 GiB-month in January (31 days)
    and in February (28 days, 2027 is not a leap year)."""
    ledger = bill(
        tmp_path,
        f"""
        study_id,created,size_bytes,objects,modality,patient_id
        A,2027-01-01T00:00:00Z,{GIB},1,CT,p1
        """,
        horizon_months=2,
        price=0.023,
    )
    assert ledger.loc["2027-01", "quantity"] == pytest.approx(1.0, rel=1e-12)
    assert ledger.loc["2027-02", "quantity"] == pytest.approx(1.0, rel=1e-12)
    # 1 GiB-month x $0.023
    assert ledger.loc["2027-02", "amount_usd"] == pytest.approx(0.023, rel=1e-12)
    assert set(ledger["unit"]) == {"GiB-month"}
    assert set(ledger["category"]) == {"storage"}


def test_partial_months_count_from_the_acquisition_second(tmp_path):
    """2 GiB acquired 2027-01-16 00:00 -> 16 of January's 31 days: 2 * 16/31 GiB-month.
    3 GiB acquired 2027-02-14 12:00 -> 14.5 of February's 28 days: 3 * 14.5/28 GiB-month."""
    ledger = bill(
        tmp_path,
        f"""
        study_id,created,size_bytes,objects,modality,patient_id
        A,2027-01-16T00:00:00Z,{2 * GIB},10,CT,p1
        B,2027-02-14T12:00:00Z,{3 * GIB},5,MR,p2
        """,
        horizon_months=2,
        price=0.5,
    )
    jan = 2 * 16 / 31
    feb = 2 * 28 / 28 + 3 * 14.5 / 28
    assert ledger.loc["2027-01", "quantity"] == pytest.approx(jan, rel=1e-12)
    assert ledger.loc["2027-02", "quantity"] == pytest.approx(feb, rel=1e-12)
    assert ledger.loc["2027-02", "amount_usd"] == pytest.approx(feb * 0.5, rel=1e-12)


def test_deletion_at_midnight_stops_the_meter(tmp_path):
    """Retention of 10 days (10/365.25 years): a study acquired 2027-03-01 06:00 is due
    2027-03-11 06:00 and the daily deleter removes it at the next midnight, 2027-03-12 00:00.
    March: 1 GiB for 11 days minus 6 hours = (11 - 0.25) / 31 GiB-month."""
    ledger = bill(
        tmp_path,
        f"""
        study_id,created,size_bytes,objects,modality,patient_id
        A,2027-03-01T06:00:00Z,{GIB},1,CR,p1
        """,
        start="2027-03-01",
        horizon_months=2,
        retention=f"adult_years: {10 / 365.25!r}",
    )
    assert ledger.loc["2027-03", "quantity"] == pytest.approx((11 - 0.25) / 31, rel=1e-12)
    assert ledger.loc["2027-04", "quantity"] == 0.0


def test_run_starting_mid_month_divides_by_the_whole_month(tmp_path):
    """A run starting 2027-01-20 bills January's 12 covered days over all 31 of its days
    (storage is byte-time over the calendar month): 12/31 GiB-month."""
    ledger = bill(
        tmp_path,
        f"""
        study_id,created,size_bytes,objects,modality,patient_id
        A,2027-01-20T00:00:00Z,{GIB},1,CR,p1
        """,
        start="2027-01-20",
        horizon_months=1,
    )
    assert list(ledger.index) == ["2027-01", "2027-02"]
    assert ledger.loc["2027-01", "quantity"] == pytest.approx(12 / 31, rel=1e-12)
    # the run ends 2027-02-20: 19 of February's 28 days
    assert ledger.loc["2027-02", "quantity"] == pytest.approx(19 / 28, rel=1e-12)
