"""Study sizes and object counts.

Acquired size is lognormal by modality (median, sigma of the log), growing each year; the stored
size divides by the compression ratio.  Instances follow from the acquired size and the typical
instance size; series are ``1 + Poisson(series_mean - 1)``, at most one per instance (drawn only
for the ``series`` layout: they are the last draw of the sizes stream, so no other draw depends on
them).  The object layout then decides how many objects a study is stored as.
"""

from __future__ import annotations

import numpy as np

from sim.calendar import SECONDS_PER_YEAR
from sim.errors import InputError
from sim.jit import kernel

BYTES_PER_MB = 1_000_000
MAX_STUDY_BYTES = 2**50
"""Largest study size a run accepts (1 PiB): far above any real study, well inside int64. [bytes]"""


def draw_sizes(
    created_s: np.ndarray,
    modality: np.ndarray,
    median_mb: np.ndarray,
    sigma: np.ndarray,
    size_growth: np.ndarray,
    compression: np.ndarray,
    instance_mb: np.ndarray,
    series_mean: np.ndarray,
    layout: str,
    rng: np.random.Generator,
    modality_names: tuple[str, ...] = (),
    origin_s: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Stored size and object count of each study.

    Per-modality parameters are arrays indexed by modality; sizes grow from ``origin_s`` (the
    run's start). [s]

    Returns
    -------
    size_bytes
        Stored size. [bytes], int64, at least 1
    objects
        Objects per study under ``layout``. [objects], int32
    """
    if layout not in ("instance", "series", "study"):  # pragma: no cover - the schema allows three
        raise ValueError(f"unknown object layout {layout!r}")
    z = rng.standard_normal(created_s.size)
    log_growth = np.log1p(size_growth)
    # the arithmetic in compiled passes, the exponential by numpy (the same values as the
    # vectorised expressions, operation for operation)
    growth = np.exp(_exponent(created_s, origin_s, modality, sigma, log_growth, z))
    size_bytes = np.empty(created_s.size, dtype=np.int64)
    instances = np.empty(created_s.size, dtype=np.int32)
    if not _sizes(growth, modality, median_mb, compression, instance_mb, MAX_STUDY_BYTES,
                  size_bytes, instances):
        stored = median_mb[modality] * BYTES_PER_MB * growth / compression[modality]
        worst = int(modality[np.argmax(np.nan_to_num(stored, nan=np.inf))])
        name = modality_names[worst] if worst < len(modality_names) else str(worst)
        raise InputError(
            f"workload.modalities.{name}: drawn study sizes reach {stored.max():.3g} bytes, "
            f"more than the {MAX_STUDY_BYTES:.3g} (1 PiB) a study may hold; check "
            "size_median_mb, size_sigma, size_growth and compression_ratio")
    if layout == "instance":
        return size_bytes, instances
    if layout == "study":
        return size_bytes, np.ones_like(instances)
    # the series are the sizes stream's last draw: drawn only where they are the objects
    return size_bytes, _series(rng.poisson(series_mean[modality] - 1.0), instances)


@kernel
def _exponent(created_s, origin_s, modality, sigma, log_growth, z):  # pragma: no cover - compiled
    """``sigma x z + log(1 + growth) x years since origin_s`` of each study."""
    out = np.empty(created_s.size, dtype=np.float64)
    for i in range(created_s.size):
        m = modality[i]
        out[i] = sigma[m] * z[i] + log_growth[m] * ((created_s[i] - origin_s) / SECONDS_PER_YEAR)
    return out


@kernel
def _sizes(growth, modality, median_mb, compression, instance_mb, max_bytes, size_bytes,
           instances):  # pragma: no cover - compiled
    """Each study's stored size (at least 1 byte) and its instances (at least 1, at most
    int32's largest); False when a stored size is not a number or above ``max_bytes``."""
    ok = True
    for i in range(growth.size):
        m = modality[i]
        acquired = median_mb[m] * BYTES_PER_MB * growth[i]
        stored = acquired / compression[m]
        if not stored <= max_bytes:
            ok = False
        size_bytes[i] = np.int64(max(1.0, np.rint(stored)))
        count = max(1.0, np.rint(acquired / (instance_mb[m] * BYTES_PER_MB)))
        instances[i] = np.int32(min(count, 2147483647.0))
    return ok


@kernel
def _series(extra, instances):  # pragma: no cover - compiled
    """``1 + extra`` series, at most one per instance. int32"""
    out = np.empty(extra.size, dtype=np.int32)
    for i in range(extra.size):
        out[i] = min(1 + extra[i], instances[i])
    return out
