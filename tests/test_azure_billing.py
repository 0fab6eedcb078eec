"""Azure Blob Storage billed by hand: a flat month, prorated early deletion (Archive deleted at
day 45 pays 135 days), lifecycle moves with the least expensive action winning, last-access
tiering with auto-return to Hot, rehydration and re-archiving, the 128 KiB minimum and its dates,
smart tier.  Prices: sim/data/prices/azure-eastus.yaml."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.archives.azure import AzureBlobArchive
from sim.archives.azure_smart_tier import AzureSmartTierArchive
from sim.des import run_loop
from sim.ledger import ledger_frame
from sim.providers import load_catalog
from sim.tiering.azure_lifecycle import parse_management_policy
from tests.cloud_helpers import hand_workload, row

DAY = 86_400
HOUR = 3_600
GIB = 2**30
KIB = 1024
HOT, COOL, COLD, ARCHIVE = 0.0208, 0.0152, 0.0036, 0.00099  # per GiB-month (first band)
WRITE = {"Hot": 0.05, "Cool": 0.10, "Cold": 0.18, "Archive": 0.10}  # per 10,000
READ = {"Hot": 0.004, "Cool": 0.01, "Cold": 0.10}
LAT_UPDATE = 0.004  # per 10,000 (UNCONFIRMED stand-in)
START = dt.date(2027, 1, 1)


workload = hand_workload


def policy(base_blob: dict, prefix: list[str] | None = None):
    filters = {"blobTypes": ["blockBlob"]}
    if prefix:
        filters["prefixMatch"] = prefix
    return parse_management_policy({"rules": [{
        "enabled": True, "name": "r1", "type": "Lifecycle",
        "definition": {"filters": filters, "actions": {"baseBlob": base_blob}}}]})


def bill(w, tier="Hot", rules=None, tracking=True, enabled_s=0, min_size_from_s=0,
         priority="Standard"):
    archive = AzureBlobArchive("az", load_catalog("azure", "azure-eastus"), w, tier, rules,
                               "studies/{modality}/{study_id}", {}, 0.0, tracking, enabled_s,
                               min_size_from_s, priority, "Hot", keep_events=True)
    return archive, ledger_frame(run_loop(w, [archive]))


def test_a_flat_month_and_a_half_month():
    # 1 GiB in Hot all of January (31 days); a second GiB deleted on Jan 16 00:00 (15 days)
    _, ledger = bill(workload([GIB], months=1))
    assert row(ledger, "2027-01", "Hot") == pytest.approx((1.0, HOT))
    assert row(ledger, "2027-01", "Hot", "requests") == pytest.approx((1, WRITE["Hot"] / 10_000))
    _, ledger = bill(workload([GIB], months=1, delete_day=15))
    assert row(ledger, "2027-01", "Hot") == pytest.approx((15 / 31, 15 / 31 * HOT))


def test_archive_deleted_at_day_45_pays_135_days():
    # uploaded to Archive Jan 1, deleted Feb 15 00:00 (day 45): 180 - 45 = 135 days owed,
    # billed in February (28 days) as 135/28 GiB-months at the Archive rate
    _, ledger = bill(workload([GIB], months=3, delete_day=45), tier="Archive")
    assert row(ledger, "2027-01", "Archive") == pytest.approx((1.0, ARCHIVE))
    assert row(ledger, "2027-02", "Archive") == pytest.approx((14 / 28, 14 / 28 * ARCHIVE))
    assert row(ledger, "2027-02", "Archive", "early_deletion") == \
        pytest.approx((135 / 28, 135 / 28 * ARCHIVE))


def test_lifecycle_moves_cool_then_archive_with_cool_early_deletion():
    # tierToCool after modification > 10 days: the first midnight more than 10 days after
    # upload is day 11; tierToArchive > 30 days: day 31 (Feb 1).  Cool held 20 of its 30 days:
    # 10 days owed, in February (28 days) at the Cool rate.
    rules = policy({"tierToCool": {"daysAfterModificationGreaterThan": 10},
                    "tierToArchive": {"daysAfterModificationGreaterThan": 30}})
    archive, ledger = bill(workload([GIB], months=2), rules=rules)
    assert row(ledger, "2027-01", "Hot") == pytest.approx((11 / 31, 11 / 31 * HOT))
    assert row(ledger, "2027-01", "Cool") == pytest.approx((20 / 31, 20 / 31 * COOL))
    assert row(ledger, "2027-02", "Archive") == pytest.approx((1.0, ARCHIVE))
    assert row(ledger, "2027-02", "Cool", "early_deletion") == \
        pytest.approx((10 / 28, 10 / 28 * COOL))
    # cooling is a write at the destination tier
    assert row(ledger, "2027-01", "Cool", "transitions") == \
        pytest.approx((1, WRITE["Cool"] / 10_000))
    assert row(ledger, "2027-02", "Archive", "transitions") == \
        pytest.approx((1, WRITE["Archive"] / 10_000))
    events = archive.events.arrays()
    assert (events["time_s"] // DAY).tolist() == [11, 31]


def test_least_expensive_action_wins():
    # delete and tierToCool due the same midnight (day 11): delete runs, nothing is cooled
    rules = policy({"tierToCool": {"daysAfterModificationGreaterThan": 10},
                    "delete": {"daysAfterModificationGreaterThan": 10}})
    archive, ledger = bill(workload([GIB], months=1), rules=rules)
    assert row(ledger, "2027-01", "Hot") == pytest.approx((11 / 31, 11 / 31 * HOT))
    assert row(ledger, "2027-01", "Cool") == (0.0, 0.0)
    events = archive.events.arrays()
    assert events["event"].tolist() == [archive.events.KINDS.index("expire")]
    # tierToCool and tierToArchive due together: Archive
    rules = policy({"tierToCool": {"daysAfterModificationGreaterThan": 10},
                    "tierToArchive": {"daysAfterModificationGreaterThan": 10}})
    _, ledger = bill(workload([GIB], months=1), rules=rules)
    assert row(ledger, "2027-01", "Archive") == pytest.approx((20 / 31, 20 / 31 * ARCHIVE))
    assert row(ledger, "2027-01", "Cool") == (0.0, 0.0)


def test_last_access_tiering_with_auto_return_to_hot():
    # read on day 5 12:00: last access updated (one operation).  Cool at the first midnight more
    # than 30 days later: day 36 (Feb 6).  Read on day 50 06:00 (Feb 20): from Cool (read
    # operation + retrieval), then back to Hot at once (a tier change: read operation +
    # retrieval at Cool), and Cool's 30 days were not served: 30 - 14.25 = 15.75 days owed.
    rules = policy({"enableAutoTierToHotFromCool": True,
                    "tierToCool": {"daysAfterLastAccessTimeGreaterThan": 30}})
    reads = [(0, 5 * DAY + 12 * HOUR), (0, 50 * DAY + 6 * HOUR)]
    archive, ledger = bill(workload([GIB], reads, months=3), rules=rules)
    assert row(ledger, "2027-01", "Hot") == pytest.approx((1.0, HOT))
    # February: Hot days 31-36 (5) and 50.25-59 (8.75); Cool 36-50.25 (14.25)
    assert row(ledger, "2027-02", "Hot") == pytest.approx((13.75 / 28, 13.75 / 28 * HOT))
    assert row(ledger, "2027-02", "Cool") == pytest.approx((14.25 / 28, 14.25 / 28 * COOL))
    assert row(ledger, "2027-02", "Cool", "requests", "read operations") == \
        pytest.approx((1, READ["Cool"] / 10_000))
    assert row(ledger, "2027-02", "Cool", "retrieval", "GiB retrieved") == \
        pytest.approx((1, 0.01))
    assert row(ledger, "2027-02", "Cool", "transitions", "write operations (tier change)") == \
        pytest.approx((1, WRITE["Cool"] / 10_000))  # cooling: a write at Cool
    assert row(ledger, "2027-02", "Cool", "transitions", "read operations (tier change)") == \
        pytest.approx((1, READ["Cool"] / 10_000))  # warming: a read at Cool
    assert row(ledger, "2027-02", "Cool", "retrieval", "GiB retrieved (tier change)") == \
        pytest.approx((1, 0.01))
    assert row(ledger, "2027-02", "Cool", "early_deletion") == \
        pytest.approx((15.75 / 28, 15.75 / 28 * COOL))
    # two last-access updates (day 5 in Hot, day 50 in Cool)
    assert row(ledger, "2027-01", "Hot", "requests", "last-access-time updates") == \
        pytest.approx((1, LAT_UPDATE / 10_000))
    assert row(ledger, "2027-02", "Cool", "requests", "last-access-time updates")[0] == 1
    tier, _ = archive.read_outcomes()
    assert tier.tolist() == [0, 1]  # Hot, Cool
    # Cool again 30 days after the second read: first midnight after day 80.25 is day 81
    events = archive.events.arrays()
    assert (events["time_s"] // DAY).tolist() == [36, 50, 81]
    assert events["to_tier"].tolist() == [1, 0, 1]


def test_without_tracking_rules_count_from_the_policy_enable_date():
    # tracking off, policy enabled 10 days before the start: a read changes nothing, the blob
    # goes to Cool at the first midnight more than 30 days after the enable date (day 21)
    rules = policy({"tierToCool": {"daysAfterLastAccessTimeGreaterThan": 30}})
    reads = [(0, 15 * DAY)]
    archive, ledger = bill(workload([GIB], reads, months=1), rules=rules, tracking=False,
                           enabled_s=-10 * DAY)
    assert (archive.events.arrays()["time_s"] // DAY).tolist() == [21]
    assert row(ledger, "2027-01", "Hot", "requests", "last-access-time updates") == (0.0, 0.0)


def test_rehydration_then_rearchived_after_the_tier_change_guard():
    # Hot -> Archive on day 101 (modification > 100).  A read on day 300 (Archive held 199
    # days: no early deletion) rehydrates to Hot at Standard priority: $5 per 10,000 reads,
    # $0.02/GiB, 15 hours; billed as Archive until it completes.  The rule archives it again
    # only when it is also more than 7 days past its last tier change: first midnight after
    # day 307 15:00 is day 308.
    rules = policy({"tierToArchive": {"daysAfterModificationGreaterThan": 100,
                                      "daysAfterLastTierChangeGreaterThan": 7}})
    read_s = 300 * DAY
    archive, ledger = bill(workload([GIB], [(0, read_s)], months=12), rules=rules)
    tier, latency = archive.read_outcomes()
    assert tier.tolist() == [3] and latency.tolist() == [15 * HOUR]
    month = "2027-10"  # day 300 is Oct 28
    assert row(ledger, month, "Archive", "retrieval",
               "rehydrations (Standard), read operations") == pytest.approx((1, 5.0 / 10_000))
    assert row(ledger, month, "Archive", "retrieval", "GiB rehydrated (Standard)") == \
        pytest.approx((1, 0.02))
    assert row(ledger, month, "Archive", "early_deletion") == (0.0, 0.0)
    # October 2027 (31 days, days 273-303): Archive to day 300 15:00 (27.625 days), Hot after
    assert row(ledger, month, "Archive")[0] == pytest.approx(27.625 / 31)
    assert row(ledger, month, "Hot")[0] == pytest.approx(3.375 / 31)
    events = archive.events.arrays()
    assert (events["time_s"] // DAY).tolist() == [101, 300, 308]
    assert [archive.events.KINDS[e] for e in events["event"]] == \
        ["transition", "restore", "transition"]
    # without the guard it is archived again at the next midnight after the rehydration
    rules = policy({"tierToArchive": {"daysAfterModificationGreaterThan": 100}})
    archive, _ = bill(workload([GIB], [(0, read_s)], months=12), rules=rules)
    assert (archive.events.arrays()["time_s"] // DAY).tolist() == [101, 300, 301]


def test_high_priority_rehydration_is_faster_and_dearer():
    archive, ledger = bill(workload([GIB], [(0, 200 * DAY)], months=8), tier="Archive",
                           priority="High")
    assert archive.read_outcomes()[1].tolist() == [HOUR]
    assert row(ledger, "2027-07", "Archive", "retrieval",
               "rehydrations (High), read operations") == pytest.approx((1, 50.0 / 10_000))
    assert row(ledger, "2027-07", "Archive", "retrieval", "GiB rehydrated (High)") == \
        pytest.approx((1, 0.10))


def test_128_kib_minimum_on_cooler_tiers_from_its_date():
    # 10 blobs of 10 KiB (100 KiB) in Cool: billed as 10 x 128 KiB once the minimum applies.
    # An account created before 2026-07-01 gets it from 2027-07-01 (day 181 of the run).
    size, billed = 100 * KIB, 10 * 128 * KIB
    w = workload([size], months=12, objects=[10])
    _, ledger = bill(w, tier="Cool", min_size_from_s=181 * DAY)
    assert row(ledger, "2027-06", "Cool")[0] == pytest.approx(size / GIB)
    assert row(ledger, "2027-07", "Cool")[0] == pytest.approx(billed / GIB)
    # a new account (created on or after 2026-07-01): from the start
    _, ledger = bill(w, tier="Cool", min_size_from_s=0)
    assert row(ledger, "2027-01", "Cool")[0] == pytest.approx(billed / GIB)
    # Hot has no minimum
    _, ledger = bill(w, tier="Hot", min_size_from_s=0)
    assert row(ledger, "2027-01", "Hot")[0] == pytest.approx(size / GIB)


def test_account_dates_pick_the_minimum_size_start(tmp_path):
    from sim.archives import build_cloud
    from sim.scenario import CloudArchive

    w = workload([100 * KIB], months=8, objects=[10])

    def starts(created):
        spec = CloudArchive(name="az", kind="cloud", provider="azure", storage_class="Cool",
                            azure={"account_created": created} if created else None)
        return build_cloud(spec, w)._min_size_from_s // DAY

    assert starts("2025-05-01") == (dt.date(2027, 7, 1) - START).days
    assert starts("2026-08-01") == 0  # new account: from its creation (before the start)
    assert starts(None) == 0  # default: created at the start, a new account


def test_smart_tier_moves_by_inactivity_and_charges_monitoring():
    # 1 GiB (one blob) uploaded Jan 1: Cool on day 30, Cold on day 90 (Apr 1); read on day 100
    # 12:00 (Apr 11): from Cold, back to Hot.  Monitoring $0.04 per 10,000 blobs per month.
    w = workload([GIB], [(0, 100 * DAY + 12 * HOUR)], months=5)
    archive = AzureSmartTierArchive("st", load_catalog("azure", "azure-eastus"), w, 0.0)
    ledger = ledger_frame(run_loop(w, [archive]))
    assert row(ledger, "2027-01", "Hot") == pytest.approx((30 / 31, 30 / 31 * HOT))
    assert row(ledger, "2027-01", "Cool") == pytest.approx((1 / 31, 1 / 31 * COOL))
    assert row(ledger, "2027-04", "Cold") == pytest.approx((10.5 / 30, 10.5 / 30 * COLD))
    assert row(ledger, "2027-04", "Hot") == pytest.approx((19.5 / 30, 19.5 / 30 * HOT))
    assert row(ledger, "2027-04", "Cold", "requests") == pytest.approx((1, READ["Cold"] / 10_000))
    assert row(ledger, "2027-01", "SMART_TIER", "monitoring") == pytest.approx((1, 0.04 / 10_000))
    assert archive.read_outcomes()[0].tolist() == [2]
    assert archive.unconfirmed_prices == []  # smart tier's fees are sourced (Microsoft Learn)


def test_a_scenario_can_override_an_unconfirmed_price():
    from sim.archives import build_cloud
    from sim.errors import InputError
    from sim.scenario import CloudArchive

    # a Cool read: retrieval 1 GiB at the overriding price, no longer listed as unconfirmed
    w = workload([GIB], [(0, 10 * DAY)], months=1)
    spec = CloudArchive(name="az", kind="cloud", provider="azure", storage_class="Cool",
                        egress_share=0.0,
                        price_overrides={"tiers.Cool.retrieval_usd_per_gib": 0.02})
    archive = build_cloud(spec, w)
    ledger = ledger_frame(run_loop(w, [archive]))
    assert row(ledger, "2027-01", "Cool", "retrieval") == pytest.approx((1, 0.02))
    assert "azure-eastus.tiers.Cool.retrieval_usd_per_gib" not in archive.unconfirmed_prices
    assert archive.catalog.tiers["Cool"].retrieval_usd_per_gib.confidence == "USER"
    for path, message in (("tiers.Warm.retrieval_usd_per_gib", "no such price"),
                          ("tiers.Cool", "not a single price"),
                          ("min_billable_size_effective.all_accounts_from", "a rule")):
        bad = spec.model_copy(update={"price_overrides": {path: 1.0}})
        with pytest.raises(InputError, match=message):
            build_cloud(bad, w)


def test_one_hundred_rules_the_azure_maximum():
    # 100 enabled rules (Azure's limit): 99 filter on prefixes no study has and would archive
    # after 1 day; the 100th matches CT ("studies/CT/") and cools after 10 days.  The CT study
    # cools on day 11 as with one rule; the CR study is never moved.
    raw = [{"enabled": True, "name": f"r{i}", "type": "Lifecycle",
            "definition": {"filters": {"blobTypes": ["blockBlob"], "prefixMatch": [f"none{i}/"]},
                           "actions": {"baseBlob": {
                               "tierToArchive": {"daysAfterModificationGreaterThan": 1}}}}}
           for i in range(99)]
    raw.append({"enabled": True, "name": "ct", "type": "Lifecycle",
                "definition": {"filters": {"blobTypes": ["blockBlob"],
                                           "prefixMatch": ["studies/CT/"]},
                               "actions": {"baseBlob": {
                                   "tierToCool": {"daysAfterModificationGreaterThan": 10}}}}})
    rules = parse_management_policy({"rules": raw})
    archive, ledger = bill(workload([GIB, GIB], months=1, modality=[0, 1]), rules=rules)
    assert row(ledger, "2027-01", "Cool") == pytest.approx((20 / 31, 20 / 31 * COOL))
    assert row(ledger, "2027-01", "Hot") == pytest.approx((1 + 11 / 31, (1 + 11 / 31) * HOT))
    events = archive.events.arrays()
    assert events["study"].tolist() == [1] and (events["time_s"] // DAY).tolist() == [11]
