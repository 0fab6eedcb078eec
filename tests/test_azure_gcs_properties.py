"""Invariants of the Azure Blob and GCS lifecycle engines over random workloads and policies
(hypothesis): bytes are conserved (the metered level of each tier equals the billable bytes of
the studies held there), no charge is negative, the same seed gives the identical ledger."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.archives import build_archive
from sim.des import run_loop
from sim.ledger import ledger_frame
from sim.workload import generate_workload
from tests.conftest import small_academic

POLICY_DIR = Path(tempfile.mkdtemp(prefix="azure-gcs-props-"))
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _workload_overrides(draw) -> dict:
    return {
        "workload.annual_studies": draw(st.integers(300, 3000)),
        "horizon_months": draw(st.integers(2, 30)),
        "seed": draw(st.integers(0, 2**31)),
        "workload.object_layout": draw(st.sampled_from(["instance", "series", "study"])),
        "workload.retention.adult_years": draw(st.floats(0.05, 3.0)),
    }


@st.composite
def azure_scenarios(draw):
    cool = draw(st.integers(0, 60))
    base = {"tierToCool": {"daysAfterLastAccessTimeGreaterThan": cool},
            "enableAutoTierToHotFromCool": draw(st.booleans()),
            "tierToCold": {"daysAfterModificationGreaterThan": cool + draw(st.integers(0, 200))},
            "tierToArchive": {"daysAfterModificationGreaterThan": draw(st.integers(0, 400)),
                              "daysAfterLastTierChangeGreaterThan": draw(st.integers(0, 30))}}
    if draw(st.booleans()):
        base["delete"] = {"daysAfterCreationGreaterThan": draw(st.integers(30, 900))}
    tag = draw(st.integers(0, 10**9))
    path = POLICY_DIR / f"azure-{tag}.json"
    path.write_text(json.dumps({"rules": [{
        "enabled": True, "name": "r", "type": "Lifecycle",
        "definition": {"filters": {"blobTypes": ["blockBlob"],
                                   "prefixMatch": draw(st.sampled_from(
                                       [["studies/"], ["studies/CT/", "studies/CR/"]]))},
                       "actions": {"baseBlob": base}}}]}))
    archive = {"name": "az", "kind": "cloud", "provider": "azure", "lifecycle": str(path),
               "storage_class": draw(st.sampled_from(["Hot", "Cool"])),
               "azure": {"last_access_tracking": draw(st.booleans()),
                         "rehydrate_priority": draw(st.sampled_from(["Standard", "High"])),
                         "rehydrate_to": draw(st.sampled_from(["Hot", "Cool"])),
                         "account_created": draw(st.sampled_from(["2025-01-01", "2026-09-01"]))}}
    return small_academic(**_workload_overrides(draw), archives=[archive])


@st.composite
def gcs_scenarios(draw):
    nearline = draw(st.integers(0, 60))
    rules = [{"action": {"type": "SetStorageClass", "storageClass": "NEARLINE"},
              "condition": {"age": nearline, "matchesStorageClass": ["STANDARD"]}},
             {"action": {"type": "SetStorageClass", "storageClass": "ARCHIVE"},
              "condition": {"age": nearline + draw(st.integers(0, 400))}}]
    if draw(st.booleans()):
        rules.append({"action": {"type": "Delete"},
                      "condition": {"age": draw(st.integers(1, 700))}})
    tag = draw(st.integers(0, 10**9))
    path = POLICY_DIR / f"gcs-{tag}.json"
    path.write_text(json.dumps({"lifecycle": {"rule": rules}}))
    archive = {"name": "gcs", "kind": "cloud", "provider": "gcp", "lifecycle": str(path),
               "storage_class": draw(st.sampled_from(["STANDARD", "NEARLINE"]))}
    return small_academic(**_workload_overrides(draw), archives=[archive])


def _run(scenario):
    workload = generate_workload(scenario)
    archive = build_archive(scenario.archives[0], workload, keep_events=True)
    return workload, archive, ledger_frame(run_loop(workload, [archive]))


@SETTINGS
@given(scenario=azure_scenarios())
def test_azure_bytes_are_conserved_and_charges_never_negative(scenario):
    workload, archive, ledger = _run(scenario)
    end = workload.calendar.horizon_s
    present = np.flatnonzero(archive._present)
    tiers = archive._tier[present]
    settled = archive._ready[present] <= end
    for t in range(4):
        ids = present[(tiers == t) & settled]
        expected = archive._billable_at(ids, t, end - 1).sum()
        waiting = present[~settled]  # rehydration still running: billed as Archive
        if t == 3:
            expected += archive._billable_at(waiting, 3, end - 1).sum()
        assert archive._meter.level_at_end_of(workload.calendar.n_days - 1)[t] == expected, t
    assert (ledger.amount_usd >= 0).all() and (ledger.quantity >= 0).all()
    _, _, again = _run(scenario)
    assert ledger.equals(again)


@SETTINGS
@given(scenario=gcs_scenarios())
def test_gcs_bytes_are_conserved_and_charges_never_negative(scenario):
    workload, archive, ledger = _run(scenario)
    st_ = workload.studies
    path = archive._path
    end = workload.calendar.horizon_s
    gone = np.minimum(path.delete_s, st_.delete_s)
    held = np.flatnonzero(gone >= end)
    cls = path.class_at(held, np.full(held.size, end - 1), archive._initial)
    level = archive._meter.level
    for c in range(4):
        assert level[c] == st_.size_bytes[held[cls == c]].sum(), c
    assert (ledger.amount_usd >= 0).all() and (ledger.quantity >= 0).all()
    _, _, again = _run(scenario)
    assert ledger.equals(again)
