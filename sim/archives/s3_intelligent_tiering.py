"""S3 Intelligent-Tiering inside the S3 engine: which configuration a study falls under, its
moves FA -> IA -> AIA (-> AA -> DAA) booked in closed form up to its next access, and reads of
archived access tiers that need a restore.  A mixin of :class:`sim.archives.s3.S3Archive`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.archives.s3_changes import IS_IT_TIER, shift_changes
from sim.archives.s3_state import S3State
from sim.archives.s3_tiers import (
    IT_BASE,
    TIERS,
)
from sim.calendar import SECONDS_PER_DAY, SECONDS_PER_HOUR
from sim.jit import kernel
from sim.tiering import intelligent_tiering as it
from sim.tiering.keys import StudyGroups, prefix_matches, tags_match

if TYPE_CHECKING:
    pass


class IntelligentTieringPlanner(S3State):
    """The Intelligent-Tiering part of the S3 engine (methods use the engine's state)."""

    def _compile_it(self, configs, groups: StudyGroups | None, key: str,
                    tags: dict[str, str]) -> None:
        n = len(self._size)
        self._aa_days = self._state["aa_days"]
        self._daa_days = self._state["daa_days"]
        taken = np.zeros(n, dtype=bool)
        for cfg in configs:  # the first enabled configuration that matches applies
            if not cfg.enabled:
                continue
            where = f"intelligent-tiering configuration {cfg.id!r} Filter"
            assert groups is not None  # grouped whenever there are configurations
            ok = prefix_matches(key, groups, cfg.prefix, where) & tags_match(tags, groups, cfg.tags)
            hit = ok[groups.of_study] & ~taken
            self._aa_days[hit] = cfg.archive_access_days
            self._daa_days[hit] = cfg.deep_archive_access_days
            taken |= hit
        self._any_archive_tier = bool((self._aa_days > 0).any() or (self._daa_days > 0).any())
        if self._any_archive_tier:
            self.prices.use(self.catalog.intelligent_tiering.overhead_bytes_at_class,
                             "intelligent_tiering.overhead_bytes_at_class")

    def _plan_it(self, ids: np.ndarray, now_s) -> None:
        """Ask for the Intelligent-Tiering moves of ``ids`` from ``now_s`` on to be booked at the
        end of the day (no move can fall inside the day: the first is 30 days after an access)."""
        if ids.size:
            self._plan_requests.append(
                (ids, np.broadcast_to(np.asarray(now_s, dtype=np.int64), ids.shape)))

    def _book_it_moves(self) -> None:
        """Book the Intelligent-Tiering moves of warm IT studies asked for today.

        The latest request of each study counts.  Between two reads an object's path is fixed
        (FA -> IA at 30 idle days -> AIA at 90 -> AA / DAA as configured), so the moves up to the
        study's next read, next lifecycle due day, deletion or the end of the run are booked at
        once as future meter changes, and the study is not looked at again until one of those
        happens.
        """
        if not self._plan_requests:
            return
        ids = np.concatenate([r[0] for r in self._plan_requests]).astype(np.int64, copy=False)
        now_s = np.concatenate([r[1] for r in self._plan_requests]).astype(np.int64, copy=False)
        self._plan_requests = []
        study, old, new, when, lines, deltas, times = _plan_and_meter_moves(
            ids, now_s, self._stamp, self._tier, self._small, self._present, self._it_ready,
            self._last_access, self._read_next, self._read_end, self._read_times,
            self._delete_s, self._calendar.due_day, self._aa_days, self._daa_days,
            self._any_archive_tier, self._cal.horizon_s, self._size, self._objects, self._plain,
            self._min_bytes, self._ovh_class, self._ovh_std, IS_IT_TIER)
        if study.size:  # nothing can interrupt these moves (the limit), so they are metered now
            self._meter.change_many(lines, deltas, times)
            self.events.add(when, study, "transition", old, new)

    def _read_it_archived(self, ids, t) -> np.ndarray:
        """Reads of studies in Archive Access or Deep Archive Access: wait for the restore
        under way, or request one (billed; the study comes back to FA when it completes).
        Returns each read's latency. [s]"""
        latency = np.empty(ids.size, dtype=np.float64)
        ready = self._it_ready[ids]
        pending = ready > t
        latency[pending] = (ready - t)[pending]
        restore = ~pending
        if restore.any():
            sub, when = ids[restore], t[restore]
            for level in (it.AA, it.DAA):
                part = self._tier[sub] - IT_BASE == level
                if not part.any():
                    continue
                options = self.catalog.intelligent_tiering.restore[it.IT_TIERS[level]]
                name = self._restore_tier if self._restore_tier in options else "Standard"
                self._bill_restore(sub[part], when[part], options[name], TIERS[IT_BASE + level],
                                   f"intelligent_tiering.restore.{it.IT_TIERS[level]}.{name}")
                hours_s = int(round(options[name].hours * SECONDS_PER_HOUR))
                self._it_ready[sub[part]] = when[part] + hours_s
            ready = self._it_ready[sub]
            latency[restore] = ready - when
            self._push_it_restored(sub, ready)
            self.events.add(when, sub, "restore", self._tier[sub], IT_BASE)
        return latency

    def _push_it_restored(self, ids: np.ndarray, when: np.ndarray) -> None:
        """Queue Intelligent-Tiering restores for the end of the day they complete in."""
        days = when // SECONDS_PER_DAY
        for d in np.unique(days).tolist():
            on_day = days == d
            self._restored_due[d].append((ids[on_day], when[on_day]))

    def _complete_it_restores(self, day: int, ids: np.ndarray | None = None) -> None:
        """Restored Intelligent-Tiering objects go back to Frequent Access at the moment their
        restore completes, and their idle clock restarts; ``ids``: only these, ahead of the end
        of the day (a read later the same day)."""
        if ids is None:
            done = self._restored_due.pop(day, [])
            if not done:
                return
            ids = np.concatenate([d[0] for d in done])
        ready = self._it_ready[ids]
        ok = self._present[ids] & (ready > 0) & (ready < (day + 1) * SECONDS_PER_DAY)
        sub, when = ids[ok], ready[ok]
        self._move(sub, np.full(sub.size, IT_BASE, np.int8), when)
        self._last_access[sub] = when
        self._it_ready[sub] = 0
        self._plan_it(sub, when)


@kernel
def move_possible_from(access_s):  # pragma: no cover - compiled
    """Earliest Intelligent-Tiering move after an access at ``access_s``: midnight IA_DAYS
    later (a time or an array of times). [s]"""
    return (-(-access_s // SECONDS_PER_DAY) + it.IA_DAYS) * SECONDS_PER_DAY


@kernel
def _plan_and_meter_moves(ids, now_s, stamp, tier, small, present, it_ready, last_access,
                          read_next, read_end, read_times, delete_s, due_day, aa_days, daa_days,
                          any_archive, horizon_s, size, objects, plain, min_bytes, ovh_class,
                          ovh_std, is_it):  # pragma: no cover - compiled
    """:func:`_plan_moves`, and the meter changes of the moves (:func:`shift_changes`)."""
    study, old, new, when = _plan_moves(
        ids, now_s, stamp, tier, small, present, it_ready, last_access, read_next, read_end,
        read_times, delete_s, due_day, aa_days, daa_days, any_archive, horizon_s)
    lines, deltas, times = shift_changes(
        study, old.astype(np.int64), new.astype(np.int64), when, size, objects, small, plain,
        min_bytes, ovh_class, ovh_std, is_it)
    return study, old, new, when, lines, deltas, times


@kernel
def _plan_moves(ids, now_s, stamp, tier, small, present, it_ready, last_access, read_next,
                read_end, read_times, delete_s, due_day, aa_days, daa_days, any_archive,
                horizon_s):  # pragma: no cover - compiled
    """The moves of :meth:`IntelligentTieringPlanner._book_it_moves`: for each study asked for
    (``ids`` at ``now_s``, in time order; the last request of a study counts) that is warm in
    Intelligent-Tiering and monitored, its moves after ``now_s`` and before its limit (next
    read's midnight, deletion, next lifecycle due day, end of the run).  Updates ``tier`` to the
    tier each study will be in until it is next seen.  Returns (study, old tier, new tier, move
    time [s]), all IA moves first, then AIA, AA and DAA moves, each in request order."""
    n = ids.size
    if n > 1:  # the last request of each study counts
        for i in range(n):
            stamp[ids[i]] = i
    keep = np.zeros(n, dtype=np.bool_)
    base_day = np.empty(n, dtype=np.int64)
    limit = np.empty(n, dtype=np.int64)
    current = np.empty(n, dtype=np.int8)
    kept = 0
    for i in range(n):
        s = ids[i]
        if n > 1 and stamp[s] != i:
            continue
        t = tier[s]
        if t < IT_BASE or t >= IT_BASE + it.AA or small[s] or not present[s] \
                or it_ready[s] > now_s[i]:
            continue
        base = -(-last_access[s] // SECONDS_PER_DAY)  # first midnight at or after last access
        until = horizon_s
        if read_times.size:  # a move at the midnight of the next read comes first
            nxt = read_next[s]
            if nxt < read_end[s]:
                until = min(until, read_times[nxt] + 1)
            # most reads are followed by another before the study would leave FA
            if t == IT_BASE and move_possible_from(last_access[s]) >= until:
                continue
        until = min(until, delete_s[s])
        if due_day[s] >= 0:
            until = min(until, due_day[s] * SECONDS_PER_DAY)
        keep[i] = True
        base_day[i], limit[i], current[i] = base, until, t - IT_BASE
        kept += 1
    study = np.empty(4 * kept, dtype=np.int64)
    old = np.empty(4 * kept, dtype=np.int8)
    new = np.empty(4 * kept, dtype=np.int8)
    when = np.empty(4 * kept, dtype=np.int64)
    moves = 0
    for level in (it.IA, it.AIA, it.AA, it.DAA):
        if level >= it.AA and not any_archive:
            break
        for i in range(n):
            if not keep[i] or current[i] >= level:
                continue
            s = ids[i]
            if level == it.IA:
                days = it.IA_DAYS
            elif level == it.AIA:  # an Archive Access tier at 90 days replaces AIA
                days = 0 if any_archive and aa_days[s] == it.AIA_DAYS else it.AIA_DAYS
            elif level == it.AA:
                days = aa_days[s]
            else:
                days = daa_days[s]
            move_s = (base_day[i] + days) * SECONDS_PER_DAY
            if days > 0 and now_s[i] < move_s < limit[i]:
                study[moves], old[moves], new[moves] = s, current[i] + IT_BASE, level + IT_BASE
                when[moves] = move_s
                current[i] = level
                moves += 1
    for i in range(n):
        if keep[i]:
            tier[ids[i]] = current[i] + IT_BASE
    return study[:moves], old[:moves], new[:moves], when[:moves]
