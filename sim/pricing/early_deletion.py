"""Minimum storage duration: leaving a class early is billed as if stored for the minimum.

AWS: "If you delete, overwrite, or transition the object to a different storage class before the
minimum, you are charged for the remainder of that duration" (prorated; STANDARD_IA and ONEZONE_IA
30 days, GLACIER_IR 90, GLACIER 90, DEEP_ARCHIVE 180; Intelligent-Tiering none).  The charge is
``billable bytes x rate x remaining time``, with the remaining time expressed in months of the
month the object leaves in (shared/reference/cloud-tiering.md §2.1).
"""

from __future__ import annotations

import numpy as np

from sim.calendar import SECONDS_PER_DAY, SECONDS_PER_HOUR
from sim.pricing.metering import BYTES_PER_GIB


def early_deletion_byte_seconds(
    billable_bytes: np.ndarray, seconds_in_class: np.ndarray, min_storage_days: float
) -> np.ndarray:
    """Byte-seconds still owed when objects leave a class after ``seconds_in_class``. [byte-s]

    >>> early_deletion_byte_seconds(np.array([100]), np.array([10 * 86400]), 30).tolist()
    [172800000.0]
    """
    remaining = np.clip(min_storage_days * SECONDS_PER_DAY - seconds_in_class, 0, None)
    return billable_bytes.astype(np.float64) * remaining


def early_deletion_gib_hours(size_bytes: np.ndarray, seconds_in_class: np.ndarray,
                             min_storage_days: float) -> np.ndarray:
    """GiB-hours still owed when objects leave a class after ``seconds_in_class``, for a
    provider that bills storage by the GiB-hour (Google: "charged as if the object was stored for
    the minimum duration"); objects past the minimum owe nothing. [GiB-hour]

    >>> early_deletion_gib_hours(np.array([2**30]), np.array([10 * 86400]), 30).tolist()
    [480.0]
    """
    remaining = np.clip(min_storage_days * SECONDS_PER_DAY - seconds_in_class, 0, None)
    return (size_bytes / BYTES_PER_GIB) * remaining / SECONDS_PER_HOUR
