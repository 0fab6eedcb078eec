"""archive-sim: what a radiology image archive will cost, on-prem, in the cloud or hybrid.

>>> import sim
>>> result = sim.run(sim.load_scenario("scenarios/academic-medical-center.yaml"))
>>> c = sim.compare([...scenarios...], baseline="...")
"""

from sim import policies
from sim.compare import Comparison, compare
from sim.io.scenario_file import load_scenario
from sim.run import RunResult, load_workload, run
from sim.scenario import Scenario
from sim.version import __version__

__all__ = ["Comparison", "RunResult", "Scenario", "__version__", "compare", "load_scenario",
           "load_workload", "policies", "run"]
