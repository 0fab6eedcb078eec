"""Starting from the hospital's real state: the archive it already holds (stored TB, studies),
hardware it already owns (refresh date, support contract), a migration as fast as the old VNA
exports (with services fees and the old archive's contract), a tiered hybrid, and what leaving
a cloud archive at the end would cost.  The arithmetic is written out."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import sim
from sim.cohorts import _cohort_totals, cohort_scenario
from sim.compare import _archive_label
from sim.errors import InputError
from sim.exit_cost import WEEKS_PER_MONTH
from sim.io.scenario_file import load_scenario
from sim.workload import generate_workload
from tests.conftest import SCENARIOS, small_academic
from tests.s3_helpers import GIB, s3_run
from tests.test_hostile_inputs import archive_sim

DAY = 86_400


# ------------------------------------------------------------------ the archive already held


def held(workload, modality: str | None = None) -> tuple[int, int]:
    """Studies and bytes held at the start (of one modality, or all)."""
    st = workload.studies
    mask = st.acquisition_s < st.created_s
    if modality is not None:
        mask &= st.modality == workload.modalities.index(modality)
    return int(mask.sum()), int(st.size_bytes[mask].sum())


@pytest.mark.parametrize("given", [
    {"years": 3, "studies": 30_000, "stored_tb": 5.0},
    {"years": 3, "studies": 80_000},
    {"years": 4, "stored_tb": 12.5},
], ids=["both", "studies", "stored-tb"])
def test_the_archive_held_at_the_start_hits_the_given_totals(given):
    workload = generate_workload(small_academic(**{"workload.existing": given}))
    studies, size = held(workload)
    if "studies" in given:
        assert studies == given["studies"]  # thinned exactly to the count
    if "stored_tb" in given:
        assert size == pytest.approx(given["stored_tb"] * 1e12, rel=1e-3)
    # the history still spans the years given: the oldest held study is from the first year
    oldest_years = -workload.studies.acquisition_s.min() / (365.25 * DAY)
    assert given["years"] - 1 < oldest_years <= given["years"] + 0.01


def test_the_archive_held_by_modality_hits_each_total_and_leaves_the_others_alone():
    base = generate_workload(small_academic(**{"workload.existing": {"years": 3}}))
    given = {"CT": {"stored_tb": 4.0}, "MR": {"studies": 2_000, "stored_tb": 0.6}}
    workload = generate_workload(small_academic(**{"workload.existing": {
        "years": 3, "modalities": given}}))
    assert held(workload, "CT")[1] == pytest.approx(4.0e12, rel=1e-3)
    assert held(workload, "MR") == (2_000, pytest.approx(0.6e12, rel=1e-6))
    # a modality without a total keeps the history the model draws (same seed, same stream)
    assert held(workload, "US")[0] == pytest.approx(held(base, "US")[0], rel=0.02)


def test_the_run_summary_reports_the_totals_given_and_held(tmp_path):
    scenario = small_academic(**{"workload.existing": {"years": 3, "stored_tb": 6.0}})
    summary = sim.run(scenario).summary["workload"]
    assert summary["existing_given"] == {"stored_tb": 6.0}
    assert summary["existing_bytes_at_start"] == pytest.approx(6.0e12, rel=1e-3)


def test_cohorts_share_the_totals_so_their_parts_add_up():
    totals = {"years": 3, "stored_tb": 10.0, "studies": 10_001,
              "modalities": None}
    parts = [_cohort_totals(totals, k, 3) for k in range(3)]
    assert [p["studies"] for p in parts] == [3_334, 3_334, 3_333]  # 10,001 = 3 x 3,333 + 2
    assert sum(p["stored_tb"] for p in parts) == pytest.approx(10.0)
    scenario = small_academic(**{"workload.existing": {"years": 3, "studies": 9_000},
                                 "workload.cohorts": 3})
    assert cohort_scenario(scenario, 0).workload.existing.studies == 3_000


def test_a_total_the_model_cannot_reach_is_refused_with_the_field():
    with pytest.raises(InputError, match="existing.modalities: MG has share 0"):
        small_academic(**{"workload.modalities.MG.share": 0.0,
                          "workload.modalities.CR.share": 0.55,
                          "workload.existing": {"years": 2, "modalities": {"MG": {"studies": 10}}}})
    # retention deleting everything within the hour (before the start): found when drawing
    scenario = small_academic(**{"workload.retention": {"adult_years": 0.0001},
                                 "workload.existing": {"years": 3,
                                                       "modalities": {"MG": {"studies": 10}}}})
    with pytest.raises(InputError, match="workload.existing.modalities.MG: the workload model "
                       "holds none of these studies"):
        generate_workload(scenario)


# ------------------------------------------------------------------ hardware already owned


def onprem_scenario(folder: Path, installed: str, horizon_months: int = 24) -> Path:
    """One on-prem tier over a one-study trace; every running cost but support set to 0."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "studies.csv").write_text(
        "study_id,created,size_bytes,objects,modality,patient_id\n"
        "A,2027-01-01T10:00:00Z,1000000000,1,CT,p\n")
    path = folder / "scenario.yaml"
    path.write_text(f"""name: installed-base
start: 2027-01-01
horizon_months: {horizon_months}
seed: 1
workload:
  trace: {{studies: studies.csv}}
  retention: {{keep_forever: true}}
archives:
  - name: vna
    kind: onprem
    capex: cash
    refresh_years: 5
    warranty_years: 3
    maintenance_rate: 0.15
    usd_per_kwh: 0
    pue: 1.0
    tiers:
      - name: disk
        usable_fraction: 0.8
        price_usd_per_raw_tb: 500
        watts_per_raw_tb: 0
        read_latency_s: 1
        purchase: {{unit_raw_tb: 10, fill_threshold: 0.8, lead_time_days: 30}}
        installed:
{textwrap.indent(textwrap.dedent(installed).strip(), " " * 10)}
finance: {{discount_rate: 0.0}}
""")
    return path


def by_month(ledger, category: str) -> dict[str, float]:
    rows = ledger[ledger.category == category]
    return {m: round(v, 6) for m, v in rows.groupby("month").amount_usd.sum().items() if v}


def test_owned_hardware_buys_nothing_until_its_refresh_date_then_is_replaced_that_day(tmp_path):
    path = onprem_scenario(tmp_path, """
        raw_tb: 100
        purchased: 2021-06-01
        refresh_on: 2028-01-01
        maintenance_usd_per_year: 12000
        maintenance_ends: 2027-06-30
        renewal_usd_per_year: 18000
    """)
    result = sim.run(sim.load_scenario(path))
    # the 100 TB owned are replaced on 2028-01-01 at $500/TB: 100 x 500 = $50,000, nothing else
    assert by_month(result.ledger, "capex") == {"2028-01": 50_000.0}
    maintenance = by_month(result.ledger, "maintenance")
    # the contract: $12,000 a year to its last day, 2027-06-30 (Jan-Jun: 31+28+31+30+31+30 =
    # 181 days), then
    # the renewal, $18,000 a year, to the refresh (Jul-Dec: 184 days); the new hardware is under
    # its 3-year warranty until the run ends
    assert sum(v for m, v in maintenance.items() if m < "2027-07") == pytest.approx(
        181 * 12_000 / 365.25)
    assert sum(v for m, v in maintenance.items() if "2027-07" <= m < "2028-01") == \
        pytest.approx(184 * 18_000 / 365.25)
    assert not any(m >= "2028-01" for m in maintenance)
    figures = result.summary["onprem"]["vna"]["disk"]
    assert figures["installed_raw_tb_end"] == 100
    # only what the run bought is worth something at the end: $50,000 less the 366 days of
    # 2028 out of 5 x 365.25
    assert figures["residual_value_usd_end"] == pytest.approx(
        50_000 * (1 - 366 / (5 * 365.25)), rel=1e-9)


def test_owned_hardware_past_its_refresh_age_is_refreshed_on_the_first_day(tmp_path):
    # bought 2021-06-01: purchase + refresh_years (5) = 2026-06-01 is before the start, so the
    # refresh is overdue and happens on 2027-01-01; without a contract price, maintenance follows
    # maintenance_rate x price once past warranty (none here: the new hardware has 3 years)
    path = onprem_scenario(tmp_path, """
        raw_tb: 40
        age_years: 5.59
        price_usd: 30000
    """, horizon_months=12)
    result = sim.run(sim.load_scenario(path))
    assert by_month(result.ledger, "capex") == {"2027-01": 40 * 500.0}
    assert by_month(result.ledger, "maintenance") == {}


def test_owned_hardware_under_a_price_pays_maintenance_rate_after_warranty(tmp_path):
    # bought 2025-01-01 (day -730) for $30,000 with 3 years (3 x 365.25 = 1,095.75 days) of
    # warranty: support from day 366 (2028-01-02) at 15 % a year, 365 days to the run's end
    # (the refresh falls on 2030-01-01, after the run)
    path = onprem_scenario(tmp_path, """
        raw_tb: 40
        purchased: 2025-01-01
        price_usd: 30000
    """, horizon_months=24)
    result = sim.run(sim.load_scenario(path))
    maintenance = by_month(result.ledger, "maintenance")
    assert min(maintenance) == "2028-01"
    assert sum(maintenance.values()) == pytest.approx(365 * 30_000 * 0.15 / 365.25)
    assert by_month(result.ledger, "capex") == {}


# ------------------------------------------------------------------ migration as it goes


@pytest.fixture(scope="module")
def migrated():
    def run(**migration):
        scenario = sim.load_scenario(SCENARIOS / "academic-medical-center-cloud.yaml",
                                     overrides={
            "workload.annual_studies": 3000, "horizon_months": 12,
            "workload.existing": {"years": 3}, "network.outages.per_year": 0,
            "archives.0.migration": {"mbps": 1000, "export_tb_per_week": 0.05,
                                     "old_system_usd_per_month": 310.0, **migration}})
        return sim.run(scenario)
    return run


def test_services_fees_are_billed_per_study_and_per_tb_as_they_move(migrated):
    result = migrated(services_usd_per_study=0.75, services_usd_per_tb=40.0)
    m = result.summary["migration"]["s3-intelligent-tiering"]
    services = result.ledger[result.ledger.unit.str.endswith("(services)")]
    per_study = services[services.unit == "studies migrated (services)"]
    per_tb = services[services.unit == "TB migrated (services)"]
    assert per_study.quantity.sum() == m["studies_uploaded"]
    assert per_study.amount_usd.sum() == pytest.approx(0.75 * m["studies_uploaded"])
    assert per_tb.amount_usd.sum() == pytest.approx(40.0 * m["bytes_uploaded"] / 1e12)
    # the rate: 0.05 TB a week = 5e10 bytes / 604,800 s
    weeks = m["bytes_uploaded"] / 5e10
    assert m["upload_days"] == pytest.approx(weeks * 7, abs=1 / 86_400 * m["studies_uploaded"])


def test_the_old_archive_is_paid_until_its_contract_ends_even_when_emptied_sooner(migrated):
    result = migrated(old_contract_ends="2027-09-30")  # its last day
    m = result.summary["migration"]["s3-intelligent-tiering"]
    assert m["upload_done"] < "2027-10-01"
    old = result.ledger[result.ledger.unit == "months of the old archive's contract"]
    # Jan..Sep 2027: nine whole months at $310
    assert old.quantity.sum() == pytest.approx(9.0)
    assert old.amount_usd.sum() == pytest.approx(9 * 310.0)
    assert old.month.max() == "2027-09"


def test_after_the_contract_the_renewal_price_runs_until_the_upload_is_done(migrated):
    result = migrated(old_contract_ends="2027-01-31", old_renewal_usd_per_month=500.0)
    m = result.summary["migration"]["s3-intelligent-tiering"]
    done_days = m["upload_days"]
    assert done_days > 31
    contract = result.ledger[result.ledger.unit == "months of the old archive's contract"]
    renewal = result.ledger[result.ledger.unit ==
                            "months the old archive runs on a renewed contract"]
    assert contract.amount_usd.sum() == pytest.approx(310.0)  # January, whole
    # from 02-01 to the upload's end, prorated by each month's length, at $500 a month
    assert renewal.amount_usd.sum() == pytest.approx(500.0 * renewal.quantity.sum())
    assert renewal.quantity.sum() > 0


def test_export_rate_in_studies_per_hour_limits_the_upload(migrated):
    result = migrated(export_tb_per_week=None, export_studies_per_hour=2.0)
    m = result.summary["migration"]["s3-intelligent-tiering"]
    # two studies an hour: the last of N studies arrives N x 1,800 s after the start
    assert m["upload_days"] * 86_400 == pytest.approx(m["studies_uploaded"] * 1_800, abs=1)


# ------------------------------------------------------------------ tiered hybrid


def test_a_tiered_hybrid_moves_a_study_to_the_cloud_on_its_window_day(tmp_path):
    (tmp_path / "studies.csv").write_text(
        "study_id,created,size_bytes,objects,modality,patient_id\n"
        f"A,2027-01-01T10:00:00Z,{GIB},10,CT,p\n")
    (tmp_path / "reads.csv").write_text("study_id,time\nA,2027-01-15T09:00:00Z\n"
                                        "A,2027-02-10T09:00:00Z\n")
    (tmp_path / "scenario.yaml").write_text("""name: tiered
start: 2027-01-01
horizon_months: 3
seed: 1
workload:
  trace: {studies: studies.csv, reads: reads.csv}
  retention: {keep_forever: true}
archives:
  - name: hybrid
    kind: hybrid
    refresh_years: 5
    warranty_years: 3
    maintenance_rate: 0
    usd_per_kwh: 0
    pue: 1.0
    licences: {usd_per_tb_year: 365250}
    cache:
      mode: tiered
      window_months: 1
      tier:
        name: onprem
        usable_fraction: 1.0
        price_usd_per_raw_tb: 0
        watts_per_raw_tb: 0
        read_latency_s: 1.5
        purchase: {initial_raw_tb: 1, unit_raw_tb: 1}
    cloud:
      name: s3
      kind: cloud
      provider: aws
      catalog: aws-us-east-1
      storage_class: STANDARD
finance: {discount_rate: 0.0}
""")
    result = sim.run(sim.load_scenario(tmp_path / "scenario.yaml"))
    ledger = result.ledger
    # a window of 1 month = round(30.4375) = 30 days: acquired 01-01 10:00, 30 days old on
    # 01-31 10:00, so it moves at the next midnight, 2027-02-01 00:00
    puts = ledger[(ledger.unit == "PUT requests")]
    assert puts.month.tolist() == ["2027-02"]
    assert puts.quantity.sum() == 10 and puts.amount_usd.sum() == pytest.approx(10 * 0.005 / 1000)
    s3 = ledger[(ledger.tier == "STANDARD") & (ledger.category == "storage")]
    assert dict(zip(s3.month, s3.quantity, strict=True)) == pytest.approx(
        {"2027-02": 1.0, "2027-03": 1.0})  # whole GiB-months from 02-01
    # on-prem it is held at the end of 01-01 .. 01-31 (31 days) and deleted on 02-01: the
    # licence per TB held ($365,250 a TB-year = $1,000 a TB-day) bills January only
    licences = by_month(ledger, "licences")
    assert licences == {"2027-01": pytest.approx(31 * GIB / 1e12 * 1000)}
    reads = result.reads
    assert reads.tier.tolist() == ["onprem", "STANDARD"]  # the later read comes from S3
    assert _archive_label(result.scenario.archives[0]) == \
        "hybrid (hybrid, tiered: studies move to the cloud after 1 months)"


# ------------------------------------------------------------------ leaving at the end


def test_the_exit_cost_of_an_archive_split_across_deep_archive_and_standard(tmp_path):
    lifecycle = {"Rules": [{"ID": "da", "Status": "Enabled", "Filter": {},
                            "Transitions": [{"Days": 30, "StorageClass": "DEEP_ARCHIVE"}]}]}
    studies = (f"A,2027-01-01T00:00:00Z,{100 * GIB},1000,CT,p\n"
               f"B,2027-03-20T00:00:00Z,{50 * GIB},500,CT,q")
    result = s3_run(tmp_path, studies, lifecycle=lifecycle, horizon_months=3)
    exit_ = result.summary["exit"]["s3"]
    # A (100 GiB, 1,000 objects) is in DEEP_ARCHIVE at the end, B (50 GiB, 500) in STANDARD
    read_out = (1000 * 0.025 / 1000 + 100 * 0.0025  # Bulk restore: requests + GiB
                + 1000 * 0.0004 / 1000               # GETs of the restored objects
                + 500 * 0.0004 / 1000)               # GETs from STANDARD (no retrieval fee)
    assert exit_["read_out_usd"] == pytest.approx(read_out)
    # no migration and no exit rate given: the 150 GiB move in a quarter of the 3 months
    # (0.25 years) they span: 0.25 x 0.25 x 365.25 / 7 = 3.26 weeks, well under a month, so one
    # month's egress: 100 GiB free, then $0.09 a GiB: 50 x 0.09
    assert exit_["egress_usd"] == pytest.approx(50 * 0.09)
    tb = 150 * GIB / 1e12
    weeks = 0.25 * 0.25 * 365.25 / 7
    assert exit_["weeks"] == pytest.approx(weeks)
    assert exit_["rate_tb_per_week"] == pytest.approx(tb / weeks)
    months = weeks / WEEKS_PER_MONTH
    march = result.ledger[(result.ledger.month == "2027-03")
                          & (result.ledger.category == "storage")].amount_usd.sum()
    assert exit_["storage_while_leaving_usd"] == pytest.approx(march * months / 2)
    assert exit_["total_usd"] == pytest.approx(read_out + 50 * 0.09 + march * months / 2)
    assert exit_["held_tb"] == pytest.approx(tb)
    # not in the bill unless asked; finance.exit_cost: count books it in the last month
    assert "exit" not in set(result.ledger.category)
    counted = sim.run(sim.load_scenario(tmp_path / "scenario.yaml").with_overrides(
        {"finance.exit_cost": "count"}))
    booked = counted.ledger[counted.ledger.category == "exit"]
    assert set(booked.month) == {"2027-03"}
    assert booked.amount_usd.sum() == pytest.approx(exit_["total_usd"])
    assert counted.summary["totals_usd"]["s3"] == pytest.approx(
        result.summary["totals_usd"]["s3"] + exit_["total_usd"])


def test_the_exit_rate_is_never_faster_than_the_link():
    from sim.exit_cost import exit_rate_tb_per_week
    from sim.scenario import Finance, Network

    finance = Finance(discount_rate=0.05)
    # the default: a quarter of the years the data span; 400 TB over 5 years -> 1.25 years =
    # 65.23 weeks -> 6.13 TB a week
    assert exit_rate_tb_per_week(finance, Network(), None, 400.0, 5.0) == pytest.approx(
        400 / (1.25 * 365.25 / 7))
    assert exit_rate_tb_per_week(finance, Network(), 9.0, 400.0, 5.0) == 9.0  # came in faster
    # 10 Mbit/s = 1.25e6 B/s x 604,800 s = 0.756 TB a week
    assert exit_rate_tb_per_week(finance, Network(wan_mbps=10), 5.0, 400.0, 5.0) == \
        pytest.approx(0.756)
    assert exit_rate_tb_per_week(Finance(discount_rate=0.05, exit_tb_per_week=1.5), Network(),
                                 5.0, 400.0, 5.0) == 1.5


def test_a_migration_without_an_export_rate_takes_a_quarter_of_the_history(migrated):
    result = migrated(export_tb_per_week=None)
    m = result.summary["migration"]["s3-intelligent-tiering"]
    st = result.workload.studies
    existing = st.acquisition_s < st.created_s
    span_weeks = -st.acquisition_s[existing].min() / (7 * DAY)
    # the three years of history move in 0.25 x their span (at most a second per study late)
    assert m["upload_days"] * DAY == pytest.approx(0.25 * span_weeks * 7 * DAY, rel=1e-3)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(("extra", "expected"), [
    ("workload:\n  existing: {years: 3, stored_tb: -400}\n",
     "workload.existing.stored_tb: Input should be greater than 0"),
    ("workload:\n  existing: {years: 3, modalities: {XX: {studies: 5}}}\n",
     "workload.existing.modalities.XX"),
    ("workload:\n  existing: {years: 3, stored_tb: 4, modalities: {CT: {studies: 5}}}\n",
     "give the totals (stored_tb, studies) or modalities, not both"),
], ids=["negative-tb", "unknown-modality", "totals-and-modalities"])
def test_bad_totals_exit_2_naming_file_and_field(tmp_path, monkeypatch, capsys, extra, expected):
    path = tmp_path / "held.yaml"
    path.write_text(f"extends: {SCENARIOS / 'academic-medical-center-cloud.yaml'}\n" + extra)
    code, said = archive_sim(monkeypatch, capsys, "validate", path)
    assert code == 2 and str(path) in said and expected in said, said
    assert "Traceback" not in said


@pytest.mark.parametrize(("installed", "expected"), [
    ("raw_tb: 10\npurchased: 2024-05-01\nrefresh_on: 2023-05-01\nprice_usd: 1",
     "refresh_on (2023-05-01) must be after purchased (2024-05-01)"),
    ("raw_tb: -10\npurchased: 2024-05-01\nprice_usd: 1", "installed.raw_tb"),
    ("raw_tb: 10\nprice_usd: 1", "give purchased (a date) or age_years"),
    ("raw_tb: 10\npurchased: 2027-05-01\nprice_usd: 1",
     "installed.purchased (2027-05-01) is after the start (2027-01-01)"),
    ("raw_tb: 10\nage_years: 2\nrefresh_on: 2024-06-01\nprice_usd: 1",
     "installed.refresh_on (2024-06-01) must be after the purchase (2025-01-01, from age_years)"),
], ids=["refresh-before-purchase", "negative-tb", "no-date", "bought-later", "age-refresh"])
def test_bad_installed_base_exits_2_naming_file_and_field(tmp_path, monkeypatch, capsys,
                                                          installed, expected):
    path = onprem_scenario(tmp_path, installed)
    code, said = archive_sim(monkeypatch, capsys, "validate", path)
    assert code == 2 and str(path) in said and expected in said, said
    assert "archives.0.tiers.0.installed" in said, said


def test_an_export_rate_of_zero_exits_2_naming_file_and_field(tmp_path, monkeypatch, capsys):
    path = tmp_path / "zero.yaml"
    base = load_scenario(SCENARIOS / "academic-medical-center-cloud.yaml")
    assert base.archives[0].migration is not None
    path.write_text(textwrap.dedent(f"""\
        extends: {SCENARIOS / 'academic-medical-center-cloud.yaml'}
        archives:
          - {{name: s3, kind: cloud, provider: aws, catalog: aws-us-east-1,
              migration: {{mbps: 1000, export_tb_per_week: 0}}}}
        """))
    code, said = archive_sim(monkeypatch, capsys, "validate", path)
    assert code == 2 and str(path) in said, said
    assert "archives.0.cloud.migration.export_tb_per_week" in said or \
        "migration.export_tb_per_week: Input should be greater than 0" in said, said


def test_calibrate_fills_the_archive_held_from_a_study_list(tmp_path):
    from tests.calibration_data import export_pacs_csv
    from tests.test_cli import cli

    listed = generate_workload(small_academic(**{"workload.annual_studies": 3000,
                                                 "horizon_months": 24}))
    studies_csv, _ = export_pacs_csv(listed, tmp_path / "export")
    key = tmp_path / "key.txt"
    key.write_text("a-secret-the-hospital-keeps-0123456789")
    result = cli("calibrate", "--studies", studies_csv, "--key-file", key, "--out",
                 tmp_path / "calibration")
    assert result.returncode == 0, result.stderr
    assert "are taken as the archive held at the start" in result.stdout
    scenario = load_scenario(tmp_path / "calibration" / "scenario.yaml")
    existing = scenario.workload.existing
    assert existing is not None and existing.years == 2  # the list spans two years
    ct = listed.modalities.index("CT")
    st = listed.studies
    assert existing.modalities["CT"].studies == int((st.modality == ct).sum())
    assert existing.modalities["CT"].stored_tb == pytest.approx(
        st.size_bytes[st.modality == ct].sum() / 1e12, abs=1e-6)
    # and a run of the calibrated scenario starts from exactly that archive
    drawn = generate_workload(scenario)
    assert held(drawn, "CT")[0] == existing.modalities["CT"].studies
    assert held(drawn, "CT")[1] == pytest.approx(existing.modalities["CT"].stored_tb * 1e12,
                                                 rel=1e-3)


def test_a_migration_faster_than_the_link_exits_2(tmp_path, monkeypatch, capsys):
    path = tmp_path / "fast.yaml"
    path.write_text(f"extends: {SCENARIOS / 'academic-medical-center-cloud.yaml'}\n"
                    "network: {wan_mbps: 100}\n")
    code, said = archive_sim(monkeypatch, capsys, "validate", path)
    assert code == 2 and str(path) in said, said
    assert "fast.yaml: archives.0.migration.mbps (1000) is more than network.wan_mbps (100)" \
        in said, said
