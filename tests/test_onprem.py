"""On-prem costs, hand-computed: purchases ahead of need with a lead time, refresh, maintenance
after warranty, power, space, staff, security; and an on-prem archive run end to end."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.calendar import Calendar
from sim.onprem.capacity import TB
from sim.onprem.costs import OnPremBiller
from sim.scenario import OnPremArchive
from tests.conftest import SCENARIOS

YEAR = 365.25


def spec(**changes):
    tier = {
        "name": "disk", "usable_fraction": 0.5, "copies": 1, "price_usd_per_raw_tb": 100.0,
        "watts_per_raw_tb": 10.0, "space_usd_per_raw_tb_year": 36.525, "read_latency_s": 2.0,
        "purchase": {"initial_raw_tb": 10.0, "fill_threshold": 0.8, "unit_raw_tb": 10.0,
                     "lead_time_days": 30},
    }
    data = {
        "name": "vna", "kind": "onprem", "capex": "cash", "refresh_years": 2.0,
        "warranty_years": 1.0, "maintenance_rate": 0.1, "usd_per_kwh": 0.2, "pue": 1.5,
        "staff": {"fte_base": 1.0, "fte_per_pb": 0.0, "usd_per_fte_year": 36525.0},
        "security_usd_per_year": 730.5, "migration_usd_per_tb": 50.0, "tiers": [tier],
    }
    data.update(changes)
    return OnPremArchive.model_validate(data)


def run_months(archive, calendar, stored_tb):
    """Bill every month with ``stored_tb(day)`` logical TB stored at the end of each day."""
    biller = OnPremBiller(archive, list(archive.tiers), calendar, archive.name)
    bounds = np.append(calendar.month_starts_day, calendar.n_days)
    months = []
    for m in range(calendar.n_months):
        days = np.arange(bounds[m], bounds[m + 1])
        levels = np.array([[stored_tb(int(d)) * TB for d in days]])
        months.append(biller.bill_month(m, levels))
    return biller, months


def amount(charges, category, unit=None):
    return sum(c.amount_usd for c in charges if c.category == category
               and (unit is None or c.unit == unit))


def test_purchase_when_the_need_passes_the_threshold_arrives_after_the_lead_time():
    cal = Calendar(start=__import__("datetime").date(2027, 1, 1), horizon_months=3)
    # 3 TB logical on raw/usable 0.5 = 6 TB raw need <= 0.8 x 10 TB: nothing to buy in January;
    # from 2027-02-10 (day 40) 5 TB = 10 TB raw > 8: order ceil((10/0.8 - 10) / 10) = 1 unit of
    # 10 TB at $100/TB, installed on day 40 + 30 = 70 (2027-03-12)
    biller, months = run_months(spec(), cal, lambda d: 3.0 if d < 40 else 5.0)
    jan, feb, mar = months
    # January: the initial 10 TB, cash on day 0: $1,000
    assert amount(jan, "capex") == pytest.approx(10 * 100.0)
    assert amount(feb, "capex") == 0.0
    assert amount(mar, "capex") == pytest.approx(10 * 100.0)
    # power: installed TB x 10 W x PUE 1.5 x 24 h / 1000 x $0.2 = $0.072 per TB-day
    assert amount(jan, "power") == pytest.approx(10 * 0.072 * 31)
    assert amount(feb, "power") == pytest.approx(10 * 0.072 * 28)
    # March: 10 TB on days 59..69 (11 days), 20 TB from day 70 (March 12..31: 20 days)
    assert amount(mar, "power") == pytest.approx(0.072 * (10 * 11 + 20 * 20))
    # space: $36.525/TB-year = $0.1 per TB-day
    assert amount(jan, "space") == pytest.approx(10 * 0.1 * 31)
    # staff: 1 FTE x $36,525/year = $100/day; security $730.5/year = $2/day
    assert amount(feb, "staff") == pytest.approx(100.0 * 28)
    assert amount(feb, "security") == pytest.approx(2.0 * 28)
    # no maintenance inside the one-year warranty
    assert amount(mar, "maintenance") == 0.0
    assert biller.plans[0].installed_tb == 20.0


def test_maintenance_after_warranty_and_refresh_every_two_years_over_five_years():
    cal = Calendar(start=__import__("datetime").date(2027, 1, 1), horizon_months=60)
    s = spec(tiers=[{**spec().tiers[0].model_dump(), "price_change_per_year": -0.1}])
    _, months = run_months(s, cal, lambda d: 3.0)  # 6 TB raw: the initial 10 TB suffice
    by_label = dict(zip(cal.month_labels, months, strict=True))
    # the initial $1,000 is out of warranty from day 366 (day - 0 >= 365.25): 2028-01-02 on.
    # 0.1 x $1,000 per year = $0.27379.../day; January 2028 has 30 such days
    assert amount(by_label["2027-12"], "maintenance") == 0.0
    assert amount(by_label["2028-01"], "maintenance") == pytest.approx(0.1 * 1000 / YEAR * 30)
    assert amount(by_label["2028-12"], "maintenance") == pytest.approx(0.1 * 1000 / YEAR * 31)
    # refresh two calendar years on, 2029-01-01 (day 731): all 10 TB replaced at the price then,
    # $100 x 0.9^(731/365.25); the data (3 TB) migrated at $50/TB; the new hardware's warranty
    # starts, so no maintenance in January 2029
    price_2029 = 100 * 0.9 ** (731 / YEAR)
    jan = by_label["2029-01"]
    assert amount(jan, "capex") == pytest.approx(10 * price_2029)
    assert amount(jan, "migration") == pytest.approx(3 * 50.0)
    assert amount(jan, "maintenance") == 0.0
    # the next refresh: 2031-01-01, day 1461
    price_2031 = 100 * 0.9 ** (1461 / YEAR)
    assert amount(by_label["2031-01"], "capex") == pytest.approx(10 * price_2031)
    capex_months = [label for label, m in by_label.items() if amount(m, "capex")]
    assert capex_months == ["2027-01", "2029-01", "2031-01"]


def test_depreciated_capex_spreads_the_price_and_writes_off_at_refresh():
    cal = Calendar(start=__import__("datetime").date(2027, 1, 1), horizon_months=25)
    # 3 TB until 2028-01-01 (day 365), then 5 TB (10 TB raw > 0.8 x 10): one 10 TB unit ordered
    # that day, installed on day 395 (2028-01-31) for $1,000
    _, months = run_months(spec(capex="depreciated"), cal, lambda d: 3.0 if d < 365 else 5.0)
    # $1,000 over 730.5 days: $1.36893.../day; January 2027: 31 days
    assert amount(months[0], "capex") == pytest.approx(1000 / 730.5 * 31)
    # the refresh on 2029-01-01 (day 731) replaces both: the initial purchase is fully
    # depreciated (731 >= 730.5 days), the expansion (installed day 395) has 1 - 336/730.5 of its
    # book value left, written off; the new 20 TB ($2,000) depreciate from day 731
    jan = months[24]
    assert amount(jan, "capex", "USD written off at refresh") == pytest.approx(
        1000 * (1 - (731 - 395) / 730.5))
    assert amount(jan, "capex", "USD depreciation") == pytest.approx(2000 / 730.5 * 31)


def test_onprem_variant_runs_end_to_end(tmp_path):
    scenario = sim.load_scenario(SCENARIOS / "academic-medical-center-onprem.yaml",
                                 overrides={"workload.annual_studies": 5000,
                                            "horizon_months": 66})
    result = sim.run(scenario)
    categories = set(result.ledger.category)
    assert {"capex", "maintenance", "power", "space", "staff", "security",
            "migration"} <= categories
    assert (result.ledger.amount_usd >= 0).all()
    reads = result.reads
    assert set(reads.tier) <= {"primary", "object-store"}
    # the primary tier keeps 730 days: older studies are read from the object store
    age = reads.time_s - result.workload.studies.acquisition_s[reads.study]
    assert (reads.tier[age >= 731 * 86400] == "object-store").all()
    assert (reads.tier[age < 730 * 86400] == "primary").all()
    assert set(reads.latency_s.unique()) <= {2.0, 4.0}


def deleter_scenario(folder, reads, order="oldest"):
    studies = "\n".join(f"s{i},2027-01-{i + 1:02d}T12:00:00Z,2000000,1,CR,p{i}"
                         for i in range(10))
    (folder / "studies.csv").write_text(
        "study_id,created,size_bytes,objects,modality,patient_id\n" + studies + "\n")
    (folder / "reads.csv").write_text("study_id,time\n" + reads)
    tier = ("usable_fraction: 1.0, copies: 1, price_usd_per_raw_tb: 100, watts_per_raw_tb: 1, "
            "purchase: {initial_raw_tb: 0.00001, unit_raw_tb: 1, lead_time_days: 0}")
    deleter = f"{{high_water: 0.9, low_water: 0.5, order: {order}}}"
    (folder / "s.yaml").write_text(f"""name: deleter
start: 2027-01-01
horizon_months: 1
seed: 1
workload:
  trace: {{studies: studies.csv, reads: reads.csv}}
  retention: {{keep_forever: true}}
archives:
  - name: vna
    kind: onprem
    refresh_years: 5
    warranty_years: 3
    maintenance_rate: 0.1
    usd_per_kwh: 0.2
    pue: 1.5
    tiers:
      - {{name: primary, read_latency_s: 2, deleter: {deleter}, {tier}}}
      - {{name: archive, read_latency_s: 30, {tier}}}
finance: {{discount_rate: 0.0}}
""")
    return folder / "s.yaml"


def test_least_recently_read_deleter_keeps_what_was_read(tmp_path):
    # as below, but by last read: s0 is read on day 4 at 08:00, so at the end of day 4 the
    # order is s1, s2, s3 (acquired days 1-3), s0 (read day 4 08:00), s4 (acquired day 4 12:00):
    # s1, s2, s3 go.  s0 is read again on day 6 at 08:00; at the end of day 7 the order is
    # s4 (day 4), s5 (day 5), s0 (read day 6 08:00), s6 (day 6 12:00), s7: s4, s5, s0 go.
    scenario = deleter_scenario(tmp_path, "s0,2027-01-05T08:00:00Z\ns0,2027-01-07T08:00:00Z\n"
                                "s6,2027-01-09T08:00:00Z\ns0,2027-01-09T09:00:00Z\n",
                                order="least_recently_read")
    result = sim.run(sim.load_scenario(scenario))
    assert result.reads.tier.tolist() == ["primary", "primary", "primary", "archive"]
    assert result.summary["onprem"]["vna"]["primary"]["deleted_by_deleter"] == 6


def test_fill_level_deleter_removes_the_oldest_studies_from_primary(tmp_path):
    # primary: 10 MB usable (1e-5 TB raw, usable 1.0, 1 copy); deleter at 90 % down to 50 %.
    # Ten 2 MB studies, one a day at noon.  End of day 4: 10 MB > 9 MB: remove the oldest until
    # <= 5 MB: studies 0, 1, 2 (6 MB; two would leave 6 MB) at midnight.  Days 5, 6, 7 add 6 MB:
    # 4 + 6 = 10 MB at the end of day 7: remove 3, 4, 5.  Study 0 read on day 3: primary; on
    # day 6: from the object store.
    scenario = deleter_scenario(tmp_path, "s0,2027-01-04T08:00:00Z\ns0,2027-01-07T08:00:00Z\n"
                                "s6,2027-01-09T08:00:00Z\n")
    result = sim.run(sim.load_scenario(scenario))
    assert result.reads.tier.tolist() == ["primary", "archive", "primary"]
    assert result.reads.latency_s.tolist() == [2.0, 30.0, 2.0]
    figures = result.summary["onprem"]["vna"]
    assert figures["primary"]["deleted_by_deleter"] == 6
    assert figures["primary"]["purchases"] == 1  # the initial capacity only: never expanded
    # primary's stored bytes at the end of each day: +2 MB a day at noon, -6 MB at the
    # midnights after days 4 and 7 (counted from day 5 and day 8)
    from sim.archives.onprem import OnPremArchive as Model
    from sim.des import meter_loop

    model = Model(result.scenario.archives[0], result.workload)
    usage = meter_loop(result.workload, [model])[0][0]
    assert (usage.daily_levels[0][:10] / 1e6).tolist() == [2, 4, 6, 8, 10, 6, 8, 10, 6, 8]


def test_residual_value_of_hardware_in_service_at_the_end():
    # refresh every 2 years; the run ends on day 365 (one year): the initial $1,000 of hardware
    # (installed day 0) has 730.5 - 365 days of its 730.5-day life left
    cal = Calendar(start=__import__("datetime").date(2027, 1, 1), horizon_months=12)
    biller, _ = run_months(spec(), cal, lambda d: 3.0)
    figures = biller.figures()["disk"]
    assert figures["residual_value_usd_end"] == pytest.approx(1000 * (1 - 365 / 730.5))
