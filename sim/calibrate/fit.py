"""Fit the workload model to a hospital's studies and reads (pure computation, no I/O).

Each estimator mirrors how :mod:`sim.workload` draws the quantity, so that a workload generated
with known parameters gives them back (tests/test_calibrate.py states the tolerances):

- volume: per modality, a Poisson regression of daily counts on time (log-linear trend: growth
  per year) over whole days; ``annual_studies`` is the expected volume of the 12 months after the
  data end (a calibrated scenario starts there), shares from the same; weekday profile from mean
  counts per weekday; the seasonal profile when two or more years are given;
- sizes: per modality, log size regressed on time: median at the data end, sigma of the
  residuals, yearly size growth; ``instance_mb`` = median size per object;
- returns: a study whose patient had an earlier study within the look-back T (the data's first
  T are history only) is a return; the gap to that earlier study is fitted as a lognormal
  truncated at T (maximum likelihood), the observed return share is divided by the lognormal's
  probability below T (returns with longer gaps look like new patients), and the same-modality
  share is corrected for same-modality matches by chance;
- ages: shares of patients' ages at their first study in the bands of the base scenario;
- reads: a read within an hour of a new study of the same patient, of an older study, is a prior
  pull (count, look-back and modality match from those); a study's first other read within 7
  days is its report read (mean delay); other reads in the first 30 days are follow-ups (mean
  count); later reads give the decay rate per age bin (reads / study-years observed in the bin);
- without an access log, an S3 Storage Class Analysis export gives the decay curve as the share
  of stored data retrieved per year by object age.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.scenario import MODALITIES, Scenario
from sim.workload.patients import match_returns, patient_numbers

DAY_S = 86_400.0
YEAR_DAYS = 365.25
MIN_STUDIES = 10
PRIOR_TOLERANCE_S = 3_600
"""A read this close to a new study of the same patient counts as a prior pull (estimator
choice: the model pulls priors at the new study's time). [s]"""
REPORT_WINDOW_DAYS = 7.0
"""A study's first read within this many days is its report read (estimator choice; the model's
report delay is exponential with a mean of hours). [days]"""
DECAY_START_YEARS = 0.0833
"""Where age-decay reads start when the base scenario has no decay bins. [years]"""
RETURN_ROUNDS = 16
RETURN_STEP = 0.6
MAX_MATCHED_STUDIES = 2_000_000
MAX_GAP_LOG = math.log(36_525.0)
"""A fitted median return gap stops at 100 years (log days): beyond it the fit has run away."""


@dataclass
class Fit:
    """A fitted workload: the scenario fragment, what it was fitted from, and notes."""

    workload: dict
    start: str
    """First day of the month after the data end: where a calibrated scenario starts."""
    diagnostics: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    curves: dict = field(default_factory=dict)
    """Observed and fitted series for the goodness-of-fit figures."""


def fit_workload(studies: pd.DataFrame, reads: pd.DataFrame | None, base: Scenario,
                 class_analysis: pd.DataFrame | None = None, held: bool = False) -> Fit:
    """Fit workload parameters to ``studies`` (and ``reads``) on top of ``base``'s others.

    ``held``: the studies are the whole archive as it stands at the data end (a study list or
    an S3 Inventory), so ``workload.existing`` is filled from them (:func:`_held`)."""
    if len(studies) < MIN_STUDIES:
        raise InputError(f"only {len(studies)} studies: calibration needs at least {MIN_STUDIES}")
    studies = studies.sort_values("time", kind="stable").reset_index(drop=True)
    t0, t1 = studies.time.min(), studies.time.max()
    span_years = (t1 - t0) / pd.Timedelta(days=YEAR_DAYS)
    if span_years < 28 / YEAR_DAYS:
        raise InputError(f"the studies span {span_years * YEAR_DAYS:.0f} days: calibration needs "
                         "at least four weeks")
    start = (t1 + pd.offsets.MonthBegin(1)).normalize()
    fit = Fit({}, start.date().isoformat())
    fit.notes.append("retention, the archives, the network and finance are the base "
                     "scenario's: the data say how studies arrive and are read, not how long "
                     "they are kept")
    fit.diagnostics["data"] = {"studies": len(studies), "from": str(t0.date()),
                               "to": str(t1.date()), "years": round(float(span_years), 2)}
    modalities = _volume(studies, t0, t1, span_years, base, fit)
    _sizes(studies, t1, span_years, modalities, base, fit)
    if studies["patient"].notna().any():
        _returns(studies, t0, span_years, modalities, fit)
        _ages(studies, base, fit)
    else:
        fit.notes.append("no patient key: return visits, priors and ages keep the base "
                         "scenario's values")
    if held:
        _held(studies, span_years, fit)
    if reads is not None and len(reads):
        _reads(studies, reads, t1, base, fit)
    elif class_analysis is not None:
        _reads_from_class_analysis(class_analysis, base, fit)
    else:
        fit.notes.append("no access log: reads keep the base scenario's values")
    return fit


# ----------------------------------------------------------------------------------- held


def _held(studies: pd.DataFrame, span_years: float, fit: Fit) -> None:
    """The archive held at the start of the calibrated scenario (the data end): the studies
    read, counted and (where every size is known) summed by modality, over the years they span
    (whole years, 1 to 30)."""
    years = int(min(30, max(1, math.ceil(span_years - 1e-9))))
    fitted = fit.workload.get("modalities", {})
    by_modality: dict[str, dict] = {}
    for m, group in studies.groupby("modality", sort=True):
        if m not in fitted or not fitted[m].get("share"):
            continue
        entry: dict = {"studies": len(group)}
        if "size_bytes" in group and group["size_bytes"].notna().all():
            tb = float(group["size_bytes"].sum()) / 1e12
            if tb > 0:
                entry["stored_tb"] = round(tb, 6)
        by_modality[str(m)] = entry
    if not by_modality:
        return
    # totals null: they replace any the base scenario gives (extends merges blocks)
    fit.workload["existing"] = {"years": years, "stored_tb": None, "studies": None,
                                "modalities": by_modality}
    total_tb = sum(e.get("stored_tb", 0.0) for e in by_modality.values())
    fit.notes.append(
        f"workload.existing: the {len(studies):,} studies read ({total_tb:,.2f} TB) are taken "
        f"as the archive held at the start, over {years} years of history; if the list is only "
        "an extract of the archive, give the archive's real totals there")
    fit.diagnostics["held"] = {"years": years, "modalities": by_modality}


# ----------------------------------------------------------------------------------- volume

MIN_TREND_STUDIES = 100
"""Fewest studies of a modality from which a yearly growth is fitted."""
GROWTH_RANGE = (-0.5, 1.0)
"""Yearly growth (volume or size) a fit may give; outside it the data are taken as too noisy or
too short to say (a hospital's imaging volume grows by a few percent a year). [1/year]"""


def _base_modalities(base: Scenario) -> dict[str, Any]:
    """The base scenario's modality settings by name (empty for a trace scenario)."""
    return {str(m): spec for m, spec in (base.workload.modalities or {}).items()}


def _plausible_growth(m: str, what: str, value: float, n: int, span_years: float,
                      base: Scenario, fit: Fit) -> bool:
    """Keep a fitted growth only if it rests on enough studies and lies in ``GROWTH_RANGE``;
    otherwise say so in the notes (the base scenario's value stays)."""
    spec = _base_modalities(base).get(m)
    kept = f"the base scenario's {getattr(spec, what, 0.0):g} is kept"
    low, high = GROWTH_RANGE
    if n < MIN_TREND_STUDIES:
        fit.notes.append(f"{m}: {what} not fitted from {n} studies (needs {MIN_TREND_STUDIES}); "
                         f"{kept}")
        return False
    if not low <= value <= high:
        fit.notes.append(f"{m}: {what} fitted as {value:+.3g} a year from {n} studies over "
                         f"{span_years:.1f} years, outside {low:+.0%} to {high:+.0%}: the data "
                         f"are too noisy or too short to say; {kept}")
        return False
    return True



def _volume(studies: pd.DataFrame, t0, t1, span_years: float, base: Scenario, fit: Fit
            ) -> dict[str, dict]:
    first_day = t0.normalize() + pd.Timedelta(days=1)  # whole days only
    last_day = t1.normalize()
    n_days = int((last_day - first_day) / pd.Timedelta(days=1))
    day = ((studies.time - first_day) / pd.Timedelta(days=1)).to_numpy()
    inside = (day >= 0) & (day < n_days)
    day_index = np.floor(day[inside]).astype(np.int64)
    modality = studies.modality.to_numpy()[inside]
    years = (np.arange(n_days) + 0.5 - n_days) / YEAR_DAYS  # before the data end: negative
    trend = span_years >= 1.5
    if not trend:
        fit.notes.append(f"{span_years:.1f} years of studies: growth (volume and size) needs 1.5 "
                         "or more and keeps the base scenario's values")
    specs: dict[str, dict] = {}
    expected = {}
    for m in MODALITIES:
        counts = np.bincount(day_index[modality == m], minlength=n_days).astype(float)
        if counts.sum() == 0:
            continue
        a, b = _poisson_trend(years, counts, trend)
        # expected studies in the year after the data end
        expected[m] = math.exp(a) * YEAR_DAYS * (math.expm1(b) / b if b else 1.0)
        spec: dict = {}
        if trend and _plausible_growth(m, "growth", math.expm1(b), int(counts.sum()),
                                       span_years, base, fit):
            spec["growth"] = round(math.expm1(b), 4)
        specs[m] = spec
        fit.curves.setdefault("volume", {})[m] = (counts, a, b)
    total = sum(expected.values())
    shares = _shares({m: e / total for m, e in expected.items()})
    for m in MODALITIES:
        if m in specs:
            specs[m]["share"] = shares[m]
        elif (base_spec := _base_modalities(base).get(m)) is not None and base_spec.share > 0:
            specs[m] = {"share": 0.0}
    fit.workload["annual_studies"] = round(total)
    fit.workload["modalities"] = specs
    weekday = np.bincount(((first_day.day_of_week + day_index) % 7), minlength=7) \
        / np.maximum(np.bincount((first_day.day_of_week + np.arange(n_days)) % 7, minlength=7), 1)
    if n_days >= 28 and weekday.mean() > 0:
        fit.workload["weekday_profile"] = [round(float(w), 3) for w in weekday / weekday.mean()]
    if span_years >= 2:
        month = (studies.time.dt.month.to_numpy()[inside] - 1)
        per_day = np.bincount(month, minlength=12) / np.maximum(
            np.bincount((pd.DatetimeIndex(first_day + pd.to_timedelta(np.arange(n_days), "D"))
                         .month.to_numpy() - 1), minlength=12), 1)
        if (per_day > 0).all():
            fit.workload["seasonal_profile"] = [round(float(v), 3) for v in per_day
                                                / per_day.mean()]
    fit.diagnostics["volume"] = {m: {"studies": int((modality == m).sum()),
                                     "expected_next_year": round(expected[m])}
                                 for m in expected}
    return specs


def _poisson_trend(years: np.ndarray, counts: np.ndarray, trend: bool) -> tuple[float, float]:
    """Maximum-likelihood ``a, b`` of counts ~ Poisson(exp(a + b * years)) (b = 0 without a
    trend)."""
    a = math.log(max(counts.mean(), 1e-12))
    if not trend:
        return a, 0.0
    b = 0.0
    for _ in range(100):
        mu = np.exp(a + b * years)
        grad = np.array([np.sum(counts - mu), np.sum((counts - mu) * years)])
        hess = np.array([[mu.sum(), (mu * years).sum()],
                         [(mu * years).sum(), (mu * years**2).sum()]])
        step = np.linalg.solve(hess, grad)
        a, b = a + step[0], b + step[1]
        if np.abs(step).max() < 1e-10:
            break
    return float(a), float(b)


def _shares(raw: dict[str, float]) -> dict[str, float]:
    """Shares rounded to 6 decimals that still add up to exactly 1."""
    shares = {m: round(v, 6) for m, v in raw.items()}
    largest = max(shares, key=lambda m: shares[m])
    shares[largest] = round(1.0 - sum(v for m, v in shares.items() if m != largest), 6)
    return shares


# ------------------------------------------------------------------------------------ sizes


def _sizes(studies: pd.DataFrame, t1, span_years: float, specs: dict, base: Scenario,
           fit: Fit) -> None:
    years = ((studies.time - t1) / pd.Timedelta(days=YEAR_DAYS)).to_numpy()
    log_mb = np.log(studies.size_bytes.to_numpy() / 1e6)
    diag = {}
    for m, spec in specs.items():
        sel = studies.modality.to_numpy() == m
        if sel.sum() < MIN_STUDIES:
            if sel.any():
                fit.notes.append(f"{m}: {int(sel.sum())} studies; sizes keep the base values")
            continue
        y, x = log_mb[sel], years[sel]
        if span_years >= 1.5:
            b, a = np.polyfit(x, y, 1)
        else:
            a, b = y.mean(), 0.0
        residual = y - (a + b * x)
        sigma = float(np.sqrt(np.sum(residual**2) / max(sel.sum() - 2, 1)))
        spec["size_median_mb"] = round(float(math.exp(a)), 3)
        spec["size_sigma"] = round(sigma, 4)
        spec["compression_ratio"] = 1.0  # sizes given are the stored sizes
        if span_years >= 1.5 and _plausible_growth(m, "size_growth", math.expm1(b),
                                                   int(sel.sum()), span_years, base, fit):
            spec["size_growth"] = round(math.expm1(b), 4)
        objects = studies.objects.to_numpy(dtype=float)[sel]
        known = ~np.isnan(objects)
        if known.sum() >= MIN_STUDIES:
            per_object = np.exp(y[known]) / objects[known]
            spec["instance_mb"] = round(float(np.median(per_object)), 4)
        diag[m] = {"median_mb": spec["size_median_mb"], "sigma": spec["size_sigma"]}
        fit.curves.setdefault("sizes", {})[m] = (y - b * x, a, sigma)
    fit.diagnostics["sizes"] = diag


# ---------------------------------------------------------------------------------- returns


def _returns(studies: pd.DataFrame, t0, span_years: float, specs: dict, fit: Fit) -> None:
    """Return-visit parameters by indirect inference: statistics of the data (per modality: the
    share of studies whose patient was seen within the look-back, the median and spread of the
    log gap to that study, the share of those of the same modality) are matched by running the
    workload model's own matching (:func:`sim.workload.patients.match_returns`) on the data's
    arrivals, correcting the parameters until its statistics agree.  (A patient's latest study
    is often not the one the model matched to, so the raw statistics are biased.)"""
    have = studies[studies.patient.notna()].reset_index(drop=True)
    if len(have) > MAX_MATCHED_STUDIES:  # the most recent ones: enough, and bounded time
        have = have.iloc[-MAX_MATCHED_STUDIES:].reset_index(drop=True)
        t0 = have.time.iloc[0]
        span_years = (have.time.iloc[-1] - t0) / pd.Timedelta(days=YEAR_DAYS)
        fit.notes.append(f"return visits fitted on the latest {MAX_MATCHED_STUDIES:,} studies")
    lookback_days = min(2 * YEAR_DAYS, span_years * YEAR_DAYS / 2)
    created_s = ((have.time - t0) / pd.Timedelta(seconds=1)).to_numpy().astype(np.int64)
    codes = {m: i for i, m in enumerate(MODALITIES)}
    modality = have.modality.map(codes).to_numpy().astype(np.int64)
    patient = pd.factorize(have.patient)[0]
    wanted = [m for m, spec in specs.items() if spec.get("share", 0) > 0]
    data = _return_statistics(created_s, modality, patient, lookback_days)
    usable = [m for m in wanted if data[codes[m]][4] >= MIN_STUDIES]
    if not usable:
        fit.notes.append(f"too few return visits within {lookback_days:.0f} days to fit; "
                         "returns keep the base values")
        return
    n_mod = len(MODALITIES)
    share_obs = np.array([data[i][0] for i in range(n_mod)])
    mu_obs = np.array([data[i][1] for i in range(n_mod)])
    sigma_obs = np.array([data[i][2] for i in range(n_mod)])
    same_obs = np.array([data[i][3] for i in range(n_mod)])
    fitted = np.zeros(n_mod, dtype=bool)
    fitted[[codes[m] for m in usable]] = True
    # start from the raw statistics, then correct by the model's bias (damped steps)
    p = np.clip(share_obs, 0.01, 0.99)
    mu, sigma = mu_obs.copy(), np.clip(sigma_obs, 0.05, 3.0)
    same = np.clip(same_obs, 0.0, 1.0)
    order = np.argsort(created_s, kind="stable")
    for _ in range(RETURN_ROUNDS):
        rng = np.random.default_rng(20261128)  # the same draws each round: a smooth map
        parent = _match(created_s[order], modality[order], p, mu, sigma, same, rng)
        sim_patient = np.empty_like(patient)
        sim_patient[order] = patient_numbers(parent)
        stats = _return_statistics(created_s, modality, sim_patient, lookback_days)
        k = np.where(fitted, RETURN_STEP, 0.0)  # modalities without returns keep their start
        p = np.clip(p + k * (share_obs - [stats[i][0] for i in range(n_mod)]), 0.0, 0.99)
        mu = np.clip(mu + k * (mu_obs - [stats[i][1] for i in range(n_mod)]), 0.0, MAX_GAP_LOG)
        ratio = np.maximum(sigma_obs, 1e-3) / np.maximum([stats[i][2] for i in range(n_mod)],
                                                         1e-3)
        sigma = np.clip(sigma * np.exp(k * np.log(ratio)), 0.05, 3.0)
        same = np.clip(same + k * (same_obs - [stats[i][3] for i in range(n_mod)]), 0.0, 1.0)
    # the same statistics from the fitted model, for the goodness-of-fit figure
    parent = _match(created_s[order], modality[order], p, mu, sigma, same,
                    np.random.default_rng(20261128))
    sim_patient = np.empty_like(patient)
    sim_patient[order] = patient_numbers(parent)
    model = _return_statistics(created_s, modality, sim_patient, lookback_days)
    diag = {}
    for m in usable:
        i = codes[m]
        if mu[i] >= MAX_GAP_LOG - 1e-6 or p[i] >= 0.99 - 1e-9:
            fit.notes.append(f"{m}: return visits did not fit (the gap to the earlier study ran "
                             "to its bound: the data show no clear return pattern); returns "
                             "keep the base values")
            continue
        specs[m]["returns"] = {"probability": round(float(p[i]), 4),
                               "gap_median_days": round(float(np.exp(mu[i])), 1),
                               "gap_sigma": round(float(sigma[i]), 3),
                               "same_modality": round(float(same[i]), 4)}
        diag[m] = {"returns_seen": int(data[i][4]), "observed_share": round(data[i][0], 4)}
        fit.curves.setdefault("returns", {})[m] = (data[i][5], model[i][5], float(np.exp(mu[i])))
    fit.diagnostics["returns"] = {"lookback_days": round(lookback_days), **diag}


def _match(created_s, modality, p, mu, sigma, same, rng) -> np.ndarray:
    return match_returns(created_s, modality, p, np.exp(mu), sigma, same, rng)


def _return_statistics(created_s: np.ndarray, modality: np.ndarray, patient: np.ndarray,
                       lookback_days: float) -> list[tuple]:
    """Per modality, over studies after the look-back: (share whose patient had any study within
    it, the median and the 90th-minus-50th percentile spread of the log gap in days to the
    patient's latest study of the same modality within it, share of the returns whose latest
    study is of the same modality, how many such gaps, the gaps)."""
    order = np.lexsort((created_s, patient))
    t, m, pt = created_s[order], modality[order], patient[order]
    same_patient = np.r_[False, pt[1:] == pt[:-1]]
    gap_days = np.where(same_patient, (t - np.r_[0, t[:-1]]) / DAY_S, np.inf)
    prev_m = np.r_[-1, m[:-1]]
    eligible = t >= lookback_days * DAY_S
    seen = same_patient & (gap_days <= lookback_days) & (gap_days > 0)
    by_modality = np.lexsort((created_s, modality, patient))
    t2, m2, p2 = created_s[by_modality], modality[by_modality], patient[by_modality]
    same_key = np.r_[False, (p2[1:] == p2[:-1]) & (m2[1:] == m2[:-1])]
    gap2 = np.where(same_key, (t2 - np.r_[0, t2[:-1]]) / DAY_S, np.inf)
    seen2 = same_key & (gap2 <= lookback_days) & (gap2 > 0) & (t2 >= lookback_days * DAY_S)
    out = []
    for i in range(len(MODALITIES)):
        base = eligible & (m == i)
        hit = base & seen
        gaps = gap2[seen2 & (m2 == i)]
        logs = np.log(gaps)
        out.append((float(hit.sum() / base.sum()) if base.any() else 0.0,
                    float(np.median(logs)) if logs.size else 0.0,
                    float(np.percentile(logs, 90) - np.percentile(logs, 50))
                    if logs.size > 1 else 1.0,
                    float((prev_m[hit] == i).mean()) if hit.any() else 0.0,
                    int(gaps.size), gaps))
    return out


def _ages(studies: pd.DataFrame, base: Scenario, fit: Fit) -> None:
    first = studies[studies.patient.notna()].groupby("patient").age_years.first().dropna()
    if len(first) < MIN_STUDIES:
        fit.notes.append("ages unknown or too few: patient ages keep the base values")
        return
    assert base.workload.patients is not None  # a base with a workload model (CLI check)
    bands = base.workload.patients.age_bands
    counts = [int(((first >= b.from_years) & (first < b.to_years)).sum()) for b in bands]
    total = sum(counts)
    if total == 0:
        return
    shares = _shares({str(i): c / total for i, c in enumerate(counts)})
    fit.workload["patients"] = {"age_bands": [
        {"from_years": b.from_years, "to_years": b.to_years, "share": shares[str(i)]}
        for i, b in enumerate(bands)]}
    outside = len(first) - total
    if outside:
        fit.notes.append(f"{outside} patients' ages fall outside the base scenario's age bands")


# ------------------------------------------------------------------------------------ reads


def _reads(studies: pd.DataFrame, reads: pd.DataFrame, t1, base: Scenario, fit: Fit) -> None:
    info = studies.set_index("study")[["time", "patient", "modality"]]
    known = reads.study.isin(info.index)
    if (~known).any():
        fit.notes.append(f"{int((~known).sum())} reads of studies not in the study data were "
                         "left out")
    r = reads[known].merge(info.rename(columns={"time": "created"}), left_on="study",
                           right_index=True, how="left")
    early = r.time < r.created
    if early.any():
        fit.notes.append(f"{int(early.sum())} reads before their study's time were left out")
        r = r[~early]
    end = max(t1, r.time.max())
    age_days = ((r.time - r.created) / pd.Timedelta(days=1)).to_numpy()
    prior, prior_new = _prior_reads(r, studies)
    spec: dict = {}
    priors_fit = _priors(r[prior], prior_new, studies, fit)
    other = ~prior
    # report: each study's first read (not a prior pull) within 7 days
    first = pd.Series(np.where(other, age_days, np.inf), index=r.index).groupby(
        r.study.to_numpy()).min()
    observed_week = studies.time <= end - pd.Timedelta(days=REPORT_WINDOW_DAYS)
    n_week = int(observed_week.sum())
    delays = first[first <= REPORT_WINDOW_DAYS]
    reported = delays.reindex(studies.study[observed_week]).notna().mean() if n_week else 0
    spec["report_reads"] = 1 if reported >= 0.5 else 0
    if spec["report_reads"]:
        spec["report_delay_hours"] = round(float(delays.mean() * 24), 2)
    is_report = other & (age_days == first.reindex(r.study).to_numpy()) \
        & (age_days <= REPORT_WINDOW_DAYS) & bool(spec["report_reads"])
    # each study's report is one read (ties at the same second: the first row)
    is_report &= ~pd.Series(is_report).groupby(r.study.to_numpy()).cumsum().gt(1).to_numpy()
    assert base.workload.reads is not None  # a base with a workload model (CLI check)
    window_days = base.workload.reads.followup_window_days  # the model's own windows
    follow = other & ~is_report & (age_days < window_days)
    observed_month = studies.time <= end - pd.Timedelta(days=window_days)
    covered = set(studies.study[observed_month])
    n_month = len(covered)
    if n_month:
        spec["followup_reads"] = round(float(
            (follow & r.study.isin(covered).to_numpy()).sum() / n_month), 4)
        spec["followup_window_days"] = window_days
    late = other & ~is_report & (age_days >= _decay_start(base) * YEAR_DAYS)
    spec["decay"] = _decay(studies, age_days[late] / YEAR_DAYS, end, base, fit)
    spec["bulk"] = []
    fit.workload["reads"] = spec
    if priors_fit:
        fit.workload["priors"] = priors_fit
    daily = r.time.dt.floor("D").value_counts()
    if len(daily) > 30 and daily.max() > 10 * daily.median():
        fit.notes.append(f"reads peak at {int(daily.max())} on {daily.idxmax().date()} (median "
                         f"{int(daily.median())} a day): a bulk read such as a research cohort? "
                         "Bulk cohorts are not fitted; add them as workload.reads.bulk")
    fit.diagnostics["reads"] = {"reads": int(len(r)), "prior_pulls": int(prior.sum()),
                                "report_reads": int(is_report.sum()),
                                "followups": int(follow.sum()), "decay_reads": int(late.sum())}


def _prior_reads(r: pd.DataFrame, studies: pd.DataFrame) -> tuple[np.ndarray, pd.Series]:
    """Reads within an hour of a new study of the same patient, of an older study; and that new
    study's time for each (NaT elsewhere)."""
    prior = np.zeros(len(r), dtype=bool)
    new_time = pd.Series(pd.NaT, index=r.index, dtype="datetime64[ns]")
    have = r.patient.notna()
    if not have.any():
        return prior, new_time
    events = studies[studies.patient.notna()][["patient", "time", "study", "modality"]] \
        .rename(columns={"time": "new_time", "study": "new_study",
                         "modality": "new_modality"}).sort_values("new_time")
    left = r[have].reset_index().sort_values("time")
    matched = pd.merge_asof(left, events, left_on="time", right_on="new_time", by="patient",
                            direction="nearest",
                            tolerance=pd.Timedelta(seconds=PRIOR_TOLERANCE_S))
    ok = matched.new_study.notna() & (matched.new_study != matched.study) \
        & (matched.new_time > matched.created)
    index = matched["index"][ok].to_numpy()
    prior[r.index.get_indexer(index)] = True
    new_time.loc[index] = matched.new_time[ok].to_numpy()
    r.loc[index, "new_study"] = matched.new_study[ok].to_numpy()
    r.loc[index, "new_modality"] = matched.new_modality[ok].to_numpy()
    return prior, new_time


def _priors(pulled: pd.DataFrame, new_time: pd.Series, studies: pd.DataFrame,
            fit: Fit) -> dict | None:
    if pulled.empty:
        fit.notes.append("no prior pulls found (reads within an hour of a new study of the "
                         "same patient): priors keep the base values")
        return None
    per_new = pulled.groupby("new_study").study.nunique()
    count = int(np.ceil(np.percentile(per_new, 95)))
    age_years = ((pulled.new_study.map(studies.set_index("study").time) - pulled.created)
                 / pd.Timedelta(days=YEAR_DAYS))
    window = float(np.ceil(np.percentile(age_years, 99) * 2) / 2)
    same = float((pulled.modality == pulled.new_modality).mean())
    span = (studies.time.max() - studies.time.min()) / pd.Timedelta(days=YEAR_DAYS)
    if window >= span - 1:
        fit.notes.append(f"priors were pulled back to {window:g} years, close to the "
                         f"{span:.1f} years of data: the real look-back may be longer")
    fit.diagnostics["priors"] = {"new_studies_with_priors": int(len(per_new)),
                                 "pulled": int(len(pulled)), "same_modality_share":
                                 round(same, 3)}
    return {"count": max(1, count), "window_years": max(0.5, window),
            "match": "modality" if same >= 0.9 else "any"}


def _decay(studies: pd.DataFrame, read_age_years: np.ndarray, end, base: Scenario,
           fit: Fit) -> list[dict]:
    """Reads per study-year in each age bin: reads / years observed in that bin."""
    assert base.workload.reads is not None
    edges = [b.from_years for b in base.workload.reads.decay] or [_decay_start(base)]
    life = ((end - studies.time) / pd.Timedelta(days=YEAR_DAYS)).to_numpy()
    bins = []
    observed = []
    for i, lo in enumerate(edges):
        hi = edges[i + 1] if i + 1 < len(edges) else np.inf
        exposure = np.clip(np.minimum(life, hi) - lo, 0, None).sum()
        if exposure < 1.0:  # less than one study-year seen in this bin: no estimate
            break
        n = int(((read_age_years >= lo) & (read_age_years < hi)).sum())
        rate = n / exposure
        bins.append({"from_years": lo, "reads_per_year": round(float(rate), 5)})
        observed.append((lo, hi, rate, exposure))
    if len(bins) < len(edges):
        fit.notes.append(f"reads observed up to age {edges[len(bins)]:g} years: older bins "
                         "take the last fitted rate (the last bin is open-ended)")
    fit.curves["decay"] = observed
    return bins


def _decay_start(base: Scenario) -> float:
    """Study age where the base scenario's age-decay reads start. [years]"""
    assert base.workload.reads is not None
    decay = base.workload.reads.decay
    return decay[0].from_years if decay else DECAY_START_YEARS


def _reads_from_class_analysis(sca: pd.DataFrame, base: Scenario, fit: Fit) -> None:
    """Decay from S3 Storage Class Analysis: data retrieved per day / data stored, by age."""
    start = _decay_start(base)
    rows = sca[(sca.storage_mb > 0) & (sca.age_from_days >= start * YEAR_DAYS - 1)]
    if rows.empty:
        fit.notes.append("the Storage Class Analysis export holds no aged storage")
        return
    rows = rows.sort_values("age_from_days")
    decay = [{"from_years": round(float(a) / YEAR_DAYS, 4),
              "reads_per_year": round(float(ret / sto * YEAR_DAYS), 5)}
             for a, ret, sto in zip(rows.age_from_days, rows.retrieved_mb / rows.days,
                                    rows.storage_mb / rows.days, strict=True)]
    decay[0]["from_years"] = start
    fit.workload["reads"] = {"decay": decay}
    fit.notes.append("reads by age come from the Storage Class Analysis (bytes retrieved per "
                     "byte stored, read as whole-study reads); report, follow-up and prior "
                     "reads keep the base values")
    fit.curves["decay"] = [(d["from_years"], np.nan, d["reads_per_year"], np.nan)
                           for d in decay]
