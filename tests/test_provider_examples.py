"""Worked billing examples from the providers' own pages, reproduced by the simulator.

Each test names its source and does the provider's arithmetic in the docstring.  Prices come from
the shipped catalogs (aws-us-east-1, azure-eastus, gcp-us-east1) unless the example uses other
(older, or sample) prices; then the archive's ``price_overrides`` (S3 scenarios) or
``override_prices`` (engine-level tests) set the example's prices.  "To the cent" means the
simulator's amount rounds to the example's stated answer.  The S3 User Guide's restore example
(Oct 15 10:30 for 3 days, until Oct 19 00:00) is in tests/test_s3_billing.py.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sim.archives.azure import AzureBlobArchive
from sim.archives.gcs import GcsLifecycleArchive
from sim.calendar import Calendar
from sim.des import run_loop
from sim.ledger import ledger_frame
from sim.pricing.catalog import override_prices
from sim.providers import load_catalog
from sim.tiering.gcs_lifecycle import parse_gcs_lifecycle
from sim.workload.model import NEVER, Reads, Studies, Workload
from tests.cloud_helpers import row as crow
from tests.s3_helpers import GIB, KIB, row, s3_run

DAY = 86_400
HOUR = 3_600

S3_FAQ = "https://aws.amazon.com/s3/faqs/"
S3_UG = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/"


def cents(x: float) -> float:
    return round(x + 1e-9, 2)


def override_block(prices: dict[str, float]) -> str:
    """Archive-level ``price_overrides`` lines for tests.s3_helpers.s3_run(extra=...)."""
    lines = ["    price_overrides:"] + [f"      {k}: {v}" for k, v in prices.items()]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# AWS S3
# --------------------------------------------------------------------------------------------

def test_s3_faq_storage_example_byte_hours_to_gb_months(tmp_path):
    """S3 FAQ "Storage Example" (https://aws.amazon.com/s3/faqs/, Billing):

    "Assume you store 100GB (107,374,182,400 bytes) of data in Amazon S3 Standard in your bucket
    for 15 days in March, and 100TB (109,951,162,777,600 bytes) ... for the final 16 days in
    March. ... Total Byte-Hour usage = [107,374,182,400 x 15 x 24] + [109,951,162,777,600 x 16 x
    24] = 42,259,901,212,262,400 Byte-Hours. ... / 1,073,741,824 bytes per GB / 744 hours per
    month = 52,900 GB-Months ... 50 TB Tier: 51,200 GB x $0.023 = $1,177.60; 50 TB to 450 TB Tier:
    1,700 GB x $0.022 = $37.40; Total Storage Fee = $1,215.00"

    Expressed as two studies: 100 GiB all March, plus 102,300 GiB from March 16 00:00 (so 100
    GiB for the first 15 days and 102,400 GiB = 100 TiB for the final 16).  Byte-hours are the
    same: 100 x 744 + 102,300 x 384 = 39,357,600 GiB-h = 42,259,901,212,262,400 byte-h;
    / 744 = 52,900 GiB-months; bands 51,200 x 0.023 + 1,700 x 0.022 = 1,215.00.
    """
    studies = f"""
        A,2027-03-01T00:00:00Z,{100 * GIB},1,CT,p
        B,2027-03-16T00:00:00Z,{102_300 * GIB},1,CT,q
    """
    L = s3_run(tmp_path, studies, start="2027-03-01", horizon_months=1).ledger
    r = row(L, "2027-03", "STANDARD", "storage")
    assert r.quantity * GIB * 744 == pytest.approx(42_259_901_212_262_400, rel=1e-12)
    assert r.quantity == pytest.approx(52_900, rel=1e-12)
    assert cents(r.amount_usd) == 1215.00


def test_s3_faq_versioning_storage_example(tmp_path):
    """S3 FAQ "How am I charged for using Versioning?" (31-day month):

    "Day 1 of the month: You perform a PUT of 4 GB (4,294,967,296 bytes) ... Day 16 of the month:
    You perform a PUT of 5 GB (5,368,709,120 bytes) ... using the same key ...
    [4,294,967,296 x 31 x 24] + [5,368,709,120 x 16 x 24] = 5,257,039,970,304 Byte-Hours ...
    x (1 GB / 1,073,741,824 bytes) x (1 month / 744 hours) = 6.581 GB-Month"

    The simulator has no versions; the two versions are two studies (4 GiB from Jan 1 00:00, 5
    GiB from Jan 16 00:00 = 16 days).  4 x 744 + 5 x 384 = 4,896 GiB-h / 744 = 6.5806 GiB-month
    (x $0.023 = $0.1514 -> $0.15; the FAQ states no dollar figure).
    """
    studies = f"""
        v1,2027-01-01T00:00:00Z,{4 * GIB},1,CT,p
        v2,2027-01-16T00:00:00Z,{5 * GIB},1,CT,p
    """
    L = s3_run(tmp_path, studies, horizon_months=1).ledger
    r = row(L, "2027-01", "STANDARD", "storage")
    assert r.quantity * GIB * 744 == pytest.approx(5_257_039_970_304, rel=1e-12)
    assert round(r.quantity, 3) == 6.581
    assert cents(r.amount_usd) == cents(6.581 * 0.023)


def test_s3_faq_request_example(tmp_path):
    """S3 FAQ "Request Example": "you transfer 10,000 files into Amazon S3 and transfer 20,000
    files out of Amazon S3 each day during the month of March ... Total PUT requests = 310,000 ...
    Total GET requests = 620,000 ... 310,000 x $0.005/1,000 = $1.55; 620,000 x $0.004/10,000 =
    $0.25 [0.248]"  (DELETEs: free; not modelled as requests.)

    31 studies of 10,000 objects, one uploaded each day of March (310,000 PUTs), and each study
    read twice the day it arrives (2 x 10,000 GETs a day = 620,000).
    """
    days = range(1, 32)
    studies = "\n".join(f"s{d},2027-03-{d:02d}T01:00:00Z,{10_000 * 1024 * 1024},10000,CT,p"
                        for d in days)
    reads = "\n".join(f"s{d},2027-03-{d:02d}T{h}:00:00Z" for d in days for h in (10, 20))
    L = s3_run(tmp_path, studies, reads, start="2027-03-01", horizon_months=1).ledger
    put = row(L, "2027-03", "STANDARD", "requests", "PUT requests")
    get = row(L, "2027-03", "STANDARD", "requests", "GET requests")
    assert put.quantity == 310_000 and cents(put.amount_usd) == 1.55
    assert get.quantity == 620_000 and cents(get.amount_usd) == 0.25


def test_s3_faq_standard_ia_data_retrieval_example(tmp_path):
    """S3 FAQ "Data Retrieval Example": "Assume in one month you retrieve 300GB of S3
    Standard-IA ... Your data retrieval fees for the month would be calculated as 300GB x
    $0.01/GB = $3.00."  Three 100 GiB STANDARD_IA studies read once each in January."""
    studies = "\n".join(f"s{i},2027-01-01T00:00:00Z,{100 * GIB},1,CT,p" for i in range(3))
    reads = "\n".join(f"s{i},2027-01-20T00:00:00Z" for i in range(3))
    L = s3_run(tmp_path, studies, reads, storage_class="STANDARD_IA", horizon_months=1).ledger
    r = row(L, "2027-01", "STANDARD_IA", "retrieval", "GiB retrieved")
    assert r.quantity == pytest.approx(300) and cents(r.amount_usd) == 3.00


def test_s3_faq_data_transfer_out_example(tmp_path):
    """S3 FAQ "Data Transfer Out Example" (the FAQ of the 1-GB-free era):

    "Your aggregate Data Transfer would be 62 TB ... 63,488 GB (62 TB * 1024 GB/TB). ...
    10 TB Tier: 10,239 GB (10x1024 GB/TB - 1 (free)) x $0.09 = $921.51
    10 TB to 50 TB Tier: 40,960 GB (40x1024) x $0.085 = $3,481.60
    50 TB to 150 TB Tier: 12,288 GB (remainder) x $0.070 = $860.16
    Total Data Transfer Out Fee = $921.51+ $3,481.60 + $860.16= $5,263.27"

    The free GB is counted *inside* the first 10 TB band: the band edges (10 TB, 50 TB) are on
    the month's total volume (the catalog's ``egress_internet.band_edges: total_volume``).  The
    free allowance is overridden to the example's 1 GB; one 63,488 GiB study is read once in
    January (all of it to the internet).
    """
    extra = override_block({"egress_internet.free_gib_per_month": 1})
    L = s3_run(tmp_path, f"A,2027-01-01T00:00:00Z,{63_488 * GIB},1,CT,p",
               "A,2027-01-05T00:00:00Z", horizon_months=1, extra=extra).ledger
    egress = row(L, "2027-01", "internet", "egress", "GiB")
    assert egress.quantity == pytest.approx(63_488)
    assert cents(egress.amount_usd) == 5263.27


def test_s3_faq_glacier_storage_overhead_example(tmp_path):
    """S3 FAQ "How is my storage charge calculated for Amazon S3 objects archived to Amazon S3
    Glacier?": "an additional 32KB of Amazon S3 Glacier data plus an additional 8KB of S3
    Standard storage class data ... if you have archived 100,000 objects that are 1GB each, your
    billable storage would be: 1.000032 gigabytes for each object x 100,000 objects = 100,003.2
    gigabytes of Amazon S3 Glacier storage. 0.000008 gigabytes for each object x 100,000
    objects = 0.8 gigabytes of Amazon S3 Standard storage."

    The FAQ writes 32 KB as 0.000032 GB (decimal shorthand); in binary units 32 KiB = 0.0000305
    GiB, so the simulator bills 100,003.05 GiB and 0.763 GiB.  The difference is under a cent
    at list prices: FAQ 100,003.2 x 0.0036 = $360.01 and 0.8 x 0.023 = $0.02; simulator
    $360.01 and $0.02.  One study of 100,000 objects x 1 GiB uploaded to GLACIER for January.
    """
    L = s3_run(tmp_path, f"A,2027-01-01T00:00:00Z,{100_000 * GIB},100000,CT,p",
               storage_class="GLACIER", horizon_months=1).ledger
    glacier = row(L, "2027-01", "GLACIER", "storage")
    std = row(L, "2027-01", "GLACIER", "storage", "GiB-month overhead at STANDARD rate")
    assert glacier.quantity == pytest.approx(100_000 + 100_000 * 32 * KIB / GIB)
    assert std.quantity == pytest.approx(100_000 * 8 * KIB / GIB)
    assert round(glacier.quantity, 0) == round(100_003.2, 0)
    assert cents(glacier.amount_usd) == cents(100_003.2 * 0.0036) == 360.01
    assert cents(std.amount_usd) == cents(0.8 * 0.023) == 0.02


@pytest.mark.parametrize(("days", "owed"), [(30, 60), (60, 30)])
def test_s3_faq_glacier_early_deletion(tmp_path, days, owed):
    """S3 FAQ "How am I charged for deleting objects from Amazon S3 Glacier that are less than 90
    days old?": "If you delete 1GB of data 30 days after uploading it, you will be charged an
    early deletion fee for 60 days of Amazon S3 Glacier storage. If you delete 1 GB of data
    after 60 days, you will be charged for 30 days of Amazon S3 Glacier storage."

    1 GiB uploaded to GLACIER 2027-01-01 00:00, Expiration at 30 (01-31 00:00) or 60 days (03-02
    00:00).  Early deletion owed: (90 - days) days of (1 GiB + 32 KiB) at $0.0036, booked in
    the month of deletion as days / days-in-month GiB-months.  (The FAQ states no dollar figure;
    60 days x 1 GiB x $0.0036 / 31 = $0.007.)
    """
    lifecycle = {"Rules": [{"ID": "x", "Status": "Enabled", "Filter": {},
                            "Expiration": {"Days": days}}]}
    result = s3_run(tmp_path, f"A,2027-01-01T00:00:00Z,{GIB},1,CT,p", lifecycle=lifecycle,
                    storage_class="GLACIER", horizon_months=4)
    L = result.ledger
    month, month_days = ("2027-01", 31) if days == 30 else ("2027-03", 31)
    billed = 1 + 32 * KIB / GIB
    early = row(L, month, "GLACIER", "early_deletion")
    assert early.quantity * month_days / billed == pytest.approx(owed)
    assert early.amount_usd == pytest.approx(billed * owed / month_days * 0.0036)
    assert int(result.events.time_s.iloc[0]) == days * DAY


def test_s3_faq_one_zone_ia_put_then_delete_10_days_later(tmp_path):
    """S3 FAQ (S3 One Zone-IA): "if you delete a S3 One Zone-IA object within 30 days of creating
    it, you will incur an early delete charge. For example, if you PUT an object and then delete
    it 10 days later, you are still charged for 30 days of storage."

    1 GiB PUT to ONEZONE_IA 2027-01-01 00:00, expired 01-11 00:00: 10 days stored + 20 days
    early deletion = 30 days at $0.01/GiB-month: 30/31 x 0.01 = $0.0097 -> $0.01.
    """
    lifecycle = {"Rules": [{"ID": "x", "Status": "Enabled", "Filter": {},
                            "Expiration": {"Days": 10}}]}
    L = s3_run(tmp_path, f"A,2027-01-01T00:00:00Z,{GIB},1,CT,p", lifecycle=lifecycle,
               storage_class="ONEZONE_IA", horizon_months=1).ledger
    stored = row(L, "2027-01", "ONEZONE_IA", "storage")
    early = row(L, "2027-01", "ONEZONE_IA", "early_deletion")
    assert stored.quantity * 31 == pytest.approx(10)
    assert early.quantity * 31 == pytest.approx(20)
    assert (stored.quantity + early.quantity) * 31 == pytest.approx(30)
    assert cents(stored.amount_usd + early.amount_usd) == cents(30 / 31 * 0.01)


@pytest.mark.parametrize("storage_class", ["STANDARD_IA", "ONEZONE_IA"])
def test_s3_faq_6kb_object_billed_as_128kb(tmp_path, storage_class):
    """S3 FAQ (Standard-IA and One Zone-IA): "Objects smaller than 128KB in size will incur
    storage charges as if the object were 128KB. For example, a 6KB object in S3 Standard-IA
    will incur S3 Standard-IA storage charges for 6KB and an additional minimum object size fee
    equivalent to 122KB at the S3 Standard-IA storage price."  6 KiB + 122 KiB = 128 KiB billed
    for all of January."""
    L = s3_run(tmp_path, f"A,2027-01-01T00:00:00Z,{6 * KIB},1,CR,p",
               storage_class=storage_class, horizon_months=1).ledger
    r = row(L, "2027-01", storage_class, "storage")
    assert r.quantity == pytest.approx((6 + 122) * KIB / GIB)


def test_s3_userguide_lifecycle_days_round_to_next_midnight(tmp_path):
    """S3 User Guide, intro-lifecycle-rules ("Lifecycle rules: Based on an object's age"),
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html: "if an
    object was created at 1/15/2014 10:30 AM UTC and you specify 3 days in a transition rule,
    then the transition date of the object would be calculated as 1/19/2014 00:00 UTC."
    (The guide's example is 1/15 -> 1/19, not 1/1 -> 1/5.)  Same dates as the page: the run
    starts 2014-01-01; 1/15 10:30 + 3 days = 1/18 10:30 -> 1/19 00:00 = day 18 of the run."""
    lifecycle = {"Rules": [{"ID": "t", "Status": "Enabled", "Filter": {},
                            "Transitions": [{"Days": 3, "StorageClass": "GLACIER"}]}]}
    result = s3_run(tmp_path, f"A,2014-01-15T10:30:00Z,{GIB},1,CT,p", lifecycle=lifecycle,
                    start="2014-01-01", horizon_months=1)
    ev = result.events
    assert list(ev.event) == ["transition"]
    assert int(ev.time_s.iloc[0]) == 18 * DAY  # 2014-01-19 00:00 UTC
    # and the same rounding for an Expiration action
    lifecycle = {"Rules": [{"ID": "e", "Status": "Enabled", "Filter": {},
                            "Expiration": {"Days": 3}}]}
    result = s3_run(tmp_path / "e", f"A,2014-01-15T10:30:00Z,{GIB},1,CT,p", lifecycle=lifecycle,
                    start="2014-01-01", horizon_months=1)
    assert list(result.events.event) == ["expire"]
    assert int(result.events.time_s.iloc[0]) == 18 * DAY


def month_workload(start: dt.date, sizes, reads=(), months=1, objects=None, delete_s=None):
    n = len(sizes)
    st = Studies(created_s=np.zeros(n, np.int64), modality=np.zeros(n, np.int8),
                 size_bytes=np.array(sizes, np.int64),
                 objects=np.array(objects or [1] * n, np.int32),
                 patient=np.arange(n, dtype=np.int32), age_years=np.full(n, 50, np.float32),
                 delete_s=np.array(delete_s if delete_s is not None else [NEVER] * n, np.int64))
    study, time_s = zip(*reads, strict=True) if reads else ((), ())
    rd = Reads(np.array(study, np.int32), np.array(time_s, np.int64),
               np.zeros(len(reads), np.int8))
    return Workload(Calendar(start, months), ("CR", "CT"), st, rd)


def azure_bill(w, tier, overrides=None, priority="Standard", rehydrate_to="Hot"):
    catalog = load_catalog("azure", "azure-eastus")
    catalog = override_prices(catalog, overrides or {}, "test")
    archive = AzureBlobArchive("az", catalog, w, tier, None, "studies/{modality}/{study_id}", {},
                               0.0, True, 0, 0, priority, rehydrate_to, keep_events=True)
    return archive, ledger_frame(run_loop(w, [archive]))


AZ_TIERS = "https://learn.microsoft.com/azure/storage/blobs/access-tiers-overview"


def test_azure_cool_blob_deleted_after_21_days_pays_9_days():
    """Azure access tiers overview (early deletion), AZ_TIERS: "if a blob is moved to the cool
    tier and then deleted after 21 days, you'll be charged an early deletion fee equivalent to 9
    (30 minus 21) days of storing that blob in the cool tier."

    1 GiB uploaded to Cool 2027-01-01 00:00, deleted 01-22 00:00: 21 days stored (21/31
    GiB-month) and 9 days owed (9/31) at $0.0152.
    """
    w = month_workload(dt.date(2027, 1, 1), [GIB], delete_s=[21 * DAY])
    _, L = azure_bill(w, "Cool")
    assert crow(L, "2027-01", "Cool")[0] * 31 == pytest.approx(21)
    q, usd = crow(L, "2027-01", "Cool", "early_deletion")
    assert q * 31 == pytest.approx(9)
    assert usd == pytest.approx(9 / 31 * 0.0152)


def test_azure_archive_blob_moved_to_hot_after_45_days_pays_135_days():
    """Same sentence, "moved to the Hot tier after 45 days" variant: a read on day 45 00:00
    (02-15) rehydrates the blob to Hot (Set Blob Tier, Standard priority).  The example charges
    135 days: the tier change counts from the Set Blob Tier request (day 45).  (The simulator
    keeps billing Archive until the rehydration completes 15 h later; if it also dates the early
    deletion from completion it owes 134.375 days.)"""
    w = month_workload(dt.date(2027, 1, 1), [GIB], [(0, 45 * DAY)], months=2)
    _, L = azure_bill(w, "Archive")
    q, _ = crow(L, "2027-02", "Archive", "early_deletion")
    assert q * 28 == pytest.approx(135)


def test_azure_cost_estimate_move_data_out_of_archive():
    """Microsoft Learn "Cost estimate: Move data out of archive storage", AZ_SAMPLE (sample
    prices, West US, LRS): "Your company stores 20 TB of data in the archive tier ... after only
    three months in archive storage, 20% of that data must be moved back to the hot tier ...
    Number of Set Blob Tier operations 2000 blobs * 20% = 400; Price of an archive read
    operation $0.00055; 400 operations * $0.00055 = $0.22; Data retrieval size 20,000 GB * 20% =
    4,000; Price of data retrieval (per GB) $0.0220; 4,000 * $0.0220 = $88.00; Rough number of
    months penalty (180 days - 90 days) / 30 days = 3; Price per month of archive storage (per
    GB) $0.0020; (4,000 * $0.0020) * 3 = $24.00; Total cost $0.22 + $88 + $24 = $112.22"

    The 400 blobs of 10 GiB that come back: 400 studies in Archive from 2027-01-01, each read on
    day 90 (2027-04-01 00:00, a 30-day month, so 90 days / 30 = 3 months) and rehydrated to Hot
    at Standard priority.  Sample prices set by override: Archive read (rehydration) $5.50 per
    10,000 ($0.00055 each), retrieval $0.022/GiB, Archive storage $0.002/GiB-month.
    """
    n = 400
    w = month_workload(dt.date(2027, 1, 1), [10 * GIB] * n, [(i, 90 * DAY) for i in range(n)],
                       months=4)
    _, L = azure_bill(w, "Archive", {
        "rehydration.Standard.read_usd_per_10000": 5.50,
        "rehydration.Standard.retrieval_usd_per_gib": 0.022,
        "tiers.Archive.storage_usd_per_gib_month": 0.002})
    ops = L[(L.month == "2027-04") & L.unit.str.startswith("rehydrations")]
    gib = L[(L.month == "2027-04") & L.unit.str.startswith("GiB rehydrated")]
    early = crow(L, "2027-04", "Archive", "early_deletion")
    assert float(ops.quantity.sum()) == 400 and cents(float(ops.amount_usd.sum())) == 0.22
    assert float(gib.quantity.sum()) == 4000 and cents(float(gib.amount_usd.sum())) == 88.00
    assert cents(early[1]) == 24.00
    total = float(ops.amount_usd.sum()) + float(gib.amount_usd.sum()) + early[1]
    assert cents(total) == 112.22


# --------------------------------------------------------------------------------------------
# Google Cloud Storage
# --------------------------------------------------------------------------------------------

GCS_EX = "https://cloud.google.com/storage/pricing-examples"
STD_H = 0.000027397


def gcs_bill(w, storage_class="STANDARD", config=None, egress_share=0.0):
    archive = GcsLifecycleArchive("gcs", load_catalog("gcp", "gcp-us-east1"), w,
                                  storage_class, config, "studies/{modality}/{study_id}",
                                  egress_share, "none", keep_events=True)
    return archive, ledger_frame(run_loop(w, [archive]))


def test_gcs_simple_pricing_example():
    """GCS "Pricing examples", Simple example, GCS_EX: "Data storage: Standard storage in the
    us-east1 region 50 GB (the average amount of data in your bucket over the course of the
    month); Class A operations 10,000; Class B operations 50,000; Data transfer to the Americas
    and EMEA 1 GB ... 50 GB Standard storage * $0.020 per GB $1.00; 10,000 Class A operations *
    $0.005 per 1,000 operations $0.05; 50,000 Class B operations * $0.0004 per 1,000 operations
    $0.02; 1 GB outbound data transfer * $0.12 per GB $0.12; Total $1.19"

    Storage: the catalog bills per GiB-hour ($0.000027397 = $0.020 / 730 h), so "50 GB for a
    month" is 50 GiB x 730 h = 36,500 GiB-h: 50 GiB uploaded 2027-01-01 00:00 in 10,000 objects
    (10,000 Class A), deleted at 730 h (01-31 10:00).  Read 5 times (5 x 10,000 Class B);
    egress_share 1/250 makes the 5 x 50 GiB read 1 GiB to the internet.
    (Held for all of a 31-day January the same 50 GiB costs 744 x 50 x 0.000027397 = $1.02; in a
    30-day month $0.99: see examples.md.)
    """
    reads = [(0, d * DAY) for d in (2, 5, 9, 14, 20)]
    w = month_workload(dt.date(2027, 1, 1), [50 * GIB], reads, objects=[10_000],
                       delete_s=[730 * HOUR])
    _, L = gcs_bill(w, egress_share=1 / 250)
    storage = crow(L, "2027-01", "STANDARD")
    class_a = crow(L, "2027-01", "STANDARD", "requests", "Class A operations (uploads)")
    class_b = crow(L, "2027-01", "STANDARD", "requests", "Class B operations (reads)")
    egress = L[(L.month == "2027-01") & (L.category == "egress")]
    assert storage[0] == pytest.approx(50 * 730) and cents(storage[1]) == 1.00
    assert class_a[0] == 10_000 and cents(class_a[1]) == 0.05
    assert class_b[0] == 50_000 and cents(class_b[1]) == 0.02
    assert float(egress.quantity.sum()) == pytest.approx(1.0)
    assert cents(float(egress.amount_usd.sum())) == 0.12
    total = storage[1] + class_a[1] + class_b[1] + float(egress.amount_usd.sum())
    assert cents(total) == 1.19


def test_gcs_nearline_early_deletion_1000_gb_day_15():
    """Google Cloud Storage pricing, 2014 edition (Google's own page, archived:
    https://web.archive.org/web/20150423025915/http://code.google.com/apis/storage/docs/
    pricingandterms.html): "Data deleted in less than 30 days incurs a minimum 30 day charge.
    For example, if you store 1,000 GB of Nearline data on day 1 and then remove it on day 15,
    you are charged $5 ($0.01 * 1,000 GB * 15/30) for storage from day 1 to 15, and then $5
    ($0.01 * 1,000 GB * 15/30) for 15 days of early deletion from day 16 to 30."

    Nearline price then $0.01/GB-month; set by override ($0.01 / 730 per GiB-hour is not what
    the 15/30 arithmetic uses, so the hourly price is set to $0.01 / 720 = a 30-day month).
    1,000 GiB uploaded to Nearline 2027-04-01 00:00, lifecycle Delete at age 15 (04-16 00:00):
    360 h x 1,000 GiB stored, 360 h x 1,000 GiB early deletion, $5 + $5.
    """
    config = parse_gcs_lifecycle({"lifecycle": {"rule": [
        {"action": {"type": "Delete"}, "condition": {"age": 15}}]}})
    w = month_workload(dt.date(2027, 4, 1), [1000 * GIB])
    catalog = override_prices(load_catalog("gcp", "gcp-us-east1"),
                              {"classes.NEARLINE.storage_usd_per_gib_hour": 0.01 / 720}, "test")
    archive = GcsLifecycleArchive("gcs", catalog, w, "NEARLINE", config,
                                  "studies/{modality}/{study_id}", 0.0, "none")
    L = ledger_frame(run_loop(w, [archive]))
    stored = crow(L, "2027-04", "NEARLINE")
    early = crow(L, "2027-04", "NEARLINE", "early_deletion")
    assert stored[0] == pytest.approx(1000 * 15 * 24) and cents(stored[1]) == 5.00
    assert early[0] == pytest.approx(1000 * 15 * 24) and cents(early[1]) == 5.00
