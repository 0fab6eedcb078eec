"""Engine core shared by every tiering engine: meters, the due-day calendar, the charge book and
the event log.

- :class:`Meter` integrates quantities (billable bytes, monitored objects) over time per line,
  exactly per second, and takes changes booked ahead of time (a planned tier move).
- :class:`DueCalendar` keeps, for each day, the studies that may need a policy decision at that
  day's midnight; a study's current due day is in one array, so stale entries are skipped and the
  daily evaluation touches only the studies due that day, never a scan of all of them.
- :class:`ChargeBook` collects per-event charges (requests, transitions, retrieval, early
  deletion) by month, tier, category and unit.
- :class:`EventLog` records transitions, restores, expirations and deletions for ``--events``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import numpy as np

from sim.calendar import SECONDS_PER_DAY, Calendar
from sim.jit import int64s, kernel
from sim.ledger import Charge


class Meter:
    """Quantity x seconds per line, per day, with changes booked at any time from today on.

    A change of ``delta`` at time ``t`` in day ``d`` adds ``delta x (end of d - t)`` to day ``d``
    and ``delta`` to the level of every later day.  Changes may lie in the future (an
    Intelligent-Tiering move booked when it becomes certain), never in a day already closed.
    Levels are held as float64: exact for integer byte counts below 2^53 (8 PiB) per line.

    Parameters
    ----------
    n_lines
        Number of metered lines (tiers, overhead lines, object counts, ...).
    n_days
        Days in the run.
    """

    def __init__(self, n_lines: int, n_days: int):
        self._n_lines = n_lines
        self._step = np.zeros((n_lines, n_days + 2))  # level change at the start of day d
        self._partial = np.zeros((n_lines, n_days + 1))  # quantity-seconds of changes in day d
        self._level = np.zeros(n_lines)  # level at the start of day self._open_day
        self._open_day = 0  # first day not yet closed
        self._scratch: _MeterScratch | None = None

    @property
    def level(self) -> np.ndarray:
        """Level of every line once every change booked so far has happened."""
        return self._level + self._step[:, self._open_day + 1:].sum(axis=1)

    def level_at_end_of(self, day: int) -> np.ndarray:
        """Level of every line at the end of ``day`` (an open day), with what is booked so far."""
        return self._level + self._step[:, self._open_day + 1:day + 2].sum(axis=1)

    def change(self, line: int, delta: np.ndarray, t_s: np.ndarray | int) -> None:
        """Add ``delta`` (one value per object) to ``line`` from ``t_s`` on. [s]"""
        self.change_many(line, delta, t_s)

    def change_many(self, lines: np.ndarray | int, delta: np.ndarray, t_s: np.ndarray | int
                    ) -> None:
        """Like :meth:`change` for objects on different lines (one line per object, or one for
        all)."""
        if np.size(delta) == 0:
            return
        delta = np.ascontiguousarray(delta, dtype=np.float64).reshape(-1)
        n = delta.size
        lines = int64s(lines, n)
        t_s = int64s(t_s, n)
        if self._scratch is None:
            self._scratch = _MeterScratch(self._partial.shape)
        s = self._scratch
        lowest = _add_changes(self._partial, self._step, s.partial, s.step, s.seen, s.touched,
                              lines, delta, t_s, self._open_day)
        if lowest < self._open_day:
            raise ValueError(f"meter change on day {lowest}, already closed")

    def close(self, stop_day: int) -> np.ndarray:
        """Quantity-seconds of each line over the open days up to ``stop_day`` (exclusive)."""
        return self.close_days(stop_day)[0]

    def close_days(self, stop_day: int) -> tuple[np.ndarray, np.ndarray]:
        """Like :meth:`close`, also returning each line's level at the end of each closed day
        (``[line, day]``)."""
        first = self._open_day
        rises = np.cumsum(self._step[:, first + 1:stop_day + 1], axis=1)
        before = np.concatenate((np.zeros((self._n_lines, 1)), rises[:, :-1]), axis=1)
        out = (self._level[:, None] + before).sum(axis=1) * SECONDS_PER_DAY \
            + self._partial[:, first:stop_day].sum(axis=1)
        end_of_day = self._level[:, None] + rises
        self._level = self._level + rises[:, -1]
        self._open_day = stop_day
        return out, end_of_day


class _MeterScratch:
    """Per-cell sums of one batch of meter changes (zero between batches)."""

    def __init__(self, shape: tuple[int, int]):
        self.partial = np.zeros(shape)
        self.step = np.zeros(shape)
        self.seen = np.zeros(shape, dtype=np.bool_)
        self.touched = np.empty(shape[0] * shape[1], dtype=np.int64)


@kernel
def _add_changes(partial, step, sum_partial, sum_step, seen, touched, lines, delta, t_s,
                 open_day):  # pragma: no cover - compiled
    """Add changes to a meter's ``partial`` and ``step`` arrays; changes after the run's last
    day are dropped.  Each cell's changes are first summed in input order from zero, then added
    to the cell (the order ``np.bincount`` adds in, so results are bit-identical to it).
    Returns the earliest day changed; when that day is before ``open_day`` nothing is changed.
    """
    days = partial.shape[1]
    count = 0
    lowest = days
    for i in range(delta.size):
        day = t_s[i] // SECONDS_PER_DAY
        if day >= days:
            continue
        lowest = min(lowest, day)
        line = lines[i]
        if not seen[line, day]:
            seen[line, day] = True
            touched[count] = line * days + day
            count += 1
        remaining = SECONDS_PER_DAY - (t_s[i] - day * SECONDS_PER_DAY)
        sum_partial[line, day] += delta[i] * remaining
        sum_step[line, day] += delta[i]
    apply = lowest >= open_day
    for k in range(count):
        line, day = touched[k] // days, touched[k] % days
        if apply:
            partial[line, day] += sum_partial[line, day]
            step[line, day + 1] += sum_step[line, day]
        sum_partial[line, day] = 0.0
        sum_step[line, day] = 0.0
        seen[line, day] = False
    return lowest


class DueCalendar:
    """Which studies are due for evaluation at which day's midnight."""

    def __init__(self, n_studies: int, n_days: int, due_day: np.ndarray | None = None):
        """``due_day``: an integer array of ``n_studies``, all -1, to keep each study's due day
        in (e.g. a field of a per-study record); a new one when omitted."""
        self.due_day = np.full(n_studies, -1, dtype=np.int64) if due_day is None else due_day
        self._buckets: list[list[np.ndarray]] = [[] for _ in range(n_days + 1)]
        self._n_days = n_days

    def schedule(self, studies: np.ndarray, days: np.ndarray) -> None:
        """Set each study's next due day (days beyond the run: not due)."""
        days = np.asarray(days, dtype=np.int64)
        inside = days <= self._n_days
        self.due_day[studies] = np.where(inside, days, -1)
        studies, days = studies[inside], days[inside]
        if studies.size == 0:
            return
        if days.min() == days.max():
            self._buckets[int(days[0])].append(studies)
            return
        order = np.argsort(days, kind="stable")
        studies, days = studies[order], days[order]
        cuts = np.flatnonzero(np.diff(days)) + 1
        for chunk_days, chunk in zip(np.split(days, cuts), np.split(studies, cuts), strict=True):
            self._buckets[int(chunk_days[0])].append(chunk)

    def cancel(self, studies: np.ndarray) -> None:
        """Studies no longer due (deleted, or waiting for a restore)."""
        self.due_day[studies] = -1

    def pop(self, day: int) -> np.ndarray:
        """Studies due at ``day``'s midnight (each once); none at the run's last midnight (the
        run ends there: nothing done then would be billed)."""
        if day >= self._n_days or not self._buckets[day]:
            return np.zeros(0, dtype=np.int64)
        chunks = self._buckets[day]
        candidates = chunks[0] if len(chunks) == 1 else np.concatenate(chunks)
        self._buckets[day] = []
        due = candidates[self.due_day[candidates] == day]
        if len(chunks) > 1 and due.size > 1:
            due = np.sort(due)
            due = due[np.r_[True, due[1:] != due[:-1]]]
        self.due_day[due] = -1
        return due


class ChargeBook:
    """Event charges per (month, tier, category, unit): quantity and amount."""

    def __init__(self, calendar: Calendar):
        self._calendar = calendar
        self._book: dict[int, dict[tuple[str, str, str], list[float]]] = defaultdict(
            lambda: defaultdict(lambda: [0.0, 0.0]))

    def add(self, t_s: int, tier: str, category: str, unit: str, quantity: float,
            amount_usd: float) -> None:
        if quantity == 0 and amount_usd == 0:
            return
        month = self._calendar.month_of_second(t_s)
        cell = self._book[month][(tier, category, unit)]
        cell[0] += quantity
        cell[1] += amount_usd

    def close_month(self, month: int) -> dict[tuple[str, str, str], tuple[float, float]]:
        """The month's cells: (tier, category, unit) -> (quantity, amount_usd)."""
        return {key: (q, a) for key, (q, a) in self._book.pop(month, {}).items()}


def event_charges(label: str, archive: str,
                  cells: dict[tuple[str, str, str], tuple[float, float]]) -> list[Charge]:
    """Ledger rows for a month's per-event charges, in a fixed order."""
    return [Charge(label, archive, tier, category, q, unit, a)
            for (tier, category, unit), (q, a) in sorted(cells.items())]


class EventLog:
    """Tier changes, restores, expirations and deletions (kept only when asked for)."""

    KINDS = ("transition", "restore", "expire", "delete")

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self._parts: list[tuple[np.ndarray, np.ndarray, int, np.ndarray, np.ndarray]] = []

    def add(self, t_s: np.ndarray | int, studies: np.ndarray, kind: str,
            from_tier: np.ndarray | int, to_tier: np.ndarray | int) -> None:
        if not self.enabled or studies.size == 0:
            return
        n = studies.size
        self._parts.append((
            np.broadcast_to(np.asarray(t_s, dtype=np.int64), (n,)).copy(),
            studies.astype(np.int64),
            self.KINDS.index(kind),
            np.broadcast_to(np.asarray(from_tier, dtype=np.int16), (n,)).copy(),
            np.broadcast_to(np.asarray(to_tier, dtype=np.int16), (n,)).copy(),
        ))

    def arrays(self) -> dict[str, np.ndarray]:
        if not self._parts:
            empty = np.zeros(0, dtype=np.int64)
            return {"time_s": empty, "study": empty, "event": empty, "from_tier": empty,
                    "to_tier": empty}
        return {
            "time_s": np.concatenate([p[0] for p in self._parts]),
            "study": np.concatenate([p[1] for p in self._parts]),
            "event": np.concatenate([np.full(p[1].size, p[2]) for p in self._parts]),
            "from_tier": np.concatenate([p[3] for p in self._parts]),
            "to_tier": np.concatenate([p[4] for p in self._parts]),
        }


def log_path(events: EventLog, study: np.ndarray, move_s: np.ndarray, end_s: np.ndarray,
             ends_in_read: np.ndarray, horizon_s: int) -> None:
    """Write a closed-form path's events: the stretches between a study's accesses, each
    entering tier ``k + 1`` at ``move_s[stretch, k]`` (-1: not reached; tier 0 at the
    stretch's start); a stretch that ends in a read brings the study back to tier 0 (a
    transition), one that ends before ``horizon_s`` without a read is its deletion."""
    if not events.enabled:
        return
    move = move_s.reshape(study.size, -1)
    tier = np.zeros(study.size, dtype=np.int64)
    for k in range(move.shape[1]):
        moved = move[:, k] >= 0
        events.add(move[moved, k], study[moved], "transition", tier[moved], k + 1)
        tier[moved] = k + 1
    back = ends_in_read & (tier > 0)
    events.add(end_s[back], study[back], "transition", tier[back], 0)
    gone = ~ends_in_read & (end_s < horizon_s)
    events.add(end_s[gone], study[gone], "delete", tier[gone], -1)


def read_rounds(ids: np.ndarray, repeat: np.ndarray) -> Iterator[np.ndarray | slice]:
    """Each study's first read of ``ids`` (one day's reads, in time order), then its second,
    ...: the positions of each round, for engines that serve a day's reads round by round
    (a second read sees what the first did).  ``repeat`` marks the reads whose study was read
    earlier in ``ids``; only those are ranked."""
    if not repeat.any():
        yield slice(None)
        return
    yield from _rounds(ids.astype(np.int64, copy=False), repeat)


@kernel
def _rounds(ids, repeat):  # pragma: no cover - compiled
    """The rounds of :func:`read_rounds` when some reads are repeats: the first reads, then the
    repeats by their occurrence number among the repeats of the same study."""
    first = np.flatnonzero(~repeat)
    again = np.flatnonzero(repeat)
    order = np.argsort(ids[again], kind="mergesort")  # stable: equal ids stay in time order
    rank = np.empty(again.size, dtype=np.int64)
    for k in range(again.size):
        same = k > 0 and ids[again[order[k]]] == ids[again[order[k - 1]]]
        rank[order[k]] = rank[order[k - 1]] + 1 if same else 0
    rounds = [first]
    for r in range(rank.max() + 1):
        rounds.append(again[rank == r])
    return rounds


def first_occurrences(ids: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """Whether each id is the first of its value in ``ids`` (no sort: ``scratch`` is an int64
    array indexed by id, left in an unspecified state). bool"""
    position = np.arange(ids.size)
    scratch[ids] = ids.size
    np.minimum.at(scratch, ids, position)
    return scratch[ids] == position
