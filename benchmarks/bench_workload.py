"""Benchmark: ~10 million studies (1M/year x 10 years) through the workload model and run loop.

Prints wall time per stage, peak memory (RSS) and studies per second.  Not part of the test suite:
run it with `make bench` or `python benchmarks/bench_workload.py [SCENARIO] [--annual N]`.
"""

from __future__ import annotations

import argparse
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
    """Peak memory used by this process and its workers together: the drop in the machine's
    MemAvailable, sampled every 50 ms (RSS double-counts pages shared by forked workers)."""

    def __init__(self) -> None:
        self._base = self._available()
        self._lowest = self._base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    @staticmethod
    def _available() -> int:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
        return 0

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            self._lowest = min(self._lowest, self._available())

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mib(self) -> float:
        return (self._base - self._lowest) / 2**20


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(DEFAULT))
    parser.add_argument("--annual", type=int, default=1_000_000, help="studies per year")
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    args = parser.parse_args()

    scenario = sim.load_scenario(args.scenario, overrides={
        "workload.annual_studies": args.annual, "horizon_months": args.months})
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
    print(f"peak memory         {memory.peak_mib:,.0f} MiB (all processes, from MemAvailable)")
    print(f"peak RSS            {peak_rss_mib():,.0f} MiB (this process), "
          f"{peak_rss_mib(resource.RUSAGE_CHILDREN):,.0f} MiB (largest worker, incl. shared)")


if __name__ == "__main__":
    main()
