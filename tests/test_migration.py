"""Migrating the existing archive into the cloud: upload order and duration over the link, the
old archive serving studies not uploaded yet, and the migration's costs."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.archives.linked import upload_schedule
from sim.calendar import SECONDS_PER_DAY
from tests.conftest import SCENARIOS


def test_upload_duration_for_a_given_size_and_bandwidth():
    # ten 1 GB studies over 80 Mbit/s: 1e9 x 8 / 8e7 = 100 s each, back to back
    sizes = np.full(10, 10**9)
    never = np.full(10, np.iinfo(np.int64).max)
    ids, arrival = upload_schedule(sizes, never, np.ones(10, bool), mbps=80)
    assert ids.tolist() == list(range(10))
    assert arrival.tolist() == [100 * (k + 1) for k in range(10)]
    # 100 TB over 1 Gbit/s: 1e14 x 8 / 1e9 = 800,000 s = 9.26 days
    _, arrival = upload_schedule(np.array([10**14]), never[:1], np.ones(1, bool), mbps=1000)
    assert arrival.tolist() == [800_000]


def test_studies_deleted_before_their_turn_are_not_uploaded():
    # study 3 is deleted at 350 s, before its turn (400 s): left out, so 4..9 come 100 s sooner
    sizes = np.full(10, 10**9)
    delete = np.full(10, np.iinfo(np.int64).max)
    delete[3] = 350
    existing = np.ones(10, bool)
    existing[9] = False  # acquired during the run: not part of the migration
    ids, arrival = upload_schedule(sizes, delete, existing, mbps=80)
    assert ids.tolist() == [0, 1, 2, 4, 5, 6, 7, 8]
    assert arrival.tolist() == [100, 200, 300, 400, 500, 600, 700, 800]


@pytest.fixture(scope="module")
def migrated():
    scenario = sim.load_scenario(SCENARIOS / "academic-medical-center-cloud.yaml", overrides={
        "workload.annual_studies": 3000, "horizon_months": 12,
        "workload.existing": {"years": 3},
        "network.outages.per_year": 0,
        "archives.0.migration": {"mbps": 2.0, "export_tb_per_week": 1000.0,  # the link limits
                                 "project_usd": 1000.0,
                                 "old_system_usd_per_month": 310.0, "decommission_usd": 500.0,
                                 "source_egress_usd_per_gib": 0.05, "old_read_latency_s": 4.0},
    })
    return scenario, sim.run(scenario)


def test_migration_uploads_the_existing_archive_and_bills_the_project(migrated):
    scenario, result = migrated
    st = result.workload.studies
    existing = st.acquired_s < st.created_s
    uploaded = existing & (st.delete_s > 0)  # every existing study is still retained here
    duration_s = int(np.ceil(st.size_bytes[existing].sum() * 8 / 2e6))
    assert 30 * SECONDS_PER_DAY < duration_s < 300 * SECONDS_PER_DAY  # a slow 2 Mbit/s link
    ledger = result.ledger
    migration = ledger[ledger.category == "migration"]
    end_month = result.workload.calendar.month_labels[
        int(result.workload.calendar.month_of_seconds(np.array([duration_s]))[0])]
    project = migration[migration.unit == "migration project"]
    assert project.month.tolist() == ["2027-01"] and project.amount_usd.tolist() == [1000.0]
    decommission = migration[migration.unit == "decommissioning"]
    assert decommission.month.tolist() == [end_month]
    assert decommission.amount_usd.tolist() == [500.0]
    # the old archive runs until the upload is done: $310 per 31-day January, prorated
    running = migration[migration.unit == "months the old archive runs"]
    assert running.amount_usd.iloc[0] == pytest.approx(310.0)
    assert running.quantity.sum() == pytest.approx(
        sum(min(1.0, max(0.0, (duration_s - lo) / full)) for lo, full in zip(
            result.workload.calendar.month_bounds_s[:-1],
            result.workload.calendar.month_full_seconds, strict=True)), rel=1e-9)
    # egress from the old archive: every uploaded byte once
    egress = migration[migration.unit == "GiB egress from the old archive"]
    assert egress.quantity.sum() == pytest.approx(st.size_bytes[uploaded].sum() / 2**30)
    # a PUT per object, for new and uploaded studies alike (and one more into the DR replica)
    puts = ledger[ledger.unit == "PUT requests"]
    source = ~puts.tier.str.startswith("replica ")
    expected = st.objects[uploaded].sum() + st.objects[~existing].sum()
    assert puts[source].quantity.sum() == expected
    assert puts[~source].quantity.sum() in (0, expected)


def test_the_old_archive_serves_studies_until_they_are_uploaded(migrated):
    _, result = migrated
    reads = result.reads
    st = result.workload.studies
    existing = (st.acquired_s < st.created_s)[reads.study]
    old = reads.tier == "old-archive"
    assert old.any() and (old <= existing).all()
    assert (reads.latency_s[old] == 4.0).all()
    # after the upload is done, no read goes to the old archive
    done = int(np.ceil(st.size_bytes[st.acquired_s < st.created_s].sum() * 8 / 2e6))
    assert not (old & (reads.time_s >= done)).any()


def test_summary_reports_the_upload(migrated):
    _, result = migrated
    st = result.workload.studies
    figures = result.summary["migration"]["s3-intelligent-tiering"]
    existing = st.acquired_s < st.created_s
    assert figures["studies_uploaded"] == int(existing.sum())
    assert figures["upload_days"] == pytest.approx(
        np.ceil(st.size_bytes[existing].sum() * 8 / 2e6) / SECONDS_PER_DAY)


def test_the_old_vnas_export_rate_limits_the_migration():
    """The upload runs at the lesser of the link and the old VNA's export rate: a 1 Gbit/s link
    but an export of 0.01 TB a week (1e10 bytes / 604,800 s = 0.13228 Mbit/s) sets the pace, so
    the upload takes the existing bytes x 8 / 0.13228e6 seconds, and the old archive is paid (and
    serves) until then."""
    from sim.archives.linked import plan_upload
    from sim.scenario import Migration

    m = Migration(mbps=1000, export_tb_per_week=0.01)
    assert m.rate_mbps == pytest.approx(1e10 * 8 / 604_800 / 1e6)
    assert Migration(mbps=0.1, export_tb_per_week=0.01).rate_mbps == 0.1  # the link is slower
    scenario = sim.load_scenario(SCENARIOS / "academic-medical-center-cloud.yaml", overrides={
        "workload.annual_studies": 300, "horizon_months": 12,
        "workload.existing": {"years": 1}, "network.outages.per_year": 0,
        "archives.0.migration": {"mbps": 1000, "export_tb_per_week": 0.01,
                                 "old_system_usd_per_month": 310.0}})
    result = sim.run(scenario)
    st = result.workload.studies
    existing = st.acquired_s < st.created_s
    plan = plan_upload(result.workload, scenario.archives[0].migration)
    duration_s = st.size_bytes[existing].sum() * 604_800 / 1e10  # bytes / (1e10 B a week)
    assert plan.done_s == pytest.approx(duration_s, abs=1)
    link_alone_s = st.size_bytes[existing].sum() * 8 / 1e9
    assert duration_s > 7 * SECONDS_PER_DAY > 1000 * link_alone_s  # weeks, not minutes
    running = result.ledger[result.ledger.unit == "months the old archive runs"]
    cal = result.workload.calendar
    assert running.quantity.sum() == pytest.approx(sum(
        min(1.0, max(0.0, (plan.done_s - lo) / full))
        for lo, full in zip(cal.month_bounds_s[:-1], cal.month_full_seconds, strict=True)),
        rel=1e-9)


def test_an_export_rate_of_zero_is_refused():
    from sim.scenario import Migration

    with pytest.raises(ValueError, match="export_tb_per_week"):
        Migration(mbps=1000, export_tb_per_week=0)
