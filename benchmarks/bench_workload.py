"""Benchmark: ~10 million studies (1M/year x 10 years) through the workload model and run loop.

Prints wall time per stage, peak memory (RSS) and studies per second.  Not part of the test suite:
run it with `make bench` or `python benchmarks/bench_workload.py [SCENARIO] [--annual N]`.
"""

from __future__ import annotations

import argparse
import os
import resource
import threading
import time
from pathlib import Path

import sim
from sim.ledger import ledger_frame
from sim.shards import simulate
from sim.workload import generate_workload
from sim.workload.stats import monthly_workload

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parent / "scenarios" / "imaging-center-network.yaml"


class MemorySampler:
    """Peak memory used by this process and its workers together, sampled every 500 ms in two
    ways: the drop in the machine's MemAvailable (what other programs lose; noisy when the page
    cache moves) and the summed proportional set size (PSS) of this process and every process it
    started (a page shared by forked workers counted once; on Linux, from ``smaps_rollup``).
    RSS would double-count the pages forked workers share."""

    def __init__(self, interval_s: float = 0.5) -> None:
        self._interval = interval_s
        self._base = self._available()
        self._lowest = self._base
        self._pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    @staticmethod
    def _available() -> int:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
        return 0

    @staticmethod
    def _summed_pss() -> int:
        """PSS of this process and its descendants. [bytes]"""
        parent: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    with open(f"/proc/{entry.name}/stat") as f:
                        parent[int(entry.name)] = int(f.read().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
        mine, todo = set(), [os.getpid()]
        while todo:
            pid = todo.pop()
            mine.add(pid)
            todo.extend(p for p, pp in parent.items() if pp == pid and p not in mine)
        total = 0
        for pid in mine:
            try:
                with open(f"/proc/{pid}/smaps_rollup") as f:
                    for line in f:
                        if line.startswith("Pss:"):
                            total += int(line.split()[1]) * 1024
                            break
            except OSError:
                continue
        return total

    def _watch(self) -> None:
        pss_readable = os.path.exists(f"/proc/{os.getpid()}/smaps_rollup")
        while not self._stop.wait(self._interval):
            self._lowest = min(self._lowest, self._available())
            if pss_readable:
                self._pss = max(self._pss, self._summed_pss())

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mib(self) -> float:
        """Largest drop in MemAvailable. [MiB]"""
        return (self._base - self._lowest) / 2**20

    @property
    def peak_pss_mib(self) -> float:
        """Largest summed PSS of this process and its descendants (0 where not readable). [MiB]"""
        return self._pss / 2**20


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def print_memory(memory: MemorySampler) -> None:
    print(f"peak memory         {memory.peak_pss_mib:,.0f} MiB (all processes, summed PSS); "
          f"{memory.peak_mib:,.0f} MiB (drop in MemAvailable)")


def in_cohorts(scenario, jobs: int) -> None:
    """The whole run (draw, archives, ledger, summary, read figures) with the workload streamed
    as cohorts (:mod:`sim.cohorts`)."""
    with MemorySampler() as memory:
        t0 = time.perf_counter()
        result = sim.run(scenario, jobs=jobs)
        total = time.perf_counter() - t0
    w = result.summary["workload"]
    print(f"scenario            {scenario.name} ({scenario.workload.annual_studies:,}/yr, "
          f"{scenario.horizon_months} months, {scenario.workload.cohorts} cohorts)")
    print(f"studies             {w['studies']:,}")
    print(f"reads               {w['reads']:,}")
    print(f"ledger rows         {len(result.ledger):,}")
    print(f"total (end to end)  {total:8.2f} s")
    print(f"studies per second  {w['studies'] / total:,.0f}")
    print_memory(memory)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(DEFAULT))
    parser.add_argument("--annual", type=int, default=1_000_000, help="studies per year")
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--cohorts", type=int, default=1,
                        help="stream the workload as this many independent cohorts "
                             "(workload.cohorts: one in memory at a time; a different draw of the "
                             "same model), end to end through sim.run")
    args = parser.parse_args()

    overrides: dict[str, object] = {"workload.annual_studies": args.annual,
                                    "horizon_months": args.months}
    if args.cohorts > 1:
        overrides["workload.cohorts"] = args.cohorts
    scenario = sim.load_scenario(args.scenario, overrides=overrides)
    if args.cohorts > 1:
        in_cohorts(scenario, args.jobs)
        return
    with MemorySampler() as memory:
        t0 = time.perf_counter()
        workload = generate_workload(scenario)
        t1 = time.perf_counter()
        done = simulate(workload, list(scenario.archives), jobs=args.jobs)
        ledger = ledger_frame(done.charges)
        t2 = time.perf_counter()
        monthly_workload(workload)
        t3 = time.perf_counter()

    n = len(workload.studies)
    total = t3 - t0
    print(f"scenario            {scenario.name} ({args.annual:,}/yr, {args.months} months)")
    print(f"studies             {n:,}")
    print(f"reads               {len(workload.reads):,}")
    print(f"ledger rows         {len(ledger):,}")
    print(f"workload model      {t1 - t0:8.2f} s")
    print(f"archives + ledger   {t2 - t1:8.2f} s  ({done.shards} shard(s), {args.jobs} job(s))")
    print(f"workload table      {t3 - t2:8.2f} s")
    print(f"total               {total:8.2f} s")
    print(f"studies per second  {n / total:,.0f}")
    print_memory(memory)
    print(f"peak RSS            {peak_rss_mib():,.0f} MiB (this process), "
          f"{peak_rss_mib(resource.RUSAGE_CHILDREN):,.0f} MiB (largest worker, incl. shared)")


if __name__ == "__main__":
    main()
