"""Benchmark: the national-scale scenario (scenarios/national-archive.yaml: 100 million studies
over 10 years, as 20 cohorts) on this machine.

Prints wall time and the peak memory of all processes together (MemAvailable drop, sampled
every 50 ms).  Not part of the test suite: `python benchmarks/bench_national.py [--jobs 2]
[--cohorts N] [--annual N]`.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench_workload import MemorySampler

import sim

HERE = Path(__file__).resolve().parent
NATIONAL = HERE.parent / "scenarios" / "national-archive.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cohorts", type=int, default=None)
    parser.add_argument("--annual", type=int, default=None)
    args = parser.parse_args()
    overrides = {}
    if args.cohorts:
        overrides["workload.cohorts"] = args.cohorts
    if args.annual:
        overrides["workload.annual_studies"] = args.annual
    scenario = sim.load_scenario(NATIONAL, overrides=overrides)
    started = time.perf_counter()
    with MemorySampler() as memory:
        result = sim.run(scenario, jobs=args.jobs,
                         progress=lambda share: print(f"\r{share:.0%}", end="", flush=True))
    elapsed = time.perf_counter() - started
    w = result.summary["workload"]
    print(f"\n{w['studies']:,} studies ({scenario.workload.cohorts} cohorts), {w['reads']:,} "
          f"reads, {w['bytes_ingested'] / 1e15:.1f} PB ingested: {elapsed:.0f} s on "
          f"{args.jobs} processes, peak memory {memory.peak_mib:,.0f} MiB")
    name = scenario.archives[0].name
    print(f"total {result.summary['totals_usd'][name]:,.0f} USD, NPV "
          f"{result.summary['npv_usd'][name]:,.0f} USD")


if __name__ == "__main__":
    main()
