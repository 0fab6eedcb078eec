"""The read figures of a run's summary: one compiled pass gives what numpy's masks and
``np.percentile`` give, to the last bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cohorts import LATENCY_EDGES_S, _read_counts_by_masks, read_counts
from sim.read_outcomes import _read_figures_by_masks, read_figures

TIERS = ["FA", "IA", "unavailable", "missing"]
KINDS = ["report", "followup", "decay", "prior", "bulk"]
LATENCIES = [0.0, -0.0, 0.1, 0.2, 4.0, 5.0, 5.000001, 7.25, 3600.0, 43200.0, 1e-30, 3e38,
             *LATENCY_EDGES_S[[1, 2, 80, 400, -2, -1]].astype(np.float32).tolist()]


READ_COLUMNS = st.integers(0, 400).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 3), min_size=n, max_size=n),
    st.lists(st.integers(0, 4), min_size=n, max_size=n),
    st.lists(st.one_of(st.sampled_from(LATENCIES),
                       st.floats(0, 1e7, width=32, allow_subnormal=True)),
             min_size=n, max_size=n)))
"""Tier codes, read kinds and latencies of up to 400 reads (latencies beyond the histogram's
last edge included)."""


def table(tiers: list[int], kinds: list[int], latency: list[float]) -> pd.DataFrame:
    lat = np.array(latency, dtype=np.float32)
    codes = np.array(tiers, dtype=np.int8)
    lat[codes >= 2] = np.nan  # not served: no latency
    return pd.DataFrame({
        "read_kind": pd.Categorical.from_codes(np.array(kinds, dtype=np.int8), KINDS),
        "tier": pd.Categorical.from_codes(codes, TIERS),
        "latency_s": lat,
    })


@settings(max_examples=60, deadline=None)
@given(READ_COLUMNS)
def test_one_pass_gives_what_numpy_gives(columns):
    reads = table(*columns)
    assert read_figures(reads) == _read_figures_by_masks(reads, 5.0)


@settings(max_examples=60, deadline=None)
@given(READ_COLUMNS)
def test_a_cohorts_counts_in_one_pass_are_numpys(columns):
    """A cohort's additive read figures (counts, the latency histogram of numpy's bins, the
    largest latency) from the tally and the compiled histogram, as numpy's masks and
    ``np.histogram`` give them (latencies on bin edges and beyond the last included)."""
    reads = table(*columns)
    fast, masks = read_counts(reads), _read_counts_by_masks(reads, 5.0)
    np.testing.assert_array_equal(fast.pop("histogram"), masks.pop("histogram"))
    assert fast["by_tier"] == dict(sorted(masks.pop("by_tier").items()))
    fast.pop("by_tier")
    assert fast == masks


def test_percentiles_between_order_statistics_and_at_the_top():
    # 5 served reads [1, 2, 3, 4, 100]: p50 = the 3rd (3.0); p99 at virtual index
    # 4 x 0.99 = 3.96: 4 + (100 - 4) x 0.96 = 96.16 (numpy: 100 - 96 x 0.04)
    reads = table([0, 1, 0, 1, 0, 3], [3, 3, 0, 0, 0, 3], [3, 100, 1, 2, 4, 0])
    figures = read_figures(reads)
    assert figures["latency_p50_s"] == 3.0
    assert figures["latency_p99_s"] == 100.0 - 96.0 * (1 - 0.96)
    assert figures["latency_p99_s"] == float(np.percentile([1.0, 2, 3, 4, 100], 99))
    assert figures["latency_max_s"] == 100.0
    assert figures["missing"] == 1 and figures["priors"] == 3
    # within 5 s: 1, 2, 3, 4 of 6 reads; priors: 3 s of the three (100 s and the miss are not)
    assert figures["share_within_target"] == 4 / 6
    assert figures["priors_within_target_share"] == 1 / 3


def test_no_served_read():
    figures = read_figures(table([2, 3], [3, 0], [0, 0]))
    assert (figures["latency_p50_s"], figures["latency_max_s"]) == (0.0, 0.0)
    assert figures["priors_unavailable"] == 1 and figures["unavailable"] == 1
