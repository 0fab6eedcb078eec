"""Fingerprints of the bundled variants' ledgers: run before and after a change that must not
change a bill, then compare.

Each bundled scenario with archives (not the national one) is run at a reduced size (default
20,000 studies a year, the scenario's own horizon and seed) and the SHA-256 of its ledger CSV is
printed with its total.  ``--full`` keeps every scenario's own size (minutes per variant).

A refactor that only reorders floating-point sums (a faster meter) changes the last digits and so
the digest; the rule is then "identical to 1e-9 relative": save the ledgers before the change and
compare after, row by row::

    python benchmarks/ledger_fingerprints.py --save /tmp/before      # before the change
    python benchmarks/ledger_fingerprints.py --compare /tmp/before   # after: exit 1 on a change

Without ``--save``/``--compare`` it prints digests (``diff`` two such files for byte identity).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import sim

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SKIP = {"national-archive.yaml"}
RELATIVE_TOLERANCE = 1e-9
KEYS = ["archive", "month", "tier", "category", "unit"]


def differences(before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
    """What differs between two ledgers beyond 1e-9 relative (empty: the same bill)."""
    if list(before.columns) != list(after.columns):
        return [f"columns {list(before.columns)} -> {list(after.columns)}"]
    if len(before) != len(after):
        return [f"{len(before)} rows -> {len(after)} rows"]
    out = []
    for col in before.columns:
        a, b = before[col].to_numpy(), after[col].to_numpy()
        if np.issubdtype(a.dtype, np.number) and np.issubdtype(b.dtype, np.number):
            scale = np.maximum(np.abs(a), np.abs(b))
            bad = np.abs(a - b) > RELATIVE_TOLERANCE * np.where(scale > 0, scale, 1.0)
        else:
            bad = a.astype(str) != b.astype(str)
        for i in np.flatnonzero(bad)[:5]:
            row = ", ".join(str(before.iloc[i][k]) for k in KEYS if k in before.columns)
            out.append(f"row {i} ({row}) {col}: {a[i]!r} -> {b[i]!r}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annual", type=int, default=20_000, help="studies per year")
    parser.add_argument("--full", action="store_true", help="each scenario at its own size")
    parser.add_argument("--save", type=Path, help="also write each ledger here (parquet)")
    parser.add_argument("--compare", type=Path,
                        help="compare each ledger with the one saved here (1e-9 relative)")
    parser.add_argument("scenarios", nargs="*", help="default: every bundled scenario")
    args = parser.parse_args()
    paths = [Path(p) for p in args.scenarios] or sorted(
        p for p in SCENARIOS.glob("*.yaml") if p.name not in SKIP)
    overrides = {} if args.full else {"workload.annual_studies": args.annual}
    failed = False
    for path in paths:
        scenario = sim.load_scenario(path, overrides=overrides)
        ledger = sim.run(scenario).ledger
        digest = hashlib.sha256(ledger.to_csv(index=False).encode()).hexdigest()[:16]
        line = f"{path.name:55s} {digest}  {ledger.amount_usd.sum():16,.2f} USD"
        file = f"{path.stem}.parquet"
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            ledger.to_parquet(args.save / file)
        if args.compare:
            diff = differences(pd.read_parquet(args.compare / file), ledger)
            line += "  same" if not diff else "  DIFFERENT"
            failed |= bool(diff)
            print(line)
            for d in diff:
                print("    " + d)
        else:
            print(line)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
