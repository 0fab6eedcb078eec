"""A scenario with uncertain inputs: its file data with every distribution at its central value,
the distributions by path, and scenarios built from chosen or drawn values."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.io.scenario_file import read_merged, set_dotted, validate_scenario
from sim.scenario import Scenario
from sim.uncertainty.distributions import draw_value, extract_distributions


@dataclass(frozen=True, eq=False)
class UncertainScenario:
    """A scenario file read for Monte Carlo runs, sensitivity analysis and sweeps."""

    path: Path
    data: dict[str, Any]
    """Merged file data, distributions replaced by their central values."""
    inputs: dict[str, Any]
    """Distributions by dotted path."""
    central: Scenario
    """The scenario with every uncertain input at its central value."""

    @property
    def name(self) -> str:
        return self.central.name

    def with_values(self, values: dict[str, Any], seed: int | None = None) -> Scenario:
        """The scenario with inputs at ``values`` (dotted paths; archives by name)."""
        data = copy.deepcopy(self.data)
        for dotted, value in values.items():
            set_dotted(data, dotted, value, self.path)
        if seed is not None:
            data["seed"] = seed
        return validate_scenario(data, self.path)

    def draw_values(self, seed: int, run: int) -> dict[str, Any]:
        """Run ``run``'s value of every uncertain input, by path."""
        return {p: draw_value(d, seed, run, p) for p, d in self.inputs.items()}


def run_seed(seed: int, run: int) -> int:
    """The workload seed of Monte Carlo run ``run`` (the same for every scenario)."""
    return int(np.random.SeedSequence([seed, run]).generate_state(1)[0] & 0x7FFFFFFF)


def load_uncertain(path: str | Path, overrides: dict[str, Any] | None = None
                   ) -> UncertainScenario:
    """Read a scenario file whose numbers may be distributions."""
    path = Path(path)
    data = read_merged(path)
    for dotted, value in (overrides or {}).items():
        set_dotted(data, dotted, value, path)
    inputs = extract_distributions(data)
    return UncertainScenario(path, data, inputs, validate_scenario(copy.deepcopy(data), path))
