"""How long the policy optimizer takes: ``--budget`` candidates (default 100) of the S3 tiered
variant of the academic medical center (its default space, Optuna TPE, priors within 5 s >= 99 %),
at full size unless ``--annual`` cuts it down.  Prints the wall time, the time per candidate
measured, the best policy found and the peak memory of this process and its workers.

    .venv/bin/python benchmarks/bench_optimize.py [--budget 100] [--jobs 2] [--annual N]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import sim

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / \
    "academic-medical-center-s3-tiered.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--annual", type=int, default=None,
                        help="workload.annual_studies (default: the scenario's)")
    parser.add_argument("--recheck", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="keep the output here")
    args = parser.parse_args()
    overrides = {"workload.annual_studies": args.annual} if args.annual else {}
    with tempfile.TemporaryDirectory() as scratch:
        out = args.out or Path(scratch) / "optimize"
        started = time.perf_counter()
        outcome = sim.optimize_policy(SCENARIO, "s3-lifecycle", out, budget=args.budget,
                                      constraints=["priors_within_5s>=0.99"], jobs=args.jobs,
                                      overrides=overrides, recheck=args.recheck)
        took = time.perf_counter() - started
    measured = int((outcome.table["key"] != "current").sum())
    best = outcome.table.set_index("key").loc[outcome.best] if outcome.best else None
    print(f"{outcome.method}")
    print(f"{measured} distinct candidates measured "
          f"(+ today's policy and {len(outcome.recheck)} re-checked on a second draw) in "
          f"{took:,.0f} s on {args.jobs} processes: {took / max(measured + 1, 1):.1f} s per "
          "candidate")
    if best is not None:
        print(f"best {outcome.best}: NPV ${best['npv_usd']:,.0f}, priors within 5 s "
              f"{best['priors_within_5s']:.1%}")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6
    print(f"peak memory: {own:.1f} GB here, {workers:.1f} GB in the largest worker")


if __name__ == "__main__":
    main()
