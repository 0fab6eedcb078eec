"""The generated workload follows its parameters (statistical checks with stated tolerances)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.calendar import SECONDS_PER_DAY, SECONDS_PER_YEAR
from sim.scenario import MODALITIES
from sim.workload import NEVER, ReadKind, generate_workload
from sim.workload.arrivals import expected_daily_counts
from tests.conftest import small_academic


@pytest.fixture(scope="module")
def ten_years():
    """300k studies/year for 10 years (~3.3M studies): large enough for 2% checks per year."""
    scenario = small_academic(**{"workload.annual_studies": 300_000, "horizon_months": 120})
    return scenario, generate_workload(scenario)


def _year(workload, t_s):
    stamps = workload.calendar.timestamps(t_s)
    return stamps.astype("datetime64[Y]").astype(int) + 1970


def test_annual_counts_within_2_percent_every_year(ten_years):
    scenario, w = ten_years
    spec = scenario.workload
    names = w.modalities
    expected = expected_daily_counts(
        w.calendar,
        spec.annual_studies,
        np.array([spec.modalities[m].share for m in names]),
        np.array([spec.modalities[m].growth for m in names]),
        spec.weekday_profile,
        spec.seasonal_profile,
    ).sum(axis=1)
    day_year = w.calendar.day_dates.astype("datetime64[Y]").astype(int) + 1970
    expected_per_year = pd.Series(expected).groupby(day_year).sum()
    actual_per_year = pd.Series(_year(w, w.studies.created_s)).value_counts().sort_index()
    assert len(actual_per_year) == 10
    np.testing.assert_allclose(actual_per_year.to_numpy(), expected_per_year.to_numpy(), rtol=0.02)
    # the first year's expectation is the scenario's annual volume (profiles have mean 1)
    assert expected_per_year.iloc[0] == pytest.approx(spec.annual_studies, rel=0.01)


def test_modality_mix_and_growth(ten_years):
    scenario, w = ten_years
    spec = scenario.workload.modalities
    year = _year(w, w.studies.created_s)
    first = w.studies.modality[year == 2027]
    shares = np.bincount(first, minlength=len(w.modalities)) / first.size
    for i, m in enumerate(w.modalities):
        assert shares[i] == pytest.approx(spec[m].share, abs=0.004), m
    # CT grows 3.7%/yr: year 10 / year 1 = 1.037^9 (Poisson noise ~1.3% on ~48k CTs)
    ct = w.modalities.index("CT")
    n1 = np.sum((year == 2027) & (w.studies.modality == ct))
    n10 = np.sum((year == 2036) & (w.studies.modality == ct))
    assert n10 / n1 == pytest.approx(1.037**9, rel=0.03)


def test_weekday_profile(ten_years):
    scenario, w = ten_years
    day = w.studies.created_s // SECONDS_PER_DAY
    weekday = (w.calendar.day_dates[day].astype(np.int64) + 3) % 7
    per_weekday = np.bincount(weekday, minlength=7) / np.bincount(
        (w.calendar.day_dates.astype(np.int64) + 3) % 7, minlength=7
    )
    profile = np.array(scenario.workload.weekday_profile)
    np.testing.assert_allclose(per_weekday / per_weekday.mean(), profile / profile.mean(),
                               rtol=0.03)


def test_size_medians_compression_and_size_growth():
    """Stored size / (1 + size_growth)^age_of_run is lognormal around median / compression."""
    scenario = small_academic(**{
        "workload.annual_studies": 100_000,
        "workload.modalities.CT.compression_ratio": 2.5,
    })
    w = generate_workload(scenario)
    years = w.studies.created_s / SECONDS_PER_YEAR
    for i, m in enumerate(w.modalities):
        spec = scenario.workload.modalities[m]
        sel = w.studies.modality == i
        detrended = w.studies.size_bytes[sel] / (1 + spec.size_growth) ** years[sel]
        expected = spec.size_median_mb * 1e6 / spec.compression_ratio
        tolerance = 0.02 if sel.sum() > 2000 else 0.08
        assert np.median(detrended) == pytest.approx(expected, rel=tolerance), m
        log_sd = np.std(np.log(detrended))
        assert log_sd == pytest.approx(spec.size_sigma, rel=0.1 if sel.sum() > 2000 else 0.3), m


def test_object_layouts_instance_series_study():
    counts = {}
    for layout in ("instance", "series", "study"):
        w = generate_workload(small_academic(**{"workload.object_layout": layout}))
        counts[layout] = w.studies.objects
    assert np.all(counts["study"] == 1)
    assert np.all(counts["series"] <= counts["instance"])
    # CT at 355 MB / 0.524 MB per instance has hundreds of instances but ~5 series
    assert counts["instance"].mean() > 50 * counts["series"].mean() / 5


@pytest.mark.parametrize("layout", ["instance", "series", "study"])
def test_sizes_are_the_vectorised_formula_value_for_value(layout):
    """The compiled size passes give what the formula written as numpy expressions gives, bit
    for bit (sizes grow from the origin; instances capped at int32's largest; series at most one
    per instance, drawn after the sizes' normals from the same stream)."""
    from sim.workload.sizes import BYTES_PER_MB, draw_sizes

    rng = np.random.default_rng(8)
    n = 50_000
    created = np.sort(rng.integers(0, 15 * 365 * 86_400, n))
    modality = rng.integers(0, 3, n).astype(np.int8)
    median, sigma = np.array([16.0, 355.0, 0.5]), np.array([0.5, 0.8, 2.5])
    growth, compression = np.array([0.0, 0.101, 0.2]), np.array([1.0, 2.5, 1.0])
    instance, series_mean = np.array([8.0, 0.524, 1e-7]), np.array([2.0, 5.0, 1.0])
    origin = 5 * 365 * 86_400
    size, objects = draw_sizes(created, modality, median, sigma, growth, compression, instance,
                               series_mean, layout, np.random.default_rng(3), origin_s=origin)

    ref = np.random.default_rng(3)
    years = (created - origin) / (365.25 * 86_400)
    z = ref.standard_normal(n)
    acquired = median[modality] * BYTES_PER_MB * np.exp(
        sigma[modality] * z + np.log1p(growth)[modality] * years)
    expected_size = np.maximum(1, np.rint(acquired / compression[modality])).astype(np.int64)
    instances = np.minimum(np.maximum(1, np.rint(acquired / (instance[modality] * BYTES_PER_MB))),
                           np.iinfo(np.int32).max).astype(np.int32)
    expected = {"instance": instances, "study": np.ones(n, np.int32),
                "series": np.minimum(1 + ref.poisson(series_mean[modality] - 1.0),
                                     instances).astype(np.int32)}[layout]
    assert size.dtype == np.int64 and objects.dtype == np.int32
    np.testing.assert_array_equal(size, expected_size)
    np.testing.assert_array_equal(objects, expected)
    assert (instances == np.iinfo(np.int32).max).any()  # the cap was reached


@pytest.mark.parametrize("per_day", [0.0, 0.3, 40.0, 3000.0])
def test_arrivals_sorted_day_by_day_are_the_stable_sort_of_all(per_day):
    """Arrivals are sorted day by day (days never interleave); that is the order a stable sort
    of every study's time gives, same-second ties in day-then-modality order (many ties when
    thousands of studies share a day's seconds)."""
    from sim.calendar import SECONDS_PER_DAY
    from sim.workload.arrivals import draw_arrivals

    expected = np.random.default_rng(2).random((40, 5)) * per_day
    expected[7] = 0.0  # a day without studies
    created, modality = draw_arrivals(expected, np.random.default_rng(9))

    rng = np.random.default_rng(9)
    counts = rng.poisson(expected)
    flat = counts.ravel()
    day = np.repeat(np.repeat(np.arange(40, dtype=np.int64), 5), flat)
    drawn_modality = np.repeat(np.tile(np.arange(5, dtype=np.int8), 40), flat)
    times = day * SECONDS_PER_DAY + rng.integers(0, SECONDS_PER_DAY, size=day.size)
    order = np.argsort(times, kind="stable")
    assert created.dtype == np.int64 and modality.dtype == np.int8
    np.testing.assert_array_equal(created, times[order])
    np.testing.assert_array_equal(modality, drawn_modality[order])


def test_decay_read_times_are_the_vectorised_formula_value_for_value():
    """The compiled decay passes give the numpy formula's reads bit for bit: the expected reads
    from the cumulative rate at each study's age at its end (none before the first bin), each
    read's age by inverting it (a zero-rate bin included), from the same draws."""
    from types import SimpleNamespace

    from sim.calendar import SECONDS_PER_YEAR
    from sim.workload.reads import _decay_reads

    bins = [SimpleNamespace(from_years=y, reads_per_year=r)
            for y, r in ((0.0833, 0.3), (1, 0.1), (2, 0.0), (3, 0.027), (6, 0.0042))]
    rng = np.random.default_rng(4)
    created = np.sort(rng.integers(0, 10 * 365 * 86_400, 20_000))
    end = np.minimum(created + rng.integers(0, 12 * 365 * 86_400, created.size),
                     10 * 365 * 86_400)
    end[:50] = created[:50] + 1_000  # ended before the first bin
    [(study, time_s, _)] = _decay_reads(created, end, SimpleNamespace(decay=bins),
                                        np.random.default_rng(6))

    ref = np.random.default_rng(6)
    starts = np.array([round(b.from_years * SECONDS_PER_YEAR) for b in bins], dtype=np.float64)
    rates = np.array([b.reads_per_year for b in bins]) / SECONDS_PER_YEAR
    cumulative = np.concatenate(([0.0], np.cumsum(rates[:-1] * np.diff(starts))))
    life = (end - created).astype(np.float64)
    k = np.searchsorted(starts, life, side="right") - 1
    kk = np.maximum(k, 0)
    expected = np.where(k >= 0, cumulative[kk] + rates[kk] * (life - starts[kk]), 0.0)
    want_study = np.repeat(np.arange(created.size, dtype=np.int64), ref.poisson(expected))
    u = ref.random(want_study.size) * expected[want_study]
    b = np.searchsorted(cumulative, u, side="right") - 1
    age = starts[b] + (u - cumulative[b]) / np.where(rates[b] > 0, rates[b], np.inf)
    np.testing.assert_array_equal(study, want_study)
    np.testing.assert_array_equal(time_s, created[want_study] + np.floor(age).astype(np.int64))
    assert study.size > 1_000


def test_decay_reads_follow_the_configured_rates():
    """Reads per study-year of exposure in each age bin match the bin's rate (Poisson, 5%)."""
    scenario = small_academic(**{
        "workload.annual_studies": 60_000,
        "horizon_months": 84,
        "workload.retention.adult_years": 50,
        "workload.retention.minors": None,
        "workload.retention.mammography": None,
    })
    w = generate_workload(scenario)
    bins = scenario.workload.reads.decay
    decay = w.reads.kind == ReadKind.DECAY
    age = (w.reads.time_s[decay] - w.studies.created_s[w.reads.study[decay]]) / SECONDS_PER_YEAR
    edges = [b.from_years for b in bins] + [np.inf]
    life = (w.calendar.horizon_s - w.studies.created_s) / SECONDS_PER_YEAR
    for b, lo, hi in zip(bins, edges[:-1], edges[1:], strict=True):
        exposure = np.clip(np.minimum(life, hi) - lo, 0, None).sum()
        observed = np.sum((age >= lo) & (age < hi))
        if b.reads_per_year * exposure < 2000:
            continue
        assert observed / exposure == pytest.approx(b.reads_per_year, rel=0.05), lo


def test_prior_pulls_are_the_last_n_same_modality_studies_within_the_window(small_scenario):
    """Every arrival pulls exactly min(count, earlier same-modality studies of the patient within
    the window, not yet deleted): recomputed here by brute force with pandas."""
    w = generate_workload(small_scenario)
    priors = small_scenario.workload.priors
    st = w.studies
    frame = pd.DataFrame({"patient": st.patient, "modality": st.modality, "t": st.created_s,
                          "delete": st.delete_s})
    window = priors.window_years * SECONDS_PER_YEAR
    expected = 0
    for _, group in frame.groupby(["patient", "modality"]):
        t = group["t"].to_numpy()
        gone = group["delete"].to_numpy()
        for k in range(1, len(t)):
            earlier = np.arange(max(0, k - priors.count), k)
            ok = (t[k] - t[earlier] <= window) & (gone[earlier] > t[k])
            expected += ok.sum()
    pulled = np.sum(w.reads.kind == ReadKind.PRIOR)
    assert pulled == expected
    assert pulled > 0


def test_return_visits_match_the_return_probability():
    """Late in a long run, the share of studies by an already-known patient is
    probability * P(gap reaches back inside the run) (lognormal gap), within 2 points."""
    scenario = small_academic(**{"workload.annual_studies": 100_000, "horizon_months": 60})
    w = generate_workload(scenario)
    st = w.studies
    # a study is a return if its patient appeared before it (patients numbered by first study)
    is_first = np.r_[True, st.patient[1:] > np.maximum.accumulate(st.patient)[:-1]]
    late = st.created_s > 4 * SECONDS_PER_YEAR
    cr = w.modalities.index("CR")
    sel = late & (st.modality == cr)
    spec = scenario.workload.modalities["CR"].returns
    t_days = st.created_s[sel] / SECONDS_PER_DAY
    z = (np.log(t_days) - math.log(spec.gap_median_days)) / spec.gap_sigma
    reach = np.mean(0.5 * (1 + np.vectorize(math.erf)(z / math.sqrt(2))))
    assert np.mean(~is_first[sel]) == pytest.approx(spec.probability * reach, abs=0.02)


def test_deletions_at_the_right_ages():
    scenario = small_academic(**{
        "workload.annual_studies": 50_000,
        "horizon_months": 48,
        "workload.retention.adult_years": 2,
        "workload.retention.minors.until_age": 18,
        "workload.retention.minors.plus_years": 1,
        "workload.retention.mammography": None,
    })
    w = generate_workload(scenario)
    st = w.studies
    horizon = w.calendar.horizon_s
    two_years = 2 * SECONDS_PER_YEAR
    adult = st.age_years >= 18
    gone = st.delete_s != NEVER
    # adults: deleted at the first midnight at or after created + 2 years
    due = np.ceil((st.created_s + two_years) / SECONDS_PER_DAY) * SECONDS_PER_DAY
    assert np.array_equal(st.delete_s[adult & gone], due[adult & gone].astype(np.int64))
    assert not np.any(adult & ~gone & (due < horizon))
    # minors: never before their 19th birthday, and never before the adult rule
    birth = st.created_s - st.age_years.astype(float) * SECONDS_PER_YEAR
    minor = ~adult & gone
    assert minor.sum() > 0
    assert np.all(st.delete_s[minor] >= np.floor(birth[minor] + 19 * SECONDS_PER_YEAR) - 1)
    assert np.all(st.delete_s[minor] >= due[minor])
    # no read after deletion
    assert np.all(w.reads.time_s < st.delete_s[w.reads.study])


def test_bulk_cohort_reads_share_of_one_years_studies():
    scenario = small_academic(**{"workload.annual_studies": 100_000, "horizon_months": 36})
    w = generate_workload(scenario)
    cohort = scenario.workload.reads.bulk[0]
    ct = w.modalities.index("CT")
    year = _year(w, w.studies.created_s)
    eligible = (year == 2027) & (w.studies.modality == ct)
    bulk = w.reads.kind == ReadKind.BULK
    read_studies = w.reads.study[bulk]
    assert np.all(eligible[read_studies])
    assert read_studies.size / eligible.sum() == pytest.approx(cohort.share, abs=0.01)


def test_reads_sorted_and_alive(small_scenario):
    w = generate_workload(small_scenario)
    r, st = w.reads, w.studies
    assert np.all(np.diff(r.time_s) >= 0)
    assert np.all(r.time_s >= st.created_s[r.study])
    assert np.all(r.time_s < w.calendar.horizon_s)
    assert set(w.modalities) <= set(MODALITIES)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 2), st.integers(-5, 60),
                          st.booleans()), min_size=1, max_size=40))
def test_return_matching_finds_the_last_study_at_or_before_the_target(rows):
    """The one-pass matching equals its definition: the last study created at or before the
    target time (of the same modality when asked), or -1."""
    from sim.workload.patients import _last_before
    from sim.workload.sorting import stable_argsort

    created = np.sort(np.array([r[0] for r in rows], dtype=np.int64))
    modality = np.array([r[1] for r in rows], dtype=np.int8)
    target = np.array([r[2] for r in rows], dtype=np.int64)
    same = np.array([r[3] for r in rows])
    order = stable_argsort(target - target.min())
    found = _last_before(created, modality, target, same, order, 3)
    for q in range(len(rows)):
        ok = (created <= target[q]) & ((modality == modality[q]) | ~same[q])
        expected = int(np.flatnonzero(ok).max()) if ok.any() else -1
        assert found[q] == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=40), st.booleans())
def test_patient_numbers_one_pass_equals_pointer_jumping(draws, later_link):
    """Links to earlier studies are numbered in one pass; any other link (here one to a later
    study) falls back to pointer jumping; both number patients in order of their first study."""
    from sim.workload.patients import patient_numbers

    n = len(draws)
    parent = np.array([min(int(u * (i + 1)), i) - 1 for i, u in enumerate(draws)], dtype=np.int64)
    if later_link and n > 2:
        parent[0], parent[1] = 2, -1  # study 0 belongs to study 2's patient
        parent[2] = -1
    root = np.arange(n)
    for i in range(n):  # the definition: follow links to the first study
        r = i
        while parent[r] >= 0:
            r = parent[r]
        root[i] = r
    firsts = sorted(set(root.tolist()))
    assert patient_numbers(parent).tolist() == [firsts.index(r) for r in root]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 2**63 - 1), st.integers(0, 3000),
                          st.sampled_from([0, 2047, 2048, 2**22, 2**62])), max_size=300))
def test_radix_sort_sorts_as_numpy_does(values):
    """Whole-array passes and, forced on small arrays (``msd_min`` 2), the split by the most
    significant digit first."""
    from sim.workload.sorting import _radix_sort

    for msd_min in (2**62, 2):
        keys = np.array(values, dtype=np.int64)
        _radix_sort(keys, np.empty_like(keys), 0, msd_min)
        np.testing.assert_array_equal(keys, np.sort(np.array(values, dtype=np.int64)))


def test_stable_argsort_is_numpys_stable_argsort():
    """stable_argsort's radix sort skips the packed row numbers (already in order among equal
    keys): the order is still numpy's stable argsort, ties by position, on one thread and on
    two (halves, then a merge), with few and many distinct keys."""
    from sim.workload.sorting import PARALLEL_SORT_MIN, RADIX_SORT_MIN, stable_argsort

    rng = np.random.default_rng(11)
    for n in (RADIX_SORT_MIN + 5, PARALLEL_SORT_MIN + 3):
        for high in (3, 2**20, 2**40):
            keys = rng.integers(0, high, n)
            np.testing.assert_array_equal(stable_argsort(keys), np.argsort(keys, kind="stable"))


def test_sort_in_place_radix_and_threads_give_numpy_order():
    from sim.workload.sorting import PARALLEL_SORT_MIN, sort_in_place

    rng = np.random.default_rng(3)
    for keys in (rng.integers(0, 2**56, PARALLEL_SORT_MIN + 7),  # radix, two halves, merge
                 rng.integers(0, 40, 150_000),  # most digits shared: passes skipped
                 rng.integers(-5, 5, 150_000)):  # negative: numpy's sort
        expected = np.sort(keys)
        sort_in_place(keys)
        np.testing.assert_array_equal(keys, expected)
