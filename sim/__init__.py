"""archive-sim: what a radiology image archive will cost, on-prem, in the cloud or hybrid."""

__version__ = "0.1.0"

from sim.io.scenario_file import load_scenario
from sim.run import RunResult, load_workload, run
from sim.scenario import Scenario

__all__ = ["RunResult", "Scenario", "__version__", "load_scenario", "load_workload", "run"]
