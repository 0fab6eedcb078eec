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
from typing import Annotated, Any

from pydantic import AfterValidator, Field, field_validator, model_validator

from sim.scenario.archives import Archive, FlatArchive, HybridArchive, cloud_part
from sim.scenario.base import (
    MODALITIES,
    ArchiveName,
    Growth,
    Modality,
    Model,
    NonNegativeFloat,
    PositiveFloat,
    Share,
)
from sim.scenario.cloud import AzureOptions, CloudArchive, GcsAutoclass, Migration
from sim.scenario.finance import Finance
from sim.scenario.network import Network, Outages, OutageWindow
from sim.scenario.onprem import (
    Cache,
    Deleter,
    Licences,
    OnPremArchive,
    OnPremCosts,
    OnPremTier,
    Purchase,
    Staff,
    TapeCopy,
    Worm,
)
from sim.scenario.operations import (
    Discount,
    Operations,
    OperationsLicences,
    OperationsStaff,
    StaffChange,
)
from sim.scenario.workload import (
    AgeBand,
    BulkRead,
    DecayBin,
    Existing,
    HeldTotals,
    Mammography,
    Minors,
    ModalitySpec,
    Patients,
    Priors,
    Reads,
    Retention,
    Returns,
    Trace,
    Workload,
)


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
            wan = self.network.wan_mbps
            if cloud is not None and cloud.migration is not None and wan is not None \
                    and cloud.migration.mbps > wan:
                where = f"archives.{i}" + (".cloud" if a.kind == "hybrid" else "")
                raise ValueError(f"{where}.migration.mbps ({cloud.migration.mbps:g}) is more "
                                 f"than network.wan_mbps ({wan:g}): the upload cannot run "
                                 "faster than the site's link; give at most the link's speed")
        return self

    @model_validator(mode="after")
    def _owned_before_the_start(self) -> Scenario:
        for i, a in enumerate(self.archives):
            tiers = list(a.tiers) if a.kind == "onprem" else \
                [a.cache.tier] if a.kind == "hybrid" else []
            for k, tier in enumerate(tiers):
                owned = tier.installed
                if owned is None:
                    continue
                where = (f"archives.{i}.tiers.{k}" if a.kind == "onprem"
                         else f"archives.{i}.cache.tier") + ".installed"
                bought = owned.purchased_on(self.start)
                if bought > self.start:
                    raise ValueError(f"{where}.purchased ({bought}) is after the start "
                                     f"({self.start}): hardware bought during the run is a "
                                     "purchase (purchase.initial_raw_tb, or the fill rule)")
                if owned.refresh_on is not None and owned.refresh_on <= bought:
                    raise ValueError(f"{where}.refresh_on ({owned.refresh_on}) must be after "
                                     f"the purchase ({bought}, from age_years)")
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


__all__ = [
    "Discount", "Operations", "OperationsLicences", "OperationsStaff", "StaffChange",
    "TapeCopy", "Worm",
    "AgeBand", "Archive", "ArchiveName", "AzureOptions", "BulkRead", "Cache", "CloudArchive",
    "DecayBin", "Deleter", "Existing", "HeldTotals", "Finance", "FlatArchive", "GcsAutoclass",
    "Growth",
    "HybridArchive", "Licences", "MODALITIES", "Mammography", "Migration", "Minors",
    "Modality", "ModalitySpec", "Model", "Network", "NonNegativeFloat", "OnPremArchive",
    "OnPremCosts", "OnPremTier", "OutageWindow", "Outages", "Patients", "PositiveFloat",
    "Priors", "Purchase", "Reads", "Retention", "Returns", "Scenario", "Share", "Staff",
    "Trace", "Workload", "cloud_part",
]
