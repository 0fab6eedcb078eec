"""What an object is billed as: minimum billable size and per-object overhead.

- STANDARD_IA, ONEZONE_IA and GLACIER_IR bill an object smaller than 128 KB as 128 KB;
- GLACIER and DEEP_ARCHIVE (and Intelligent-Tiering's Archive and Deep Archive Access tiers) add
  40 KB per object: 8 KB billed at the STANDARD rate and 32 KB at the class's rate.

A study stored as ``objects`` objects is treated as equal-sized objects of ``size / objects``
bytes (the workload does not draw each instance's size).
"""

from __future__ import annotations

import numpy as np

from sim.jit import kernel


def billable_bytes(
    size_bytes: np.ndarray, objects: np.ndarray, min_billable_bytes: int, overhead_bytes: int = 0
) -> np.ndarray:
    """Bytes billed at the class rate for studies of ``size_bytes`` in ``objects`` objects. [bytes]

    >>> billable_bytes(np.array([10 * 1024]), np.array([2]), 128 * 1024).tolist()  # 2 x 5 KB
    [262144]
    """
    size = np.asarray(size_bytes, dtype=np.int64)
    count = np.asarray(objects, dtype=np.int64)
    if min_billable_bytes > 0:  # equal objects: each is small exactly when size < count x minimum
        size = np.maximum(size, count * int(min_billable_bytes))
    return size + count * int(overhead_bytes)


@kernel
def study_billable_bytes(size_bytes, objects, min_billable_bytes, overhead_bytes
                         ):  # pragma: no cover - compiled
    """:func:`billable_bytes` of one study, for the engines' compiled loops. [bytes]"""
    return max(size_bytes, objects * min_billable_bytes) + objects * overhead_bytes
