"""What a candidate is judged on: the measures taken from a run's summary (cost, the reading
room, leaving), and constraints on them written as ``NAME>=VALUE`` or ``NAME<=VALUE``.

Names are those of ``summary.json`` (``reads_by_archive``: ``priors_within_target_share``,
``share_within_target``, ``missing``, ``unavailable``, ``latency_p99_s``, ...; ``exit``:
``total_usd``, ``weeks``) or the short names of :data:`MEASURES` (``priors_within_5s``,
``reads_within_5s``, ``missed_reads``, ``p99_latency_s``, ...).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from sim.errors import InputError

MEASURES: dict[str, str] = {
    "npv_usd": "net present cost of the scenario, every archive [USD]",
    "total_usd": "undiscounted cost of the scenario over the run [USD]",
    "archive_npv_usd": "net present cost of the optimized archive alone [USD]",
    "priors_within_5s": "share of relevant priors shown within 5 s [0-1]",
    "reads_within_5s": "share of all reads served within 5 s [0-1]",
    "missed_reads": "reads not served: not held, or the link down [reads]",
    "missing": "reads of studies the archive did not hold [reads]",
    "unavailable": "reads while the link was down [reads]",
    "priors_unavailable": "prior pulls while the link was down [reads]",
    "latency_p50_s": "median time to display a served read [s]",
    "latency_p99_s": "99th percentile time to display a served read [s]",
    "latency_max_s": "longest time to display a served read [s]",
    "exit_usd": "what leaving the archive at the end would cost [USD]",
    "exit_weeks": "how long leaving the archive at the end would take [weeks]",
}
"""Every measure a constraint or the objective may name."""

SHARES = ("priors_within_5s", "reads_within_5s")
"""Measures that are shares of reads, from 0 to 1."""

ALIASES = {
    "priors_within_target_share": "priors_within_5s",
    "share_within_target": "reads_within_5s",
    "p50_latency_s": "latency_p50_s",
    "p99_latency_s": "latency_p99_s",
    "max_latency_s": "latency_max_s",
    "exit_total_usd": "exit_usd",
}
"""summary.json's names (and the issue's spellings) for the same measures."""

OBJECTIVES = {"npv": "npv_usd", "total": "total_usd"}

_CONSTRAINT = re.compile(r"^\s*([A-Za-z0-9_]+)\s*(>=|<=)\s*([-+0-9.eE]+)\s*(%?)\s*$")


@dataclass(frozen=True)
class Constraint:
    """``measure op bound``, e.g. priors_within_5s >= 0.99."""

    measure: str
    op: str
    bound: float
    text: str

    def violation(self, measures: dict[str, float]) -> float:
        """How far the measures are outside the constraint, scaled by the bound (0: met)."""
        value = measures.get(self.measure, math.nan)
        if math.isnan(value):
            return math.inf
        scale = max(abs(self.bound), 1.0)
        gap = self.bound - value if self.op == ">=" else value - self.bound
        return max(gap, 0.0) / scale


def parse_constraint(text: str) -> Constraint:
    """One ``--constraint``; a bad one is an error naming the option and what is allowed."""
    match = _CONSTRAINT.match(text)
    if match is None:
        raise InputError(f"--constraint {text!r}: write NAME>=VALUE or NAME<=VALUE, e.g. "
                         "priors_within_5s>=0.99")
    name, op, number, percent = match.groups()
    name = ALIASES.get(name, name)
    if name not in MEASURES:
        raise InputError(f"--constraint {text!r}: unknown name {match.group(1)!r}; allowed: "
                         + ", ".join(MEASURES) + " (or summary.json's "
                         + ", ".join(ALIASES) + ")")
    try:
        bound = float(number) / (100 if percent else 1)
    except ValueError:
        raise InputError(f"--constraint {text!r}: {number!r} is not a number") from None
    if not math.isfinite(bound):
        raise InputError(f"--constraint {text!r}: the bound must be a finite number")
    if name in SHARES and not 0 <= bound <= 1:
        raise InputError(f"--constraint {text!r}: {name} is a share from 0 to 1 (got "
                         f"{bound:g}; for a percentage write e.g. {name}{op}99%)")
    if name not in SHARES and bound < 0:
        raise InputError(f"--constraint {text!r}: {name} is never negative (got {bound:g})")
    return Constraint(name, op, bound, f"{name}{op}{number}{percent}")


def objective_measure(objective: str) -> str:
    """The measure an objective minimizes."""
    if objective not in OBJECTIVES:
        raise InputError(f"--objective {objective!r}: allowed: {', '.join(OBJECTIVES)}")
    return OBJECTIVES[objective]


def measures_of(summary: dict[str, Any], archive: str) -> dict[str, float]:
    """The measures of a run's summary for the optimized archive (reads measures are absent
    when it keeps no reads table)."""
    out = {"npv_usd": float(sum(summary["npv_usd"].values())),
           "total_usd": float(sum(summary["totals_usd"].values())),
           "archive_npv_usd": float(summary["npv_usd"][archive])}
    reads = summary.get("reads_by_archive", {}).get(archive)
    if reads:
        out.update({
            "priors_within_5s": float(reads["priors_within_target_share"]),
            "reads_within_5s": float(reads["share_within_target"]),
            "missed_reads": float(reads["missing"] + reads["unavailable"]),
            "missing": float(reads["missing"]),
            "unavailable": float(reads["unavailable"]),
            "priors_unavailable": float(reads["priors_unavailable"]),
            "latency_p50_s": float(reads["latency_p50_s"]),
            "latency_p99_s": float(reads["latency_p99_s"]),
            "latency_max_s": float(reads["latency_max_s"]),
        })
    leaving = summary.get("exit", {}).get(archive)
    if leaving:
        out["exit_usd"] = float(leaving["total_usd"])
        out["exit_weeks"] = float(leaving["weeks"])
    return out
