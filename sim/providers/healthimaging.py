"""AWS HealthImaging: image sets in two tiers moved by touches, no policy documents (engine:
:mod:`sim.archives.healthimaging`; catalog: ``aws-healthimaging-us-east-1``)."""

from __future__ import annotations

from sim.pricing.catalog import HealthImagingCatalog
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
