"""The reads table (every read: where it was served from, how long it took, or that it missed)
and the figures clinicians care about: misses, missed priors, priors within a latency target."""

from __future__ import annotations

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
        "study": reads.study,
        "time_s": reads.time_s,
        "read_kind": pd.Categorical.from_codes(reads.kind, kind_names),
        "archive": pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), [archive]),
        "tier": pd.Categorical.from_codes(codes, names),
        "latency_s": latency_s,
    })


def read_masks(reads: pd.DataFrame, target_s: float = PRIOR_LATENCY_TARGET_S) -> tuple:
    """Each read's tier name, whether it was served, its latency [s], whether it is a prior
    pull, whether it was served within ``target_s``."""
    tier = reads["tier"].to_numpy()
    served = (tier != MISSING_NAME) & (tier != UNAVAILABLE_NAME)
    latency = reads["latency_s"].to_numpy(dtype=np.float64)
    prior = (reads["read_kind"] == READ_KIND_NAMES[ReadKind.PRIOR]).to_numpy()
    return tier, served, latency, prior, served & (latency <= target_s)


def read_figures(reads: pd.DataFrame, target_s: float = PRIOR_LATENCY_TARGET_S
                 ) -> dict[str, Any]:
    """Counts by tier, misses, missed priors, the share of reads and of priors served within
    ``target_s``, latency percentiles. [s]"""
    tier, served, latency, prior, fast = read_masks(reads, target_s)
    lat = latency[served]
    return {
        "reads": int(len(reads)),
        "missing": int((tier == MISSING_NAME).sum()),
        "unavailable": int((tier == UNAVAILABLE_NAME).sum()),
        "priors": int(prior.sum()),
        "priors_unavailable": int((prior & (tier == UNAVAILABLE_NAME)).sum()),
        "by_tier": {str(k): int(v) for k, v in
                    pd.Series(tier[served]).value_counts().sort_index().items()},
        "latency_target_s": target_s,
        "share_within_target": float(fast.sum() / len(reads)) if len(reads) else 1.0,
        "priors_within_target_share": float((fast & prior).sum() / prior.sum())
        if prior.any() else 1.0,
        "latency_p50_s": float(np.percentile(lat, 50)) if lat.size else 0.0,
        "latency_p99_s": float(np.percentile(lat, 99)) if lat.size else 0.0,
        "latency_max_s": float(lat.max()) if lat.size else 0.0,
    }
