"""How long the notebooks' what-ifs take at full size (the academic medical center at its own
volume and ten-year horizon): notebook 02 reruns the hybrid with another cache window (its Run
button), notebook 03 reruns the S3 lifecycle option with other transition days on one workload
draw (its sliders).  Prints seconds per run (wall clock; the machine's cores).

    .venv/bin/python benchmarks/bench_whatif.py [--runs N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import sim

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SCENARIO = SCENARIOS / "academic-medical-center-hybrid.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    hybrid = sim.load_scenario(SCENARIO)
    for k in range(args.runs):
        window = 24 - 6 * k
        started = time.perf_counter()
        result = sim.run(hybrid.with_overrides({"archives.0.cache.window_months": window}))
        took = time.perf_counter() - started
        print(f"notebook 02 what-if {k + 1}: cache window {window} months, "
              f"{result.summary['workload']['studies']:,} studies over "
              f"{hybrid.horizon_months} months: NPV ${result.summary['npv_usd']['hybrid']:,.0f}"
              f" in {took:.1f} s")
    base = sim.load_scenario(SCENARIOS / "academic-medical-center-s3-tiered.yaml")
    workload = sim.load_workload(base)
    with tempfile.TemporaryDirectory() as folder:
        for k in range(args.runs):
            ia_days = 30 + 30 * k
            path = sim.policies.write_policy(sim.policies.s3_lifecycle(
                [(ia_days, "STANDARD_IA"), (ia_days + 60, "GLACIER_IR")]),
                Path(folder) / f"try-{k}.json")
            started = time.perf_counter()
            result = sim.run(base.with_overrides({"archives.0.lifecycle": str(path)}),
                             workload=workload)
            took = time.perf_counter() - started
            print(f"notebook 03 what-if {k + 1}: IA after {ia_days} days: NPV "
                  f"${result.summary['npv_usd']['s3-lifecycle']:,.0f} in {took:.1f} s")


if __name__ == "__main__":
    main()
