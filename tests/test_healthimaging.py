"""AWS HealthImaging billed by hand: a flat month, the move to Archive Instant Access after 30
days without a touch and back on a touch, the 5 MB minimum, the 30-day minimum, API calls."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import sim
from sim.archives.healthimaging import HealthImagingArchive
from sim.calendar import Calendar
from sim.des import run_loop
from sim.ledger import ledger_frame
from sim.providers import load_catalog
from sim.workload.model import NEVER, Reads, Studies, Workload
from tests.conftest import SCENARIOS

DAY = 86_400
GIB = 2**30
FA, AIA, API = 0.105, 0.006, 0.005 / 1000  # catalog aws-healthimaging-us-east-1


def workload(sizes, objects, reads, months=3, delete_s=None):
    n = len(sizes)
    st = Studies(created_s=np.zeros(n, np.int64), modality=np.zeros(n, np.int8),
                 size_bytes=np.array(sizes, np.int64), objects=np.array(objects, np.int32),
                 patient=np.arange(n, dtype=np.int32), age_years=np.full(n, 50, np.float32),
                 delete_s=np.array(delete_s or [NEVER] * n, np.int64))
    study, time_s = zip(*reads, strict=True) if reads else ((), ())
    rd = Reads(np.array(study, np.int32), np.array(time_s, np.int64),
               np.zeros(len(reads), np.int8))
    return Workload(Calendar(dt.date(2027, 1, 1), months), ("CR",), st, rd)


def bill(w):
    archive = HealthImagingArchive("hi", load_catalog(
        "aws-healthimaging", "aws-healthimaging-us-east-1"), w, egress_share=0.0)
    return archive, ledger_frame(run_loop(w, [archive]))


def amount(ledger, month, tier, category="storage"):
    rows = ledger[(ledger.month == month) & (ledger.tier == tier)
                  & (ledger.category == category)]
    return float(rows.amount_usd.sum()), float(rows.quantity.sum())


def test_tier_move_after_30_idle_days_and_back_on_a_touch():
    # 1 GiB image set imported 2027-01-01 00:00 with 100 frames; read 2027-01-10 12:00 (9.5 days:
    # no move); the idle clock restarts at the next midnight, 2027-01-11, so it moves to AIA on
    # 2027-02-10 00:00; a read on 2027-03-15 12:00 brings it back to FA.
    w = workload([GIB], [100], [(0, 9 * DAY + 12 * 3600), (0, 73 * DAY + 12 * 3600)])
    archive, ledger = bill(w)
    # January: FA all month: 1 GiB-month
    assert amount(ledger, "2027-01", "FREQUENT_ACCESS") == pytest.approx((FA, 1.0))
    # February (28 days): FA for 9 days (1st-9th), AIA for 19
    assert amount(ledger, "2027-02", "FREQUENT_ACCESS") == pytest.approx((FA * 9 / 28, 9 / 28))
    assert amount(ledger, "2027-02", "ARCHIVE_INSTANT_ACCESS") == pytest.approx(
        (AIA * 19 / 28, 19 / 28))
    # March (31 days): AIA to the 15th 12:00 (14.5 days), FA after (16.5 days)
    assert amount(ledger, "2027-03", "ARCHIVE_INSTANT_ACCESS")[1] == pytest.approx(14.5 / 31)
    assert amount(ledger, "2027-03", "FREQUENT_ACCESS")[1] == pytest.approx(16.5 / 31)
    # reads: the first from FA, the second from AIA (no retrieval fee, millisecond access)
    tier, latency = archive.read_outcomes()
    assert tier.tolist() == [0, 1] and latency.tolist() == pytest.approx([0.1, 0.1])
    # API calls: GetImageSetMetadata + 100 GetImageFrame per read, $0.005 per 1,000
    assert amount(ledger, "2027-01", "FREQUENT_ACCESS", "requests") == pytest.approx(
        (101 * API, 101))
    assert set(ledger.category) == {"storage", "requests"}  # no import, retrieval, move fees


def test_five_mb_minimum_per_image_set():
    # 1,000,000 bytes billed as 5 MB = 5 x 2^20 bytes; never read, it moves to AIA after 30
    # days, on 2027-01-31 00:00: 30 days of January in FA, 1 in AIA
    _, ledger = bill(workload([1_000_000], [1], [], months=1))
    size_gib = 5 * 2**20 / GIB
    assert amount(ledger, "2027-01", "FREQUENT_ACCESS") == pytest.approx(
        (FA * size_gib * 30 / 31, size_gib * 30 / 31))
    assert amount(ledger, "2027-01", "ARCHIVE_INSTANT_ACCESS") == pytest.approx(
        (AIA * size_gib * 1 / 31, size_gib * 1 / 31))


def test_thirty_day_minimum_on_deletion():
    # 2 GiB deleted 10 days after import: stored 10/31 GiB-month, and 20 more days owed at the
    # FA rate: 2 GiB x 20 days / 31 days
    _, ledger = bill(workload([2 * GIB], [1], [], months=1, delete_s=[10 * DAY]))
    assert amount(ledger, "2027-01", "FREQUENT_ACCESS")[1] == pytest.approx(2 * 10 / 31)
    owed = amount(ledger, "2027-01", "FREQUENT_ACCESS", "early_deletion")
    assert owed == pytest.approx((FA * 2 * 20 / 31, 2 * 20 / 31))


def test_healthimaging_variant_runs_end_to_end():
    scenario = sim.load_scenario(SCENARIOS / "academic-medical-center-healthimaging.yaml",
                                 overrides={"workload.annual_studies": 3000,
                                            "horizon_months": 14})
    result = sim.run(scenario)
    assert set(result.ledger.tier) <= {"FREQUENT_ACCESS", "ARCHIVE_INSTANT_ACCESS", "internet"}
    assert set(result.reads.tier) <= {"FREQUENT_ACCESS", "ARCHIVE_INSTANT_ACCESS"}
    assert result.summary["unconfirmed_prices_used"] == [
        "aws-healthimaging-us-east-1.metadata_usd_per_gib_month"]


def test_s3_policies_are_refused_for_healthimaging(tmp_path):
    from sim.errors import InputError

    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {SCENARIOS / 'academic-medical-center-healthimaging.yaml'}\n"
                    "archives:\n  - {name: hi, kind: cloud, provider: aws-healthimaging, "
                    "storage_class: GLACIER}\n")
    with pytest.raises(InputError, match="storage_class"):
        sim.load_scenario(path)
