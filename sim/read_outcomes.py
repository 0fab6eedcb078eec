"""The reads table (every read: where it was served from, how long it took, or that it missed)
and the figures clinicians care about: misses, missed priors, priors within a latency target."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.workload.model import READ_KIND_NAMES, ReadKind, Reads

MISSING_NAME = "missing"
UNAVAILABLE_NAME = "unavailable"
PRIOR_LATENCY_TARGET_S = 5.0
"""Time-to-display target for priors: web display under 5 s is the clinical threshold cited in
Eur Radiol 2003 (radiology-workload.md section 7)."""


def reads_table(reads: Reads, archive: str, tier_names: tuple[str, ...], tier: np.ndarray,
                latency_s: np.ndarray) -> pd.DataFrame:
    """One row per read: study, time_s, read_kind, archive, tier (or ``missing`` /
    ``unavailable``), latency_s (NaN when not served)."""
    names = [*tier_names, UNAVAILABLE_NAME, MISSING_NAME]
    codes = np.where(tier < 0, len(names) + tier, tier)  # -1 missing, -2 unavailable
    kind_names = [READ_KIND_NAMES[k] for k in sorted(READ_KIND_NAMES)]
    n = len(reads)
    return pd.DataFrame({  # categorical columns: one byte per read, not a string pointer
        "study": _read_only(reads.study),
        "time_s": _read_only(reads.time_s),
        "read_kind": pd.Categorical.from_codes(reads.kind, kind_names),
        "archive": pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), [archive]),
        "tier": pd.Categorical.from_codes(codes, names),
        "latency_s": latency_s,
    }, copy=False)


def _read_only(values: np.ndarray) -> np.ndarray:
    """A read-only view of a workload's array: the table shares it instead of copying it
    (hundreds of megabytes for millions of reads, kept by every option of a comparison), and an
    assignment into the table fails instead of changing the workload."""
    view = values.view()
    view.flags.writeable = False
    return view


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


def read_figures(reads: pd.DataFrame, target_s: float = PRIOR_LATENCY_TARGET_S
                 ) -> dict[str, Any]:
    """Counts by tier, misses, missed priors, the share of reads and of priors served within
    ``target_s``, latency percentiles. [s]"""
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
