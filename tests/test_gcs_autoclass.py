"""Google Cloud Storage Autoclass billed by hand: down to Archive and back on a read, the
terminal class, the 128 KiB rule, the management fee, operations per class."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import sim
from sim.archives.gcs import GcsAutoclassArchive
from sim.calendar import Calendar
from sim.des import run_loop
from sim.ledger import ledger_frame
from sim.providers import load_catalog
from sim.workload.model import NEVER, Reads, Studies, Workload
from tests.conftest import SCENARIOS

DAY = 86_400
GIB = 2**30
STD_H, NL_H, AR_H = 0.000027397, 0.000013699, 0.000001644  # per GiB-hour, gcp-us-east1
CLASS_A, FEE = 0.005 / 1000, 0.0025 / 1000  # STANDARD Class A; Autoclass fee
CLASS_B_ARCHIVE = 0.05 / 1000  # ARCHIVE Class B, single region (Google's pricing page)


def workload(sizes, reads, months):
    n = len(sizes)
    st = Studies(created_s=np.zeros(n, np.int64), modality=np.zeros(n, np.int8),
                 size_bytes=np.array(sizes, np.int64), objects=np.ones(n, np.int32),
                 patient=np.arange(n, dtype=np.int32), age_years=np.full(n, 50, np.float32),
                 delete_s=np.full(n, NEVER, np.int64))
    study, time_s = zip(*reads, strict=True) if reads else ((), ())
    rd = Reads(np.array(study, np.int32), np.array(time_s, np.int64),
               np.zeros(len(reads), np.int8))
    return Workload(Calendar(dt.date(2027, 1, 1), months), ("CR",), st, rd)


def bill(w, terminal="ARCHIVE"):
    catalog = load_catalog("gcp", "gcp-us-east1")
    archive = GcsAutoclassArchive("gcs", catalog, w, terminal, 0.0)
    return archive, ledger_frame(run_loop(w, [archive]))


def row(ledger, month, tier, category="storage"):
    r = ledger[(ledger.month == month) & (ledger.tier == tier) & (ledger.category == category)]
    return float(r.quantity.sum()), float(r.amount_usd.sum())


def test_down_to_archive_and_back_to_standard_on_a_read():
    # 1 GiB uploaded 2027-01-01 00:00: Nearline on day 30 (Jan 31), Coldline on day 90 (Apr 1),
    # Archive on day 365 (2028-01-01); read on day 400 at 12:00 (2028-02-05): from Archive,
    # back to Standard at once
    archive, ledger = bill(workload([GIB], [(0, 400 * DAY + 12 * 3600)], months=15))
    # January 2027: 30 days Standard (720 GiB-hours), 1 day Nearline (24)
    assert row(ledger, "2027-01", "STANDARD") == pytest.approx((720, 720 * STD_H))
    assert row(ledger, "2027-01", "NEARLINE") == pytest.approx((24, 24 * NL_H))
    # February 2028 (29 days): Archive to the 5th 12:00 (108 h), Standard after (588 h)
    assert row(ledger, "2028-02", "ARCHIVE") == pytest.approx((108, 108 * AR_H))
    assert row(ledger, "2028-02", "STANDARD") == pytest.approx((588, 588 * STD_H))
    tier, _ = archive.read_outcomes()
    assert tier.tolist() == [3]  # ARCHIVE
    # the read: one Class B operation at the Archive class's rate; no retrieval fee
    assert row(ledger, "2028-02", "ARCHIVE", "requests") == pytest.approx((1, CLASS_B_ARCHIVE))
    assert row(ledger, "2027-01", "STANDARD", "requests") == pytest.approx((1, CLASS_A))
    assert "retrieval" not in set(ledger.category)
    assert "early_deletion" not in set(ledger.category)
    # management fee: one object for 31 days = 31/30 of a 30-day period
    assert row(ledger, "2027-01", "AUTOCLASS", "monitoring") == pytest.approx(
        (31 / 30, 31 / 30 * FEE))


def test_terminal_class_nearline_stops_there():
    _, ledger = bill(workload([GIB], [], months=14), terminal="NEARLINE")
    assert set(ledger[ledger.category == "storage"].tier) == {"STANDARD", "NEARLINE"}
    # February 2028 (29 days): all Nearline
    assert row(ledger, "2028-02", "NEARLINE")[0] == pytest.approx(29 * 24)


def test_objects_under_128_kib_stay_standard_without_fee():
    _, ledger = bill(workload([100 * 1024], [], months=3))
    assert set(ledger.tier) == {"STANDARD"}
    assert "monitoring" not in set(ledger.category)
    # March: 31 days x 24 h x 100 KiB
    assert row(ledger, "2027-03", "STANDARD")[0] == pytest.approx(744 * 100 * 1024 / GIB)


def test_gcs_variant_runs_end_to_end_and_lists_stand_in_prices():
    scenario = sim.load_scenario(SCENARIOS / "academic-medical-center-gcs-autoclass.yaml",
                                 overrides={"workload.annual_studies": 3000,
                                            "horizon_months": 14})
    result = sim.run(scenario)
    assert set(result.reads.tier) <= {"STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"}
    listed = result.summary["unconfirmed_prices_used"]
    catalog = load_catalog("gcp", "gcp-us-east1")
    assert set(listed) <= set(catalog.unconfirmed())
    # Archive operations were stand-ins until the pricing page's copy confirmed them
    assert "gcp-us-east1.classes.ARCHIVE.class_a_usd_per_1000" not in catalog.unconfirmed()


@pytest.mark.parametrize(("entry", "message"), [
    ("{name: g, kind: cloud, provider: gcp, autoclass: {}, storage_class: NEARLINE}",
     "Autoclass starts every object in STANDARD"),
    ("{name: g, kind: cloud, provider: gcp, storage_class: Cool}", "not a gcp class"),
    ("{name: g, kind: cloud, provider: aws, autoclass: {}}", "not a setting of provider aws"),
])
def test_misplaced_settings_are_clear_errors(tmp_path, entry, message):
    from sim.errors import InputError

    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {SCENARIOS / 'academic-medical-center-gcs-autoclass.yaml'}\n"
                    f"archives:\n  - {entry}\n")
    with pytest.raises(InputError, match=message):
        sim.load_scenario(path)
