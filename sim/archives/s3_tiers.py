"""S3's storage classes and billing tiers, derived from the one class list the S3 Lifecycle parser
holds (``sim.tiering.s3_lifecycle.ALL_CLASSES``), and the engine's meter lines."""

from __future__ import annotations

import numpy as np

from sim.tiering import intelligent_tiering as it
from sim.tiering import s3_lifecycle as lc

CLASSES = (*(c for c in lc.ALL_CLASSES if c != "INTELLIGENT_TIERING"), "INTELLIGENT_TIERING")
"""The S3 classes (the parser's list), Intelligent-Tiering last: its access tiers follow it."""
IT_CLASS = CLASSES.index("INTELLIGENT_TIERING")
TIERS = (*CLASSES[:-1], *(f"INTELLIGENT_TIERING_{t}" for t in it.IT_TIERS))
"""Billing tiers: the classes, with Intelligent-Tiering split into its access tiers."""
CLASS_OF_TIER = np.array([min(t, IT_CLASS) for t in range(len(TIERS))], dtype=np.int8)
"""The class of each billing tier (the Intelligent-Tiering access tiers are one class)."""
IT_BASE = IT_CLASS  # tier code of INTELLIGENT_TIERING_FA
N_TIERS = len(TIERS)
LINE_OVERHEAD = N_TIERS  # + tier: 8 KB/object at the STANDARD rate
LINE_RESTORED = 2 * N_TIERS
LINE_MONITORED = 2 * N_TIERS + 1
METER_LINES = 2 * N_TIERS + 2
"""Meter lines of the S3 engine: bytes per tier, Standard-rate overheads per tier, restored
copies, objects monitored by Intelligent-Tiering."""
ALLOWED = np.array([[c2 in lc.ALLOWED_TRANSITIONS[c1] for c2 in CLASSES] for c1 in CLASSES])
MISSING = -1
