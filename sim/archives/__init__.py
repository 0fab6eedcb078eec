"""Archive models: one per scenario ``archives`` entry, driven day by day by :mod:`sim.des`."""

from __future__ import annotations

from sim.archives.base import ArchiveModel
from sim.archives.flat import FlatArchive
from sim.scenario import Archive
from sim.workload.model import Workload


def build_archive(spec: Archive, workload: Workload) -> ArchiveModel:
    """The archive model for a scenario entry."""
    if spec.kind == "flat":
        return FlatArchive(spec, workload)
    raise ValueError(f"archive kind {spec.kind!r} has no model")  # pragma: no cover


__all__ = ["ArchiveModel", "FlatArchive", "build_archive"]
