"""Google Cloud Storage: storage classes, lifecycle configurations or Autoclass (engines:
:mod:`sim.archives.gcs`; catalog: ``gcp-us-east1``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import model_validator

from sim.pricing.catalog import (
    CatalogBase,
    CatalogModel,
    Egress,
    Fact,
    Price,
    keys_among,
    with_changed_entries,
)
from sim.providers.registry import DocumentKind, Provider, register
from sim.tiering.gcs_lifecycle import CLASSES


def load_documents(spec):
    """The lifecycle configuration, or None."""
    from sim.io.policy_files import load_gcs_lifecycle

    return load_gcs_lifecycle(spec.lifecycle) if spec.lifecycle else None


def check(spec) -> list[str]:
    if spec.turbo_replication and spec.location_type != "dual-region":
        return [f"turbo_replication is sold for dual-region buckets only (location_type is "
                f"{spec.location_type!r})"]
    if spec.autoclass is not None:
        used = spec.given(("lifecycle", "storage_class"))
        if used:
            return ["Autoclass starts every object in STANDARD and moves it by itself: remove "
                    + ", ".join(used)]
    return []


def check_priced(spec, catalog, lifecycle) -> None:
    """The bucket's location type (and turbo replication) has prices in the catalog."""
    from sim.errors import InputError

    where = f"archive {spec.name!r} location_type"
    priced_for_location(catalog, spec.location_type, where)
    if spec.turbo_replication and \
            catalog.locations[spec.location_type].turbo_replication_usd_per_gib is None:
        raise InputError(f"archive {spec.name!r} turbo_replication: catalog "
                         f"{catalog.catalog!r} sells no turbo replication for "
                         f"{spec.location_type} buckets")


def _is_lifecycle(doc: Any) -> bool:
    return isinstance(doc, dict) and (
        "rule" in doc or ("lifecycle" in doc and isinstance(doc["lifecycle"], dict)))


def _describe_lifecycle(file: Path) -> list[str]:
    from sim.io.policy_files import load_gcs_lifecycle
    from sim.tiering.gcs_lifecycle import DELETE

    config = load_gcs_lifecycle(file)
    lines = [f"{file}: valid GCS lifecycle configuration, {len(config.rules)} rule(s) applied"]
    for rule in config.rules:
        what = "Delete" if rule.action == DELETE else f"SetStorageClass {CLASSES[rule.action]}"
        when = [f"age {rule.age}" if rule.age is not None else "",
                f"{rule.days_since_custom_time} days since Custom-Time"
                if rule.days_since_custom_time is not None else "",
                f"created before {rule.created_before}" if rule.created_before else "",
                "in " + "/".join(CLASSES[c] for c in rule.matches_class)
                if rule.matches_class else ""]
        condition = ", ".join(w for w in when if w) or "always"
        lines.append(f"  rule {rule.number}: {what} ({condition})")
    lines += [f"  note: {note} is accepted but not simulated" for note in config.not_applied]
    return lines


# ------------------------------------------------------------------------------ price catalog


class GcsClass(CatalogModel):
    storage_usd_per_gib_hour: Price
    class_a_usd_per_1000: Price
    class_b_usd_per_1000: Price
    retrieval_usd_per_gib: Price
    min_storage_days: Price


class GcsLifecycleRules(CatalogModel):
    """How Google bills what lifecycle rules do (readings the reference could not confirm)."""

    early_deletion_clock: Fact
    """``creation``: the minimum storage duration counts from the object's creation and a
    SetStorageClass charges no early deletion; ``class_change``: it restarts at each change."""
    set_storage_class_operation: Fact
    """Which operation a SetStorageClass is billed as."""


class Autoclass(CatalogModel):
    management_usd_per_1000_objects_per_30_days: Price
    small_object_bytes: Price
    nearline_after_days: Price
    coldline_after_days: Price
    archive_after_days: Price


class LocationClass(CatalogModel):
    """A class's prices that differ in a dual- or multi-region bucket."""

    storage_usd_per_gib_hour: Price
    class_a_usd_per_1000: Price


class LocationType(CatalogModel):
    """Prices of buckets in a dual-region or multi-region: storage and Class A per class (Class
    B, retrieval and minimum durations as in a region), and the inter-region replication of every
    GiB written (default, and turbo where sold)."""

    classes: Annotated[dict[str, LocationClass], keys_among(*CLASSES)]
    replication_usd_per_gib: Price
    turbo_replication_usd_per_gib: Price | None = None


LOCATION_TYPES = ("region", "dual-region", "multi-region")


def priced_for_location(catalog: GcsCatalog, location_type: str, where: str) -> GcsCatalog:
    """The catalog as a bucket in ``location_type`` is billed (a region: unchanged)."""
    from sim.errors import InputError

    if location_type == "region":
        return catalog
    if location_type not in catalog.locations:
        raise InputError(f"{where}: catalog {catalog.catalog!r} has no {location_type} prices; "
                         f"priced: region, {', '.join(catalog.locations)}")
    changed = catalog.locations[location_type].classes
    return catalog.model_copy(
        update={"classes": with_changed_entries(catalog.classes, changed)})


class GcsCatalog(CatalogBase):
    """Google Cloud Storage: classes billed per GiB-hour, operations, Autoclass."""

    provider: Literal["gcp"]
    classes: Annotated[dict[str, GcsClass], keys_among(*CLASSES)]
    autoclass: Autoclass
    lifecycle: GcsLifecycleRules
    locations: Annotated[dict[str, LocationType], keys_among(*LOCATION_TYPES[1:])] = {}
    first_byte_latency_s: Price
    egress_internet: Egress

    @model_validator(mode="before")
    @classmethod
    def _flat_egress(cls, data: Any) -> Any:
        """Catalog files written before egress bands: ``egress_internet_usd_per_gib`` (one price)
        reads as a single band with no free allowance."""
        if isinstance(data, dict) and "egress_internet_usd_per_gib" in data \
                and "egress_internet" not in data:
            data = dict(data)
            old = data.pop("egress_internet_usd_per_gib")
            if isinstance(old, dict):
                data["egress_internet"] = {
                    "free_gib_per_month": {**old, "value": 0},
                    "usd_per_gib": {"bands": [{"from_gib": 0, "value": old.get("value")}],
                                    **{k: v for k, v in old.items() if k != "value"}},
                    "band_edges": {"value": "total_volume", "source": "one band",
                                   "as_of": old.get("as_of", "undated"), "confidence": "D"}}
        return data


PROVIDER = register(Provider(
    name="gcp",
    summary="Google Cloud Storage (lifecycle rules or Autoclass)",
    storage_classes=CLASSES,
    default_storage_class="STANDARD",
    default_catalog="gcp-us-east1",
    catalog_model=GcsCatalog,
    engine="sim.archives.gcs:from_spec",
    load_documents=load_documents,
    settings=("autoclass", "custom_time", "retention_policy", "location_type",
              "turbo_replication"),
    check=check,
    check_priced=check_priced,
    documents=(DocumentKind("GCS lifecycle configuration", _is_lifecycle, _describe_lifecycle,
                            "a GCS lifecycle configuration (lifecycle.rule)"),),
))
