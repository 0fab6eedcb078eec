"""The cost of running an archive, whatever it stores on: staff, security operations, the
VNA/PACS archive licence, support contracts, cloud-side compute or gateways, and the network link.

Every archive kind takes the same ``operations:`` block, so options compare like for like (an
on-prem option pays its storage team; a cloud option pays the engineer who runs the buckets, the
same VNA licence, its link).  Each line is billed monthly into the ledger under its category
(``staff``, ``security``, ``licences``, ``maintenance``, ``compute``, ``network``) by
:mod:`sim.operations`.  Yearly price changes come from ``finance.price_change_per_year`` (e.g.
``licences: 0.03`` for a licence that escalates 3 % a year).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.base import Model, NonNegativeFloat


class StaffChange(Model):
    """FTEs added (or, negative, removed) for a period: extra hands during a migration, fewer
    after the old archive is switched off."""

    start: dt.date = Field(description="First day of the change (its month counts whole).")
    end: dt.date | None = Field(
        None, description="Day the change ends (exclusive; default: the end of the run).")
    fte: Annotated[float, Field(ge=-1000.0, le=1000.0)] = Field(
        description="FTEs added (negative: removed) while it lasts. [FTE]")


class OperationsStaff(Model):
    fte: NonNegativeFloat = Field(0.0, description="Staff for the archive at any size. [FTE]")
    fte_per_pb: NonNegativeFloat = Field(
        0.0, description="Additional staff per PB stored (logical, at the month's end). [FTE/PB]")
    usd_per_fte_year: NonNegativeFloat = Field(0.0, description="Loaded cost. [USD/FTE/year]")
    changes: list[StaffChange] = Field(
        default_factory=list, description="Temporary or lasting changes (a ramp).")


class OperationsLicences(Model):
    """The archive layer's software (VNA/PACS archive) licence; give every option the same one
    unless the scenario really changes it."""

    usd_per_study: NonNegativeFloat = Field(0.0, description="Per study ingested. [USD]")
    usd_per_study_stored_year: NonNegativeFloat = Field(
        0.0, description="Per study held, per year (at the month's end). [USD/study/year]")
    usd_per_tb_year: NonNegativeFloat = Field(
        0.0, description="Per TB held (logical, at the month's end). [USD/TB/year]")
    usd_per_year: NonNegativeFloat = Field(0.0, description="Flat. [USD/year]")


class Operations(Model):
    """What running the archive costs besides storing the bytes (all default to nothing)."""

    staff: OperationsStaff = Field(default_factory=OperationsStaff)
    security_usd_per_year: NonNegativeFloat = Field(
        0.0, description="Security operations: tools, monitoring, audits. [USD/year]")
    security_usd_per_tb_year: NonNegativeFloat = Field(
        0.0, description="Security operations per TB held. [USD/TB/year]")
    licences: OperationsLicences = Field(default_factory=OperationsLicences)
    support_usd_per_year: NonNegativeFloat = Field(
        0.0, description="Support and maintenance contracts (ledger category maintenance). "
        "[USD/year]")
    compute_usd_per_month: NonNegativeFloat = Field(
        0.0, description="Cloud-side compute, gateway appliances or a cloud VNA's servers "
        "(ledger category compute). [USD/month]")
    network_usd_per_year: NonNegativeFloat = Field(
        0.0, description="A dedicated link or an internet upgrade bought for the archive "
        "(ledger category network). [USD/year]")

    @model_validator(mode="after")
    def _staff_has_a_cost(self) -> Operations:
        s = self.staff
        if (s.fte or s.fte_per_pb or s.changes) and not s.usd_per_fte_year:
            raise ValueError("staff: FTEs are given but usd_per_fte_year is 0; give the loaded "
                             "cost per FTE-year")
        return self

    @property
    def empty(self) -> bool:
        """True when no line costs anything."""
        return self == Operations()


class Discount(Model):
    """A negotiated discount on one ledger category of this archive (an enterprise agreement,
    a vendor's discount on hardware or support), from a date for a term."""

    category: Literal["storage", "requests", "transitions", "retrieval", "early_deletion",
                      "monitoring", "egress", "capex", "maintenance", "power", "space", "staff",
                      "licences", "security", "migration", "compute", "network"] = Field(
        description="The ledger category the discount applies to.")
    percent: Annotated[float, Field(gt=0.0, le=100.0)] = Field(
        description="Off the list price, in percent (above 0, at most 100). [%]")
    start: dt.date | None = Field(
        None, description="First day (its month counts whole; default: the run's start).")
    months: Annotated[int, Field(ge=1, le=600)] | None = Field(
        None, description="Term in months (default: to the end of the run). [months]")
    source: str = Field("", description="The contract or quote it comes from.")


OperationsField = Annotated[Operations, Field(
    default_factory=Operations, description="Staff, security, the VNA licence, support, "
    "compute and network: what running the archive costs besides storage (the same block "
    "for every archive kind).")]
"""The ``operations:`` field every archive kind declares."""
DiscountsField = Annotated[list[Discount], Field(
    default_factory=list, description="Negotiated discounts by ledger category, from a date "
    "for a term (the same for every archive kind).")]
"""The ``discounts:`` field every archive kind declares."""
