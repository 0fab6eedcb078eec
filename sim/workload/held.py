"""The archive the hospital already holds: hitting its stored TB and study count.

``workload.existing`` runs the workload model for ``years`` before the start.  When the hospital
also gives what its archive holds (``stored_tb`` and/or ``studies``, in total or by modality),
the history is fitted to those totals in three steps:

1. **Volume.**  The history is drawn, the studies still held at the start are counted, and the
   history's daily volume (every day before the start, of the modalities of each total) is scaled
   by ``target / held``, a little above it (a few standard deviations of the count's noise), and
   drawn again.  This repeats until the draw holds at least the target and not much more (at most
   :data:`MAX_DRAWS` draws; one extra draw in the usual case).  The history keeps its ``years``,
   its growth, seasons and patients; only its level changes.  With only ``stored_tb`` given, the
   volume is what moves (sizes stay the modality's).
2. **Thinning.**  The surplus held studies (usually well under 1 %) are removed at random, before
   any read is drawn: with ``studies`` given, exactly down to the count; with only ``stored_tb``,
   down to the number of studies whose bytes come nearest the target.
3. **Sizes.**  With both given, the held studies' sizes (and only theirs: studies acquired during
   the run keep the modality's sizes) are multiplied by ``stored bytes / held bytes``, so the
   average study is the hospital's.  Object counts are kept.

Thinning happens after retention is decided, so a patient's clock (``clock: last_study``) may
count a removed study; with surpluses this small the effect is below the noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.errors import InputError
from sim.scenario import Existing

TB = 10**12
"""Bytes per (decimal) terabyte, as hospitals and storage vendors count them."""

MAX_DRAWS = 8
"""Draws of the history at most before giving up on the totals."""


@dataclass(frozen=True)
class HeldTarget:
    """One total to hit: over the modalities ``modalities`` (indices), a study count and/or
    stored bytes; ``label`` names it in messages ("existing" or "existing.modalities.CT")."""

    label: str
    modalities: np.ndarray
    studies: int | None
    stored_bytes: float | None

    def measure(self, held: np.ndarray, modality: np.ndarray, size_bytes: np.ndarray
                ) -> tuple[np.ndarray, float, float]:
        """This target's held studies (indices), the quantity it fits (studies, or bytes when
        only bytes are given) and that quantity's target."""
        idx = np.flatnonzero(held & np.isin(modality, self.modalities))
        if self.studies is not None:
            return idx, float(idx.size), float(self.studies)
        assert self.stored_bytes is not None
        return idx, float(size_bytes[idx].sum(dtype=np.float64)), self.stored_bytes


def held_targets(existing: Existing, modalities: tuple[str, ...]) -> list[HeldTarget]:
    """The totals of ``existing`` over the workload's ``modalities`` (in the workload's order)."""
    targets = []
    for code, totals in existing.targets().items():
        label = "workload.existing" if code is None else f"workload.existing.modalities.{code}"
        which = (np.arange(len(modalities)) if code is None
                 else np.array([modalities.index(code)]))
        targets.append(HeldTarget(
            label, which.astype(np.int8), totals.studies,
            None if totals.stored_tb is None else totals.stored_tb * TB))
    return targets


def _margin(target: HeldTarget, idx: np.ndarray, quantity: float, goal: float,
            size_bytes: np.ndarray) -> float:
    """How far above the target to aim, as a share: four standard deviations of the held
    quantity's noise at the target (a count's, or a sum of lognormal sizes'), plus 0.05 %."""
    studies_at_goal = max(1.0, idx.size * goal / quantity)
    spread = 1.0
    if target.studies is None and idx.size > 1:
        sizes = size_bytes[idx].astype(np.float64)
        spread += float(sizes.var() / sizes.mean() ** 2)
    return 4.0 * np.sqrt(spread / studies_at_goal) + 0.0005


def refit_volume(targets: list[HeldTarget], held: np.ndarray, modality: np.ndarray,
                 size_bytes: np.ndarray, factor: np.ndarray) -> tuple[np.ndarray, bool]:
    """The history's volume factor per modality for the next draw, and whether this draw
    already holds each target (at least it, and at most a few margins above). [-]"""
    factor = factor.copy()
    done = True
    for target in targets:
        idx, quantity, goal = target.measure(held, modality, size_bytes)
        if quantity <= 0:
            raise InputError(
                f"{target.label}: the workload model holds none of these studies at the start "
                "(a share of 0, or retention deletes them all before the start), so the given "
                "totals cannot be reached; check the modality's share and the retention rules")
        margin = _margin(target, idx, quantity, goal, size_bytes)
        if goal <= quantity <= goal * (1 + 4 * margin + 0.01):
            continue
        done = False
        factor[target.modalities] *= goal / quantity * (1 + margin)
    return factor, done


FAR = (0.5, 2.0)
"""A history volume or size factor outside this range gets a note: the totals and the model
disagree more than the model's uncertainty explains. [-]"""


def far_factors(targets: list[HeldTarget], factor: np.ndarray, names: tuple[str, ...]
                ) -> list[str]:
    """A note for each target whose history volume had to be scaled outside :data:`FAR`."""
    notes = []
    for target in targets:
        f = float(np.mean(factor[target.modalities]))
        if not FAR[0] <= f <= FAR[1]:
            which = "" if target.label == "workload.existing" else \
                f" of {', '.join(names[m] for m in target.modalities)}"
            notes.append(f"{target.label}: to hold the given totals the history's volume"
                         f"{which} was scaled by {f:.2g} against annual_studies and growth "
                         "back-cast; check annual_studies, the sizes and the totals")
    return notes


def fit_held(targets: list[HeldTarget], held: np.ndarray, modality: np.ndarray,
             size_bytes: np.ndarray, rng: np.random.Generator
             ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Thin the surplus held studies and scale sizes to the targets.

    Returns a mask of the studies kept, the (new) sizes [bytes], int64, and notes on sizes
    scaled outside :data:`FAR`.
    """
    keep = np.ones(modality.size, dtype=bool)
    size_bytes = size_bytes.copy()
    notes = []
    for target in targets:
        idx = np.flatnonzero(held & np.isin(modality, target.modalities))
        order = rng.permutation(idx)
        if target.studies is not None:
            kept = order[:target.studies]
        else:
            assert target.stored_bytes is not None
            cum = np.cumsum(size_bytes[order], dtype=np.float64)
            n = int(np.searchsorted(cum, target.stored_bytes))
            if n < cum.size and n > 0 and \
                    abs(cum[n - 1] - target.stored_bytes) <= abs(cum[n] - target.stored_bytes):
                n -= 1
            kept = order[:min(n + 1, order.size)]
        keep[np.setdiff1d(idx, kept, assume_unique=True)] = False
        if target.studies is not None and target.stored_bytes is not None:
            scale = target.stored_bytes / float(size_bytes[kept].sum(dtype=np.float64))
            size_bytes[kept] = np.maximum(1, np.rint(size_bytes[kept] * scale)).astype(np.int64)
            if not FAR[0] <= scale <= FAR[1]:
                notes.append(f"{target.label}: the held studies' sizes were scaled by "
                             f"{scale:.2g} to hold both the count and the TB given; the "
                             "modality's size_median_mb may not be the archive's")
    return keep, size_bytes, notes
