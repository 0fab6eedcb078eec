"""Workload: what happens to studies (arrivals, sizes, patients, reads, retention), as arrays."""

from sim.workload.generate import generate_workload
from sim.workload.model import NEVER, READ_KIND_NAMES, ReadKind, Reads, Studies, Workload

__all__ = [
    "NEVER",
    "READ_KIND_NAMES",
    "ReadKind",
    "Reads",
    "Studies",
    "Workload",
    "generate_workload",
]
