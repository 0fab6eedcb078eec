"""S3 Intelligent-Tiering inside the S3 engine: which configuration a study falls under, its
moves FA -> IA -> AIA (-> AA -> DAA) booked in closed form up to its next access, and reads of
archived access tiers that need a restore.  A mixin of :class:`sim.archives.s3.S3Archive`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.archives.s3_state import S3State
from sim.archives.s3_tiers import (
    IT_BASE,
    TIERS,
)
from sim.calendar import SECONDS_PER_DAY, SECONDS_PER_HOUR
from sim.tiering import intelligent_tiering as it
from sim.tiering.keys import StudyGroups, prefix_matches, tags_match

if TYPE_CHECKING:
    pass


class IntelligentTieringPlanner(S3State):
    """The Intelligent-Tiering part of the S3 engine (methods use the engine's state)."""

    def _compile_it(self, configs, groups: StudyGroups | None, key: str,
                    tags: dict[str, str]) -> None:
        n = len(self._size)
        self._aa_days = np.zeros(n, dtype=np.int16)
        self._daa_days = np.zeros(n, dtype=np.int16)
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
        if (self._aa_days > 0).any() or (self._daa_days > 0).any():
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
        ids = np.concatenate([r[0] for r in self._plan_requests])
        now_s = np.concatenate([r[1] for r in self._plan_requests])
        self._plan_requests = []
        if ids.size > 1:  # requests are in time order: keep the last
            position = np.arange(ids.size)
            self._stamp[ids] = -1
            np.maximum.at(self._stamp, ids, position)
            last = self._stamp[ids] == position
            ids, now_s = ids[last], now_s[last]
        tier = self._tier[ids]
        sel = ((tier >= IT_BASE) & (tier < IT_BASE + it.AA) & ~self._small[ids] & self._present[ids]
               & (self._it_ready[ids] <= now_s))
        if not sel.all():
            ids, now_s, tier = ids[sel], now_s[sel], tier[sel]
        if ids.size == 0:
            return
        # moves happen at midnights: the first midnight at or after last access, plus N days
        base_day = -(-self._last_access[ids] // SECONDS_PER_DAY)
        limit = np.full(ids.size, self._cal.horizon_s, dtype=np.int64)
        if self._read_times.size:  # a move at the midnight of the next read comes first
            nxt = self._read_next[ids]
            has_read = nxt < self._read_start[ids + 1]
            read_s = self._read_times[np.minimum(nxt, self._read_times.size - 1)]
            limit = np.where(has_read, np.minimum(limit, read_s + 1), limit)
            # most reads are followed by another before the study would leave FA: nothing to book
            keep = (tier > IT_BASE) | ((base_day + it.IA_DAYS) * SECONDS_PER_DAY < limit)
            if not keep.all():
                ids, now_s, tier, base_day, limit = (ids[keep], now_s[keep], tier[keep],
                                                     base_day[keep], limit[keep])
        limit = np.minimum(limit, self._delete_s[ids])
        due = self._calendar.due_day[ids]
        limit = np.where(due >= 0, np.minimum(limit, due * SECONDS_PER_DAY), limit)
        current = (tier - IT_BASE).astype(np.int8)
        if self._any_archive_tier:
            aa = self._aa_days[ids].astype(np.int64)
            daa = self._daa_days[ids].astype(np.int64)
            steps: tuple = ((it.IA, it.IA_DAYS),
                            (it.AIA, np.where(aa == it.AIA_DAYS, 0, it.AIA_DAYS)),  # AA at 90
                            (it.AA, aa), (it.DAA, daa))                     # replaces AIA
        else:
            steps = ((it.IA, it.IA_DAYS), (it.AIA, it.AIA_DAYS))
        moves = []
        for level, days in steps:
            move_s = (base_day + days) * SECONDS_PER_DAY
            ok = (move_s > now_s) & (move_s < limit) & (current < level)
            if not np.isscalar(days):
                ok &= days > 0
            if not ok.any():
                continue
            where = np.flatnonzero(ok)
            moves.append((where, current[where] + IT_BASE, IT_BASE + level, move_s[where]))
            current[where] = level
        if not moves:
            return
        # nothing can interrupt these moves (the limit above), so they are metered now
        where = np.concatenate([m[0] for m in moves])
        old = np.concatenate([m[1] for m in moves])
        new = np.concatenate([np.full(m[0].size, m[2], dtype=np.int8) for m in moves])
        when = np.concatenate([m[3] for m in moves])
        self._shift(ids[where], old, new, when)
        self.events.add(when, ids[where], "transition", old, new)
        self._tier[ids] = current + IT_BASE  # the tier the study will be in until it is next seen

    def _read_it(self, day: int, ids, t, latency, position) -> np.ndarray:
        """Intelligent-Tiering: access resets the clock; IA/AIA come back to FA at once; AA/DAA
        need a restore and come back when it completes."""
        latency = latency.copy()
        tier = self._tier[ids] - IT_BASE
        archived = tier >= it.AA
        pending = archived & (self._it_ready[ids] > t)
        latency[pending] = (self._it_ready[ids] - t)[pending]
        restore = archived & ~pending
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
        warm = ~archived
        back = ids[warm & (tier > it.FA)]
        self._move(back, np.full(back.size, IT_BASE, np.int8), t[warm & (tier > it.FA)])
        self._last_access[ids[warm]] = t[warm]
        plan = warm & ~self._quiet_after_read[position]
        self._plan_it(ids[plan], t[plan])
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


def quiet_after(times: np.ndarray, by_study: np.ndarray, same_study: np.ndarray) -> np.ndarray:
    """For each read: whether the study's next read comes before any Intelligent-Tiering move
    could follow this one (then the read needs no planning); ``times``: read times in study
    order (``by_study``: the reads in that order); ``same_study``: whether each read in study
    order has a next read of the same study. bool per read"""
    quiet = np.zeros(by_study.size, dtype=bool)
    if by_study.size > 1:
        quiet[by_study[:-1]] = same_study & (times[1:] + 1 <= _move_possible_from(times[:-1]))
    return quiet


def _move_possible_from(access_s: np.ndarray) -> np.ndarray:
    """Earliest Intelligent-Tiering move after an access: midnight IA_DAYS later. [s]"""
    return (-(-access_s // SECONDS_PER_DAY) + it.IA_DAYS) * SECONDS_PER_DAY
