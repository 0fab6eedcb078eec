"""Benchmark: Monte Carlo runs of the academic medical center (its full size: ~600k studies a
year for 10 years) with uncertain CT/MR growth and storage price trend, on local processes.

Prints wall time, time per run and the peak memory of all processes together.  Not part of the
test suite: `python benchmarks/bench_montecarlo.py [--runs 100] [--jobs 2] [--out DIR]`.  The
output folder is resumable: an interrupted benchmark continues where it stopped (the time
printed is then for the runs computed in this call).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_workload import MemorySampler

from sim.uncertainty.analyses import montecarlo_tasks, summarize_montecarlo
from sim.uncertainty.runner import run_tasks
from sim.uncertainty.spec import load_uncertain

HERE = Path(__file__).resolve().parent
ACADEMIC = HERE.parent / "scenarios" / "academic-medical-center.yaml"
UNCERTAIN = f"""extends: {ACADEMIC}
name: academic-medical-center-uncertain
workload:
  modalities:
    CT: {{growth: {{dist: triangular, low: 0.02, mode: 0.037, high: 0.08}}}}
    MR: {{growth: {{dist: triangular, low: 0.0, mode: 0.013, high: 0.05}}}}
finance:
  price_change_per_year:
    storage: {{dist: normal, mean: -0.02, sd: 0.02}}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-mc-"))
    scenario = out / "scenario.yaml"
    out.mkdir(parents=True, exist_ok=True)
    scenario.write_text(UNCERTAIN)
    spec = load_uncertain(scenario)
    tasks = montecarlo_tasks([spec], args.runs, seed=1, baseline=None)
    started = time.perf_counter()
    with MemorySampler() as memory:
        rows, computed = run_tasks(tasks, out, jobs=args.jobs,
                                   progress=lambda d, t: print(f"\r{d}/{t} runs", end="",
                                                               flush=True))
    elapsed = time.perf_counter() - started
    print()
    summary = summarize_montecarlo(rows, spec.name)["scenarios"][spec.name]
    per_run = elapsed / max(len(computed), 1)
    print(f"{len(computed)} runs computed in {elapsed:.0f} s on {args.jobs} processes "
          f"({per_run:.1f} s per run; {per_run * args.jobs:.1f} s of one core each); peak "
          f"memory {memory.peak_mib:,.0f} MiB")
    n = summary["npv_usd"]
    print(f"NPV P10 {n['p10']:,.0f}  P50 {n['p50']:,.0f}  P90 {n['p90']:,.0f} USD "
          f"over {len(rows[rows.metric == 'npv_usd'])} runs; results in {out}")


if __name__ == "__main__":
    main()
