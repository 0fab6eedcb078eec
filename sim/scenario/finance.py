"""Finance settings: discounting, inflation, price trajectories."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sim.scenario.base import Model


class Finance(Model):
    discount_rate: Annotated[float, Field(gt=-1.0, lt=1.0)] = Field(
        description="Annual discount rate for NPV, compounded monthly. [1/year]"
    )
    inflation: Annotated[float, Field(gt=-1.0, lt=1.0)] = Field(
        0.0, description="Annual general inflation (for real vs nominal views). [1/year]"
    )
    basis: Literal["nominal", "real"] = Field(
        "nominal", description="nominal: discount the ledger's amounts at discount_rate; real: "
        "first remove inflation from them, and read discount_rate as a real rate.")
    price_change_per_year: dict[
        Literal["storage", "requests", "transitions", "retrieval", "early_deletion",
                "monitoring", "egress", "capex", "maintenance", "power", "space", "staff",
                "licences", "security", "migration"], Annotated[float, Field(gt=-1.0, le=1.0)]
    ] = Field(default_factory=dict, description="Annual change of prices by ledger category, "
              "compounded from the start, e.g. {storage: -0.03}. On-prem hardware prices change "
              "through their tiers' price_change_per_year instead.")
