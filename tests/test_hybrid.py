"""Hybrid archives and the internet link, hand-computed on small traces: age-window and least
recently used cache hits, outage windows that make known reads miss, transfer time over the
link."""

from __future__ import annotations

import datetime as dt
import textwrap

import numpy as np

import sim
from sim.calendar import Calendar
from sim.network import Link, _merge
from sim.onprem.cache import lru_cache, window_cache
from sim.workload.model import NEVER, Reads, Studies, Workload
from tests.s3_helpers import s3_run

DAY = 86_400


def workload(created_s, sizes, reads, delete_s=None):
    n = len(created_s)
    studies = Studies(
        created_s=np.array(created_s, dtype=np.int64), modality=np.zeros(n, np.int8),
        size_bytes=np.array(sizes, dtype=np.int64), objects=np.ones(n, np.int32),
        patient=np.arange(n, dtype=np.int32), age_years=np.full(n, 50, np.float32),
        delete_s=np.array(delete_s if delete_s else [NEVER] * n, dtype=np.int64))
    study, time_s = zip(*reads, strict=True) if reads else ((), ())
    r = Reads(np.array(study, dtype=np.int32), np.array(time_s, dtype=np.int64),
              np.zeros(len(reads), np.int8))
    return Workload(Calendar(dt.date(2027, 1, 1), 12), ("CR",), studies, r)


def test_least_recently_used_cache_hits_and_evictions():
    # capacity 10 bytes; A, B, C of 4 bytes acquired at 0, 10, 20 s; D of 11 bytes at 25 s.
    # C's arrival evicts A (least recently used): cache {B, C}.  D never fits: not cached.
    # read A at 30: miss, A is fetched and cached, evicting B: {C, A}
    # read C at 40: hit ({A, C});  read D at 45: miss (never cached)
    # read B at 50: miss, evicting A: {C, B};  read C at 60: hit
    w = workload([0, 10, 20, 25], [4, 4, 4, 11],
                 [(0, 30), (2, 40), (3, 45), (1, 50), (2, 60)])
    cache = lru_cache(w, capacity_bytes=10)
    assert cache.hit.tolist() == [False, True, False, False, True]
    changes = list(zip(cache.change_s.tolist(), cache.change_bytes.tolist(), strict=True))
    assert changes == [(0, 4), (10, 4), (20, -4), (20, 4),   # A, B in; A out, C in
                       (30, -4), (30, 4),                      # B out, A in
                       (50, -4), (50, 4)]                      # A out, B in
    assert sum(b for _, b in changes) == 8  # C and B held at the end


def test_least_recently_used_cache_frees_deleted_studies():
    # capacity 8: A(4) at 0, B(4) at 10; A deleted at 15; C(4) at 20 fits without evicting B
    w = workload([0, 10, 20], [4, 4, 4], [(1, 30)], delete_s=[15, NEVER, NEVER])
    cache = lru_cache(w, capacity_bytes=8)
    assert cache.hit.tolist() == [True]
    assert list(zip(cache.change_s.tolist(), cache.change_bytes.tolist(), strict=True)) == [
        (0, 4), (10, 4), (15, -4), (20, 4)]


def test_age_window_cache_holds_a_study_until_the_first_midnight_after_the_window():
    # window 30 days; study 0 acquired at 06:00 on day 0 leaves at the first midnight after
    # day 30 06:00, i.e. day 31 00:00; study 1 (day 10 00:00) leaves at day 40 00:00 exactly
    w = workload([6 * 3600, 10 * DAY], [5, 7],
                 [(0, 31 * DAY - 1), (1, 40 * DAY - 1), (0, 31 * DAY), (1, 40 * DAY)])
    cache = window_cache(w, days=30)
    assert cache.hit.tolist() == [True, True, False, False]
    assert cache.change_s.tolist() == [6 * 3600, 10 * DAY, 31 * DAY, 40 * DAY]
    assert cache.change_bytes.tolist() == [5, 7, -5, -7]


def test_link_merges_overlapping_outages_and_knows_when_it_is_down():
    starts, ends = _merge(np.array([100, 0, 500]), np.array([200, 150, 600]))
    assert starts.tolist() == [0, 500] and ends.tolist() == [200, 600]
    link = Link(starts, ends, wan_mbps=8.0)
    assert link.is_down(np.array([-1, 0, 199, 200, 499, 500, 599, 600])).tolist() == [
        False, True, True, False, False, True, True, False]
    # 1,000,000 bytes x 8 bits / 8 Mbit/s = 1 s
    from sim.archives.linked import _transfer_s

    assert _transfer_s(np.array([1_000_000]), np.array([0]), 8.0)[0] == 1.0


ONE_MB = "2027-01-01T00:00:00Z,1000000,1,CR,p"


def test_reads_during_an_outage_miss_and_are_not_billed(tmp_path):
    # one study, reads before, during and after a 24 h outage on 2027-01-10
    network = textwrap.dedent("""\
        network:
          wan_mbps: 8
          outages:
            windows: [{start: "2027-01-10T00:00:00Z", hours: 24}]
        """)
    result = s3_run(tmp_path, f"s1,{ONE_MB}", """
        s1,2027-01-09T23:59:59Z
        s1,2027-01-10T00:00:00Z
        s1,2027-01-10T12:00:00Z
        s1,2027-01-11T00:00:00Z
        """, horizon_months=1, extra=network)
    reads = result.reads
    assert reads.tier.tolist() == ["STANDARD", "unavailable", "unavailable", "STANDARD"]
    # served reads: first byte 0.1 s (catalog) + 1 MB over 8 Mbit/s = 1 s
    np.testing.assert_allclose(reads.latency_s[reads.tier == "STANDARD"], [1.1, 1.1], rtol=1e-6)
    assert reads.latency_s[reads.tier == "unavailable"].isna().all()
    gets = result.ledger[(result.ledger.category == "requests")
                         & (result.ledger.unit == "GET requests")]
    assert gets.quantity.sum() == 2  # one object per read, 2 reads served
    figures = result.summary["reads_by_archive"]["s3"]
    assert figures["unavailable"] == 2 and figures["reads"] == 4


def hybrid_scenario(folder, window_months=1):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "studies.csv").write_text("study_id,created,size_bytes,objects,modality,"
                                        f"patient_id\ns1,{ONE_MB}\n")
    (folder / "reads.csv").write_text(textwrap.dedent("""\
        study_id,time
        s1,2027-01-20T00:00:00Z
        s1,2027-02-10T12:00:00Z
        s1,2027-02-20T00:00:00Z
        """))
    tier = ("{name: cache, usable_fraction: 0.8, copies: 1, price_usd_per_raw_tb: 100, "
            "watts_per_raw_tb: 1, read_latency_s: 2.0, "
            "purchase: {unit_raw_tb: 1, lead_time_days: 0}}")
    (folder / "scenario.yaml").write_text(f"""name: hybrid-test
start: 2027-01-01
horizon_months: 2
seed: 1
workload:
  trace: {{studies: studies.csv, reads: reads.csv}}
  retention: {{keep_forever: true}}
network:
  wan_mbps: 8
  outages:
    windows: [{{start: "2027-02-10T00:00:00Z", hours: 24}}]
archives:
  - name: hybrid
    kind: hybrid
    refresh_years: 5
    warranty_years: 3
    maintenance_rate: 0.15
    usd_per_kwh: 0.2
    pue: 1.5
    cache: {{window_months: {window_months}, tier: {tier}}}
    cloud: {{name: cloud, kind: cloud, provider: aws}}
finance: {{discount_rate: 0.0}}
""")
    return folder / "scenario.yaml"


def test_hybrid_serves_recent_studies_locally_and_older_ones_from_the_cloud(tmp_path):
    # window 1 month = round(30.4375) = 30 days: the study acquired 2027-01-01 00:00 leaves the
    # cache at 2027-01-31 00:00.  Read 1 (Jan 20): cache, 2 s.  Read 2 (Feb 10 12:00): needs the
    # cloud, the link is down: unavailable.  Read 3 (Feb 20): cloud STANDARD, 0.1 s first byte
    # + 1 s over 8 Mbit/s.
    result = sim.run(sim.load_scenario(hybrid_scenario(tmp_path)))
    reads = result.reads
    assert reads.tier.tolist() == ["cache", "unavailable", "STANDARD"]
    np.testing.assert_allclose(reads.latency_s.iloc[[0, 2]], [2.0, 1.1], rtol=1e-6)
    ledger = result.ledger
    gets = ledger[(ledger.category == "requests") & (ledger.unit == "GET requests")]
    assert gets.quantity.sum() == 1  # only the cloud read is a GET
    assert {"capex", "power", "storage", "requests"} <= set(ledger.category)
    # the cloud holds the study from acquisition (writes go to both): a PUT in January
    puts = ledger[(ledger.unit == "PUT requests")]
    assert puts.month.tolist() == ["2027-01"] and puts.quantity.tolist() == [1]
    figures = result.summary["reads_by_archive"]["hybrid"]
    assert figures["by_tier"] == {"STANDARD": 1, "cache": 1} and figures["unavailable"] == 1


def test_capacity_and_age_window_together():
    # plenty of capacity, a 1-day window: A (acquired at 0 s) leaves at the next midnight and is
    # not fetched back into the cache afterwards; B (acquired at 86,400 s) is cached until 172,800
    w = workload([0, DAY], [4, 4], [(0, 50_000), (0, 90_000), (0, 95_000), (1, 100_000)])
    cache = lru_cache(w, capacity_bytes=100, days=1)
    assert cache.hit.tolist() == [True, False, False, True]
    assert list(zip(cache.change_s.tolist(), cache.change_bytes.tolist(), strict=True)) == [
        (0, 4), (DAY, -4), (DAY, 4), (2 * DAY, -4)]
