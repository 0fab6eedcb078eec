"""The workload block: volumes and sizes by modality, patients, priors, reads, retention,
traces and the archive already held."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from sim.scenario.base import (
    _SHARE_TOLERANCE,
    Growth,
    Modality,
    Model,
    NonNegativeFloat,
    PositiveFloat,
    Share,
    _existing,
)


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


class HeldTotals(Model):
    """What the archive holds at the start, as the hospital counts it (one modality or all)."""

    stored_tb: PositiveFloat | None = Field(
        None, description="Bytes stored (one copy, as stored: after compression). [TB, 10^12 "
        "bytes]")
    studies: Annotated[int, Field(gt=0)] | None = Field(
        None, description="Studies held. [studies]")

    @model_validator(mode="after")
    def _something(self) -> HeldTotals:
        if self.stored_tb is None and self.studies is None:
            raise ValueError("give stored_tb, studies or both")
        return self


class Existing(Model):
    """The archive the hospital already has at the start: the same workload model run for
    ``years`` before the start (volumes and sizes back-cast with their growth), so the existing
    studies have their real ages, patients, priors and retention.

    Given totals (``stored_tb`` and/or ``studies``, in all or by modality) are hit by scaling
    the history's volume, thinning the few surplus studies at random and, when both are given,
    scaling the held studies' sizes (see ``sim.workload.held``)."""

    years: Annotated[int, Field(ge=1, le=30)] = Field(
        description="Years of history already archived at the start. [years]")
    stored_tb: PositiveFloat | None = Field(
        None, description="Bytes the archive holds at the start, all modalities (one copy, as "
        "stored). [TB, 10^12 bytes]")
    studies: Annotated[int, Field(gt=0)] | None = Field(
        None, description="Studies the archive holds at the start, all modalities. [studies]")
    modalities: dict[Modality, HeldTotals] | None = Field(
        None, description="The same by modality (instead of the totals); a modality not listed "
        "keeps the history the model draws.")

    @model_validator(mode="after")
    def _totals_or_modalities(self) -> Existing:
        if self.modalities is not None and (self.stored_tb is not None
                                            or self.studies is not None):
            raise ValueError("give the totals (stored_tb, studies) or modalities, not both")
        if self.modalities is not None and not self.modalities:
            raise ValueError("modalities: list at least one modality, or leave it out")
        return self

    def targets(self) -> dict[str | None, HeldTotals]:
        """The totals to hit: by modality code, or under None for all modalities."""
        if self.modalities is not None:
            return {code: totals for code, totals in self.modalities.items()}
        if self.stored_tb is None and self.studies is None:
            return {}
        return {None: HeldTotals(stored_tb=self.stored_tb, studies=self.studies)}


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
        if self.existing is not None and self.existing.modalities is not None:
            unknown = sorted(set(self.existing.modalities) - set(self.modalities))
            if unknown:
                raise ValueError(f"existing.modalities: {', '.join(unknown)} not in "
                                 f"workload.modalities ({', '.join(self.modalities)})")
            none = sorted(m for m in self.existing.modalities if self.modalities[m].share == 0)
            if none:
                raise ValueError(f"existing.modalities: {', '.join(none)} has share 0 in "
                                 "workload.modalities, so the model draws none of its studies; "
                                 "give it a share, or leave it out of existing")
        if sum(self.weekday_profile) <= 0 or sum(self.seasonal_profile) <= 0:
            raise ValueError("weekday_profile and seasonal_profile need a positive weight")
        return self
