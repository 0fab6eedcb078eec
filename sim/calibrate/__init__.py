"""Calibrate the workload model from a hospital's own data (``archive-sim calibrate``).

:func:`read_sources` reads and pseudonymises the inputs (:mod:`sim.calibrate.readers`);
:func:`sim.calibrate.fit.fit_workload` fits the parameters; :mod:`sim.report.calibration_outputs`
writes the scenario, the report and the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.calibrate.fit import Fit, fit_workload
from sim.calibrate.privacy import Pseudonymizer
from sim.calibrate.readers import (
    read_access_log,
    read_dicom_folder,
    read_s3_inventory,
    read_storage_class_analysis,
    read_study_list,
)
from sim.errors import InputError


@dataclass
class Sources:
    """What ``archive-sim calibrate`` reads (any of them; studies from at least one)."""

    studies: Path | None = None
    reads: Path | None = None
    s3_inventory: Path | None = None
    storage_class_analysis: Path | None = None
    dicom: Path | None = None
    columns: dict[str, str] = field(default_factory=dict)
    """``--column FIELD=HEADER`` overrides for the CSV readers."""
    date_format: str | None = None
    key_pattern: str | None = None


@dataclass
class Data:
    """The pseudonymised tables and what they came from (counts only)."""

    studies: pd.DataFrame
    reads: pd.DataFrame | None
    class_analysis: pd.DataFrame | None
    described: list[str]
    persistent_key: bool


def read_sources(sources: Sources, pseudo: Pseudonymizer) -> Data:
    """Read every given source; study tables from several sources are stacked (a study seen
    twice, by the same pseudonym, is kept once)."""
    tables, described = [], []
    if sources.studies:
        t = read_study_list(sources.studies, pseudo, sources.columns, sources.date_format)
        tables.append(t)
        described.append(f"study list {sources.studies.name}: {len(t):,} studies")
    if sources.dicom:
        t = read_dicom_folder(sources.dicom, pseudo)
        tables.append(t)
        described.append(f"DICOM folder {sources.dicom.name}: {len(t):,} studies, "
                         f"{int(t.objects.sum()):,} files")
    if sources.s3_inventory:
        t = read_s3_inventory(sources.s3_inventory, pseudo, sources.key_pattern)
        tables.append(t)
        described.append(f"S3 Inventory {sources.s3_inventory.name}: {len(t):,} studies, "
                         f"{int(t.objects.sum()):,} objects")
    if not tables:
        raise InputError("give the studies: --studies CSV, --dicom FOLDER or --s3-inventory "
                         "MANIFEST (reads alone cannot be calibrated)")
    studies = pd.concat(tables, ignore_index=True).drop_duplicates("study", keep="first")
    reads = None
    if sources.reads:
        reads = read_access_log(sources.reads, pseudo, sources.columns, sources.date_format)
        described.append(f"access log {sources.reads.name}: {len(reads):,} reads")
    class_analysis = None
    if sources.storage_class_analysis:
        class_analysis = read_storage_class_analysis(sources.storage_class_analysis)
        described.append(f"Storage Class Analysis {sources.storage_class_analysis.name}: "
                         f"{len(class_analysis)} age groups")
    return Data(studies, reads, class_analysis, described, pseudo.persistent)


__all__ = ["Data", "Fit", "Sources", "fit_workload", "read_sources"]
