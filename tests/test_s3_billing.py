"""The S3 engine's bill against hand-computed cases; the arithmetic is written in each test.

Prices from sim/data/prices/aws-us-east-1.yaml: STANDARD 0.023/0.022/0.021 per GiB-month (bands at
51,200 and 512,000 GiB), STANDARD_IA 0.0125, GLACIER_IR 0.004, GLACIER 0.0036; PUT STANDARD 0.005
per 1,000; transitions into STANDARD_IA 0.01 and GLACIER 0.03 per 1,000; egress 100 GiB free, then
0.09 to 10,240 GiB, 0.085 to 51,200 GiB; Intelligent-Tiering FA 0.023, IA 0.0125, monitoring 0.0025
per 1,000 objects.
"""

from __future__ import annotations

import pytest

from sim.errors import InputError
from tests.s3_helpers import GIB, HEADER, KIB, row, s3_run

DAY = 86400


def test_flat_standard_month_31_and_28_days(tmp_path):
    """1 GiB in STANDARD from 2027-01-01 00:00: 1 GiB-month in January (744 h / 744 h) and in
    February (672 h / 672 h): $0.023 each; one PUT: 1 x 0.005 / 1000."""
    result = s3_run(tmp_path, f"A,2027-01-01T00:00:00Z,{GIB},1,CT,p", horizon_months=2)
    ledger = result.ledger
    for month in ("2027-01", "2027-02"):
        r = row(ledger, month, "STANDARD", "storage")
        assert r.quantity == pytest.approx(1.0, rel=1e-12)
        assert r.amount_usd == pytest.approx(0.023, rel=1e-12)
    put = row(ledger, "2027-01", "STANDARD", "requests", "PUT requests")
    assert put.quantity == 1 and put.amount_usd == pytest.approx(0.005 / 1000)


def test_standard_ia_glacier_then_expiration_inside_glacier_minimum(tmp_path):
    """10 GiB, 1 object, created 2027-01-01 10:00.  IA at 30 days -> due 01-31 10:00 -> billed from
    02-01 00:00; GLACIER at 60 -> 03-03 00:00; expire at 100 -> 04-12 00:00.  GLACIER held 40 of its
    90 minimum days: 50 days early-deletion, billed over April's 30 days.  GLACIER bills 32 KiB per
    object at its rate and 8 KiB at the STANDARD rate."""
    lifecycle = {"Rules": [{
        "ID": "r", "Status": "Enabled", "Filter": {},
        "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"},
                        {"Days": 60, "StorageClass": "GLACIER"}],
        "Expiration": {"Days": 100},
    }]}
    result = s3_run(tmp_path, f"A,2027-01-01T10:00:00Z,{10 * GIB},1,CT,p", lifecycle=lifecycle,
                    horizon_months=5)
    L = result.ledger
    # January: STANDARD from 01-01 10:00 to 02-01 00:00 = 30 days 14 h
    jan = 10 * (30 + 14 / 24) / 31
    assert row(L, "2027-01", "STANDARD", "storage").quantity == pytest.approx(jan, rel=1e-12)
    assert row(L, "2027-01", "STANDARD", "storage").amount_usd == pytest.approx(jan * 0.023)
    # February: STANDARD_IA all 28 days
    assert row(L, "2027-02", "STANDARD_IA", "storage").amount_usd == pytest.approx(10 * 0.0125)
    # March: IA 2 days, GLACIER 29 days (10 GiB + 32 KiB)
    assert row(L, "2027-03", "STANDARD_IA", "storage").quantity == pytest.approx(10 * 2 / 31)
    glacier_gib = 10 + 32 * KIB / GIB
    assert row(L, "2027-03", "GLACIER", "storage").quantity == pytest.approx(glacier_gib * 29 / 31)
    overhead = row(L, "2027-03", "GLACIER", "storage", "GiB-month overhead at STANDARD rate")
    assert overhead.quantity == pytest.approx(8 * KIB / GIB * 29 / 31)
    assert overhead.amount_usd == pytest.approx(8 * KIB / GIB * 29 / 31 * 0.023)
    # April: GLACIER 11 days, then the early-deletion charge for the 50 days left of 90
    assert row(L, "2027-04", "GLACIER", "storage").quantity == pytest.approx(glacier_gib * 11 / 30)
    early = row(L, "2027-04", "GLACIER", "early_deletion")
    assert early.quantity == pytest.approx(glacier_gib * 50 / 30)
    assert early.amount_usd == pytest.approx(glacier_gib * 50 / 30 * 0.0036)
    # IA held exactly 30 days (02-01 -> 03-03): no IA early deletion
    assert not ((L.tier == "STANDARD_IA") & (L.category == "early_deletion")).any()
    # one transition request each, at the destination's rate
    assert row(L, "2027-02", "STANDARD_IA", "transitions", "transition requests").amount_usd == \
        pytest.approx(0.01 / 1000)
    assert row(L, "2027-03", "GLACIER", "transitions", "transition requests").amount_usd == \
        pytest.approx(0.03 / 1000)
    assert not (L.month == "2027-05").any() or L[L.month == "2027-05"].amount_usd.sum() == 0
    events = result.events
    assert list(events.event) == ["transition", "transition", "expire"]
    assert list(events.time_s // DAY) == [31, 61, 101]  # 02-01, 03-03, 04-12


def test_128_kib_minimum_and_default_minimum_transition_size(tmp_path):
    """Study A: 10 objects of 50 KiB uploaded to STANDARD_IA on 01-01 00:00 are billed as 10 x 128
    KiB = 1,310,720 bytes; by default (all_storage_classes_128K) they never transition.  Study B:
    4 objects of 1 MiB go to GLACIER_IR at day 30 (02-01 00:00 is exactly 01-02 + 30 days)."""
    lifecycle = {"Rules": [{"ID": "to-gir", "Status": "Enabled", "Filter": {},
                            "Transitions": [{"Days": 30, "StorageClass": "GLACIER_IR"}]}]}
    studies = f"""
        A,2027-01-01T00:00:00Z,{10 * 50 * KIB},10,CR,p
        B,2027-01-02T00:00:00Z,{4 * 1024 * KIB},4,CT,q
    """
    L = s3_run(tmp_path, studies, lifecycle=lifecycle, storage_class="STANDARD_IA",
               horizon_months=2).ledger
    billed_a = 10 * 128 * KIB / GIB
    billed_b_jan = 4 * 1024 * KIB / GIB * 30 / 31
    ia_jan = row(L, "2027-01", "STANDARD_IA", "storage")
    assert ia_jan.quantity == pytest.approx(billed_a + billed_b_jan)
    assert ia_jan.amount_usd == pytest.approx((billed_a + billed_b_jan) * 0.0125)
    # February: A is still in STANDARD_IA (28/28 days), B is in GLACIER_IR
    assert row(L, "2027-02", "STANDARD_IA", "storage").quantity == pytest.approx(billed_a)
    assert row(L, "2027-02", "GLACIER_IR", "storage").quantity == pytest.approx(4 * 1024 * KIB
                                                                                 / GIB)
    # B left STANDARD_IA after exactly 30 days: no early deletion
    assert not (L.category == "early_deletion").any()


def test_size_filter_overrides_the_default_minimum(tmp_path):
    """With ObjectSizeLessThan in the filter, 50 KiB objects do transition (the filter wins)."""
    lifecycle = {"Rules": [{"ID": "small", "Status": "Enabled",
                            "Filter": {"ObjectSizeLessThan": 65536},
                            "Transitions": [{"Days": 0, "StorageClass": "GLACIER"}]}]}
    result = s3_run(tmp_path, f"A,2027-01-01T06:00:00Z,{10 * 50 * KIB},10,CR,p",
                    lifecycle=lifecycle, horizon_months=1)
    assert list(result.events.to_tier) == ["GLACIER"]
    assert int(result.events.time_s.iloc[0]) == DAY  # first midnight after creation


def test_intelligent_tiering_read_resets_the_clock(tmp_path):
    """1 GiB in INTELLIGENT_TIERING from 01-01 00:00, read 01-20 12:00.  Unread it would go to IA
    on 01-31; the read moves that to 01-20 12:00 + 30 days = 02-19 12:00 -> 02-20 00:00.
    January: FA 31/31.  February: FA 19/28, IA 9/28.  Monitoring: 1 object-month per month."""
    result = s3_run(tmp_path, f"A,2027-01-01T00:00:00Z,{GIB},1,MR,p",
                    "A,2027-01-20T12:00:00Z", storage_class="INTELLIGENT_TIERING",
                    horizon_months=2)
    L = result.ledger
    assert row(L, "2027-01", "INTELLIGENT_TIERING_FA", "storage").quantity == pytest.approx(1.0)
    assert row(L, "2027-02", "INTELLIGENT_TIERING_FA", "storage").quantity == \
        pytest.approx(19 / 28)
    ia = row(L, "2027-02", "INTELLIGENT_TIERING_IA", "storage")
    assert ia.quantity == pytest.approx(9 / 28)
    assert ia.amount_usd == pytest.approx(9 / 28 * 0.0125)
    mon = row(L, "2027-01", "INTELLIGENT_TIERING", "monitoring", "object-months")
    assert mon.quantity == pytest.approx(1.0)
    assert mon.amount_usd == pytest.approx(0.0025 / 1000)
    assert row(L, "2027-01", "INTELLIGENT_TIERING", "requests", "GET requests").amount_usd == \
        pytest.approx(0.0004 / 1000)
    # 1 GiB of egress is inside the 100 GiB free allowance
    assert row(L, "2027-01", "internet", "egress", "GiB").amount_usd == 0.0


def test_intelligent_tiering_small_objects_stay_frequent_and_are_not_monitored(tmp_path):
    """10 objects of 100 KiB (< 128 KiB) stay in FA for 3 months and pay no monitoring fee."""
    L = s3_run(tmp_path, f"A,2027-01-01T00:00:00Z,{10 * 100 * KIB},10,CR,p",
               storage_class="INTELLIGENT_TIERING", horizon_months=3).ledger
    assert set(L[L.category == "storage"].tier) == {"INTELLIGENT_TIERING_FA"}
    assert not (L.category == "monitoring").any()


def test_archive_access_restore(tmp_path):
    """2 GiB in INTELLIGENT_TIERING from 01-01 00:00 with Archive Access at 90 days: IA on 01-31,
    AA on 04-01 (01-01 + 90 days).  A read on 05-10 08:00 needs a Standard restore (up to 5 h,
    free): served at 13:00, latency 18,000 s; the object is back in FA from 05-10 13:00.
    May: AA for 9 days 13 h, FA for 21 days 11 h (of 31)."""
    it_config = {"IntelligentTieringConfiguration": {
        "Id": "aa90", "Status": "Enabled", "Filter": {},
        "Tierings": [{"AccessTier": "ARCHIVE_ACCESS", "Days": 90}]}}
    result = s3_run(tmp_path, f"A,2027-01-01T00:00:00Z,{2 * GIB},1,CT,p",
                    "A,2027-05-10T08:00:00Z", storage_class="INTELLIGENT_TIERING",
                    intelligent_tiering=it_config, horizon_months=5)
    L = result.ledger
    read = result.reads.iloc[0]
    assert read.tier == "INTELLIGENT_TIERING_AA"
    assert read.latency_s == pytest.approx(5 * 3600)
    aa_gib = 2 + 32 * KIB / GIB
    assert row(L, "2027-04", "INTELLIGENT_TIERING_AA", "storage").quantity == \
        pytest.approx(aa_gib)
    assert row(L, "2027-05", "INTELLIGENT_TIERING_AA", "storage").quantity == \
        pytest.approx(aa_gib * (9 + 13 / 24) / 31)
    assert row(L, "2027-05", "INTELLIGENT_TIERING_FA", "storage").quantity == \
        pytest.approx(2 * (21 + 11 / 24) / 31)
    restore = row(L, "2027-05", "INTELLIGENT_TIERING_AA", "retrieval", "restore requests")
    assert restore.quantity == 1 and restore.amount_usd == 0.0
    assert result.summary["unconfirmed_prices_used"] == []  # the 32 KiB overhead is sourced
    assert list(result.events.event) == ["transition", "transition", "restore"]


def test_glacier_restore_bills_requests_retrieval_and_the_restored_copy(tmp_path):
    """1 GiB uploaded straight to GLACIER on 01-01 00:00, read 01-10 00:00 with a Standard restore:
    1 restore request x 0.05/1000, 1 GiB x 0.01; the copy is ready at 05:00 and expires at the
    request time + 1 day = 01-11 00:00 (already a midnight): 19 h at the STANDARD rate,
    1 GiB x 19 / (24 x 31) month."""
    result = s3_run(tmp_path, f"A,2027-01-01T00:00:00Z,{GIB},1,CT,p", "A,2027-01-10T00:00:00Z",
                    storage_class="GLACIER", horizon_months=1)
    L = result.ledger
    assert row(L, "2027-01", "GLACIER", "retrieval", "restore requests").amount_usd == \
        pytest.approx(0.05 / 1000)
    assert row(L, "2027-01", "GLACIER", "retrieval", "GiB restored").amount_usd == \
        pytest.approx(0.01)
    copy = row(L, "2027-01", "STANDARD", "retrieval", "GiB-month restored copy")
    assert copy.quantity == pytest.approx(19 / (24 * 31))
    assert result.reads.iloc[0].latency_s == pytest.approx(5 * 3600)


def test_restored_copy_lives_until_the_midnight_after_request_plus_days(tmp_path):
    """The S3 User Guide's example ("Restoring an archived object",
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/restoring-objects.html): restored on
    Oct 15 10:30 UTC for 3 days, the copy is available until Oct 19 00:00 UTC.

    1 GiB in GLACIER, read 2027-10-15 10:30 with a Standard restore (5 h) and restore_days 3: the
    copy exists from 15:30 to 10-19 00:00 = 8.5 h + 3 x 24 h = 80.5 h.  A read on 10-18 23:00
    reads that copy (no restore).  A read on 10-19 00:30 restores again: 10-22 00:30 rounds up
    to 10-23 00:00, the copy is ready at 05:30, so it lives 18.5 h + 3 x 24 h = 90.5 h.
    Restored copies at STANDARD 0.023: (80.5 + 90.5) / (24 x 31) GiB-month
    = 0.229839 GiB-month -> 0.0052863 USD."""
    result = s3_run(tmp_path, f"A,2027-10-01T00:00:00Z,{GIB},1,CT,p",
                    "A,2027-10-15T10:30:00Z\nA,2027-10-18T23:00:00Z\nA,2027-10-19T00:30:00Z",
                    storage_class="GLACIER", start="2027-10-01", horizon_months=1,
                    extra="    restore_days: 3")
    L = result.ledger
    assert row(L, "2027-10", "GLACIER", "retrieval", "restore requests").quantity == 2
    hours = (8.5 + 3 * 24) + (18.5 + 3 * 24)
    copy = row(L, "2027-10", "STANDARD", "retrieval", "GiB-month restored copy")
    assert copy.quantity == pytest.approx(hours / (24 * 31))
    assert copy.amount_usd == pytest.approx(hours / (24 * 31) * 0.023)
    latency = list(result.reads.latency_s)
    assert latency[0] == latency[2] == pytest.approx(5 * 3600) and latency[1] < 1


def test_egress_bands(tmp_path):
    """A 12,000 GiB study read once in January.  The band edges count the month's whole volume
    and the free 100 GiB are the first GiB of the first band ("Up to 100 GB / Month $0.00, Next
    9.999 TB / Month $0.09"): (10,240 - 100) x 0.09 + (12,000 - 10,240) x 0.085
    = 912.6 + 149.6 = 1,062.2 USD."""
    L = s3_run(tmp_path, f"A,2027-01-01T00:00:00Z,{12000 * GIB},1,CT,p",
               "A,2027-01-05T00:00:00Z", horizon_months=1).ledger
    egress = row(L, "2027-01", "internet", "egress", "GiB")
    assert egress.quantity == pytest.approx(12000)
    assert egress.amount_usd == pytest.approx(1062.2)


def test_volume_bands_across_50_tib(tmp_path):
    """60,000 GiB in STANDARD all January: 51,200 x 0.023 + 8,800 x 0.022 = 1,177.6 + 193.6."""
    L = s3_run(tmp_path, f"A,2027-01-01T00:00:00Z,{60000 * GIB},1,CT,p", horizon_months=1).ledger
    assert row(L, "2027-01", "STANDARD", "storage").amount_usd == pytest.approx(1371.2)


def test_rule_conflicts(tmp_path):
    """Same-day actions on 01-31 (30 days after 01-01 00:00): CT matches IA and GLACIER -> GLACIER
    (GLACIER beats STANDARD_IA); MR matches IA and an expiration -> expired; US matches GLACIER_IR
    and INTELLIGENT_TIERING -> INTELLIGENT_TIERING (preferred over all but GLACIER/DEEP_ARCHIVE).
    The GLACIER_IR rule still applies to the object afterwards and INTELLIGENT_TIERING ->
    GLACIER_IR is an allowed transition, so the next day's run moves it on to GLACIER_IR."""
    lifecycle = {"Rules": [
        {"ID": "all-ia", "Status": "Enabled", "Filter": {"Prefix": "studies/"},
         "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]},
        {"ID": "ct-glacier", "Status": "Enabled", "Filter": {"Prefix": "studies/CT/"},
         "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]},
        {"ID": "mr-expire", "Status": "Enabled", "Filter": {"Prefix": "studies/MR/"},
         "Expiration": {"Days": 30}},
        {"ID": "us-gir", "Status": "Enabled", "Filter": {"Prefix": "studies/US/"},
         "Transitions": [{"Days": 30, "StorageClass": "GLACIER_IR"}]},
        {"ID": "us-it", "Status": "Enabled", "Filter": {"Prefix": "studies/US/"},
         "Transitions": [{"Days": 30, "StorageClass": "INTELLIGENT_TIERING"}]},
        {"ID": "off", "Status": "Disabled", "Filter": {},
         "Transitions": [{"Days": 0, "StorageClass": "DEEP_ARCHIVE"}]},
    ]}
    studies = f"""
        ct,2027-01-01T00:00:00Z,{GIB},1,CT,p
        mr,2027-01-01T00:00:00Z,{GIB},1,MR,p
        us,2027-01-01T00:00:00Z,{GIB},1,US,p
    """
    result = s3_run(tmp_path, studies, lifecycle=lifecycle, horizon_months=2)
    ev = result.events
    uid = result.workload.studies.study_uid
    steps = [(uid[s], t // DAY, e, to) for s, t, e, to in
             zip(ev.study, ev.time_s, ev.event, ev.to_tier, strict=True)]
    assert sorted(steps) == [
        ("ct", 30, "transition", "GLACIER"),
        ("mr", 30, "expire", ""),
        ("us", 30, "transition", "INTELLIGENT_TIERING_FA"),
        ("us", 31, "transition", "GLACIER_IR"),
    ]


def test_date_based_transitions(tmp_path):
    """GLACIER on Date 2027-03-01: a study from 01-10 moves at 03-01 00:00; one created 03-15 10:00
    (after the date) moves at the next midnight, 03-16 00:00."""
    lifecycle = {"Rules": [{"ID": "date", "Status": "Enabled", "Filter": {},
                            "Transitions": [{"Date": "2027-03-01T00:00:00Z",
                                             "StorageClass": "GLACIER"}]}]}
    studies = f"""
        old,2027-01-10T00:00:00Z,{GIB},1,CT,p
        new,2027-03-15T10:00:00Z,{GIB},1,CT,q
    """
    result = s3_run(tmp_path, studies, lifecycle=lifecycle, horizon_months=4)
    ev = result.events
    assert list(ev.time_s // DAY) == [31 + 28, 31 + 28 + 15]  # 03-01 and 03-16
    assert list(ev.to_tier) == ["GLACIER", "GLACIER"]


def test_prefix_ending_where_the_study_id_starts_is_valid(tmp_path):
    """Key template "{modality}/{age_group}/{study_id}" and a lifecycle rule with prefix
    "CT/senior/": it ends exactly where the study id starts, so it selects CT studies of patients
    65 and over and nothing else.  Expiration after 1 day: created 01-01 00:00, expired 01-02."""
    lifecycle = {"Rules": [{"ID": "ct-senior", "Status": "Enabled",
                            "Filter": {"Prefix": "CT/senior/"}, "Expiration": {"Days": 1}}]}
    studies = """
        ct-old,2027-01-01T00:00:00Z,1000000,1,CT,p1,70
        ct-young,2027-01-01T00:00:00Z,1000000,1,CT,p2,40
        mr-old,2027-01-01T00:00:00Z,1000000,1,MR,p3,70
    """
    result = s3_run(tmp_path, studies, lifecycle=lifecycle, horizon_months=1,
                    header=HEADER.replace("\n", ",patient_age_years\n"),
                    extra='    object_key: "{modality}/{age_group}/{study_id}"')
    ev = result.events
    uid = result.workload.studies.study_uid
    assert [(uid[s], t // DAY, e) for s, t, e in zip(ev.study, ev.time_s, ev.event, strict=True)] \
        == [("ct-old", 1, "expire")]


def test_prefix_reaching_into_the_study_id_is_refused(tmp_path):
    """"CT/senior/1" depends on the study id: refused, naming the rule and the template."""
    lifecycle = {"Rules": [{"ID": "ct-senior-1", "Status": "Enabled",
                            "Filter": {"Prefix": "CT/senior/1"}, "Expiration": {"Days": 1}}]}
    with pytest.raises(InputError, match=r"prefix 'CT/senior/1' reaches into the study id"):
        s3_run(tmp_path, "ct,2027-01-01T00:00:00Z,1000000,1,CT,p1,70", lifecycle=lifecycle,
               header=HEADER.replace("\n", ",patient_age_years\n"),
               extra='    object_key: "{modality}/{age_group}/{study_id}"')


def test_one_thousand_lifecycle_rules_run_and_more_are_refused(tmp_path):
    """S3 allows up to 1,000 rules.  999 filter on prefixes no study has (expire after 1 day); the
    1,000th moves CT to STANDARD_IA at 30 days: the CT study moves on 01-31, the MR one stays.
    1,001 rules are refused, naming the file and the limit."""
    rules = [{"ID": f"r{i}", "Status": "Enabled", "Filter": {"Prefix": f"none{i}/"},
              "Expiration": {"Days": 1}} for i in range(999)]
    rules.append({"ID": "ct-ia", "Status": "Enabled", "Filter": {"Prefix": "studies/CT/"},
                  "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]})
    studies = f"""
        ct,2027-01-01T00:00:00Z,{GIB},1,CT,p
        mr,2027-01-01T00:00:00Z,{GIB},1,MR,p
    """
    result = s3_run(tmp_path / "a", studies, lifecycle={"Rules": rules}, horizon_months=1)
    ev = result.events
    uid = result.workload.studies.study_uid
    assert [(uid[s], t // DAY, to) for s, t, to in zip(ev.study, ev.time_s, ev.to_tier,
                                                       strict=True)] == [("ct", 30, "STANDARD_IA")]
    rules.append({"ID": "one-too-many", "Status": "Enabled", "Filter": {},
                  "Expiration": {"Days": 400}})
    with pytest.raises(InputError, match=r"lifecycle\.json.*at most 1,000 rules \(got 1001\)"):
        s3_run(tmp_path / "b", studies, lifecycle={"Rules": rules}, horizon_months=1)


def test_one_tib_replicated_cross_region_into_deep_archive(tmp_path):
    """1 TiB (one object) uploaded to STANDARD on 01-01 00:00 with S3 Replication to a
    DEEP_ARCHIVE bucket in another region, all January:
    source: 1,024 GiB-month x 0.023 = 23.552; 1 PUT x 0.005/1000;
    replica: 1,024 GiB + 32 KiB overhead at the DEEP_ARCHIVE rate 0.00099 = 1.01376 + a
    fraction of a cent, 8 KiB at the STANDARD rate; 1 replication PUT at the DEEP_ARCHIVE rate
    0.05/1000 = 0.00005;
    transfer to the other region: 1,024 GiB x 0.02 = 20.48."""
    result = s3_run(tmp_path, f"A,2027-01-01T00:00:00Z,{1024 * GIB},1,CT,p", horizon_months=1,
                    extra="    replication: {storage_class: DEEP_ARCHIVE, cross_region: true}")
    L = result.ledger
    assert row(L, "2027-01", "STANDARD", "storage").amount_usd == pytest.approx(1024 * 0.023)
    replica = row(L, "2027-01", "replica DEEP_ARCHIVE", "storage")
    assert replica.quantity == pytest.approx(1024 + 32 * KIB / GIB)
    assert replica.amount_usd == pytest.approx((1024 + 32 * KIB / GIB) * 0.00099)
    overhead = row(L, "2027-01", "replica DEEP_ARCHIVE", "storage",
                   "GiB-month overhead at STANDARD rate")
    assert overhead.quantity == pytest.approx(8 * KIB / GIB)
    put = row(L, "2027-01", "replica DEEP_ARCHIVE", "requests", "PUT requests")
    assert put.quantity == 1 and put.amount_usd == pytest.approx(0.05 / 1000)
    transfer = row(L, "2027-01", "replication", "egress", "GiB to another region")
    assert transfer.quantity == pytest.approx(1024) and transfer.amount_usd == \
        pytest.approx(20.48)
    assert set(L.archive) == {"s3"}
    assert result.summary["totals_usd"]["s3"] == pytest.approx(L.amount_usd.sum())


@pytest.mark.parametrize(("follow", "days_stored"), [(True, 15), (False, 31)])
def test_replicas_follow_retention_deletes_or_stay(follow, days_stored):
    """A 1 GiB study deleted by retention on 01-16 00:00 (day 15).  With follow_deletes the
    STANDARD replica goes too (15 of 31 days stored); without, it stays all January."""
    import numpy as np

    from sim.archives.replication import ReplicatedArchive
    from sim.archives.s3 import S3Archive
    from sim.archives.s3_tiers import METER_LINES
    from sim.des import run_loop
    from sim.ledger import ledger_frame
    from sim.providers import load_catalog
    from tests.cloud_helpers import hand_workload
    from tests.cloud_helpers import row as cell

    w = hand_workload([GIB], months=1, delete_day=15)
    catalog = load_catalog("aws", "aws-us-east-1")

    def engine(storage_class):
        return S3Archive("s3", catalog, w, storage_class, None, [], "Standard", 1,
                         "studies/{modality}/{study_id}", {}, 0.0)

    archive = ReplicatedArchive(engine("STANDARD"), engine("STANDARD"), METER_LINES, 0.0,
                                follow, np.asarray(w.studies.size_bytes), w.calendar)
    ledger = ledger_frame(run_loop(w, [archive]))
    assert cell(ledger, "2027-01", "STANDARD")[0] == pytest.approx(15 / 31)
    assert cell(ledger, "2027-01", "replica STANDARD", unit="GiB-month")[0] == \
        pytest.approx(days_stored / 31)


def test_a_deep_archive_replica_deleted_early_owes_its_180_days():
    """A 1 GiB study (one object) deleted by retention on 01-16 00:00 (day 15), replicated to
    DEEP_ARCHIVE with follow_deletes.  The replica is a static bucket (no record per study):
    stored 15 of 31 days, (1 GiB + 32 KiB overhead) x 15/31 GiB-month at 0.00099, 8 KiB at the
    STANDARD rate; deleted after 15 of its 180 days, it owes 165 days:
    (1 GiB + 32 KiB) x 165 days / 31 days = 5.3226 GiB-month x 0.00099 = 0.0052693."""
    import numpy as np

    from sim.archives.replication import ReplicatedArchive
    from sim.archives.s3 import S3Archive
    from sim.archives.s3_static import StaticS3Bucket
    from sim.archives.s3_tiers import METER_LINES
    from sim.des import run_loop
    from sim.ledger import ledger_frame
    from sim.providers import load_catalog
    from tests.cloud_helpers import hand_workload
    from tests.cloud_helpers import row as cell

    w = hand_workload([GIB], months=1, delete_day=15)
    catalog = load_catalog("aws", "aws-us-east-1")
    source = S3Archive("s3", catalog, w, "STANDARD", None, [], "Standard", 1,
                       "studies/{modality}/{study_id}", {}, 0.0)
    replica = StaticS3Bucket("s3", catalog, w, "DEEP_ARCHIVE")
    archive = ReplicatedArchive(source, replica, METER_LINES, 0.0, True,
                                np.asarray(w.studies.size_bytes), w.calendar)
    ledger = ledger_frame(run_loop(w, [archive]))
    billed_gib = 1 + 32 * KIB / GIB
    assert cell(ledger, "2027-01", "replica DEEP_ARCHIVE", unit="GiB-month") == \
        pytest.approx((billed_gib * 15 / 31, billed_gib * 15 / 31 * 0.00099))
    assert cell(ledger, "2027-01", "replica DEEP_ARCHIVE", "early_deletion") == \
        pytest.approx((billed_gib * 165 / 31, billed_gib * 165 / 31 * 0.00099))
    assert cell(ledger, "2027-01", "replica DEEP_ARCHIVE", "requests") == \
        pytest.approx((1, 0.05 / 1000))


@pytest.mark.parametrize("storage_class", ["STANDARD", "STANDARD_IA", "ONEZONE_IA",
                                           "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"])
def test_a_static_bucket_bills_as_the_full_engine(storage_class):
    """Studies of many sizes and object counts (some under the 128 KiB minimum, some with
    per-object overheads) uploaded over two months, some deleted early, others late: the static
    bucket (no per-study record) gives the full S3 engine's ledger, row for row, bit for bit."""
    from dataclasses import replace

    import numpy as np
    import pandas as pd

    from sim.archives.s3 import S3Archive
    from sim.archives.s3_static import StaticS3Bucket
    from sim.des import run_loop
    from sim.ledger import ledger_frame
    from sim.providers import load_catalog
    from sim.workload.model import NEVER
    from tests.cloud_helpers import DAY, hand_workload

    rng = np.random.default_rng(5)
    n = 400
    w = hand_workload(rng.integers(1, 50 * 2**20, n).tolist(), months=14,
                      objects=rng.integers(1, 600, n).tolist())
    created = np.sort(rng.integers(0, 60 * DAY, n))
    delete = created + rng.integers(DAY, 400 * DAY, n)
    delete[rng.random(n) < 0.3] = NEVER  # kept past the run
    w = replace(w, studies=replace(w.studies, created_s=created, delete_s=delete))
    catalog = load_catalog("aws", "aws-us-east-1")
    full = S3Archive("s3", catalog, w, storage_class, None, [], "Standard", 1,
                     "studies/{modality}/{study_id}", {}, 0.0)
    static = StaticS3Bucket("s3", catalog, w, storage_class)
    a = ledger_frame(run_loop(w, [full]))
    b = ledger_frame(run_loop(w, [static]))
    assert len(a) > 0 and (a.category == "early_deletion").any() == (storage_class != "STANDARD")
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_a_static_bucket_is_refused_with_reads_or_intelligent_tiering():
    from sim.archives.s3_static import StaticS3Bucket
    from sim.providers import load_catalog
    from tests.cloud_helpers import hand_workload

    catalog = load_catalog("aws", "aws-us-east-1")
    with pytest.raises(ValueError, match="no reads"):
        StaticS3Bucket("s3", catalog, hand_workload([GIB], reads=[(0, 5)]), "STANDARD")
    with pytest.raises(ValueError, match="INTELLIGENT_TIERING"):
        StaticS3Bucket("s3", catalog, hand_workload([GIB]), "INTELLIGENT_TIERING")


def test_object_lock_holds_a_lifecycle_expiration_until_retain_until(tmp_path):
    """1 GiB in STANDARD from 2027-01-01 00:00, a lifecycle rule expiring it after 10 days, and
    Object Lock (COMPLIANCE, 40 days): retain-until is 02-10 00:00, so the expiration waits and
    the object is billed 31 days in January (1 GiB-month) and 9 of 28 days in February."""
    lifecycle = {"Rules": [{"ID": "x", "Status": "Enabled", "Filter": {},
                            "Expiration": {"Days": 10}}]}
    result = s3_run(tmp_path, f"A,2027-01-01T00:00:00Z,{GIB},1,CT,p", lifecycle=lifecycle,
                    horizon_months=3, extra="    object_lock: {mode: COMPLIANCE, days: 40}")
    L = result.ledger
    assert row(L, "2027-01", "STANDARD", "storage").quantity == pytest.approx(1.0)
    assert row(L, "2027-02", "STANDARD", "storage").quantity == pytest.approx(9 / 28)
    assert not ((L.month == "2027-03") & (L.category == "storage")).any()
    ev = result.events
    assert list(ev.event) == ["expire"] and int(ev.time_s.iloc[0]) == 40 * DAY


@pytest.mark.parametrize(("lock_days", "stored_days"), [(0, 15), (40, 31)])
def test_object_lock_holds_a_retention_deletion(lock_days, stored_days):
    """A 1 GiB study deleted by retention on 01-16 00:00 (day 15): without a lock it goes then
    (15 of 31 days); with 40 days of Object Lock it stays all January (and goes 02-10)."""
    from sim.archives.s3 import S3Archive
    from sim.des import run_loop
    from sim.ledger import ledger_frame
    from sim.providers import load_catalog
    from tests.cloud_helpers import hand_workload
    from tests.cloud_helpers import row as cell

    w = hand_workload([GIB], months=2, delete_day=15)
    archive = S3Archive("s3", load_catalog("aws", "aws-us-east-1"), w, "STANDARD", None, [],
                        "Standard", 1, "studies/{modality}/{study_id}", {}, 0.0,
                        lock_days=lock_days)
    ledger = ledger_frame(run_loop(w, [archive]))
    assert cell(ledger, "2027-01", "STANDARD")[0] == pytest.approx(stored_days / 31)
    assert cell(ledger, "2027-02", "STANDARD")[0] == pytest.approx(9 / 28 if lock_days else 0)


@pytest.mark.parametrize(("lock", "message"), [
    ("{mode: COMPLIANCE}", "object_lock.days"),
    ("{mode: LEGAL, days: 10}", "object_lock.mode"),
])
def test_object_lock_without_a_period_is_refused(tmp_path, lock, message):
    with pytest.raises(InputError, match=message):
        s3_run(tmp_path, f"A,2027-01-01T00:00:00Z,{GIB},1,CT,p",
               extra=f"    object_lock: {lock}")
