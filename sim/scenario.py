"""The scenario: everything one run needs, as frozen pydantic models that reject unknown fields.

A scenario is read from YAML by :func:`sim.io.scenario_file.load_scenario`; this module only
defines and validates the models.  Numbers with a default here are structural (a profile of ones,
no growth); every *sourced* default lives in the bundled scenario files, next to its source and
as-of date (see ``docs/sources.md``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sim import providers

MODALITIES: tuple[str, ...] = ("CR", "CT", "MR", "US", "MG", "NM", "XA", "OT")
"""Modality codes (DICOM-style).  CR covers CR/DX, MG covers 2-D mammography and tomosynthesis,
NM covers NM/PET, XA covers angiography and fluoroscopy, OT everything else."""

Modality = Literal["CR", "CT", "MR", "US", "MG", "NM", "XA", "OT"]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
Growth = Annotated[float, Field(gt=-1.0, le=10.0)]
PositiveFloat = Annotated[float, Field(gt=0.0)]
NonNegativeFloat = Annotated[float, Field(ge=0.0)]
ArchiveName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]

_SHARE_TOLERANCE = 1e-6


def _existing(path: Path | None, info: ValidationInfo) -> Path | None:
    """A file path, relative ones resolved against the scenario's folder; it must exist."""
    if path is None:
        return None
    base = (info.context or {}).get("base_dir")
    if base is not None and not path.is_absolute():
        path = Path(base) / path
    if not path.is_file():
        raise ValueError(f"file not found: {path}")
    return path


class Model(BaseModel):
    """Base of every scenario part: frozen, unknown fields rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


# --------------------------------------------------------------------------------------- workload


class Returns(Model):
    """How patients come back for another study of this modality."""

    probability: Share = Field(
        description="Chance that a new study belongs to a patient already in the archive. [0-1]"
    )
    gap_median_days: PositiveFloat = Field(
        description="Median time back to the earlier study the patient is matched to. [days]"
    )
    gap_sigma: NonNegativeFloat = Field(
        description="Spread of that gap: sigma of its natural log (lognormal). [-]"
    )
    same_modality: Share = Field(
        description="Chance that the earlier study is of the same modality. [0-1]"
    )


class ModalitySpec(Model):
    """Volume, size and return behaviour of one modality."""

    share: Share = Field(description="Share of the first year's studies. [0-1]")
    growth: Growth = Field(0.0, description="Growth of the study count per year. [1/year]")
    size_median_mb: PositiveFloat = Field(
        description="Median study size as acquired, in the first year. [MB = 10^6 bytes]"
    )
    size_sigma: NonNegativeFloat = Field(
        description="Spread of study size: sigma of its natural log (lognormal). [-]"
    )
    size_growth: Growth = Field(0.0, description="Growth of study size per year. [1/year]")
    compression_ratio: Annotated[float, Field(ge=1.0)] = Field(
        1.0, description="Acquired size / stored size (1 = stored as acquired). [-]"
    )
    instance_mb: PositiveFloat = Field(
        description="Typical size of one DICOM instance (image) as acquired. [MB]"
    )
    series_mean: Annotated[float, Field(ge=1.0, le=10_000.0)] = Field(
        description="Mean number of series per study. [-]"
    )
    returns: Returns


class AgeBand(Model):
    """Patients' age at their first study in the archive: uniform within the band."""

    from_years: NonNegativeFloat
    to_years: PositiveFloat
    share: Share

    @model_validator(mode="after")
    def _ordered(self) -> AgeBand:
        if self.to_years <= self.from_years:
            raise ValueError(
                f"to_years ({self.to_years}) must be greater than from_years ({self.from_years})"
            )
        return self


class Patients(Model):
    age_bands: list[AgeBand] = Field(min_length=1)

    @field_validator("age_bands")
    @classmethod
    def _shares_sum_to_one(cls, bands: list[AgeBand]) -> list[AgeBand]:
        total = sum(b.share for b in bands)
        if abs(total - 1.0) > _SHARE_TOLERANCE:
            raise ValueError(f"shares must add up to 1; they add up to {total:.6g}")
        return bands


class Priors(Model):
    """Relevant priors pulled (prefetched) when a returning patient's new study arrives."""

    count: Annotated[int, Field(ge=0, le=50)] = Field(
        description="At most this many of the patient's most recent earlier studies. [studies]"
    )
    window_years: PositiveFloat = Field(description="Only priors at most this old. [years]")
    match: Literal["modality", "any"] = Field(
        "modality", description="'modality': same modality only; 'any': any modality."
    )


class DecayBin(Model):
    """Reads of a study from this age on (until the next bin), as a Poisson rate."""

    from_years: NonNegativeFloat
    reads_per_year: NonNegativeFloat


class BulkRead(Model):
    """A one-off cohort read once (research / AI cohort, legal hold, migration check)."""

    name: str = Field(min_length=1)
    at: dt.date = Field(description="First day of the bulk read (UTC).")
    over_days: Annotated[int, Field(ge=1)] = Field(
        30, description="Reads spread uniformly over this many days. [days]"
    )
    study_years: list[int] | None = Field(
        None, description="Calendar years of study creation in the cohort (None: all years)."
    )
    modalities: list[Modality] | None = Field(None, description="Modalities (None: all).")
    share: Share = Field(description="Share of the matching studies that are read. [0-1]")


class Reads(Model):
    report_reads: Annotated[int, Field(ge=0, le=10)] = Field(
        description="Reads for the first report, per study. [reads]"
    )
    report_delay_hours: PositiveFloat = Field(
        description="Mean delay from acquisition to the report read (exponential). [h]"
    )
    followup_reads: NonNegativeFloat = Field(
        description="Mean number of early follow-up reads per study (Poisson). [reads]"
    )
    followup_window_days: PositiveFloat = Field(
        description="Follow-up reads fall uniformly in this many days after acquisition. [days]"
    )
    decay: list[DecayBin] = Field(
        min_length=1,
        description="Reads by study age: piecewise-constant Poisson rates; the last bin never "
        "ends.",
    )
    bulk: list[BulkRead] = Field(default_factory=list)

    @field_validator("decay")
    @classmethod
    def _increasing(cls, bins: list[DecayBin]) -> list[DecayBin]:
        ages = [b.from_years for b in bins]
        if any(b <= a for a, b in zip(ages, ages[1:], strict=False)):
            raise ValueError(f"from_years must increase from bin to bin; got {ages}")
        return bins


class Minors(Model):
    """Minors' studies are kept at least until the patient reaches an age, plus some years."""

    below_age: PositiveFloat = Field(description="A patient younger than this is a minor. [years]")
    until_age: PositiveFloat = Field(description="Keep at least until the patient is this old.")
    plus_years: NonNegativeFloat = Field(0.0, description="... and this many years more.")


class Mammography(Model):
    """MQSA-style rule for MG studies (21 CFR 900.12(c)(4)(i))."""

    years: PositiveFloat = Field(
        description="Keep this long when the patient has a later MG study by then. [years]"
    )
    years_without_return: PositiveFloat = Field(
        description="Keep this long when she has no later MG study within `years`. [years]"
    )


class Retention(Model):
    keep_forever: bool = Field(False, description="True: nothing is ever deleted.")
    adult_years: PositiveFloat | None = Field(
        None, description="Delete this long after the clock's reference time. [years]"
    )
    clock: Literal["study", "last_study"] = Field(
        "study",
        description="'study': years after the study; 'last_study': after the patient's last "
        "study (UK/German style: the clock restarts at every visit).",
    )
    minors: Minors | None = None
    mammography: Mammography | None = None

    @model_validator(mode="after")
    def _complete(self) -> Retention:
        if not self.keep_forever and self.adult_years is None:
            raise ValueError("give adult_years, or set keep_forever: true")
        if self.keep_forever and (self.adult_years or self.minors or self.mammography):
            raise ValueError("keep_forever: true cannot be combined with deletion rules")
        return self


class Trace(Model):
    """Replay studies and reads from CSV files instead of the stochastic model."""

    studies: Path = Field(
        description="CSV: study_id, created, size_bytes, objects, modality, patient_id "
        "[, patient_age_years]."
    )
    reads: Path | None = Field(None, description="CSV: study_id, time.")

    @field_validator("studies", "reads")
    @classmethod
    def _resolve(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        return _existing(path, info)


class Existing(Model):
    """The archive the hospital already has at the start: the same workload model run for
    ``years`` before the start (volumes and sizes back-cast with their growth), so the existing
    studies have their real ages, patients, priors and retention."""

    years: Annotated[int, Field(ge=1, le=30)] = Field(
        description="Years of history already archived at the start. [years]")


class Workload(Model):
    annual_studies: Annotated[int, Field(gt=0)] | None = Field(
        None, description="Studies in the first year of the run. [studies/year]"
    )
    modalities: dict[Modality, ModalitySpec] | None = None
    weekday_profile: Annotated[list[NonNegativeFloat], Field(min_length=7, max_length=7)] = Field(
        default_factory=lambda: [1.0] * 7,
        description="Relative volume Monday..Sunday (normalised to mean 1).",
    )
    seasonal_profile: Annotated[
        list[NonNegativeFloat], Field(min_length=12, max_length=12)
    ] = Field(
        default_factory=lambda: [1.0] * 12,
        description="Relative volume January..December (normalised to mean 1).",
    )
    object_layout: Literal["instance", "series", "study"] = Field(
        "instance",
        description="How a study is stored: one object per DICOM instance, per series, or one "
        "bundle per study.",
    )
    patients: Patients | None = None
    priors: Priors | None = None
    reads: Reads | None = None
    retention: Retention
    existing: Existing | None = Field(
        None, description="The archive already held at the start (stochastic model only).")
    trace: Trace | None = None
    cohorts: Annotated[int, Field(ge=1, le=10_000)] = Field(
        1, description="Draw and simulate the workload as this many independent cohorts "
        "(health systems of a national archive whose patients do not cross), one at a time: "
        "memory stays that of one cohort.  Each has 1/cohorts of the volume and its own seed.")

    @model_validator(mode="after")
    def _model_or_trace(self) -> Workload:
        model_fields: dict[str, Any] = {
            "annual_studies": self.annual_studies,
            "modalities": self.modalities,
            "patients": self.patients,
            "reads": self.reads,
            "priors": self.priors,
        }
        if self.trace is not None:
            model_fields["existing"] = self.existing
            if self.cohorts > 1:
                model_fields["cohorts"] = self.cohorts
            given = [k for k, v in model_fields.items() if v is not None]
            if given:
                raise ValueError(
                    f"with a trace, the stochastic fields are not used; remove {', '.join(given)}"
                )
            return self
        missing = [k for k, v in model_fields.items() if v is None]
        if missing:
            raise ValueError(f"give {', '.join(missing)} (or a trace)")
        assert self.modalities is not None
        total = sum(m.share for m in self.modalities.values())
        if abs(total - 1.0) > _SHARE_TOLERANCE:
            raise ValueError(f"modalities: shares must add up to 1; they add up to {total:.6g}")
        if sum(self.weekday_profile) <= 0 or sum(self.seasonal_profile) <= 0:
            raise ValueError("weekday_profile and seasonal_profile need a positive weight")
        return self


# --------------------------------------------------------------------------------------- archives


class FlatArchive(Model):
    """A simple archive billed at one price per GiB-month (an on-prem-style flat rate)."""

    name: ArchiveName
    kind: Literal["flat"]
    tier: str = Field("primary", min_length=1, description="Tier name used in the ledger.")
    price_usd_per_gib_month: NonNegativeFloat = Field(
        description="Storage price per GiB-month (2^30 bytes, byte-time over the month). [USD]"
    )
    price_source: str = Field(min_length=1, description="Source and as-of date of the price.")


class Migration(Model):
    """Moving the existing archive (``workload.existing``) into this cloud archive at the start:
    its studies are uploaded oldest first over the link, then the old system is switched off."""

    mbps: PositiveFloat = Field(description="Bandwidth used for the upload. [Mbit/s]")
    project_usd: NonNegativeFloat = Field(
        0.0, description="One-time migration project cost, at the start. [USD]")
    old_system_usd_per_month: NonNegativeFloat = Field(
        0.0, description="Running the old archive until the upload is complete. [USD/month]")
    decommission_usd: NonNegativeFloat = Field(
        0.0, description="Switching off the old archive, when the upload is complete. [USD]")
    source_egress_usd_per_gib: NonNegativeFloat = Field(
        0.0, description="Egress from the old archive when it is another cloud. [USD/GiB]")
    old_read_latency_s: NonNegativeFloat = Field(
        10.0, description="Time to display a study the old archive still serves. [s]")


class GcsAutoclass(Model):
    """Autoclass on a Google Cloud Storage bucket."""

    terminal_storage_class: Literal["NEARLINE", "ARCHIVE"] = Field(
        "NEARLINE", description="The coldest class objects move to (Google's default: "
        "NEARLINE).")


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
    migration: Migration | None = Field(
        None, description="Upload the existing archive at the start (needs workload.existing).")
    autoclass: GcsAutoclass | None = Field(
        None, description="Google Cloud Storage Autoclass (provider gcp).")
    custom_time: Literal["none", "acquisition"] = Field(
        "none", description="Google Cloud Storage Custom-Time metadata written on upload: none, "
        "or the study's acquisition time (for daysSinceCustomTime rules).")
    azure: AzureOptions | None = Field(
        None, description="Azure Blob Storage account settings (provider azure).")
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
                    "custom_time": ("none",)}
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


class Purchase(Model):
    """How an on-prem tier's capacity is bought: ahead of need, in units, with a lead time."""

    initial_raw_tb: NonNegativeFloat = Field(
        0.0, description="Raw capacity installed at the start. [TB, 10^12 bytes]")
    fill_threshold: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.8, description="Order more when the need (raw) passes this share of installed plus "
        "ordered capacity. [0-1]")
    unit_raw_tb: PositiveFloat = Field(description="Raw capacity bought per order unit. [TB]")
    lead_time_days: Annotated[int, Field(ge=0, le=730)] = Field(
        60, description="Days from order to installed capacity. [days]")


class Deleter(Model):
    """A fill-level deleter on the first tier (as VNAs run one, e.g. dcm4chee-arc's deleter):
    when the tier passes ``high_water`` of its usable capacity, the oldest or least recently
    read studies (all safe on the later tiers) are removed from it until it is back under
    ``low_water``."""

    high_water: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        description="Start deleting above this share of usable capacity. [0-1]")
    low_water: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        description="Delete down to this share. [0-1]")
    order: Literal["oldest", "least_recently_read"] = Field(
        "oldest", description="Which studies go first: the oldest acquisitions, or those whose "
        "last read (or acquisition, if never read) is oldest.")

    @model_validator(mode="after")
    def _order(self) -> Deleter:
        if self.low_water >= self.high_water:
            raise ValueError(f"low_water ({self.low_water}) must be below high_water "
                             f"({self.high_water})")
        return self


class OnPremTier(Model):
    """One storage tier of an on-prem archive (primary disk, object store, tape library)."""

    name: str = Field(min_length=1, description="Tier name used in the ledger.")
    usable_fraction: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        description="Usable share of raw capacity after RAID / erasure coding, e.g. 0.8 for "
        "RAID-6 8+2. [0-1]")
    copies: Annotated[int, Field(ge=1, le=10)] = Field(
        1, description="Copies kept (replication across sites). [copies]")
    price_usd_per_raw_tb: NonNegativeFloat = Field(
        description="Purchase price of raw capacity at the start, installed. [USD/TB]")
    price_change_per_year: Annotated[float, Field(gt=-1.0, le=1.0)] = Field(
        0.0, description="Annual change of that price, e.g. -0.1 for a 10% yearly decline.")
    watts_per_raw_tb: NonNegativeFloat = Field(
        description="Power drawn per installed raw TB, before PUE. [W/TB]")
    space_usd_per_raw_tb_year: NonNegativeFloat = Field(
        0.0, description="Floor space, racks and cooling infrastructure per installed raw TB. "
        "[USD/TB/year]")
    read_latency_s: NonNegativeFloat = Field(description="Time to display a study read from "
                                             "this tier. [s]")
    keep_days: Annotated[int, Field(ge=1)] | None = Field(
        None, description="Days a study stays on this tier after acquisition; then only the "
        "later tiers hold it. None: kept until deleted. Only the first tier may set it.")
    purchase: Purchase
    deleter: Deleter | None = Field(
        None, description="Fill-level deleter (first tier only): the tier then keeps its "
        "initial capacity and buys no more.")


class Staff(Model):
    fte_base: NonNegativeFloat = Field(0.0, description="Staff for the archive at any size. [FTE]")
    fte_per_pb: NonNegativeFloat = Field(
        0.0, description="Additional staff per PB stored (logical). [FTE/PB]")
    usd_per_fte_year: NonNegativeFloat = Field(0.0, description="Loaded cost. [USD/FTE/year]")


class Licences(Model):
    usd_per_tb_year: NonNegativeFloat = Field(
        0.0, description="Software licence per TB stored (logical). [USD/TB/year]")
    usd_per_study: NonNegativeFloat = Field(0.0, description="Licence per study ingested. [USD]")


class OnPremCosts(Model):
    """The costs of running on-prem storage around its tiers."""

    capex: Literal["cash", "depreciated"] = Field(
        "cash", description="cash: hardware charged when bought; depreciated: straight line over "
        "refresh_years.")
    refresh_years: Annotated[float, Field(gt=0.0, le=30.0)] = Field(
        description="Hardware is replaced (and the data migrated) this often. [years]")
    warranty_years: Annotated[float, Field(ge=0.0, le=30.0)] = Field(
        description="Years of included support after each purchase. [years]")
    maintenance_rate: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        description="Annual maintenance after warranty, as a share of the purchase price. [1/year]")
    usd_per_kwh: NonNegativeFloat = Field(description="Electricity price. [USD/kWh]")
    pue: Annotated[float, Field(ge=1.0, le=5.0)] = Field(
        description="Power usage effectiveness of the room (total / IT power).")
    staff: Staff = Field(default_factory=Staff)
    licences: Licences = Field(default_factory=Licences)
    security_usd_per_year: NonNegativeFloat = Field(
        0.0, description="Security tools and the staff share kept on-prem. [USD/year]")
    migration_usd_per_tb: NonNegativeFloat = Field(
        0.0, description="Data migration at each refresh, per TB stored (logical). [USD/TB]")


class OnPremArchive(OnPremCosts):
    """An on-prem archive (PACS / VNA storage): tiers, capacity bought ahead of need, refresh."""

    name: ArchiveName
    kind: Literal["onprem"]
    tiers: list[OnPremTier] = Field(min_length=1, max_length=4)

    @model_validator(mode="after")
    def _tiers(self) -> OnPremArchive:
        if any(t.keep_days is not None for t in self.tiers[1:]):
            raise ValueError("only the first tier may set keep_days (later tiers keep every "
                             "study until it is deleted)")
        if self.tiers[0].keep_days is not None and len(self.tiers) == 1:
            raise ValueError("keep_days on the only tier would drop studies; add a second tier")
        if any(t.deleter is not None for t in self.tiers[1:]):
            raise ValueError("only the first tier may have a deleter")
        first = self.tiers[0]
        if first.deleter is not None:
            if len(self.tiers) == 1:
                raise ValueError("a deleter on the only tier would drop studies; add a second "
                                 "tier that keeps them")
            if first.purchase.initial_raw_tb <= 0:
                raise ValueError("a tier with a deleter needs purchase.initial_raw_tb > 0 (its "
                                 "fixed capacity)")
        names = [t.name for t in self.tiers]
        if len(set(names)) != len(names):
            raise ValueError(f"tier names must be unique: {names}")
        return self


class Cache(Model):
    """The on-prem cache of a hybrid archive."""

    window_months: Annotated[int, Field(ge=1, le=600)] | None = Field(
        None, description="Keep studies acquired in the last N months (age window).")
    capacity_tb: PositiveFloat | None = Field(
        None, description="Keep the most recently used studies that fit in this many TB "
        "(logical), least recently used evicted first. [TB]")
    tier: OnPremTier = Field(description="The cache's storage and its costs.")

    @model_validator(mode="after")
    def _a_policy(self) -> Cache:
        if self.window_months is None and self.capacity_tb is None:
            raise ValueError("give window_months (age window), capacity_tb (least recently "
                             "used), or both")
        return self


class HybridArchive(OnPremCosts):
    """An on-prem cache in front of a cloud archive that receives every study."""

    name: ArchiveName
    kind: Literal["hybrid"]
    cache: Cache
    cloud: CloudArchive


def cloud_part(archive) -> CloudArchive | None:
    """The cloud archive of an entry: itself, a hybrid's cloud part, or None."""
    cloud = archive.cloud if archive.kind == "hybrid" else archive
    return cloud if cloud.kind == "cloud" else None


Archive = Annotated[FlatArchive | CloudArchive | OnPremArchive | HybridArchive,
                    Field(discriminator="kind")]


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


# ---------------------------------------------------------------------------------------- finance


class Finance(Model):
    discount_rate: Annotated[float, Field(gt=-1.0, lt=1.0)] = Field(
        description="Annual discount rate for NPV, compounded monthly. [1/year]"
    )
    inflation: Annotated[float, Field(gt=-1.0, lt=1.0)] = Field(
        0.0, description="Annual general inflation (for real vs nominal views). [1/year]"
    )
    basis: Literal["nominal", "real"] = Field(
        "nominal", description="nominal: discount the ledger's amounts at discount_rate; real: "
        "first remove inflation from them, and read discount_rate as a real rate.")
    price_change_per_year: dict[
        Literal["storage", "requests", "transitions", "retrieval", "early_deletion",
                "monitoring", "egress", "capex", "maintenance", "power", "space", "staff",
                "licences", "security", "migration"], Annotated[float, Field(gt=-1.0, le=1.0)]
    ] = Field(default_factory=dict, description="Annual change of prices by ledger category, "
              "compounded from the start, e.g. {storage: -0.03}. On-prem hardware prices change "
              "through their tiers' price_change_per_year instead.")


# --------------------------------------------------------------------------------------- scenario


def _printable(text: str) -> str:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValueError("must not contain control characters (NUL, tab, line breaks...)")
    return text


class Scenario(Model):
    """One simulated future of one imaging department and its archives."""

    name: Annotated[str, AfterValidator(_printable)] = Field(
        min_length=1, max_length=200, description="The option's name in reports (no control "
        "characters); its folder in a comparison is made safe (letters, digits, . _ -).")
    description: str = ""
    start: dt.date = Field(description="First day of the run (UTC).")
    horizon_months: Annotated[int, Field(ge=1, le=600)]
    seed: Annotated[int, Field(ge=0)]
    workload: Workload
    archives: list[Archive] = Field(min_length=1)
    finance: Finance
    network: Network = Field(default_factory=Network)

    @model_validator(mode="after")
    def _migration_needs_history(self) -> Scenario:
        for i, a in enumerate(self.archives):
            cloud = cloud_part(a)
            if cloud is not None and cloud.migration is not None \
                    and self.workload.existing is None:
                raise ValueError(f"archives.{i}: migration needs workload.existing (the archive "
                                 "to move)")
        return self

    @field_validator("archives")
    @classmethod
    def _unique_names(cls, archives: list[Archive]) -> list[Archive]:
        names = [a.name for a in archives]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"archive names must be unique; repeated: {', '.join(dupes)}")
        return archives

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """A new, validated scenario with dotted-path fields replaced.

        >>> s2 = s.with_overrides({"workload.modalities.CT.growth": 0.06, "seed": 7})
        """
        data = self.model_dump(mode="python")
        for dotted, value in overrides.items():
            node: Any = data
            keys = dotted.split(".")
            for key in keys[:-1]:
                node = node[int(key)] if isinstance(node, list) else node[key]
            last = keys[-1]
            if isinstance(node, list):
                node[int(last)] = value
            else:
                node[last] = value
        return Scenario.model_validate(data)

    def sha256(self) -> str:
        """Hash of the scenario's canonical JSON (identifies the inputs of a run)."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()
