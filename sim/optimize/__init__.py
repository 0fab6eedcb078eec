"""The policy optimizer: search real policy documents (S3 Lifecycle and Intelligent-Tiering,
Azure lifecycle management or smart tier, GCS lifecycle or Autoclass, a hybrid's cache window)
for the cheapest one that keeps the reading room within the given constraints, every candidate
run on the same workload draw.

>>> import sim
>>> outcome = sim.optimize_policy("scenarios/academic-medical-center-s3-tiered.yaml",
...                               "s3-lifecycle", "out/optimize", jobs=2,
...                               constraints=["priors_within_5s>=0.99"])  # doctest: +SKIP
>>> search = prepare("scenarios/academic-medical-center-s3-tiered.yaml", "s3-lifecycle",
...                  constraints=["priors_within_5s>=0.99"], budget=100)  # doctest: +SKIP
>>> outcome = run_search(search, Path("out/optimize"), jobs=2)            # doctest: +SKIP
>>> outcome.table.nsmallest(5, "objective")                                # doctest: +SKIP
"""

from __future__ import annotations

from sim.optimize.candidates import BoundSpace, Dimension, bind_space, policy_key
from sim.optimize.measures import ALIASES, MEASURES, Constraint, parse_constraint
from sim.optimize.search import CURRENT, Outcome, Search, prepare, run_search
from sim.optimize.space import SpaceFile, load_space

__all__ = ["ALIASES", "CURRENT", "MEASURES", "BoundSpace", "Constraint", "Dimension", "Outcome",
           "Search", "SpaceFile", "bind_space", "policy_key", "load_space",
           "parse_constraint", "prepare", "run_search"]
