"""The S3 engine's meter changes: what a study arriving on, leaving or moving between billing
tiers adds to each meter line (billable bytes per tier, overhead billed at the STANDARD rate,
objects monitored by Intelligent-Tiering).  Compiled loops, shared by the engine
(:mod:`sim.archives.s3`) and its Intelligent-Tiering planner."""

from __future__ import annotations

import numpy as np

from sim.archives.s3_tiers import CLASS_OF_TIER, IT_CLASS, LINE_MONITORED, LINE_OVERHEAD
from sim.jit import kernel
from sim.pricing.object_size import study_billable_bytes

IS_IT_TIER = CLASS_OF_TIER == IT_CLASS
"""Whether each billing tier is one of Intelligent-Tiering's (its objects are monitored)."""


@kernel
def _empty_changes(capacity):  # pragma: no cover - compiled
    """Room for ``capacity`` meter changes: (line, delta, time [s])."""
    return (np.empty(capacity, dtype=np.int64), np.empty(capacity, dtype=np.float64),
            np.empty(capacity, dtype=np.int64))


@kernel
def add_changes_of(ids, tiers, sign, t_s, size, objects, small, min_bytes, ovh_class, ovh_std,
                   is_it):  # pragma: no cover - compiled
    """The meter changes of studies ``ids`` arriving on (``sign`` +1) or leaving (-1) tiers
    ``tiers`` at ``t_s``: billable bytes on the tier's line, overhead at the STANDARD rate, and
    objects monitored by Intelligent-Tiering.  Returns (line, delta, time [s]); each kind of line
    in study order."""
    n = ids.size
    lines, deltas, times = _empty_changes(3 * n)
    for i in range(n):
        s, objs = ids[i], objects[ids[i]]
        billed = study_billable_bytes(size[s], objs, min_bytes[tiers[i]], ovh_class[tiers[i]])
        lines[i], deltas[i], times[i] = tiers[i], sign * billed, t_s[i]
    k = n
    for i in range(n):
        if ovh_std[tiers[i]] > 0:
            lines[k] = LINE_OVERHEAD + tiers[i]
            deltas[k] = sign * objects[ids[i]] * ovh_std[tiers[i]]
            times[k] = t_s[i]
            k += 1
    for i in range(n):
        if is_it[tiers[i]] and not small[ids[i]]:
            lines[k], deltas[k], times[k] = LINE_MONITORED, sign * objects[ids[i]], t_s[i]
            k += 1
    return lines[:k], deltas[:k], times[:k]


@kernel
def shift_changes(ids, old, new, t_s, size, objects, small, plain, min_bytes, ovh_class,
                   ovh_std, is_it):  # pragma: no cover - compiled
    """The meter changes of studies ``ids`` leaving tiers ``old`` for ``new`` at ``t_s``: the
    billable bytes on each tier's line (largest of size and minimum, plus per-object overhead
    at the class's rate), the overhead billed at the STANDARD rate, and the objects monitored
    by Intelligent-Tiering.  Returns (line, delta, time [s]) in a fixed order: leaving, then
    arriving, per line kind."""
    n = ids.size
    all_plain = True
    for i in range(n):
        if not (plain[old[i]] and plain[new[i]]):
            all_plain = False
            break
    if all_plain:  # within Intelligent-Tiering's FA/IA/AIA: same bytes, still monitored
        lines, deltas, times = _empty_changes(2 * n)
        for i in range(n):
            lines[i], deltas[i], times[i] = old[i], -size[ids[i]], t_s[i]
            lines[n + i], deltas[n + i], times[n + i] = new[i], size[ids[i]], t_s[i]
        return lines, deltas, times
    any_std = False
    for i in range(n):
        if ovh_std[old[i]] != 0 or ovh_std[new[i]] != 0:
            any_std = True
            break
    lines, deltas, times = _empty_changes(5 * n)
    for i in range(n):
        s, objs = ids[i], objects[ids[i]]
        before = study_billable_bytes(size[s], objs, min_bytes[old[i]], ovh_class[old[i]])
        after = study_billable_bytes(size[s], objs, min_bytes[new[i]], ovh_class[new[i]])
        lines[i], deltas[i], times[i] = old[i], -before, t_s[i]
        lines[n + i], deltas[n + i], times[n + i] = new[i], after, t_s[i]
    k = 2 * n
    if any_std:
        for i in range(n):
            lines[k + i] = LINE_OVERHEAD + old[i]
            deltas[k + i] = -objects[ids[i]] * ovh_std[old[i]]
            times[k + i] = t_s[i]
            lines[k + n + i] = LINE_OVERHEAD + new[i]
            deltas[k + n + i] = objects[ids[i]] * ovh_std[new[i]]
            times[k + n + i] = t_s[i]
        k += 2 * n
    for i in range(n):
        joined = np.int64(is_it[new[i]]) - np.int64(is_it[old[i]])
        if joined != 0 and not small[ids[i]]:
            lines[k], deltas[k], times[k] = LINE_MONITORED, joined * objects[ids[i]], t_s[i]
            k += 1
    return lines[:k], deltas[:k], times[:k]
