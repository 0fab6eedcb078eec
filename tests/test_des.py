"""The run loop calls archives in a fixed order each day and closes every calendar month."""

from __future__ import annotations

import numpy as np

from sim.archives.base import MonthUsage
from sim.calendar import SECONDS_PER_DAY
from sim.des import run_loop
from sim.workload import NEVER, generate_workload
from tests.conftest import small_academic


class Recorder:
    name = "recorder"

    def __init__(self):
        self.calls = []

    def delete(self, day, studies):
        self.calls.append(("delete", day, len(studies)))

    def ingest(self, day, studies):
        self.calls.append(("ingest", day, len(studies)))

    def read(self, day, reads):
        self.calls.append(("read", day, reads.stop - reads.start))

    def end_of_day(self, day):
        self.calls.append(("end_of_day", day, 0))

    def close_month(self, month):
        self.calls.append(("close_month", month, 0))
        return MonthUsage(np.zeros(1))

    def bill(self, month, usage):
        return []


def test_daily_order_and_month_ends():
    scenario = small_academic(**{"horizon_months": 14, "start": "2027-01-15",
                                 "workload.retention.adult_years": 0.2})
    workload = generate_workload(scenario)
    rec = Recorder()
    run_loop(workload, [rec], progress=None)
    order = {"close_month": 0, "delete": 1, "ingest": 2, "read": 3, "end_of_day": 4}
    cal = workload.calendar
    # every event of a day comes in the fixed order, and days never go back
    stamps = []
    month_bounds_day = cal.month_bounds_s // SECONDS_PER_DAY
    for kind, value, _ in rec.calls:
        day = int(month_bounds_day[value + 1]) if kind == "close_month" else value
        stamps.append((day, order[kind]))
    assert stamps == sorted(stamps)
    closes = [v for k, v, _ in rec.calls if k == "close_month"]
    assert closes == list(range(cal.n_months)) and cal.n_months == 15  # Jan 15 .. Mar 14 next year
    assert sum(n for k, _, n in rec.calls if k == "ingest") == len(workload.studies)
    assert sum(n for k, _, n in rec.calls if k == "read") == len(workload.reads)
    deleted = np.sum(workload.studies.delete_s != NEVER)
    assert sum(n for k, _, n in rec.calls if k == "delete") == deleted > 0
    assert sum(1 for k, _, _ in rec.calls if k == "end_of_day") == cal.n_days


def test_first_occurrences_and_read_rounds_agree_with_a_plain_loop():
    from sim.tiering.core import first_occurrences, read_rounds

    ids = np.random.default_rng(3).integers(0, 50, 400)
    seen: dict[int, int] = {}
    expected_rank = []
    for i in ids.tolist():
        expected_rank.append(seen.get(i, 0))
        seen[i] = seen.get(i, 0) + 1
    scratch = np.zeros(50, dtype=np.int64)
    first = first_occurrences(ids, scratch)
    assert first.tolist() == [r == 0 for r in expected_rank]
    rounds = list(read_rounds(ids, ~first))
    assert len(rounds) == max(expected_rank) + 1
    for r, now in enumerate(rounds):  # round r: the reads that are their study's r-th, in order
        assert now.tolist() == [i for i, k in enumerate(expected_rank) if k == r]


def test_read_rounds_give_each_study_once_per_round_in_time_order():
    from sim.tiering.core import first_occurrences, read_rounds

    ids = np.array([4, 1, 4, 2, 4, 1])
    repeat = ~first_occurrences(ids, np.zeros(5, dtype=np.int64))
    rounds = [ids[now].tolist() for now in read_rounds(ids, repeat)]
    assert rounds == [[4, 1, 2], [4, 1], [4]]
    no_repeat = np.array([3, 0, 2])
    assert [no_repeat[now].tolist() for now in read_rounds(no_repeat, np.zeros(3, bool))] \
        == [[3, 0, 2]]
