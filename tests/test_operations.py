"""The operations block (staff, security, licences, support, compute, network) billed by hand,
on every archive kind, and its checks."""

from __future__ import annotations

import pytest

import sim
from sim.errors import InputError
from tests.conftest import write_trace_scenario

STUDIES = """study_id,created,size_bytes,objects,modality,patient_id
A,2027-01-05T00:00:00Z,500000000000,1,CT,p
B,2027-01-20T00:00:00Z,250000000000,1,CT,q
C,2027-01-25T00:00:00Z,250000000000,1,MR,r
D,2027-02-10T00:00:00Z,1000000000000,1,CT,s
"""
OPERATIONS = """    operations:
      staff:
        fte: 1
        fte_per_pb: 10
        usd_per_fte_year: 120000
        changes:
          - {start: 2027-02-01, end: 2027-03-01, fte: 1.5}
      security_usd_per_year: 12000
      security_usd_per_tb_year: 120
      licences:
        usd_per_study: 2
        usd_per_study_stored_year: 1.2
        usd_per_tb_year: 24
        usd_per_year: 6000
      support_usd_per_year: 2400
      compute_usd_per_month: 300
      network_usd_per_year: 3600
"""


def run_with(tmp_path, operations: str = OPERATIONS, horizon_months: int = 3):
    path = write_trace_scenario(tmp_path, STUDIES, horizon_months=horizon_months)
    text = path.read_text()
    path.write_text(text.replace("    price_source: test price\n",
                                 "    price_source: test price\n" + operations))
    return sim.run(sim.load_scenario(path)).ledger


def cell(ledger, month, category, unit):
    sel = ledger[(ledger.month == month) & (ledger.category == category) & (ledger.unit == unit)]
    assert len(sel) == 1, (month, category, unit)
    return float(sel.quantity.iloc[0]), float(sel.amount_usd.iloc[0])


def test_every_line_by_hand(tmp_path):
    """January: 3 studies ingested, 1 TB stored at the month's end (0.5 + 0.25 + 0.25).
    February: 1 study, 2 TB; a ramp of +1.5 FTE for February only.

    staff Jan: 1 + 10/PB x 0.001 PB = 1.01 FTE x 120,000 / 12 = 10,100
    staff Feb: 1 + 0.02 + 1.5 = 2.52 FTE x 10,000 = 25,200;  Mar: 1.02 FTE = 10,200
    security Jan: 12,000 / 12 = 1,000 flat + 1 TB x 120 / 12 = 10
    licences Jan: 3 x 2 = 6 per study; 3 studies held x 1.2 / 12 = 0.3; 1 TB x 24 / 12 = 2;
    6,000 / 12 = 500.  Feb: 1 x 2 = 2; 4 x 0.1 = 0.4; 2 TB x 2 = 4
    maintenance 2,400 / 12 = 200; compute 300; network 3,600 / 12 = 300 a month."""
    L = run_with(tmp_path)
    assert cell(L, "2027-01", "staff", "FTE-month") == pytest.approx((1.01, 10_100))
    assert cell(L, "2027-02", "staff", "FTE-month") == pytest.approx((2.52, 25_200))
    assert cell(L, "2027-03", "staff", "FTE-month") == pytest.approx((1.02, 10_200))
    assert cell(L, "2027-01", "security", "months") == pytest.approx((1, 1_000))
    assert cell(L, "2027-01", "security", "TB-month stored") == pytest.approx((1, 10))
    assert cell(L, "2027-01", "licences", "studies ingested") == pytest.approx((3, 6))
    assert cell(L, "2027-01", "licences", "study-months stored") == pytest.approx((3, 0.3))
    assert cell(L, "2027-01", "licences", "TB-month stored") == pytest.approx((1, 2))
    assert cell(L, "2027-01", "licences", "months") == pytest.approx((1, 500))
    assert cell(L, "2027-02", "licences", "studies ingested") == pytest.approx((1, 2))
    assert cell(L, "2027-02", "licences", "study-months stored") == pytest.approx((4, 0.4))
    assert cell(L, "2027-02", "licences", "TB-month stored") == pytest.approx((2, 4))
    assert cell(L, "2027-02", "maintenance", "months (support contracts)") == \
        pytest.approx((1, 200))
    assert cell(L, "2027-03", "compute", "months") == pytest.approx((1, 300))
    assert cell(L, "2027-03", "network", "months") == pytest.approx((1, 300))
    assert set(L[L.category.isin(["staff", "licences"])].tier) == {"all"}


def test_a_per_study_licence_over_a_year(tmp_path):
    """$2.50 per study ingested, 12 months: the 4 studies pay 4 x 2.50 = $10 in all."""
    L = run_with(tmp_path, "    operations:\n      licences: {usd_per_study: 2.5}\n", 12)
    assert L[L.category == "licences"].amount_usd.sum() == pytest.approx(10.0)


@pytest.mark.parametrize(("operations", "message"), [
    ("    operations:\n      staff: {fte: 1}\n", "usd_per_fte_year is 0"),
    ("    operations:\n      staff: {fte: 1, usd_per_fte_year: -5}\n",
     "operations.staff.usd_per_fte_year"),
    ("    operations:\n      licences: {per_study: 2}\n", "operations.licences.per_study"),
])
def test_bad_operations_are_named(tmp_path, operations, message):
    with pytest.raises(InputError, match=message):
        run_with(tmp_path, operations)


def _compare(tmp_path, operations_b: str):
    from sim.compare import compare

    a = write_trace_scenario(tmp_path / "a", STUDIES, horizon_months=12)
    b = write_trace_scenario(tmp_path / "b", STUDIES, horizon_months=12)
    a.write_text(a.read_text().replace("name: trace-test", "name: with-staff").replace(
        "    price_source: test price\n", "    price_source: test price\n"
        "    operations:\n      staff: {fte: 1, usd_per_fte_year: 120000}\n"))
    b.write_text(b.read_text().replace("name: trace-test", "name: other").replace(
        "    price_source: test price\n", "    price_source: test price\n" + operations_b))
    return compare([sim.load_scenario(a), sim.load_scenario(b)]).summary


def test_the_scope_check_names_a_missing_line(tmp_path):
    """One option pays a 120,000-a-year engineer, the other none: said, with the amount."""
    summary = _compare(tmp_path, "")
    assert summary["scope"]["usd_per_year"]["with-staff"]["staff"] == pytest.approx(120_000)
    assert summary["scope"]["usd_per_year"]["other"]["staff"] == 0.0
    assert "other has no staff cost while with-staff pays $120,000 a year: intended?" in \
        " ".join(summary["risks"])
    quiet = _compare(tmp_path / "q", "    operations:\n      staff: {fte: 0.5, "
                     "usd_per_fte_year: 120000}\n")
    assert not any("no staff cost" in r for r in quiet["risks"])


def test_the_bundled_demo_carries_the_same_lines(tmp_path):
    """The README's demo (on-prem, cloud, hybrid), cut down: no option lacks a line another
    pays."""
    from sim.compare import compare
    from tests.conftest import SCENARIOS

    specs = [sim.load_scenario(SCENARIOS / f"academic-medical-center-{v}.yaml",
                               overrides={"workload.annual_studies": 5000, "horizon_months": 24})
             for v in ("onprem", "cloud", "hybrid")]
    summary = compare(specs, baseline=specs[0].name).summary
    assert not [r for r in summary["risks"] if "intended?" in r]
    for carried in summary["scope"]["usd_per_year"].values():
        assert carried["staff"] > 0 and carried["security"] > 0
    assert all(summary["scope"]["second_copy"].values())


def test_an_option_without_a_second_copy_is_named():
    """The S3 Intelligent-Tiering variant (one bucket) against the on-prem one (two sites)."""
    from sim.compare import compare
    from tests.conftest import SCENARIOS

    specs = [sim.load_scenario(SCENARIOS / f"academic-medical-center-{v}.yaml",
                               overrides={"workload.annual_studies": 3000, "horizon_months": 12})
             for v in ("onprem", "s3-intelligent-tiering")]
    summary = compare(specs, baseline=specs[0].name).summary
    assert summary["scope"]["second_copy"] == {"academic-medical-center-onprem": True,
                                               "academic-medical-center-s3-intelligent-tiering":
                                               False}
    said = " ".join(summary["risks"])
    assert "academic-medical-center-s3-intelligent-tiering keeps no second copy for disaster " \
           "recovery while academic-medical-center-onprem does: intended?" in said


DISCOUNT_STUDY = """study_id,created,size_bytes,objects,modality,patient_id
A,2027-01-01T00:00:00Z,107374182400,1,CT,p
"""


def run_discounted(tmp_path, discounts: str):
    path = write_trace_scenario(tmp_path, DISCOUNT_STUDY, horizon_months=4)
    path.write_text(path.read_text().replace("    price_source: test price\n",
                                             "    price_source: test price\n" + discounts))
    return sim.run(sim.load_scenario(path)).ledger


def test_a_storage_discount_starting_mid_run(tmp_path):
    """100 GiB on a flat archive at $0.023 per GiB-month: $2.30 a month.  A 20 % storage
    discount from 2027-03-01 for one month: March costs 2.30 x 0.8 = $1.84; February and April
    stay at $2.30."""
    L = run_discounted(tmp_path, "    discounts:\n      - {category: storage, percent: 20, "
                                 "start: 2027-03-15, months: 1, source: EDP quote 2026}\n")
    by_month = L.groupby("month").amount_usd.sum()
    assert by_month["2027-02"] == pytest.approx(2.30)
    assert by_month["2027-03"] == pytest.approx(1.84)
    assert by_month["2027-04"] == pytest.approx(2.30)
    assert L.quantity.sum() == pytest.approx(4 * 100)  # quantities do not change


@pytest.mark.parametrize(("discounts", "message"), [
    ("    discounts:\n      - {category: storage, percent: 120}\n",
     r"discounts\.0\.percent.*less than or equal to 100"),
    ("    discounts:\n      - {category: storrage, percent: 10}\n",
     r"discounts\.0\.category.*'storage'"),
])
def test_bad_discounts_are_named(tmp_path, discounts, message):
    with pytest.raises(InputError, match=message):
        run_discounted(tmp_path, discounts)
