"""Immutability against ransomware: deletions wait for the end of a retention period.

Every provider's write-once setting works the same way for the bill: an object cannot be deleted
before its creation time plus the period (S3 Object Lock default retention, Azure immutable blob
storage with a time-based retention policy, a Google Cloud Storage bucket retention policy, an
on-prem WORM volume), so retention's deletions and lifecycle deletions that fall earlier wait
until the period ends, and the object is billed meanwhile.  Tier and class changes are allowed
(Azure and Google say so; S3 Object Lock too).  A held deletion runs at the first midnight UTC at
or after the end of the period, as the daily run loop runs every deletion.

Azure is the exception for lifecycle deletions: Microsoft says a lifecycle policy's delete action
"won't work with any blob in an immutable container", so they never run there.

S3 holds its lifecycle expirations inside its engine (:mod:`sim.archives.s3`), and Azure's
lifecycle engine its retention deletions; engines whose paths are booked ahead (Google Cloud
Storage, Azure smart tier) and on-prem archives book deletions from the studies' deletion times,
which :func:`with_held_deletions` moves (and the GCS engine its lifecycle Delete times).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from sim.calendar import SECONDS_PER_DAY
from sim.workload.model import NEVER, Workload


def retain_until_midnight_s(created_s: np.ndarray, days: int) -> np.ndarray:
    """The first midnight at or after creation + ``days``: when a held deletion can run. [s]

    >>> retain_until_midnight_s(np.array([0, 3_600]), 1).tolist()
    [86400, 172800]
    """
    until = created_s + days * SECONDS_PER_DAY
    return -(-until // SECONDS_PER_DAY) * SECONDS_PER_DAY


def held_deletion_s(delete_s: np.ndarray, created_s: np.ndarray, days: int) -> np.ndarray:
    """Deletion times once a ``days``-long retention period holds them (``NEVER`` stays)."""
    if not days:
        return delete_s
    return np.where(delete_s == NEVER, NEVER,
                    np.maximum(delete_s, retain_until_midnight_s(created_s, days)))


def with_held_deletions(workload: Workload, days: int) -> Workload:
    """The workload with retention's deletions held for ``days`` after each study's creation."""
    if not days:
        return workload
    st = workload.studies
    held = held_deletion_s(st.delete_s, st.created_s, days)
    return dataclasses.replace(workload, studies=dataclasses.replace(st, delete_s=held))
