"""AWS HealthImaging: image sets in two tiers moved by touches, no policy documents (engine:
:mod:`sim.archives.healthimaging`; catalog: ``aws-healthimaging-us-east-1``)."""

from __future__ import annotations

from typing import Literal

from sim.pricing.catalog import (
    CatalogBase,
    Egress,
    Price,
)
from sim.providers.registry import Provider, register


def check(spec) -> list[str]:
    problems = []
    if spec.storage_class:
        problems.append("AWS HealthImaging has no storage classes: remove storage_class")
    used = spec.given(("lifecycle",))
    if used:
        problems.append("AWS HealthImaging tiers image sets by itself (Frequent Access, Archive "
                        "Instant Access after 30 days without a touch); remove "
                        + ", ".join(used))
    return problems


# ------------------------------------------------------------------------------ price catalog


class HealthImagingCatalog(CatalogBase):
    """AWS HealthImaging: two tiers by image-set touches, API calls, no retrieval fees."""

    provider: Literal["aws-healthimaging"]
    frequent_access_usd_per_gib_month: Price
    archive_instant_access_usd_per_gib_month: Price
    api_usd_per_1000: Price
    api_calls_per_read_extra: Price
    min_billable_bytes: Price
    min_storage_days: Price
    days_to_archive_instant: Price
    first_byte_latency_s: Price
    metadata_usd_per_gib_month: Price
    egress_internet: Egress


PROVIDER = register(Provider(
    name="aws-healthimaging",
    summary="AWS HealthImaging (image sets, two tiers by touches)",
    storage_classes=(),
    default_storage_class="",
    default_catalog="aws-healthimaging-us-east-1",
    catalog_model=HealthImagingCatalog,
    engine="sim.archives.healthimaging:from_spec",
    check=check,
))
