"""A cloud archive entry: provider, catalog, storage class, policy documents, migration, and
the settings only one provider has (its checks come from the provider registry)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from sim import providers
from sim.scenario.base import ArchiveName, Model, NonNegativeFloat, PositiveFloat, Share, _existing
from sim.scenario.operations import DiscountsField, OperationsField

MIGRATION_SHARE_OF_HISTORY = 0.25
"""Without a given export rate, a migration takes this share of the years its archive took to
acquire: "conventional migration typically requires 20-30% of the time it took to acquire the
data; for a five-year-old PACS, a year to 18 months" (Laitek, undated, C).  The rate this gives
grows with the archive: 400 TB over five years moves at about 6 TB a week, inside the sustained
rates published (0.5-0.7 TB/week for NHS trusts c. 2013, B; 5.8 TB/week for a tuned C-MOVE
export, Cypher IT 2016, C; file-level "rapid" migration up to 1 TB a day, Laitek, C).  [-]"""


class Migration(Model):
    """Moving the existing archive (``workload.existing``) into this cloud archive at the start:
    its studies are uploaded oldest first, as fast as both the old VNA exports them and the link
    carries them, then the old system is switched off."""

    mbps: PositiveFloat = Field(description="Bandwidth used for the upload. [Mbit/s]")
    export_tb_per_week: PositiveFloat | None = Field(
        None, description="Sustained rate at which the old VNA exports studies; the upload runs "
        "at the lesser of this, export_studies_per_hour and mbps.  Default (neither export rate "
        f"given): the migration takes {MIGRATION_SHARE_OF_HISTORY:.0%} of the years the archive "
        "spans (published: 20-30 %; see docs/sources.md). [TB/week, 10^12 bytes]")
    export_studies_per_hour: PositiveFloat | None = Field(
        None, description="The old VNA's export rate counted in studies, as DICOM migration "
        "tools report it. [studies/hour]")
    project_usd: NonNegativeFloat = Field(
        0.0, description="One-time migration project cost, at the start. [USD]")
    services_usd_per_study: NonNegativeFloat = Field(
        0.0, description="Migration services fee per study moved, billed as it arrives (no "
        "public price: give your quote). [USD/study]")
    services_usd_per_tb: NonNegativeFloat = Field(
        0.0, description="Migration services fee per TB moved, billed as it arrives. [USD/TB]")
    old_system_usd_per_month: NonNegativeFloat = Field(
        0.0, description="Running the old archive until the upload is complete (and until "
        "old_contract_ends, if later). [USD/month]")
    old_contract_ends: dt.date | None = Field(
        None, description="The last day (paid) of the old archive's support contract: it is "
        "paid until then even when the upload finishes sooner.")
    old_renewal_usd_per_month: NonNegativeFloat | None = Field(
        None, description="Running the old archive after old_contract_ends while the upload "
        "goes on (a short renewal is often dearer).  Default: old_system_usd_per_month. "
        "[USD/month]")
    decommission_usd: NonNegativeFloat = Field(
        0.0, description="Switching off the old archive, when the upload is complete. [USD]")
    source_egress_usd_per_gib: NonNegativeFloat = Field(
        0.0, description="Egress from the old archive when it is another cloud. [USD/GiB]")
    old_read_latency_s: NonNegativeFloat = Field(
        10.0, description="Time to display a study the old archive still serves. [s]")

    @model_validator(mode="after")
    def _renewal_needs_an_end(self) -> Migration:
        if self.old_renewal_usd_per_month is not None and self.old_contract_ends is None:
            raise ValueError("old_renewal_usd_per_month needs old_contract_ends (when the "
                             "renewal starts)")
        return self

    @property
    def rate_mbps(self) -> float:
        """The upload's byte rate as given: the lesser of the link and the old VNA's export rate
        when one is given in bytes (else the link; :func:`sim.archives.linked.plan_upload`
        applies the default). [Mbit/s]

        >>> Migration(mbps=1000, export_tb_per_week=6.048).rate_mbps  # 6.048e12 B / 604,800 s
        80.0
        """
        if self.export_tb_per_week is None:
            return self.mbps
        return min(self.mbps, tb_per_week_to_mbps(self.export_tb_per_week))


def tb_per_week_to_mbps(tb_per_week: float) -> float:
    """[TB/week] -> [Mbit/s] (1 TB = 10^12 bytes)."""
    return tb_per_week * 1e12 * 8 / (7 * 86_400) / 1e6


def mbps_to_tb_per_week(mbps: float) -> float:
    """[Mbit/s] -> [TB/week], the inverse of :func:`tb_per_week_to_mbps`."""
    return mbps * 1e6 / 8 * (7 * 86_400) / 1e12


class S3Replication(Model):
    """S3 Replication of every new object to a second bucket (a disaster-recovery copy): the
    replica is uploaded into ``storage_class`` (replication PUTs at that class), crosses regions
    at the catalog's transfer price when ``cross_region``, lives under the destination bucket's
    own lifecycle, and is never read.  Studies the archive holds at the start are in the replica
    from the start too, replicated (and billed) in the first month, as S3 Batch Replication
    would copy them; migrated studies are replicated as they arrive."""

    storage_class: str = Field(
        "STANDARD", description="Class replicas are stored in (ReplicationConfiguration "
        "Destination StorageClass), e.g. DEEP_ARCHIVE for a DR copy.")
    lifecycle: Path | None = Field(
        None, description="The destination bucket's S3 Lifecycle configuration, if any.")
    region: str | None = Field(
        None, description="The destination bucket's region code, e.g. us-west-2 (decides "
        "cross_region: another region than the catalog's pays the transfer).")
    cross_region: bool = Field(
        True, description="The destination is in another region (transfer billed per GiB); "
        "with region given, decided by it.")
    follow_deletes: bool = Field(
        True, description="Replicas are removed when retention removes the source study (the "
        "destination's lifecycle set up to match: ASSUMPTION); false: they stay.")

    @field_validator("lifecycle")
    @classmethod
    def _resolve(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        return _existing(path, info)

    @model_validator(mode="after")
    def _one_way_to_say_it(self) -> S3Replication:
        if self.region is not None and "cross_region" in self.model_fields_set:
            raise ValueError("give region or cross_region, not both (the region decides "
                             "whether the transfer is cross-region)")
        return self


class DedicatedLink(Model):
    """A dedicated link to the provider (AWS Direct Connect, Google Cloud Interconnect) priced
    from the catalog: ports per hour, and data read back over it at the link's per-GiB price
    instead of internet egress."""

    port_speed: str = Field(description="Port speed as the catalog sells it, e.g. '1 Gbps' "
                            "(AWS) or '10 Gbps' (Google).")
    ports: Annotated[int, Field(ge=1, le=16)] = Field(
        1, description="Ports (connections) bought; two for a redundant pair. [ports]")
    share_of_egress: Share = Field(
        1.0, description="Share of the archive's egress that goes over the link (the rest "
        "over the internet). [0-1]")


class S3ObjectLock(Model):
    """S3 Object Lock with a default retention period on the bucket (WORM, against ransomware):
    an object cannot be deleted before creation + ``days``, so retention deletions and lifecycle
    expirations wait until then and the object is billed meanwhile.  GOVERNANCE can be bypassed
    with special permission, COMPLIANCE cannot; the simulator assumes no bypass."""

    mode: Literal["GOVERNANCE", "COMPLIANCE"] = Field(
        description="The retention mode (DefaultRetention Mode).")
    days: Annotated[int, Field(ge=1, le=36500)] = Field(
        description="Default retention period (DefaultRetention Days). [days]")


class GcsRetentionPolicy(Model):
    """A Google Cloud Storage bucket retention policy (optionally locked with Bucket Lock): an
    object cannot be deleted or replaced until it is ``days`` old, so retention deletions and
    lifecycle Delete actions wait until then (billed meanwhile); SetStorageClass still runs."""

    days: Annotated[int, Field(ge=1, le=36500)] = Field(
        description="Retention period (retentionPolicy.retentionPeriod, here in days). [days]")
    locked: bool = Field(
        True, description="Bucket Lock applied (the period can no longer be shortened).")


class GcsAutoclass(Model):
    """Autoclass on a Google Cloud Storage bucket."""

    terminal_storage_class: Literal["NEARLINE", "ARCHIVE"] = Field(
        "NEARLINE", description="The coldest class objects move to (Google's default: "
        "NEARLINE).")


class AzureImmutability(Model):
    """Azure immutable blob storage with a time-based retention policy on the container (WORM,
    against ransomware): a blob cannot be deleted until ``days`` after its creation, so
    retention deletions wait until then (billed meanwhile); tier changes are still allowed; the
    lifecycle policy's delete actions do not run on an immutable container at all (Microsoft:
    "the delete action of a lifecycle management policy won't work with any blob in an
    immutable container").  Immutability excludes last-access-time tracking."""

    days: Annotated[int, Field(ge=1, le=146000)] = Field(
        description="Retention interval (immutabilityPeriodSinceCreationInDays). [days]")
    locked: bool = Field(
        True, description="The policy is locked (as compliance rules need); the simulator "
        "assumes an unlocked one is not shortened either.")


class AzureReservation(Model):
    """Azure Blob Storage reserved capacity: a commitment to ``count`` units of one tier for a
    term, billed every month whether used or not; the tier's storage up to the reserved amount
    costs nothing more, storage above it is billed at pay-as-you-go prices.  Only storage
    capacity is covered (not operations, transfer or early deletion).  Microsoft sells 100 TiB
    and 1 PiB units, for 1 or 3 years, on the Hot, Cool and Archive tiers (not Cold)."""

    tier: Literal["Hot", "Cool", "Archive"] = Field(
        description="The access tier reserved (Azure reserves Hot, Cool and Archive only).")
    unit: Literal["100 TiB", "1 PiB"] = Field(description="The unit bought.")
    count: Annotated[int, Field(ge=1, le=1000)] = Field(1, description="Units bought.")
    term_years: Literal[1, 3] = Field(description="Term of the commitment. [years]")
    start: dt.date | None = Field(
        None, description="First day of the term (default: the scenario start).")
    renew: bool = Field(
        False, description="Bought again when a term ends, at renewal_usd_per_unit_month (Azure "
        "does not renew by itself: the capacity reverts to pay-as-you-go).")
    usd_per_unit_month: NonNegativeFloat = Field(
        description="Price per unit per month, monthly billing (from your Azure price sheet or "
        "quote: no public East US price was found for the catalog). [USD/unit/month]")
    renewal_usd_per_unit_month: NonNegativeFloat | None = Field(
        None, description="With renew: the price of the terms after the first (default: the "
        "same price). [USD/unit/month]")
    source: str = Field(min_length=1, description="Where the price comes from, and its date.")

    @model_validator(mode="after")
    def _renewal_needs_renew(self) -> AzureReservation:
        if self.renewal_usd_per_unit_month is not None and not self.renew:
            raise ValueError("renewal_usd_per_unit_month needs renew: true (the reservation is "
                             "bought again when its term ends)")
        return self


class AzureOptions(Model):
    """Azure Blob Storage account settings that change the bill."""

    last_access_tracking: bool = Field(
        True, description="Last-access-time tracking on (needed for daysAfterLastAccessTime "
        "rules; when off, such rules count from the date the policy was enabled).")
    policy_enabled: dt.date | None = Field(
        None, description="Date the lifecycle policy (and tracking) was enabled (default: the "
        "scenario start); blobs not read since count from it.")
    account_created: dt.date | None = Field(
        None, description="Date the storage account was created (default: the scenario start): "
        "decides when the 128 KiB minimum billable size on Cool/Cold/Archive applies.")
    rehydrate_priority: Literal["Standard", "High"] = Field(
        "Standard", description="Priority of rehydrations of archived studies that are read.")
    rehydrate_to: Literal["Hot", "Cool"] = Field(
        "Hot", description="Tier an archived study is rehydrated to when read.")
    smart_tier: bool = Field(
        False, description="Account-level smart tier (Hot/Cool/Cold by inactivity) instead of "
        "lifecycle rules.")
    redundancy: Literal["LRS", "ZRS", "GRS", "RA-GRS", "GZRS", "RA-GZRS"] = Field(
        "LRS", description="The account's redundancy: LRS (one datacentre), ZRS (three zones), "
        "GRS / RA-GRS (a copy in the paired region; RA: readable), GZRS / RA-GZRS; priced from "
        "the catalog's redundancy section, geo-redundant ones with geo-replication per GiB "
        "written.")
    reserved_capacity: list[AzureReservation] = Field(
        default_factory=list, description="Reserved capacity commitments.")
    immutability: AzureImmutability | None = Field(
        None, description="Time-based retention policy on the container (WORM): deletions "
        "wait until it ends.")


class CloudArchive(Model):
    """A cloud object-storage archive billed from a price catalog and real policy documents."""

    name: ArchiveName
    kind: Literal["cloud"]
    provider: str = Field(
        description="The cloud provider: " + "; ".join(
            f"{p.name}: {p.summary}" for p in map(providers.get, providers.names())) + ".",
        json_schema_extra={"enum": list(providers.names())})
    catalog: str = Field(
        "", description="A shipped price catalog (sim/data/prices) or a file path (default: "
        "the provider's, e.g. " + ", ".join(
            providers.get(n).default_catalog for n in providers.names()) + ").")
    storage_class: str = Field(
        "", description="Class or tier new studies are uploaded to (default: the provider's "
        "first).  " + "; ".join(f"{n}: {', '.join(providers.get(n).storage_classes)}"
                                for n in providers.names()
                                if providers.get(n).storage_classes) + "."
    )
    lifecycle: Path | None = Field(
        None, description="Lifecycle policy document: S3 Lifecycle configuration (JSON as the "
        "AWS CLI prints it, or XML), Azure lifecycle management policy (JSON) or GCS lifecycle "
        "configuration (JSON)."
    )
    intelligent_tiering: Path | None = Field(
        None, description="S3 Intelligent-Tiering configuration(s) (JSON) for the opt-in Archive "
        "Access and Deep Archive Access tiers."
    )
    restore_tier: Literal["Expedited", "Standard", "Bulk"] = Field(
        "Standard", description="Restore speed for reads of archived objects (Standard where the "
        "class has no Expedited)."
    )
    restore_days: Annotated[int, Field(ge=1, le=3650)] = Field(
        1, description="Days a restored GLACIER/DEEP_ARCHIVE copy is kept (RestoreRequest Days): "
        "S3 removes it at the request time plus these days, rounded up to midnight UTC. [days]"
    )
    object_key: str = Field(
        "studies/{modality}/{yyyy}/{mm}/{study_id}",
        description="Object key template; fields {modality} {yyyy} {mm} {age_group} {study_id}.",
    )
    object_tags: dict[str, str] = Field(
        default_factory=dict, description="Object tag templates, e.g. {modality: '{modality}'} "
        "(Azure: blob index tags)."
    )
    egress_share: Share = Field(
        1.0, description="Share of read bytes that leave the cloud over the internet. [0-1]"
    )
    dedicated_link: DedicatedLink | None = Field(
        None, description="A dedicated link priced from the catalog (ports per hour, egress "
        "over the link per GiB).")
    migration: Migration | None = Field(
        None, description="Upload the existing archive at the start (needs workload.existing).")
    object_lock: S3ObjectLock | None = Field(
        None, description="S3 Object Lock default retention (provider aws): deletions wait.")
    replication: S3Replication | None = Field(
        None, description="S3 Replication to a second bucket (provider aws): a DR copy.")
    autoclass: GcsAutoclass | None = Field(
        None, description="Google Cloud Storage Autoclass (provider gcp).")
    location_type: Literal["region", "dual-region", "multi-region"] = Field(
        "region", description="Google Cloud Storage bucket location (provider gcp): a region, "
        "or a dual- or multi-region that Google copies to a second region (storage and Class A "
        "at that location's prices, inter-region replication per GiB written).")
    turbo_replication: bool = Field(
        False, description="Turbo replication on a dual-region bucket (provider gcp): copies "
        "within 15 minutes, at the turbo replication price.")
    retention_policy: GcsRetentionPolicy | None = Field(
        None, description="Google Cloud Storage bucket retention policy (provider gcp): "
        "deletions wait until it ends.")
    custom_time: Literal["none", "acquisition"] = Field(
        "none", description="Google Cloud Storage Custom-Time metadata written on upload: none, "
        "or the study's acquisition time (for daysSinceCustomTime rules).")
    azure: AzureOptions | None = Field(
        None, description="Azure Blob Storage account settings (provider azure).")
    operations: OperationsField
    discounts: DiscountsField
    price_overrides: dict[str, NonNegativeFloat] = Field(
        default_factory=dict, description="Catalog prices replaced for this archive, by dotted "
        "path in the catalog (e.g. 'tiers.Cool.retrieval_usd_per_gib: 0.01' for a negotiated "
        "or newly confirmed price); they are reported as given by the scenario.")

    @field_validator("lifecycle", "intelligent_tiering")
    @classmethod
    def _resolve(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        return _existing(path, info)

    @field_validator("provider")
    @classmethod
    def _known_provider(cls, name: str) -> str:
        providers.get(name)  # an unknown provider is an error listing the known ones
        return name

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("provider") in providers.names():
            provider = providers.get(data["provider"])
            if not data.get("catalog"):
                data = {**data, "catalog": provider.default_catalog}
            if not data.get("storage_class"):
                data = {**data, "storage_class": provider.default_storage_class}
        return data

    @model_validator(mode="after")
    def _storage_class_of_provider(self) -> CloudArchive:
        allowed = providers.get(self.provider).storage_classes
        if allowed and self.storage_class not in allowed:
            raise ValueError(f"storage_class {self.storage_class!r} is not a {self.provider} "
                             f"class; allowed: {', '.join(allowed)}")
        return self

    def given(self, names: tuple[str, ...]) -> list[str]:
        """Which of these optional settings are given on this entry."""
        defaults = {"storage_class": ("", providers.get(self.provider).default_storage_class),
                    "custom_time": ("none",), "location_type": ("region",),
                    "turbo_replication": (False,)}
        return [f for f in names
                if getattr(self, f) not in defaults.get(f, (None,))]

    @model_validator(mode="after")
    def _provider_settings(self) -> CloudArchive:
        """Settings of one provider given on another's archive are mistakes, not defaults; then
        the provider's own checks."""
        foreign = [f for name in providers.names() if name != self.provider
                   for f in self.given(providers.get(name).settings)]
        if foreign:
            raise ValueError(f"{', '.join(foreign)}: not a setting of provider {self.provider}")
        problems = providers.get(self.provider).check(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _templates(self) -> CloudArchive:
        from sim.tiering.keys import check_templates

        problems = check_templates(self.object_key, self.object_tags)
        if problems:
            raise ValueError("; ".join(problems))
        return self
