"""The ledger: every charge of a run, one tidy row per (month, archive, tier, category, unit).

Columns (contract): ``month`` (YYYY-MM), ``archive``, ``tier``, ``category``, ``quantity``,
``unit``, ``amount_usd``.  Amounts keep full precision; round only when displaying.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

COLUMNS = ["month", "archive", "tier", "category", "quantity", "unit", "amount_usd"]
KEYS = ["month", "archive", "tier", "category", "unit"]

CATEGORIES = (
    "storage",
    "requests",
    "transitions",
    "retrieval",
    "early_deletion",
    "monitoring",
    "egress",
    "capex",
    "maintenance",
    "power",
    "space",
    "staff",
    "licences",
    "security",
    "migration",
    "compute",
    "network",
    "exit",
)
"""Fee categories (contract).  Ingest PUTs and read GETs are ``requests``; lifecycle transition
requests and tier-change operations are ``transitions``; per-GB retrieval, restore requests and
restored copies are ``retrieval``; monitoring and management fees are ``monitoring``; per-object
overheads are ``storage`` at the rate they are billed at; ``exit`` is leaving the provider at the
end of the run (booked only when ``finance.exit_cost: count``)."""


@dataclass(frozen=True)
class Charge:
    """One line of a bill.

    Attributes
    ----------
    month
        ``YYYY-MM``.
    quantity
        Billed quantity in ``unit`` (e.g. GiB-month, requests). [unit]
    amount_usd
        Money. [USD]
    """

    month: str
    archive: str
    tier: str
    category: str
    quantity: float
    unit: str
    amount_usd: float

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown ledger category {self.category!r}")


def ledger_frame(charges: list[Charge]) -> pd.DataFrame:
    """Charges -> tidy ledger: summed per key, sorted by month, archive, tier, category, unit."""
    if not charges:
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in COLUMNS})
    frame = pd.DataFrame([c.__dict__ for c in charges], columns=COLUMNS)
    frame = frame.groupby(KEYS, sort=True, as_index=False)[["quantity", "amount_usd"]].sum()
    return frame[COLUMNS].reset_index(drop=True)


def _dtype(column: str) -> str:
    return "float64" if column in ("quantity", "amount_usd") else "object"


def totals_by_year(ledger: pd.DataFrame) -> pd.DataFrame:
    """Amount per archive and calendar year. [USD], index year, columns archive"""
    year = ledger["month"].str.slice(0, 4).astype(int)
    return ledger.assign(year=year).pivot_table(
        index="year", columns="archive", values="amount_usd", aggfunc="sum", fill_value=0.0
    )
