"""The reads table (every read: where it was served from, how long it took, or that it missed)
and the figures clinicians care about: misses, missed priors, priors within a latency target."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.jit import kernel
from sim.workload.model import READ_KIND_NAMES, ReadKind, Reads, read_only

MISSING_NAME = "missing"
UNAVAILABLE_NAME = "unavailable"
PRIOR_LATENCY_TARGET_S = 5.0
"""Time-to-display target for priors: web display under 5 s is the clinical threshold cited in
Eur Radiol 2003 (radiology-workload.md section 7)."""

_MISSING, _UNAVAILABLE, _PRIORS, _PRIORS_UNAVAILABLE, _FAST, _FAST_PRIORS, _SERVED, \
    _NAN_SERVED = range(8)
_TALLIES = 8
"""The counts a tally of the reads keeps (:func:`_tally_reads`), by position."""


def reads_table(reads: Reads, archive: str, tier_names: tuple[str, ...], tier: np.ndarray,
                latency_s: np.ndarray) -> pd.DataFrame:
    """One row per read: study, time_s, read_kind, archive, tier (or ``missing`` /
    ``unavailable``), latency_s (NaN when not served)."""
    names = [*tier_names, UNAVAILABLE_NAME, MISSING_NAME]
    codes = np.where(tier < 0, len(names) + tier, tier)  # -1 missing, -2 unavailable
    kind_names = [READ_KIND_NAMES[k] for k in sorted(READ_KIND_NAMES)]
    n = len(reads)
    return pd.DataFrame({  # categorical columns: one byte per read, not a string pointer
        "study": read_only(reads.study),
        "time_s": read_only(reads.time_s),
        "read_kind": pd.Categorical.from_codes(reads.kind, kind_names),
        "archive": pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), [archive]),
        "tier": pd.Categorical.from_codes(codes, names),
        "latency_s": latency_s,
    }, copy=False)


@dataclass(frozen=True)
class ReadMasks:
    """Per read: whether it was served, missed (not held), unavailable (link down), a prior
    pull, served within the target; its latency [s] (as stored); and the served reads per tier
    name."""

    served: np.ndarray
    missing: np.ndarray
    unavailable: np.ndarray
    prior: np.ndarray
    fast: np.ndarray
    latency: np.ndarray
    by_tier: dict[str, int]

    def served_latency(self) -> np.ndarray:
        """The latencies of the served reads, as float64. [s]"""
        return self.latency[self.served].astype(np.float64)


def read_masks(reads: pd.DataFrame, target_s: float = PRIOR_LATENCY_TARGET_S) -> ReadMasks:
    """The masks of :class:`ReadMasks`, computed on the categorical codes of the reads table
    (a byte per read; no string per read; reads counted per tier name, one comparison each)."""
    names, codes = _codes(reads["tier"])
    n = len(names)
    missing_code = names.index(MISSING_NAME) if MISSING_NAME in names else n
    unavailable_code = names.index(UNAVAILABLE_NAME) if UNAVAILABLE_NAME in names else n
    missing = codes == missing_code
    unavailable = codes == unavailable_code
    served = ~(missing | unavailable)
    latency = reads["latency_s"].to_numpy()
    kind_names, kind_codes = _codes(reads["read_kind"])
    prior_name = READ_KIND_NAMES[ReadKind.PRIOR]
    prior = kind_codes == (kind_names.index(prior_name) if prior_name in kind_names
                           else len(kind_names))
    by_tier = {}
    for k in range(n):
        if k not in (missing_code, unavailable_code):
            count = int(np.count_nonzero(codes == k))
            if count:
                by_tier[str(names[k])] = count
    return ReadMasks(served, missing, unavailable, prior, served & (latency <= target_s),
                     latency, by_tier)


def _codes(column: pd.Series) -> tuple[list, np.ndarray]:
    """The category names and each row's code (any column: categorical or not)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return list(column.cat.categories), column.cat.codes.to_numpy()
    names, codes = np.unique(column.to_numpy(), return_inverse=True)
    return list(names), codes


@dataclass(frozen=True)
class ReadTally:
    """What one compiled pass over the reads table finds (:func:`tally_reads`): the codes it
    read, the counts of :data:`_TALLIES`, reads per tier code, the histogram of the served
    latencies' upper key bits, and the largest served latency. [s]"""

    names: list
    codes: np.ndarray
    latency: np.ndarray
    missing_code: int
    unavailable_code: int
    tallies: np.ndarray
    by_code: np.ndarray
    high: np.ndarray
    largest: float

    def count(self, which: int) -> int:
        return int(self.tallies[which])

    served = property(lambda self: self.count(_SERVED))
    missing = property(lambda self: self.count(_MISSING))
    unavailable = property(lambda self: self.count(_UNAVAILABLE))
    priors = property(lambda self: self.count(_PRIORS))
    priors_unavailable = property(lambda self: self.count(_PRIORS_UNAVAILABLE))
    fast = property(lambda self: self.count(_FAST))
    """Served within the target."""
    fast_priors = property(lambda self: self.count(_FAST_PRIORS))

    def by_tier(self) -> dict[str, int]:
        """Served reads per tier name, in name order."""
        n = len(self.names)
        found = {str(self.names[k]): int(self.by_code[k]) for k in range(n)
                 if k not in (self.missing_code, self.unavailable_code) and self.by_code[k]}
        return dict(sorted(found.items()))


def tally_reads(reads: pd.DataFrame, target_s: float) -> ReadTally | None:
    """One compiled pass over the reads' codes and float32 latencies; None where the numpy
    masks must answer instead (other latencies, a served read without a latency)."""
    names, codes = _codes(reads["tier"])
    kind_names, kind_codes = _codes(reads["read_kind"])
    latency = reads["latency_s"].to_numpy()
    n = len(names)
    missing_code = names.index(MISSING_NAME) if MISSING_NAME in names else n
    unavailable_code = names.index(UNAVAILABLE_NAME) if UNAVAILABLE_NAME in names else n
    prior_name = READ_KIND_NAMES[ReadKind.PRIOR]
    prior_code = kind_names.index(prior_name) if prior_name in kind_names else len(kind_names)
    if latency.dtype != np.float32:
        return None
    tallies = np.zeros(_TALLIES, dtype=np.int64)
    by_code = np.zeros(n + 1, dtype=np.int64)
    high = np.zeros(1 << 16, dtype=np.int64)
    largest = _tally_reads(codes, kind_codes, latency, latency.view(np.uint32), missing_code,
                           unavailable_code, prior_code, np.float32(target_s), tallies,
                           by_code, high)
    if tallies[_NAN_SERVED]:  # a served read without a latency: numpy's rules for NaN
        return None
    return ReadTally(names, codes, latency, missing_code, unavailable_code, tallies, by_code,
                     high, float(largest))


def read_figures(reads: pd.DataFrame, target_s: float = PRIOR_LATENCY_TARGET_S
                 ) -> dict[str, Any]:
    """Counts by tier, misses, missed priors, the share of reads and of priors served within
    ``target_s``, latency percentiles. [s]

    One compiled pass over the reads' codes and latencies (:func:`tally_reads`: no per-read
    masks); the percentiles are numpy's (``np.percentile``, linear method) to the last bit, from
    the exact order statistics found by a radix select (:func:`_order_statistics`)."""
    t = tally_reads(reads, target_s)
    if t is None:
        return _read_figures_by_masks(reads, target_s)
    served = t.served
    p50, p99 = _percentiles(t.latency, t.codes, t.missing_code, t.unavailable_code, served,
                            t.high, [50, 99]) if served else (0.0, 0.0)
    priors, fast = t.priors, t.fast
    return {
        "reads": int(len(reads)),
        "missing": t.missing,
        "unavailable": t.unavailable,
        "priors": priors,
        "priors_unavailable": t.priors_unavailable,
        "by_tier": t.by_tier(),
        "latency_target_s": target_s,
        "share_within_target": fast / len(reads) if len(reads) else 1.0,
        "priors_within_target_share": t.fast_priors / priors if priors else 1.0,
        "latency_p50_s": float(p50),
        "latency_p99_s": float(p99),
        "latency_max_s": t.largest if served else 0.0,
    }


def _read_figures_by_masks(reads: pd.DataFrame, target_s: float) -> dict[str, Any]:
    """:func:`read_figures` with numpy masks (latencies other than float32, a served read
    without a latency)."""
    m = read_masks(reads, target_s)
    lat = m.served_latency()
    p50, p99 = np.percentile(lat, [50, 99]) if lat.size else (0.0, 0.0)
    prior, fast = m.prior, m.fast
    return {
        "reads": int(len(reads)),
        "missing": int(m.missing.sum()),
        "unavailable": int(m.unavailable.sum()),
        "priors": int(prior.sum()),
        "priors_unavailable": int((prior & m.unavailable).sum()),
        "by_tier": dict(sorted(m.by_tier.items())),
        "latency_target_s": target_s,
        "share_within_target": float(fast.sum() / len(reads)) if len(reads) else 1.0,
        "priors_within_target_share": float((fast & prior).sum() / prior.sum())
        if prior.any() else 1.0,
        "latency_p50_s": float(p50),
        "latency_p99_s": float(p99),
        "latency_max_s": float(lat.max()) if lat.size else 0.0,
    }


def _percentiles(latency: np.ndarray, codes: np.ndarray, missing_code: int,
                 unavailable_code: int, served: int, high: np.ndarray,
                 q: list[float]) -> list[float]:
    """``np.percentile(latency of the served reads as float64, q)``, computed as numpy does
    (linear method: virtual index, neighbours, ``_lerp``), from the order statistics it
    needs."""
    quantiles = np.true_divide(np.asanyarray(q), 100)
    virtual = (served - 1) * quantiles
    previous = np.floor(virtual)
    following = previous + 1
    above = virtual >= served - 1
    previous[above] = served - 1  # numpy's index -1: the largest value
    following[above] = served - 1
    ranks = np.unique(np.concatenate([previous, following]).astype(np.int64))
    keys = _order_statistics(latency.view(np.uint32), codes,
                             missing_code, unavailable_code, high, ranks)
    negative = (keys & np.uint32(0x80000000)) == 0  # back from sort keys to float32 bits
    bits = np.where(negative, ~keys, keys & np.uint32(0x7FFFFFFF)).astype(np.uint32)
    values = bits.view(np.float32).astype(np.float64)  # the order statistics, by rank
    a = values[np.searchsorted(ranks, previous)]
    b = values[np.searchsorted(ranks, following)]
    gamma = np.asanyarray(virtual - np.floor(virtual), dtype=virtual.dtype)
    gamma[above] = virtual[above] + 1  # as numpy: minus its index there, -1
    diff_b_a = b - a
    result = np.add(a, diff_b_a * gamma)
    np.subtract(b, diff_b_a * (1 - gamma), out=result, where=gamma >= 0.5,
                casting="unsafe", dtype=type(result.dtype))
    return result.tolist()


@kernel
def _sort_key(bits):  # pragma: no cover - compiled
    """A float32's bits as an unsigned key in the order of the values (-0.0 as 0.0)."""
    if bits == np.uint32(0x80000000):
        bits = np.uint32(0)
    if bits & np.uint32(0x80000000):
        return ~bits
    return bits | np.uint32(0x80000000)


@kernel
def _tally_reads(codes, kind_codes, latency, bits, missing_code, unavailable_code, prior_code,
                 target_s, tallies, by_code, high):  # pragma: no cover - compiled
    """One pass: reads per tier code, the counts of :data:`_TALLIES`, and the histogram of
    the served latencies' upper 16 key bits (``bits``: the latencies' bits, a uint32 view);
    returns the largest served latency."""
    largest = np.float32(-np.inf)
    for r in range(codes.size):
        code = codes[r]
        by_code[min(code, by_code.size - 1)] += 1
        prior = kind_codes[r] == prior_code
        if prior:
            tallies[_PRIORS] += 1
        if code == missing_code:
            tallies[_MISSING] += 1
            continue
        if code == unavailable_code:
            tallies[_UNAVAILABLE] += 1
            if prior:
                tallies[_PRIORS_UNAVAILABLE] += 1
            continue
        value = latency[r]
        tallies[_SERVED] += 1
        if np.isnan(value):
            tallies[_NAN_SERVED] += 1
            continue
        if value <= target_s:
            tallies[_FAST] += 1
            if prior:
                tallies[_FAST_PRIORS] += 1
        if value > largest:
            largest = value
        high[_sort_key(bits[r]) >> 16] += 1
    return largest


@kernel
def _order_statistics(bits, codes, missing_code, unavailable_code, high,
                      ranks):  # pragma: no cover - compiled
    """The sort keys (:func:`_sort_key`) of the ``ranks``-th smallest served latencies
    (0-based, ascending ranks; ``bits``: the latencies' bits): the upper key bits from
    ``high``, then one pass for the lower bits within those buckets."""
    buckets = np.empty(ranks.size, dtype=np.int64)
    within = np.empty(ranks.size, dtype=np.int64)  # rank inside its bucket
    below, b = 0, 0
    for i in range(ranks.size):
        while below + high[b] <= ranks[i]:
            below += high[b]
            b += 1
        buckets[i] = b
        within[i] = ranks[i] - below
    slot = np.full(1 << 16, -1, dtype=np.int64)  # each needed bucket's row in ``low``
    for i in range(ranks.size):
        slot[buckets[i]] = i
    low = np.zeros((ranks.size, 1 << 16), dtype=np.int64)
    for r in range(codes.size):
        if codes[r] == missing_code or codes[r] == unavailable_code:
            continue
        key = _sort_key(bits[r])
        row = slot[key >> 16]
        if row >= 0:
            low[row, key & 0xFFFF] += 1
    keys = np.empty(ranks.size, dtype=np.uint32)
    for i in range(ranks.size):
        row = slot[buckets[i]]
        seen, k = 0, 0
        while seen + low[row, k] <= within[i]:
            seen += low[row, k]
            k += 1
        keys[i] = np.uint32((buckets[i] << 16) | k)
    return keys
