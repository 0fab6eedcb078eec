"""Fingerprints of the bundled variants' ledgers: run before and after a change that must not
change a bill, then compare the two files (``diff``).

Each bundled scenario with archives (not the national one) is run at a reduced size (default
20,000 studies a year, the scenario's own horizon and seed) and the SHA-256 of its ledger CSV is
printed with its total.  ``--full`` keeps every scenario's own size (minutes per variant).

    python benchmarks/ledger_fingerprints.py > before.txt
    ... change ...
    python benchmarks/ledger_fingerprints.py > after.txt && diff before.txt after.txt
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import sim

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SKIP = {"national-archive.yaml"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annual", type=int, default=20_000, help="studies per year")
    parser.add_argument("--full", action="store_true", help="each scenario at its own size")
    parser.add_argument("scenarios", nargs="*", help="default: every bundled scenario")
    args = parser.parse_args()
    paths = [Path(p) for p in args.scenarios] or sorted(
        p for p in SCENARIOS.glob("*.yaml") if p.name not in SKIP)
    overrides = {} if args.full else {"workload.annual_studies": args.annual}
    for path in paths:
        scenario = sim.load_scenario(path, overrides=overrides)
        ledger = sim.run(scenario).ledger
        digest = hashlib.sha256(ledger.to_csv(index=False).encode()).hexdigest()[:16]
        print(f"{path.name:55s} {digest}  {ledger.amount_usd.sum():16,.2f} USD")


if __name__ == "__main__":
    main()
