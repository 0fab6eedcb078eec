"""The archive kinds a scenario lists (flat, cloud, onprem, hybrid), one union by ``kind``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.base import ArchiveName, Model, NonNegativeFloat
from sim.scenario.cloud import CloudArchive
from sim.scenario.onprem import Cache, OnPremArchive, OnPremCosts
from sim.scenario.operations import DiscountsField, OperationsField


class FlatArchive(Model):
    """A simple archive billed at one price per GiB-month (an on-prem-style flat rate)."""

    name: ArchiveName
    kind: Literal["flat"]
    tier: str = Field("primary", min_length=1, description="Tier name used in the ledger.")
    price_usd_per_gib_month: NonNegativeFloat = Field(
        description="Storage price per GiB-month (2^30 bytes, byte-time over the month). [USD]"
    )
    price_source: str = Field(min_length=1, description="Source and as-of date of the price.")
    operations: OperationsField
    discounts: DiscountsField




class HybridArchive(OnPremCosts):
    """An on-prem cache in front of a cloud archive that receives every study."""

    name: ArchiveName
    kind: Literal["hybrid"]
    cache: Cache
    cloud: CloudArchive

    @model_validator(mode="after")
    def _operations_once(self) -> HybridArchive:
        if not self.cloud.operations.empty:
            raise ValueError("cloud.operations: give the hybrid's operations once, on the hybrid "
                             "entry (operations: ...), not on its cloud part")
        if self.cloud.discounts:
            raise ValueError("cloud.discounts: give the hybrid's discounts on the hybrid entry "
                             "(they apply to its ledger rows, cloud and cache alike)")
        return self


def cloud_part(archive) -> CloudArchive | None:
    """The cloud archive of an entry: itself, a hybrid's cloud part, or None."""
    cloud = archive.cloud if archive.kind == "hybrid" else archive
    return cloud if cloud.kind == "cloud" else None


Archive = Annotated[FlatArchive | CloudArchive | OnPremArchive | HybridArchive,
                    Field(discriminator="kind")]
