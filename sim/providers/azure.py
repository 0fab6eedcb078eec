"""Azure Blob Storage: access tiers, lifecycle management policies or smart tier (engines:
:mod:`sim.archives.azure`, :mod:`sim.archives.azure_smart_tier`; catalog: ``azure-eastus``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from sim.pricing.catalog import (
    BandedPrice,
    CatalogBase,
    CatalogModel,
    Egress,
    Fact,
    Price,
    keys_among,
    with_changed_entries,
)
from sim.providers.registry import DocumentKind, Provider, register
from sim.tiering.azure_lifecycle import DELETE, TIERS


def load_documents(spec):
    """The lifecycle management policy, or None."""
    from sim.io.policy_files import load_azure_policy

    return load_azure_policy(spec.lifecycle) if spec.lifecycle else None


def check(spec) -> list[str]:
    options = spec.azure
    if options is not None and options.immutability is not None and options.last_access_tracking:
        return ["azure.immutability: immutable storage cannot be combined with last-access-time "
                "tracking (Microsoft: immutable storage, feature support); set "
                "azure.last_access_tracking: false (rules on days since last access then count "
                "from the policy's enable date)"]
    if spec.azure is not None and spec.azure.smart_tier:
        used = spec.given(("lifecycle",)) + (
            ["storage_class"] if spec.storage_class != "Hot" else [])
        if used:
            return ["smart tier moves blobs between Hot, Cool and Cold by itself (new blobs "
                    f"start in Hot): remove {', '.join(used)}"]
    return []


def tiers_used(spec, policy) -> set[str]:
    """Tiers the account's blobs can be in (smart tier: Hot, Cool, Cold; else the upload tier,
    the rehydration tier and every tier the policy moves blobs to)."""
    options = spec.azure
    if options is not None and options.smart_tier:
        return {"Hot", "Cool", "Cold"}
    used = {spec.storage_class, options.rehydrate_to if options is not None else "Hot"}
    for rule in policy.rules if policy else ():
        used |= {TIERS[t] for t in rule.actions if t != DELETE}
    return used


def check_priced(spec, catalog, policy) -> None:
    """The account's redundancy is priced for every tier its blobs can be in."""
    options = spec.azure
    priced_for_redundancy(catalog, options.redundancy if options else "LRS",
                          tiers_used(spec, policy), f"archive {spec.name!r} azure.redundancy")


def _is_policy(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    inner: dict = doc["properties"] if isinstance(doc.get("properties"), dict) else doc
    inner = inner["policy"] if isinstance(inner.get("policy"), dict) else inner
    return "rules" in inner


def _describe_policy(file: Path) -> list[str]:
    from sim.io.policy_files import load_azure_policy
    from sim.tiering.azure_lifecycle import DELETE

    policy = load_azure_policy(file)
    lines = [f"{file}: valid Azure lifecycle management policy, {len(policy.rules)} rule(s)"]
    for rule in policy.rules:
        steps = []
        for target, c in sorted(rule.actions.items(), key=lambda kv: kv[1].days):
            what = "delete" if target == DELETE else f"to {TIERS[target]}"
            extra = (f" and {c.tier_change_days} days after the last tier change"
                     if c.tier_change_days is not None else "")
            steps.append(f"{what} {c.days} days after {c.clock.replace('_', ' ')}{extra}")
        if rule.auto_tier_to_hot:
            steps.append("back to Hot from Cool when read")
        state = "" if rule.enabled else " (disabled)"
        lines.append(f"  {rule.name}{state}: {'; '.join(steps)}")
    lines += [f"  note: {note} is accepted but not simulated" for note in policy.not_applied]
    return lines


# ------------------------------------------------------------------------------ price catalog


class AzureTier(CatalogModel):
    storage_usd_per_gib_month: BandedPrice | Price
    write_usd_per_10000: Price
    read_usd_per_10000: Price
    retrieval_usd_per_gib: Price
    min_storage_days: Price
    min_billable_object_bytes: Price


class MinimumSizeDates(CatalogModel):
    """When the 128 KiB minimum billable size on cooler tiers starts (ISO dates)."""

    new_accounts_from: Fact
    all_accounts_from: Fact


class Rehydration(CatalogModel):
    read_usd_per_10000: Price
    retrieval_usd_per_gib: Price
    hours: Price


class SmartTier(CatalogModel):
    cool_after_days: Price
    cold_after_days: Price
    monitoring_usd_per_10000_objects_month: Price
    small_object_bytes: Price
    tier_change_fees: Price


REDUNDANCIES = ("LRS", "ZRS", "GRS", "RA-GRS", "GZRS", "RA-GZRS")
"""Azure Storage redundancy options (the catalog's ``tiers`` are one of them, LRS)."""


class RedundancyTier(CatalogModel):
    """A tier's prices that differ under a redundancy option."""

    storage_usd_per_gib_month: BandedPrice | Price
    write_usd_per_10000: Price


class Redundancy(CatalogModel):
    """Prices of an account with this redundancy: storage and writes per tier sold (a tier it
    lacks is not offered with it, e.g. Archive on ZRS), and the geo-replication data transfer
    per GiB written for geo-redundant options."""

    tiers: Annotated[dict[str, RedundancyTier], keys_among(*TIERS)]
    geo_replication_usd_per_gib: Price | None = None


def priced_for_redundancy(catalog: AzureCatalog, redundancy: str, tiers_used: set[str],
                          where: str) -> AzureCatalog:
    """The catalog as an account with ``redundancy`` is billed (LRS: unchanged); a tier the
    account uses that the redundancy does not offer is an error."""
    from sim.errors import InputError

    if redundancy == "LRS":
        return catalog
    if redundancy not in catalog.redundancy:
        raise InputError(f"{where}: catalog {catalog.catalog!r} has no {redundancy} prices; "
                         f"priced: LRS, {', '.join(catalog.redundancy)}")
    changed = catalog.redundancy[redundancy].tiers
    missing = sorted(tiers_used - set(changed))
    if missing:
        raise InputError(f"{where}: {redundancy} accounts have no {', '.join(missing)} tier "
                         f"(offered: {', '.join(changed)})")
    return catalog.model_copy(update={"tiers": with_changed_entries(catalog.tiers, changed)})


class AzureCatalog(CatalogBase):
    """Azure Blob Storage: Hot/Cool/Cold/Archive, operations per 10,000, rehydration."""

    provider: Literal["azure"]
    tiers: Annotated[dict[str, AzureTier], keys_among(*TIERS)]
    min_billable_size_effective: MinimumSizeDates
    rehydration: Annotated[dict[str, Rehydration], keys_among("Standard", "High")]
    last_access_update_usd_per_10000: Price
    smart_tier: SmartTier
    redundancy: Annotated[dict[str, Redundancy], keys_among(*REDUNDANCIES[1:])] = {}
    first_byte_latency_s: Price
    egress_internet: Egress


PROVIDER = register(Provider(
    name="azure",
    summary="Azure Blob Storage (access tiers, lifecycle management policy or smart tier)",
    storage_classes=TIERS,
    default_storage_class="Hot",
    default_catalog="azure-eastus",
    catalog_model=AzureCatalog,
    engine="sim.archives.azure:from_spec",
    load_documents=load_documents,
    settings=("azure",),
    check=check,
    check_priced=check_priced,
    documents=(DocumentKind("Azure lifecycle management policy", _is_policy, _describe_policy,
                            "an Azure lifecycle management policy (rules)"),),
))
