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


def optimize_policy(scenario, archive: str, out_dir, objective: str = "npv",
             constraints=(), budget: int = 100, space=None, jobs: int = 1,
             scheduler: str | None = None, seed: int | None = None, recheck: int = 3,
             sampler_seed: int = 0, overrides=None, progress=None):
    """Search policies for ``archive`` of ``scenario`` (:mod:`sim.optimize`) and write every
    output to ``out_dir`` (optimize.json, candidates.csv, figures/pareto.png, best/,
    report.html); the :class:`~sim.optimize.Outcome`."""
    from pathlib import Path

    from sim.optimize import prepare, run_search
    from sim.report.optimize_outputs import write_outcome

    search = prepare(scenario, archive, objective, constraints, budget, space, seed, recheck,
                     sampler_seed, overrides)
    outcome = run_search(search, Path(out_dir), jobs, scheduler, progress)
    write_outcome(outcome, Path(out_dir).resolve())
    return outcome

__all__ = ["Comparison", "RunResult", "Scenario", "__version__", "compare", "load_scenario",
           "load_workload", "optimize_policy", "policies", "run"]
