"""Shared fixtures: small scenarios built from the bundled ones, and hand-made traces."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sim.io.scenario_file import load_scenario

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
ACADEMIC = SCENARIOS / "academic-medical-center.yaml"


def small_academic(**overrides):
    """The academic scenario cut down to run in well under a second."""
    base = {"workload.annual_studies": 20_000, "horizon_months": 24}
    base.update(overrides)
    return load_scenario(ACADEMIC, overrides=base)


@pytest.fixture
def small_scenario():
    return small_academic()


def write_trace_scenario(
    folder: Path,
    studies_csv: str,
    reads_csv: str | None = None,
    *,
    start: str = "2027-01-01",
    horizon_months: int = 3,
    retention: str = "keep_forever: true",
    price: float = 0.023,
) -> Path:
    """Write studies.csv, reads.csv and a scenario replaying them; return the scenario path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "studies.csv").write_text(textwrap.dedent(studies_csv).lstrip())
    reads_line = ""
    if reads_csv is not None:
        (folder / "reads.csv").write_text(textwrap.dedent(reads_csv).lstrip())
        reads_line = "\n    reads: reads.csv"
    scenario = folder / "scenario.yaml"
    scenario.write_text(
        f"""name: trace-test
start: {start}
horizon_months: {horizon_months}
seed: 1
workload:
  trace:
    studies: studies.csv{reads_line}
  retention:
    {retention}
archives:
  - name: flat
    kind: flat
    tier: STANDARD
    price_usd_per_gib_month: {price}
    price_source: test price
finance:
  discount_rate: 0.05
"""
    )
    return scenario
