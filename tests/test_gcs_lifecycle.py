"""Google Cloud Storage lifecycle rules billed by hand: a flat month, early deletion (Nearline
deleted at day 15 pays 15 more days), a lifecycle move and the minimum-duration clock, Delete
beating SetStorageClass and the cheapest class winning, retrieval per GiB on reads, Custom-Time,
prefix and suffix filters.  Prices: sim/data/prices/gcp-us-east1.yaml (per GiB-hour)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.archives.gcs import GcsLifecycleArchive
from sim.des import run_loop
from sim.ledger import ledger_frame
from sim.providers import load_catalog
from sim.tiering.gcs_lifecycle import parse_gcs_lifecycle
from tests.cloud_helpers import hand_workload, row

DAY = 86_400
GIB = 2**30
STD_H, NL_H, CL_H, AR_H = 0.000027397, 0.000013699, 0.000005479, 0.000001644  # per GiB-hour
CLASS_A = 0.005 / 1000
REPO = Path(__file__).resolve().parents[1]


workload = hand_workload


def rules(*raw):
    return parse_gcs_lifecycle({"lifecycle": {"rule": list(raw)}})


def bill(w, storage_class="STANDARD", config=None, custom_time="none", catalog="gcp-us-east1",
         key="studies/{modality}/{study_id}"):
    archive = GcsLifecycleArchive("gcs", load_catalog("gcp", catalog), w, storage_class,
                                  config, key, 0.0, custom_time, keep_events=True)
    return archive, ledger_frame(run_loop(w, [archive]))


def test_a_flat_month():
    # 1 GiB in Standard all of January: 31 x 24 = 744 GiB-hours; one Class A upload
    _, ledger = bill(workload([GIB], months=1))
    assert row(ledger, "2027-01", "STANDARD") == pytest.approx((744, 744 * STD_H))
    assert row(ledger, "2027-01", "STANDARD", "requests") == pytest.approx((1, CLASS_A))


def test_nearline_deleted_at_day_15_pays_15_more_days():
    # uploaded to Nearline, Delete at age 15: 15 days stored (360 GiB-hours) and charged as if
    # stored the 30-day minimum: 15 more days (360 GiB-hours) at the Nearline rate
    config = rules({"action": {"type": "Delete"}, "condition": {"age": 15}})
    archive, ledger = bill(workload([GIB], months=1), "NEARLINE", config)
    assert row(ledger, "2027-01", "NEARLINE") == pytest.approx((360, 360 * NL_H))
    assert row(ledger, "2027-01", "NEARLINE", "early_deletion") == pytest.approx((360, 360 * NL_H))
    assert archive.events.arrays()["time_s"].tolist() == [15 * DAY]


def test_lifecycle_moves_and_the_early_deletion_clock(tmp_path):
    # Nearline at age 30, Coldline at age 60, Delete at age 100 (while in Coldline).
    config = rules(
        {"action": {"type": "SetStorageClass", "storageClass": "NEARLINE"},
         "condition": {"age": 30, "matchesStorageClass": ["STANDARD"]}},
        {"action": {"type": "SetStorageClass", "storageClass": "COLDLINE"},
         "condition": {"age": 60, "matchesStorageClass": ["NEARLINE"]}},
        {"action": {"type": "Delete"}, "condition": {"age": 100}})
    archive, ledger = bill(workload([GIB], months=5), config=config)
    assert row(ledger, "2027-01", "STANDARD") == pytest.approx((720, 720 * STD_H))
    assert row(ledger, "2027-01", "NEARLINE") == pytest.approx((24, 24 * NL_H))
    # each SetStorageClass: one Class A operation (at the destination's rate)
    assert row(ledger, "2027-01", "NEARLINE", "transitions")[0] == 1
    assert row(ledger, "2027-03", "COLDLINE", "transitions")[0] == 1
    # the catalog's clock: from creation, so Coldline's 90 days are served by day 100
    assert ledger[ledger.category == "early_deletion"].empty
    assert archive.unconfirmed_prices == []  # the clock is confirmed (Google's pricing page)
    # the other reading: each class change restarts the clock; Coldline held 40 days: 50 owed
    data = yaml.safe_load((REPO / "sim/data/prices/gcp-us-east1.yaml").read_text())
    data["lifecycle"]["early_deletion_clock"]["value"] = "class_change"
    data["catalog"] = "gcp-class-change"
    path = tmp_path / "gcp-class-change.yaml"
    path.write_text(yaml.safe_dump(data))
    _, ledger = bill(workload([GIB], months=5), config=config, catalog=str(path))
    assert row(ledger, "2027-04", "COLDLINE", "early_deletion") == \
        pytest.approx((50 * 24, 50 * 24 * CL_H))
    assert row(ledger, "2027-03", "NEARLINE", "early_deletion") == (0.0, 0.0)  # 30 days held


def test_delete_beats_set_storage_class_and_the_cheapest_class_wins():
    both = rules({"action": {"type": "SetStorageClass", "storageClass": "NEARLINE"},
                  "condition": {"age": 10}},
                 {"action": {"type": "SetStorageClass", "storageClass": "ARCHIVE"},
                  "condition": {"age": 10}})
    archive, ledger = bill(workload([GIB], months=1), config=both)
    assert row(ledger, "2027-01", "ARCHIVE")[0] == pytest.approx(21 * 24)
    assert row(ledger, "2027-01", "NEARLINE")[0] == 0
    delete = rules({"action": {"type": "SetStorageClass", "storageClass": "ARCHIVE"},
                    "condition": {"age": 10}},
                   {"action": {"type": "Delete"}, "condition": {"age": 10}})
    archive, ledger = bill(workload([GIB], months=1), config=delete)
    assert row(ledger, "2027-01", "ARCHIVE")[0] == 0
    assert row(ledger, "2027-01", "STANDARD")[0] == pytest.approx(10 * 24)


def test_a_read_pays_class_b_and_retrieval_at_the_class_it_is_in():
    config = rules({"action": {"type": "SetStorageClass", "storageClass": "COLDLINE"},
                    "condition": {"age": 30}})
    archive, ledger = bill(workload([GIB], [(0, 45 * DAY)], months=2), config=config)
    assert row(ledger, "2027-02", "COLDLINE", "retrieval") == pytest.approx((1, 0.02))
    assert row(ledger, "2027-02", "COLDLINE", "requests")[0] == 1
    assert archive.read_outcomes()[0].tolist() == [2]


def test_custom_time_prefix_and_suffix():
    # two studies: CR acquired 400 days before the upload, CT acquired at the upload
    config = rules({"action": {"type": "SetStorageClass", "storageClass": "ARCHIVE"},
                    "condition": {"daysSinceCustomTime": 365, "matchesPrefix": ["studies/CR/"]}})
    w = workload([GIB, GIB], months=1, modality=[0, 1], acquired_s=[-400 * DAY, 0])
    _, ledger = bill(w, config=config, custom_time="acquisition")
    # CR: already past 365 days: Archive at the first daily run (the upload's midnight)
    assert row(ledger, "2027-01", "ARCHIVE")[0] == pytest.approx(744)
    assert row(ledger, "2027-01", "STANDARD")[0] == pytest.approx(744)  # CT stays
    # objects without a Custom-Time never match
    _, ledger = bill(w, config=config, custom_time="none")
    assert row(ledger, "2027-01", "ARCHIVE")[0] == 0
    suffix = rules({"action": {"type": "Delete"},
                    "condition": {"age": 1, "matchesSuffix": [".dcm"]}})
    _, ledger = bill(w, config=suffix, key="studies/{modality}/{study_id}.dcm")
    assert row(ledger, "2027-01", "STANDARD")[0] == pytest.approx(2 * 24)
    from sim.errors import InputError

    with pytest.raises(InputError, match="suffix"):
        bill(w, config=suffix, key="studies/{modality}/{study_id}")
