"""Benchmark: ~10 million studies (1M/year x 10 years) through the workload model and run loop.

Prints wall time per stage, peak memory (RSS) and studies per second.  Not part of the test suite:
run it with `make bench` or `python benchmarks/bench_workload.py [SCENARIO] [--annual N]`.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import sim
from sim.archives import build_archive
from sim.des import run_loop
from sim.ledger import ledger_frame
from sim.workload import generate_workload
from sim.workload.stats import monthly_workload

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parent / "scenarios" / "imaging-center-network.yaml"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(DEFAULT))
    parser.add_argument("--annual", type=int, default=1_000_000, help="studies per year")
    parser.add_argument("--months", type=int, default=120)
    args = parser.parse_args()

    scenario = sim.load_scenario(args.scenario, overrides={
        "workload.annual_studies": args.annual, "horizon_months": args.months})
    t0 = time.perf_counter()
    workload = generate_workload(scenario)
    t1 = time.perf_counter()
    archives = [build_archive(spec, workload) for spec in scenario.archives]
    charges = run_loop(workload, archives)
    ledger = ledger_frame(charges)
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
    print(f"run loop + ledger   {t2 - t1:8.2f} s")
    print(f"workload table      {t3 - t2:8.2f} s")
    print(f"total               {total:8.2f} s")
    print(f"studies per second  {n / total:,.0f}")
    print(f"peak RSS            {peak_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
