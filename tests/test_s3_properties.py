"""Invariants of the S3 engine over random workloads and policies (hypothesis): bytes are
conserved across transitions, no charge is negative, the same seed gives the identical ledger."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.archives import build_archive
from sim.archives.s3_tiers import CLASS_OF_TIER, IT_CLASS, LINE_MONITORED, N_TIERS
from sim.des import run_loop
from sim.workload import generate_workload
from tests.conftest import small_academic

POLICY_DIR = Path(tempfile.mkdtemp(prefix="s3-props-"))


@st.composite
def s3_scenarios(draw):
    ia = draw(st.integers(30, 120))
    cold = ia + draw(st.integers(30, 400))
    cold_class = draw(st.sampled_from(["GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"]))
    expire = draw(st.one_of(st.none(), st.integers(cold + 200, cold + 2000)))
    rule = {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "studies/"},
            "Transitions": [{"Days": ia, "StorageClass": "STANDARD_IA"},
                            {"Days": cold, "StorageClass": cold_class}]}
    if expire:
        rule["Expiration"] = {"Days": expire}
    it_rule = {"ID": "it", "Status": "Enabled", "Filter": {"Prefix": "studies/MR/"},
               "Transitions": [{"Days": 0, "StorageClass": "INTELLIGENT_TIERING"}]}
    aa = draw(st.integers(90, 400))
    tag = draw(st.integers(0, 10**9))
    lifecycle = POLICY_DIR / f"lc-{tag}.json"
    lifecycle.write_text(json.dumps({"Rules": [rule, it_rule]}))
    it_doc = POLICY_DIR / f"it-{tag}.json"
    it_doc.write_text(json.dumps({"Id": "aa", "Status": "Enabled",
                                  "Tierings": [{"AccessTier": "ARCHIVE_ACCESS", "Days": aa}]}))
    archive = {
        "name": "s3", "kind": "cloud", "provider": "aws", "lifecycle": str(lifecycle),
        "intelligent_tiering": str(it_doc),
        "restore_tier": draw(st.sampled_from(["Expedited", "Standard", "Bulk"])),
        "storage_class": draw(st.sampled_from(["STANDARD", "INTELLIGENT_TIERING"])),
    }
    return small_academic(**{
        "workload.annual_studies": draw(st.integers(300, 3000)),
        "horizon_months": draw(st.integers(2, 36)),
        "seed": draw(st.integers(0, 2**31)),
        "workload.object_layout": draw(st.sampled_from(["instance", "series", "study"])),
        "workload.retention.adult_years": draw(st.floats(0.05, 3.0)),
        "archives": [archive],
    })


SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenario=s3_scenarios())
def test_bytes_are_conserved_across_transitions(scenario):
    """At the end, the metered level of every tier equals the billable bytes of the studies the
    state arrays hold in that tier, and every study is either still held or was deleted/expired."""
    workload = generate_workload(scenario)
    archive = build_archive(scenario.archives[0], workload)
    run_loop(workload, [archive])
    present = np.flatnonzero(archive._present)
    tiers = archive._tier[present]
    for t in range(N_TIERS):
        ids = present[tiers == t]
        class_bytes, _ = archive._billable(ids, t)
        assert archive._meter.level[t] == int(class_bytes.sum()), t
    in_it = present[(CLASS_OF_TIER[tiers] == IT_CLASS) & ~archive._small[present]]
    assert archive._meter.level[LINE_MONITORED] == int(archive._objects[in_it].sum())
    gone = ~archive._present
    retained = workload.studies.delete_s > workload.calendar.horizon_s
    assert gone.sum() >= (~retained).sum()  # deleted by retention, or expired by lifecycle


@SETTINGS
@given(scenario=s3_scenarios())
def test_no_charge_is_negative(scenario):
    result = sim.run(scenario)
    assert (result.ledger["amount_usd"] >= 0).all()
    assert (result.ledger["quantity"] >= 0).all()
    latency = result.reads["latency_s"].dropna()
    assert (latency >= 0).all()


@settings(max_examples=5, deadline=None)
@given(scenario=s3_scenarios())
def test_same_seed_gives_the_identical_ledger(scenario):
    a, b = sim.run(scenario), sim.run(scenario)
    pd.testing.assert_frame_equal(a.ledger, b.ledger, check_exact=True)
    pd.testing.assert_frame_equal(a.reads, b.reads, check_exact=True)


@given(st.lists(st.integers(-200 * 365 * 86_400, 200 * 365 * 86_400), min_size=1, max_size=50))
@settings(max_examples=50, deadline=None)
def test_key_months_agree_with_numpy_datetimes(times_s):
    """The compiled month of a time (object keys' {yyyy}/{mm}) is numpy's, before 1970 too."""
    from sim.tiering.keys import _month_since_1970

    expected = np.array(times_s).astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
    assert [_month_since_1970(t) for t in times_s] == expected.tolist()


def test_an_engine_with_too_many_reads_for_its_record_is_refused():
    """The per-study record keeps read positions in 32 bits: 2^31 reads are refused with a
    message naming what to change, not wrapped around."""
    import pytest

    from sim.archives.s3_state import new_study_state
    from sim.errors import InputError

    one = np.ones(1, dtype=np.int64)
    with pytest.raises(InputError, match="workload.cohorts"):
        new_study_state(one, one.astype(np.int32), one, np.array([0, 2**31]), 131072, 0)
    state = new_study_state(one, one.astype(np.int32), one, np.array([0, 2**31 - 1]), 131072, 0)
    assert state["read_end"][0] == 2**31 - 1
