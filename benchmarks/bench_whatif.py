"""How long one what-if of notebook 02 takes at full size: the bundled hybrid academic medical
center (its own volume and ten-year horizon) rerun with another cache window, as the notebook's
Run button does.  Prints seconds per run (wall clock; the machine's cores).

    .venv/bin/python benchmarks/bench_whatif.py [--runs N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import sim

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "academic-medical-center-hybrid.yaml"


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
        print(f"what-if {k + 1}: cache window {window} months, "
              f"{result.summary['workload']['studies']:,} studies over "
              f"{hybrid.horizon_months} months: NPV ${result.summary['npv_usd']['hybrid']:,.0f}"
              f" in {took:.1f} s")


if __name__ == "__main__":
    main()
