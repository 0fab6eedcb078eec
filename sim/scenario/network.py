"""The site's internet link: bandwidth and outages."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from sim.scenario.base import Model, NonNegativeFloat, PositiveFloat


class OutageWindow(Model):
    start: dt.datetime = Field(description="Start of the outage (UTC).")
    hours: PositiveFloat = Field(description="Duration. [hours]")


class Outages(Model):
    """Internet outages: explicit windows and/or random ones (Poisson count, lognormal length)."""

    windows: list[OutageWindow] = Field(default_factory=list)
    per_year: NonNegativeFloat = Field(0.0, description="Random outages per year. [1/year]")
    hours_median: PositiveFloat = Field(4.0, description="Median random outage length. [hours]")
    hours_sigma: NonNegativeFloat = Field(
        1.0, description="Sigma of the log of random outage lengths.")


class Network(Model):
    """The site's internet link: bandwidth for cloud reads and outages."""

    wan_mbps: PositiveFloat | None = Field(
        None, description="Bandwidth for reads from the cloud; adds size / bandwidth to their "
        "latency. None: not modelled. [Mbit/s]")
    outages: Outages = Field(default_factory=Outages)
