"""Hand-made workloads for billing tests: a few studies created at the start (2027-01-01), reads
at given times, and a ledger lookup."""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.calendar import Calendar
from sim.workload.model import NEVER, Reads, Studies, Workload

DAY = 86_400
START = dt.date(2027, 1, 1)


def hand_workload(sizes, reads=(), months=3, objects=None, delete_day=None, modality=None,
                  acquired_s=None) -> Workload:
    """Studies of ``sizes`` bytes (one object each unless ``objects``), all created at the start;
    ``reads``: (study, time_s) pairs; ``delete_day``: every study deleted that day."""
    n = len(sizes)
    delete_s = np.full(n, NEVER if delete_day is None else delete_day * DAY, np.int64)
    st = Studies(created_s=np.zeros(n, np.int64),
                 modality=np.array(modality or [0] * n, np.int8),
                 size_bytes=np.array(sizes, np.int64),
                 objects=np.array(objects or [1] * n, np.int32),
                 patient=np.arange(n, dtype=np.int32), age_years=np.full(n, 50, np.float32),
                 delete_s=delete_s,
                 acquired_s=None if acquired_s is None else np.array(acquired_s, np.int64))
    study, time_s = zip(*reads, strict=True) if reads else ((), ())
    rd = Reads(np.array(study, np.int32), np.array(time_s, np.int64),
               np.zeros(len(reads), np.int8))
    return Workload(Calendar(START, months), ("CR", "CT"), st, rd)


def row(ledger, month, tier, category="storage", unit=None) -> tuple[float, float]:
    """(quantity, amount_usd) of the ledger rows of one month, tier, category (and unit)."""
    r = ledger[(ledger.month == month) & (ledger.tier == tier) & (ledger.category == category)]
    if unit is not None:
        r = r[r.unit == unit]
    return float(r.quantity.sum()), float(r.amount_usd.sum())
