"""Copies in a second region, immutability, reserved capacity and dedicated links, billed as the
providers bill them: hand-computed cases, arithmetic in the tests.

Every workload starts 2027-01-01 00:00 UTC (January: 31 days = 744 hours; February: 28)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.archives import build_archive, build_cloud
from sim.des import run_loop
from sim.errors import InputError
from sim.ledger import ledger_frame
from sim.scenario import CloudArchive, OnPremArchive
from tests.cloud_helpers import DAY, hand_workload, row

GIB = 2**30
TIB = 2**40


def cloud(**entry) -> CloudArchive:
    return CloudArchive.model_validate({"name": "c", "kind": "cloud", **entry})


def bill(spec, workload):
    return ledger_frame(run_loop(workload, [build_cloud(spec, workload)]))


# ------------------------------------------------------------------------ Azure redundancy


def test_azure_grs_one_gib_for_january():
    """1 GiB uploaded to Hot in a GRS account on 01-01: storage 1 GiB-month x $0.0458 (GRS Hot,
    first band), one write at the GRS rate $0.10 / 10,000, and the geo-replication of the GiB
    written, 1 x $0.02."""
    L = bill(cloud(provider="azure", azure={"redundancy": "GRS"}), hand_workload([GIB]))
    assert row(L, "2027-01", "Hot") == pytest.approx((1.0, 0.0458))
    assert row(L, "2027-01", "Hot", "requests") == pytest.approx((1, 0.10 / 10_000))
    assert row(L, "2027-01", "geo-replication", "egress") == pytest.approx((1.0, 0.02))
    assert row(L, "2027-02", "geo-replication", "egress") == (0.0, 0.0)  # written once


def test_azure_lrs_has_no_geo_replication():
    L = bill(cloud(provider="azure"), hand_workload([GIB]))
    assert row(L, "2027-01", "Hot") == pytest.approx((1.0, 0.0208))
    assert "geo-replication" not in set(L.tier)


def test_a_redundancy_the_catalog_does_not_price_is_refused():
    with pytest.raises(InputError, match=r"azure.redundancy: catalog 'azure-eastus' has no "
                                         r"ZRS prices; priced: LRS, GRS, RA-GRS"):
        build_cloud(cloud(provider="azure", azure={"redundancy": "ZRS"}), hand_workload([GIB]))


# -------------------------------------------------------------------- Azure reserved capacity


@pytest.mark.parametrize(("stored_tib", "overage_usd"), [
    (50, 0.0),  # below the commitment: storage costs nothing more
    (150, 50 * 1024 * 0.0208),  # 50 TiB = 51,200 GiB above it, at Hot's first band
])
def test_azure_reserved_capacity_below_and_above_the_commitment(stored_tib, overage_usd):
    """One 100 TiB Hot unit, 1 year, at $1,000 a month: January bills the $1,000 commitment
    whatever is stored, and pay-as-you-go only for what is above 100 TiB (150 TiB: 51,200 GiB x
    $0.0208 = $1,064.96)."""
    spec = cloud(provider="azure", azure={"reserved_capacity": [
        {"tier": "Hot", "unit": "100 TiB", "term_years": 1, "usd_per_unit_month": 1000,
         "source": "test quote"}]})
    L = bill(spec, hand_workload([stored_tib * TIB]))
    assert row(L, "2027-01", "Hot", unit="GiB-month") == pytest.approx(
        (stored_tib * 1024, overage_usd))
    assert row(L, "2027-01", "Hot", unit="reserved units (100 TiB, 1-year)") == \
        pytest.approx((1.0, 1000.0))


def test_a_reservation_ends_with_its_term():
    """A 1-year term from 2027-01-01 in a 14-month run: no commitment in 2028, pay-as-you-go
    again (50 TiB = 51,200 GiB x $0.0208 = $1,064.96)."""
    spec = cloud(provider="azure", azure={"reserved_capacity": [
        {"tier": "Hot", "unit": "100 TiB", "term_years": 1, "usd_per_unit_month": 1000,
         "source": "test quote"}]})
    L = bill(spec, hand_workload([50 * TIB], months=14))
    assert row(L, "2027-12", "Hot", unit="reserved units (100 TiB, 1-year)")[1] == 1000.0
    assert row(L, "2028-01", "Hot", unit="reserved units (100 TiB, 1-year)") == (0.0, 0.0)
    assert row(L, "2028-01", "Hot", unit="GiB-month") == pytest.approx((51_200, 1064.96))


def test_a_renewed_reservation_costs_its_renewal_price_from_the_second_term():
    """A 1-year term from 2027-01-01 at $1,000 a month, renewed at $1,150: December 2027 bills
    the first term's $1,000, January 2028 the renewed $1,150; storage under 100 TiB stays
    covered in both."""
    spec = cloud(provider="azure", azure={"reserved_capacity": [
        {"tier": "Hot", "unit": "100 TiB", "term_years": 1, "usd_per_unit_month": 1000,
         "renew": True, "renewal_usd_per_unit_month": 1150, "source": "test quote"}]})
    L = bill(spec, hand_workload([50 * TIB], months=14))
    first = "reserved units (100 TiB, 1-year)"
    assert row(L, "2027-12", "Hot", unit=first) == (1.0, 1000.0)
    assert row(L, "2028-01", "Hot", unit=first) == (0.0, 0.0)
    assert row(L, "2028-01", "Hot", unit=first + ", renewed") == (1.0, 1150.0)
    assert row(L, "2028-01", "Hot", unit="GiB-month") == pytest.approx((51_200, 0.0))
    with pytest.raises(ValueError, match="renewal_usd_per_unit_month needs renew: true"):
        cloud(provider="azure", azure={"reserved_capacity": [
            {"tier": "Hot", "unit": "100 TiB", "term_years": 1, "usd_per_unit_month": 1,
             "renewal_usd_per_unit_month": 2, "source": "q"}]})


@pytest.mark.parametrize(("reservation", "field"), [
    ({"tier": "Hot", "unit": "50 TiB"}, "unit"),  # Azure sells 100 TiB and 1 PiB
    ({"tier": "Cold", "unit": "100 TiB"}, "tier"),  # Cold cannot be reserved
    ({"tier": "Hot", "unit": "100 TiB", "term_years": 2}, "term_years"),
])
def test_a_reservation_azure_does_not_sell_is_refused(reservation, field):
    with pytest.raises(ValueError, match=field):
        cloud(provider="azure", azure={"reserved_capacity": [
            {"term_years": 1, "usd_per_unit_month": 1, "source": "q", **reservation}]})


# -------------------------------------------------------------------------- immutability


def test_azure_immutability_holds_a_retention_deletion():
    """1 GiB deleted by retention on day 15, under a 40-day time-based retention: it stays all
    January (1 GiB-month) and goes on 02-10 00:00 (9 of 28 days of February)."""
    spec = cloud(provider="azure", azure={"immutability": {"days": 40},
                                          "last_access_tracking": False})
    L = bill(spec, hand_workload([GIB], months=2, delete_day=15))
    assert row(L, "2027-01", "Hot")[0] == pytest.approx(1.0)
    assert row(L, "2027-02", "Hot")[0] == pytest.approx(9 / 28)


def test_azure_lifecycle_deletes_do_not_run_in_an_immutable_container(tmp_path):
    """A rule deleting blobs more than 10 days after creation: without immutability the GiB
    goes at the first midnight past 10 days, 01-12 (11 of 31 days); in an immutable container
    the delete action never runs."""
    import json

    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"rules": [{"name": "x", "enabled": True, "type": "Lifecycle",
                                             "definition": {"filters": {"blobTypes": ["blockBlob"]},
                                                            "actions": {"baseBlob": {"delete": {
                                                                "daysAfterCreationGreaterThan": 10
                                                            }}}}}]}))
    plain = bill(cloud(provider="azure", lifecycle=policy), hand_workload([GIB], months=2))
    assert row(plain, "2027-01", "Hot")[0] == pytest.approx(11 / 31)
    locked = bill(cloud(provider="azure", lifecycle=policy,
                        azure={"immutability": {"days": 40}, "last_access_tracking": False}),
                  hand_workload([GIB], months=2))
    assert row(locked, "2027-02", "Hot")[0] == pytest.approx(1.0)


def test_azure_immutability_with_last_access_tracking_is_refused():
    with pytest.raises(ValueError, match="last_access_tracking: false"):
        cloud(provider="azure", azure={"immutability": {"days": 40}})


def test_gcs_retention_policy_holds_a_lifecycle_delete(tmp_path):
    """A lifecycle Delete at age 10 under a 40-day bucket retention policy: the object is billed
    until 02-10 00:00: 744 GiB-hours in January, 9 x 24 = 216 in February."""
    import json

    rules = tmp_path / "lifecycle.json"
    rules.write_text(json.dumps({"rule": [{"action": {"type": "Delete"},
                                           "condition": {"age": 10}}]}))
    L = bill(cloud(provider="gcp", lifecycle=rules, retention_policy={"days": 40}),
             hand_workload([GIB], months=2))
    assert row(L, "2027-01", "STANDARD")[0] == pytest.approx(744)
    assert row(L, "2027-02", "STANDARD")[0] == pytest.approx(216)


def test_gcs_retention_policy_holds_a_retention_deletion():
    L = bill(cloud(provider="gcp", retention_policy={"days": 40}),
             hand_workload([GIB], months=2, delete_day=15))
    assert row(L, "2027-01", "STANDARD")[0] == pytest.approx(744)
    assert row(L, "2027-02", "STANDARD")[0] == pytest.approx(216)


# ------------------------------------------------------------- Google dual- and multi-regions


@pytest.mark.parametrize(("turbo", "replication_usd"), [(False, 0.02), (True, 0.04)])
def test_gcs_dual_region_one_gib_for_january(turbo, replication_usd):
    """1 GiB in a dual-region STANDARD bucket for January: 744 GiB-hours at twice the
    dual-region SKU (2 x $0.000030137), one upload at the dual-region Class A rate ($0.01 per
    1,000), and the replication of the GiB written ($0.02 default, $0.04 turbo)."""
    L = bill(cloud(provider="gcp", location_type="dual-region", turbo_replication=turbo),
             hand_workload([GIB]))
    assert row(L, "2027-01", "STANDARD") == pytest.approx((744, 744 * 0.000060274))
    assert row(L, "2027-01", "STANDARD", "requests") == pytest.approx((1, 0.01 / 1000))
    assert row(L, "2027-01", "replication", "egress") == pytest.approx((1.0, replication_usd))


def test_turbo_replication_outside_a_dual_region_is_refused():
    with pytest.raises(ValueError, match="turbo_replication is sold for dual-region buckets"):
        cloud(provider="gcp", location_type="multi-region", turbo_replication=True)


# -------------------------------------------------------------------------- dedicated links


def test_a_direct_connect_link_carries_the_reads():
    """Two 1 Gbps Direct Connect ports for January: 2 x 744 port-hours x $0.30 = $446.40; a
    1 GiB study read once leaves over the link at $0.02 instead of internet egress."""
    w = hand_workload([GIB], reads=[(0, 5 * DAY)])
    L = bill(cloud(provider="aws", egress_share=1.0,
                   dedicated_link={"port_speed": "1 Gbps", "ports": 2}), w)
    assert row(L, "2027-01", "dedicated link", "network") == pytest.approx((1488, 446.40))
    assert row(L, "2027-01", "dedicated link", "egress") == pytest.approx((1.0, 0.02))
    assert "internet" not in set(L.tier)


@pytest.mark.parametrize(("provider", "speed", "message"), [
    ("aws", "2 Gbps", r"port_speed: '2 Gbps' is not sold in catalog 'aws-us-east-1'; allowed: "
                      r"1 Gbps, 10 Gbps, 100 Gbps"),
    ("azure", "1 Gbps", "catalog 'azure-eastus' has no dedicated_link prices"),
])
def test_a_link_the_catalog_cannot_price_is_refused(provider, speed, message):
    with pytest.raises(InputError, match=message):
        build_cloud(cloud(provider=provider, dedicated_link={"port_speed": speed}),
                    hand_workload([GIB]))


# ------------------------------------------------------------------- S3 replication regions


def test_replication_to_an_unknown_region_is_refused():
    with pytest.raises(ValueError, match="replication.region 'us-middle-1' is not an AWS region"):
        cloud(provider="aws", replication={"storage_class": "DEEP_ARCHIVE",
                                           "region": "us-middle-1"})


@pytest.mark.parametrize(("region", "transfer_usd"), [("us-west-2", 0.02), ("us-east-1", 0.0)])
def test_the_replica_region_decides_the_transfer(region, transfer_usd):
    L = bill(cloud(provider="aws", replication={"storage_class": "DEEP_ARCHIVE",
                                                 "region": region}), hand_workload([GIB]))
    assert row(L, "2027-01", "replication", "egress")[1] == pytest.approx(transfer_usd)


# ----------------------------------------------------------------------------- on-prem copies


def onprem(**extra) -> OnPremArchive:
    return OnPremArchive.model_validate({
        "name": "o", "kind": "onprem", "refresh_years": 5, "warranty_years": 3,
        "maintenance_rate": 0.1, "usd_per_kwh": 0.0, "pue": 1.0,
        "tiers": [{"name": "disk", "usable_fraction": 1.0, "price_usd_per_raw_tb": 0,
                   "watts_per_raw_tb": 0, "read_latency_s": 1,
                   "purchase": {"initial_raw_tb": 100, "unit_raw_tb": 100}}], **extra})


def test_a_tape_copy_buys_cartridges_drives_and_vaulting():
    """40 TB stored (logical) with 18 TB cartridges filled to 90 % (16.2 TB): ceil(40 / 16.2) =
    3 cartridges x $92 = $276; 2 drives x $5,000 + a $10,000 library = $20,000 on the first
    day (cash); vaulting 3 cartridges x $12 a year for January's 31 days = 3 x 12 x 31 / 365.25;
    52 pickups a year at $50: 52 x 31 / 365.25 x 50."""
    spec = onprem(tape_copy={"usd_per_cartridge": 92, "usd_per_drive": 5000,
                             "library_usd": 10_000, "vaulting_usd_per_cartridge_year": 12,
                             "usd_per_pickup": 50, "source": "test"})
    w = hand_workload([40 * 10**12], months=1)
    L = ledger_frame(run_loop(w, [build_archive(spec, w)]))
    assert row(L, "2027-01", "tape copy", "capex", "cartridges bought") == pytest.approx((3, 276))
    assert row(L, "2027-01", "tape copy", "capex", "drives and library bought")[1] == 20_000
    assert row(L, "2027-01", "tape copy", "space", "cartridge-days vaulted")[1] == \
        pytest.approx(3 * 12 * 31 / 365.25)
    assert row(L, "2027-01", "tape copy", "space", "pickups")[1] == \
        pytest.approx(52 * 31 / 365.25 * 50)


def test_worm_holds_an_onprem_deletion_and_bills_its_licence():
    """A 10 TB study deleted on day 15 under 40-day WORM stays all January (10 TB x 31 days of
    the $20/TB-year licence = 10 x 20 x 31 / 365.25); without WORM it goes on day 15."""
    w = hand_workload([10 * 10**12], months=1, delete_day=15)
    worm = ledger_frame(run_loop(w, [build_archive(onprem(worm={"days": 40,
                                                                "usd_per_tb_year": 20}), w)]))
    assert row(worm, "2027-01", "all", "licences", "TB-day stored (WORM)")[1] == \
        pytest.approx(10 * 20 * 31 / 365.25)
    plain = ledger_frame(run_loop(w, [build_archive(onprem(), w)]))
    assert np.isclose(row(plain, "2027-01", "disk", "power")[0], 0.0)  # nothing else billed
    from sim.archives.onprem import OnPremArchive as Engine

    held = build_archive(onprem(worm={"days": 40}), w)
    assert isinstance(held, Engine)
    run_loop(w, [held])
    assert held._delete_s[0] == 40 * DAY  # noqa: SLF001 - the held deletion time


# ------------------------------------------------------------------------ bad input, end to end


@pytest.mark.parametrize(("entry", "expected"), [
    ("provider: azure\n    azure:\n      reserved_capacity:\n        - {tier: Hot, unit: 50 TiB, "
     "term_years: 1, usd_per_unit_month: 1000, source: quote}",
     "reserved_capacity.0.unit: Input should be '100 TiB' or '1 PiB'"),
    ("provider: aws\n    replication: {storage_class: DEEP_ARCHIVE, region: us-middle-1}",
     "replication.region 'us-middle-1' is not an AWS region; allowed: us-east-1"),
    ("provider: aws\n    replication: {storage_class: ICE}",
     "replication.storage_class 'ICE' is not an S3 class; allowed: STANDARD"),
    ("provider: aws\n    dedicated_link: {port_speed: 2 Gbps}",
     "dedicated_link.port_speed: '2 Gbps' is not sold in catalog 'aws-us-east-1'; allowed: "
     "1 Gbps"),
    ("provider: gcp\n    location_type: multi-region\n    turbo_replication: true",
     "turbo_replication is sold for dual-region buckets only"),
    ("provider: azure\n    azure: {redundancy: GZRS}",
     "catalog 'azure-eastus' has no GZRS prices; priced: LRS, GRS, RA-GRS"),
], ids=["reserved-size", "replica-region", "replica-class", "link-speed", "turbo", "gzrs"])
def test_bad_copies_and_commitments_exit_2_naming_file_and_field(tmp_path, monkeypatch, capsys,
                                                                  entry, expected):
    from tests.conftest import ACADEMIC
    from tests.test_hostile_inputs import archive_sim

    path = tmp_path / "bad.yaml"
    path.write_text(f"extends: {ACADEMIC}\nname: bad\narchives:\n  - name: c\n    kind: cloud\n"
                    f"    {entry}\n")
    code, said = archive_sim(monkeypatch, capsys, "validate", path)
    assert code == 2 and str(path) in said and expected in said, said
    assert "Traceback" not in said


def test_a_comparison_on_other_studies_is_said():
    """An option with another existing archive (or seed, growth, horizon) answers another
    question: the comparison says which settings differ."""
    import sim
    from sim.compare import workload_risks
    from sim.scenario import Scenario
    from tests.conftest import ACADEMIC

    base = sim.load_scenario(ACADEMIC)
    other = Scenario.model_validate({**base.model_dump(), "name": "other", "seed": 7})
    assert workload_risks({"a": base, "b": base}, "a") == []
    assert workload_risks({"a": base, "other": other}, "a") == [
        "other is simulated on other studies than a (seed differs): its costs are not like "
        "for like"]
