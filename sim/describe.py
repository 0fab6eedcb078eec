"""Each option described by what it is, from its scenario: archive kind, provider, catalog,
storage class and policy documents, cache or tiered hybrid, copies, owned hardware, migration,
link (pure text; no I/O).

For example: "s3-intelligent-tiering (cloud): S3 (aws-us-east-1), class STANDARD, lifecycle
s3-all-to-intelligent-tiering.json, ..., existing archive migrated in; starts from 5 years already
archived; 1,000 Mbit/s internet link; 2 outages a year."
"""

from __future__ import annotations

from pathlib import Path

from sim import providers
from sim.scenario import Scenario


def describe(scenario: Scenario) -> str:
    """One paragraph: every archive, then what the run starts from and the link."""
    parts = [_archive(a) for a in scenario.archives]
    existing = scenario.workload.existing
    if existing is not None:
        given = ", ".join(([f"{existing.stored_tb:,.0f} TB"] if existing.stored_tb else [])
                          + ([f"{existing.studies:,} studies"] if existing.studies else [])
                          + (["by modality"] if existing.modalities else []))
        parts.append(f"starts from {existing.years} years already archived"
                     + (f" ({given})" if given else ""))
    net = scenario.network
    if net.wan_mbps is not None:
        parts.append(f"{net.wan_mbps:,.0f} Mbit/s internet link")
    if net.outages.per_year or net.outages.windows:
        parts.append(f"{net.outages.per_year:g} outages a year"
                     + (f" and {len(net.outages.windows)} given" if net.outages.windows else ""))
    return "; ".join(parts) + "."


def _archive(a) -> str:
    if a.kind == "flat":
        return f"{a.name}: flat-priced archive at ${a.price_usd_per_gib_month:g} per GiB-month"
    if a.kind == "cloud":
        return f"{a.name} (cloud): {_cloud(a)}"
    if a.kind == "onprem":
        tiers = " + ".join(_tier(t) for t in a.tiers)
        extra = (["tape copy vaulted off-site"] if a.tape_copy else []) + \
            ([f"WORM {a.worm.days} days"] if a.worm else [])
        return (f"{a.name} (on-prem): {tiers}; refreshed every {a.refresh_years:g} years"
                + "".join(f"; {e}" for e in extra))
    c = a.cache
    window = window_text(c)
    if c.mode == "tiered":
        return (f"{a.name} (hybrid, tiered): studies only on-prem in {_tier(c.tier)} for "
                f"{window}, then moved to {_cloud(a.cloud)}")
    return (f"{a.name} (hybrid, cache): every study in {_cloud(a.cloud)}; the last {window} "
            f"also on-prem in {_tier(c.tier)}")


def window_text(cache, capacity_suffix: str = "") -> str:
    """A hybrid's on-prem window: '24 months', '500 TB' or both joined by 'or'."""
    return " or ".join(([f"{cache.window_months} months"] if cache.window_months else [])
                       + ([f"{cache.capacity_tb:g} TB{capacity_suffix}"] if cache.capacity_tb
                          else []))


def _tier(t) -> str:
    owned = ""
    if t.installed is not None:
        o = t.installed
        when = o.purchased.isoformat()[:7] if o.purchased else f"{o.age_years:g} years old"
        owned = f", {o.raw_tb:,.0f} raw TB owned ({when}"
        owned += f", refresh {o.refresh_on.isoformat()[:7]})" if o.refresh_on else ")"
    keep = f", first {t.keep_days} days" if t.keep_days else ""
    return f"tier {t.name} ({t.copies} cop{'y' if t.copies == 1 else 'ies'}{keep}{owned})"


def _cloud(c) -> str:
    provider = providers.get(c.provider).summary.split(" (")[0]
    bits = [f"{provider} ({Path(str(c.catalog)).stem})"]
    if c.storage_class:
        bits.append(f"class {c.storage_class}")
    for label, doc in (("lifecycle", c.lifecycle), ("Intelligent-Tiering",
                                                    c.intelligent_tiering)):
        if doc is not None:
            bits.append(f"{label} {Path(doc).name}")
    if getattr(c, "autoclass", None) is not None:
        bits.append("Autoclass")
    az = getattr(c, "azure", None)
    if az is not None:
        if az.redundancy != "LRS":
            bits.append(az.redundancy)
        if az.smart_tier:
            bits.append("smart tier")
        if az.reserved_capacity:
            bits.append("reserved capacity")
        if az.immutability:
            bits.append("immutable")
    if getattr(c, "location_type", "region") != "region":
        bits.append(c.location_type)
    if c.replication is not None:
        bits.append(f"replica in {c.replication.storage_class}"
                    + (" in another region" if c.replication.cross_region else ""))
    if c.object_lock is not None:
        bits.append(f"Object Lock {c.object_lock.days} days")
    if c.migration is not None:
        bits.append("existing archive migrated in")
    return ", ".join(bits)
