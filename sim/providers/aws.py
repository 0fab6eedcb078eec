"""Amazon S3: storage classes, S3 Lifecycle configurations and S3 Intelligent-Tiering
configurations (engine: :mod:`sim.archives.s3`; catalog: ``aws-us-east-1``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from sim.pricing.catalog import (
    BandedPrice,
    CatalogBase,
    CatalogModel,
    Confidence,
    Egress,
    NonNegative,
    Price,
    keys_among,
)
from sim.providers.registry import DocumentKind, Provider, register
from sim.tiering.s3_lifecycle import ALL_CLASSES


def load_documents(spec) -> tuple[Any, list]:
    """(S3 Lifecycle configuration or None, Intelligent-Tiering configurations)."""
    from sim.io import policy_files as pf

    return (pf.load_lifecycle(spec.lifecycle) if spec.lifecycle else None,
            pf.load_intelligent_tiering(spec.intelligent_tiering)
            if spec.intelligent_tiering else [])


REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1",
    "mx-central-1", "sa-east-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1",
    "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "af-south-1", "me-south-1",
    "me-central-1", "il-central-1", "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "us-gov-east-1",
    "us-gov-west-1")
"""AWS region codes a replica may be in (AWS General Reference, 'AWS Regions', as of 2026)."""


def check(spec) -> list[str]:
    problems = []
    r = spec.replication
    if r is not None and r.storage_class not in ALL_CLASSES:
        problems.append(f"replication.storage_class {r.storage_class!r} is not an S3 class; "
                        f"allowed: {', '.join(ALL_CLASSES)}")
    if r is not None and r.region is not None and r.region not in REGIONS:
        problems.append(f"replication.region {r.region!r} is not an AWS region; allowed: "
                        + ", ".join(REGIONS))
    return problems


def _is_lifecycle(doc: Any) -> bool:
    return isinstance(doc, dict) and ("Rules" in doc or "LifecycleConfiguration" in doc)


def _describe_lifecycle(file: Path) -> list[str]:
    from sim.io.policy_files import load_lifecycle

    config = load_lifecycle(file)
    lines = [f"{file}: valid S3 Lifecycle configuration, {len(config.rules)} rule(s)"]
    for rule in config.rules:
        steps = ", ".join(
            f"{'expire' if a.storage_class == 'EXPIRE' else a.storage_class} "
            f"{'at day ' + str(a.days) if a.days is not None else 'on ' + str(a.date)}"
            for a in rule.actions)
        state = "" if rule.enabled else " (disabled)"
        lines.append(f"  {rule.id}{state}: {steps or 'no current-version action'}")
    lines += [f"  note: {note} is accepted but not simulated" for note in config.not_applied]
    return lines


def _is_intelligent_tiering(doc: Any) -> bool:
    return isinstance(doc, dict) and bool({"Tierings", "IntelligentTieringConfiguration",
                                           "IntelligentTieringConfigurationList"} & set(doc))


def _describe_intelligent_tiering(file: Path) -> list[str]:
    from sim.io.policy_files import load_intelligent_tiering

    configs = load_intelligent_tiering(file)
    return [f"{file}: valid S3 Intelligent-Tiering configuration(s): "
            + ", ".join(c.id for c in configs)]


# ------------------------------------------------------------------------------ price catalog


class RestoreTier(CatalogModel):
    usd_per_1000: NonNegative
    usd_per_gib: NonNegative
    hours: NonNegative
    source: str = Field(min_length=1)
    as_of: str = Field(min_length=1)
    confidence: Confidence


class StorageClass(CatalogModel):
    storage_usd_per_gib_month: BandedPrice | Price
    put_usd_per_1000: Price
    get_usd_per_1000: Price
    transition_in_usd_per_1000: Price | None = None
    retrieval_usd_per_gib: Price
    min_storage_days: Price
    min_billable_bytes: Price
    first_byte_latency_s: Price | None = None
    overhead_bytes_at_standard: Price | None = None
    overhead_bytes_at_class: Price | None = None
    restore: dict[str, RestoreTier] | None = None

    @property
    def needs_restore(self) -> bool:
        return self.restore is not None


class ITTier(CatalogModel):
    days: int | None = None
    storage_usd_per_gib_month: Price


class IntelligentTiering(CatalogModel):
    tiers: Annotated[dict[str, ITTier], keys_among("FA", "IA", "AIA", "AA", "DAA")]
    monitoring_usd_per_1000_objects_month: Price
    small_object_bytes: Price
    overhead_bytes_at_standard: Price
    overhead_bytes_at_class: Price
    restore: Annotated[dict[str, dict[str, RestoreTier]], keys_among("AA", "DAA")]


class Catalog(CatalogBase):
    provider: Literal["aws"]
    classes: dict[str, StorageClass]
    intelligent_tiering: IntelligentTiering
    delete_usd_per_1000: Price
    egress_internet: Egress
    inter_region_transfer_usd_per_gib: Price | None = None
    """Data transfer to another AWS region (what cross-region replication pays per GiB)."""


PROVIDER = register(Provider(
    name="aws",
    summary="S3 (storage classes, Lifecycle, Intelligent-Tiering)",
    storage_classes=ALL_CLASSES,
    default_storage_class="STANDARD",
    default_catalog="aws-us-east-1",
    catalog_model=Catalog,
    engine="sim.archives.s3:from_spec",
    load_documents=load_documents,
    settings=("intelligent_tiering", "replication", "object_lock"),
    check=check,
    documents=(
        DocumentKind("S3 Lifecycle configuration", _is_lifecycle, _describe_lifecycle,
                     "an S3 Lifecycle configuration (Rules)"),
        DocumentKind("S3 Intelligent-Tiering configuration", _is_intelligent_tiering,
                     _describe_intelligent_tiering,
                     "an Intelligent-Tiering configuration (Id, Status, Tierings)"),
    ),
))
