"""Reads of studies: reports, early follow-ups, age-decaying look-ups, priors, bulk cohorts.

- report: ``report_reads`` reads per study after an exponential delay (``report_delay_hours``);
- follow-up: Poisson(``followup_reads``) reads uniform in the first ``followup_window_days``;
- decay: a piecewise-constant Poisson rate by study age (``decay`` bins), the last bin open-ended;
- prior: when a returning patient's study arrives, the patient's ``priors.count`` most recent
  earlier studies within ``priors.window_years`` (same modality when ``match: modality``) are
  pulled at that moment;
- bulk: each cohort reads a share of the matching studies once, uniformly over ``over_days``.

A read happens only while the study exists: after acquisition, before deletion and before the end
of the run.  The result is sorted by time; ties by study, then kind.
"""

from __future__ import annotations

from concurrent.futures import Future
from contextlib import nullcontext

import numpy as np

from sim.calendar import SECONDS_PER_DAY, SECONDS_PER_HOUR, SECONDS_PER_YEAR, Calendar
from sim.jit import kernel
from sim.scenario import Priors
from sim.scenario import Reads as ReadsSpec
from sim.workload.model import ReadKind, Reads
from sim.workload.sorting import last_at_or_below, sort_in_place, stable_argsort
from sim.workload.threads import beside

_Part = tuple[np.ndarray, np.ndarray, ReadKind]


def draw_reads(
    created_s: np.ndarray,
    modality: np.ndarray,
    patient: np.ndarray,
    delete_s: np.ndarray,
    spec: ReadsSpec,
    priors: Priors,
    modalities: tuple[str, ...],
    calendar: Calendar,
    rng: np.random.Generator,
    from_s: int = 0,
    first: list[_Part] | None = None,
    priors_found: Future | None = None,
) -> Reads:
    """All reads of the run, sorted by time; with ``from_s``, only those at or after it (the
    draws are the same: a history's reads are drawn, then dropped before the sort).
    ``first``: the report and follow-up reads, already drawn from ``rng`` by
    :func:`first_reads` (the draw then goes on from there); ``priors_found``: the prior pulls
    (:func:`prior_reads`) already under way."""
    end_s = np.minimum(delete_s, calendar.horizon_s)
    # priors draw nothing: found on a second thread while the random reads are drawn (numpy
    # releases the GIL), unless already under way; the parts keep their order
    with nullcontext(priors_found) if priors_found is not None else \
            beside(prior_reads, created_s, modality, patient, priors, len(modalities)) as prior:
        drawn = [*(first_reads(created_s, spec, rng) if first is None else first),
                 *_decay_reads(created_s, end_s, spec, rng)]
        bulk = _bulk_reads(created_s, modality, spec, modalities, calendar, rng)
        parts: list[_Part] = [*drawn, prior.result(), *bulk]
    return assemble_reads(parts, created_s, end_s, calendar.horizon_s, from_s)


def first_reads(created_s: np.ndarray, spec: ReadsSpec, rng: np.random.Generator
                ) -> list[_Part]:
    """The report and follow-up reads: the first draws of the reads' stream, and the only ones
    that need no more than the studies' creation times (a draw may take them early, beside the
    patients' ages and deletions)."""
    return [_report_reads(created_s, spec, rng), _followup_reads(created_s, spec, rng)]


def assemble_reads(
    parts: list[_Part], created_s: np.ndarray, end_s: np.ndarray, horizon_s: int,
    from_s: int = 0,
) -> Reads:
    """Concatenate read parts, keep those before the study's deletion and the run's end (and at
    or after ``from_s``), sort by time (ties by study, then kind).  Every part starts at or after
    its study's creation."""
    index_type = np.int32 if created_s.size < 2**31 else np.int64
    study_bits = max(1, (created_s.size - 1).bit_length())
    kind_bits = 3
    if int(horizon_s).bit_length() + study_bits + kind_bits <= 63:
        # one sort of packed (time, study, kind) keys, written part by part by a kernel that
        # keeps the live reads: no masks, no 40M-row gathers
        shift = study_bits + kind_bits
        key = np.empty(sum(p[0].size for p in parts), dtype=np.int64)
        kept = 0
        for p in parts:
            kept = _pack_live(p[0], p[1], int(p[2]), end_s, from_s, shift, kind_bits, key, kept)
        key = key[:kept]
        sort_in_place(key)
        study = np.empty(kept, dtype=index_type)
        time_s = np.empty(kept, dtype=np.int64)
        kind = np.empty(kept, dtype=np.int8)
        _unpack(key, shift, kind_bits, study, time_s, kind)
        return Reads(study=study, time_s=time_s, kind=kind)
    alive = [(p[1] < end_s[p[0]]) & (p[1] >= from_s) if from_s else p[1] < end_s[p[0]]
             for p in parts]
    study = np.concatenate([p[0][a] for p, a in zip(parts, alive, strict=True)])
    time_s = np.concatenate([p[1][a] for p, a in zip(parts, alive, strict=True)])
    kind = np.concatenate([np.full(int(a.sum()), p[2], dtype=np.int8)
                           for p, a in zip(parts, alive, strict=True)])
    order = np.lexsort((kind, study, time_s))
    return Reads(study=study[order].astype(index_type), time_s=time_s[order], kind=kind[order])


@kernel
def _pack_live(study, time_s, kind, end_s, from_s, shift, kind_bits, key,
               kept):  # pragma: no cover - compiled
    """Append to ``key`` (from ``kept`` on) the packed (time, study, kind) key of each read of a
    part that comes before its study's end and at or after ``from_s``; returns the new count."""
    for i in range(study.size):
        t = time_s[i]
        if t < end_s[study[i]] and t >= from_s:
            key[kept] = (t << shift) | (np.int64(study[i]) << kind_bits) | kind
            kept += 1
    return kept


@kernel
def _unpack(key, shift, kind_bits, study, time_s, kind):  # pragma: no cover - compiled
    """Each packed key's study, time and kind."""
    study_mask = (np.int64(1) << (shift - kind_bits)) - 1
    kind_mask = (np.int64(1) << kind_bits) - 1
    for i in range(key.size):
        k = key[i]
        study[i] = (k >> kind_bits) & study_mask
        time_s[i] = k >> shift
        kind[i] = k & kind_mask


def _report_reads(created_s: np.ndarray, spec: ReadsSpec, rng: np.random.Generator) -> _Part:
    study = np.repeat(np.arange(created_s.size, dtype=np.int64), spec.report_reads)
    delay = rng.exponential(spec.report_delay_hours * SECONDS_PER_HOUR, study.size)
    return study, created_s[study] + np.floor(delay).astype(np.int64), ReadKind.REPORT


def _followup_reads(created_s: np.ndarray, spec: ReadsSpec, rng: np.random.Generator) -> _Part:
    counts = rng.poisson(spec.followup_reads, created_s.size)
    study = np.repeat(np.arange(created_s.size, dtype=np.int64), counts)
    window_s = spec.followup_window_days * SECONDS_PER_DAY
    offset = np.floor(rng.random(study.size) * window_s).astype(np.int64)
    return study, created_s[study] + offset, ReadKind.FOLLOWUP


def _decay_reads(
    created_s: np.ndarray, end_s: np.ndarray, spec: ReadsSpec, rng: np.random.Generator
) -> list[_Part]:
    """A Poisson process in study age with the piecewise-constant rate of the ``decay`` bins,
    drawn as one count per study (Poisson with the study's whole expected number of reads) and
    each read's age by inverting the cumulative rate."""
    bins = spec.decay
    if not bins or created_s.size == 0:
        return []
    starts = np.array([round(b.from_years * SECONDS_PER_YEAR) for b in bins], dtype=np.float64)
    rates = np.array([b.reads_per_year for b in bins]) / SECONDS_PER_YEAR  # [reads/s]
    cumulative = np.concatenate(([0.0], np.cumsum(rates[:-1] * np.diff(starts))))  # at starts
    expected = _expected_reads(created_s, end_s, starts, rates, cumulative)
    counts = rng.poisson(expected)
    study = np.repeat(np.arange(created_s.size, dtype=np.int64), counts)
    u = rng.random(study.size)
    return [(study, _read_times(created_s, study, u, expected, starts, rates, cumulative),
             ReadKind.DECAY)]


@kernel
def _expected_reads(created_s, end_s, starts, rates, cumulative):  # pragma: no cover - compiled
    """Each study's expected decay reads: the cumulative rate at its age at deletion or the
    run's end (0 before the first bin)."""
    out = np.empty(created_s.size, dtype=np.float64)
    for i in range(created_s.size):
        life = np.float64(end_s[i] - created_s[i])
        k = last_at_or_below(starts, life)
        out[i] = cumulative[k] + rates[k] * (life - starts[k]) if k >= 0 else 0.0
    return out


@kernel
def _read_times(created_s, study, u, expected, starts, rates, cumulative
                ):  # pragma: no cover - compiled
    """Each decay read's time: the cumulative rate inverted at ``u`` x its study's expected
    reads (never in a zero-rate bin: that share is below the study's expected reads). [s]"""
    out = np.empty(study.size, dtype=np.int64)
    for i in range(study.size):
        s = study[i]
        share = u[i] * expected[s]
        b = last_at_or_below(cumulative, share)
        rate = rates[b] if rates[b] > 0 else np.inf
        out[i] = created_s[s] + np.int64(np.floor(starts[b] + (share - cumulative[b]) / rate))
    return out


def prior_reads(
    created_s: np.ndarray, modality: np.ndarray, patient: np.ndarray, priors: Priors, n_mod: int
) -> _Part:
    """The prior pulls: each study's ``priors.count`` latest earlier studies of its patient
    (of its modality where ``priors.match`` asks) within the window, read at its creation.
    Draws nothing, so it may be found beside the draws."""
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), ReadKind.PRIOR)
    if priors.count == 0 or created_s.size == 0:
        return empty
    key = patient.astype(np.int64)
    if priors.match == "modality":
        key = key * n_mod + modality
    order = stable_argsort(key)  # time order is kept within a key
    sorted_key = key[order]
    sorted_t = created_s[order]
    window_s = priors.window_years * SECONDS_PER_YEAR
    studies, times = [], []
    for k in range(1, priors.count + 1):
        if k >= order.size:
            break
        ok = (sorted_key[k:] == sorted_key[:-k]) & (sorted_t[k:] - sorted_t[:-k] <= window_s)
        studies.append(order[:-k][ok])
        times.append(sorted_t[k:][ok])
    if not studies:
        return empty
    return np.concatenate(studies), np.concatenate(times), ReadKind.PRIOR


def _bulk_reads(
    created_s: np.ndarray,
    modality: np.ndarray,
    spec: ReadsSpec,
    modalities: tuple[str, ...],
    calendar: Calendar,
    rng: np.random.Generator,
) -> list[_Part]:
    parts: list[_Part] = []
    if not spec.bulk:
        return parts
    year = calendar.timestamps(created_s).astype("datetime64[Y]").astype(np.int64) + 1970
    for cohort in spec.bulk:
        at_s = calendar.midnight_s(cohort.at)
        match = created_s < at_s
        if cohort.study_years is not None:
            match &= np.isin(year, cohort.study_years)
        if cohort.modalities is not None:
            wanted = [modalities.index(m) for m in cohort.modalities]
            match &= np.isin(modality, wanted)
        chosen = np.flatnonzero(match & (rng.random(created_s.size) < cohort.share))
        offset = np.floor(rng.random(chosen.size) * cohort.over_days * SECONDS_PER_DAY)
        parts.append((chosen, at_s + offset.astype(np.int64), ReadKind.BULK))
    return parts
