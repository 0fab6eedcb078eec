"""Finance settings: discounting, inflation, price trajectories."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sim.scenario.base import Model, PositiveFloat


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
    exit_cost: Literal["report", "count"] = Field(
        "report", description="What leaving each cloud option at the end of the run would cost "
        "(restores, retrieval, requests, egress of everything, storage while it drains): "
        "'report' shows it beside the NPV and as a risk; 'count' also books it in the run's "
        "last month (ledger category exit), so totals and NPV include it.")
    exit_tb_per_week: PositiveFloat | None = Field(
        None, description="How fast the archive could be moved out (the next archive's import "
        "rate).  Default: as a migration's default, in a quarter of the years the data span "
        "(docs/sources.md), or at the rate the option's migration moved in if faster; never "
        "faster than network.wan_mbps. [TB/week]")
