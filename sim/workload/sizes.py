"""Study sizes and object counts.

Acquired size is lognormal by modality (median, sigma of the log), growing each year; the stored
size divides by the compression ratio.  Instances follow from the acquired size and the typical
instance size; series are ``1 + Poisson(series_mean - 1)``, at most one per instance.  The object
layout then decides how many objects a study is stored as.
"""

from __future__ import annotations

import numpy as np

from sim.calendar import SECONDS_PER_YEAR
from sim.errors import InputError

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
) -> tuple[np.ndarray, np.ndarray]:
    """Stored size and object count of each study.

    Per-modality parameters are arrays indexed by modality.

    Returns
    -------
    size_bytes
        Stored size. [bytes], int64, at least 1
    objects
        Objects per study under ``layout``. [objects], int32
    """
    years = created_s / SECONDS_PER_YEAR
    z = rng.standard_normal(created_s.size)
    log_growth = np.log1p(size_growth)
    acquired = median_mb[modality] * BYTES_PER_MB * np.exp(
        sigma[modality] * z + log_growth[modality] * years
    )
    stored = acquired / compression[modality]
    if stored.size and not stored.max() <= MAX_STUDY_BYTES:
        worst = int(modality[np.argmax(np.nan_to_num(stored, nan=np.inf))])
        name = modality_names[worst] if worst < len(modality_names) else str(worst)
        raise InputError(
            f"workload.modalities.{name}: drawn study sizes reach {stored.max():.3g} bytes, "
            f"more than the {MAX_STUDY_BYTES:.3g} (1 PiB) a study may hold; check "
            "size_median_mb, size_sigma, size_growth and compression_ratio")
    size_bytes = np.maximum(1, np.rint(stored)).astype(np.int64)
    instances = np.maximum(1, np.rint(acquired / (instance_mb[modality] * BYTES_PER_MB)))
    instances = np.minimum(instances, np.iinfo(np.int32).max).astype(np.int32)
    series = 1 + rng.poisson(series_mean[modality] - 1.0)
    series = np.minimum(series, instances).astype(np.int32)
    if layout == "instance":
        objects = instances
    elif layout == "series":
        objects = series
    elif layout == "study":
        objects = np.ones_like(instances)
    else:  # pragma: no cover - the scenario schema allows only the three
        raise ValueError(f"unknown object layout {layout!r}")
    return size_bytes, objects
