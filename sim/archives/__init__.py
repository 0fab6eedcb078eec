"""Archive models: one per scenario ``archives`` entry, driven day by day by :mod:`sim.des`."""

from __future__ import annotations

from sim.archives.base import ArchiveModel
from sim.archives.flat import FlatArchive
from sim.archives.s3 import S3Archive
from sim.scenario import Archive, CloudArchive
from sim.workload.model import Workload


def build_archive(spec: Archive, workload: Workload, keep_events: bool = False) -> ArchiveModel:
    """The archive model for a scenario entry (reads its catalog and policy documents)."""
    if spec.kind == "flat":
        return FlatArchive(spec, workload)
    return build_s3(spec, workload, keep_events)


def build_s3(spec: CloudArchive, workload: Workload, keep_events: bool = False) -> S3Archive:
    from sim.io.policy_files import load_intelligent_tiering, load_lifecycle
    from sim.pricing.catalog import load_catalog

    return S3Archive(
        name=spec.name,
        catalog=load_catalog(spec.catalog),
        workload=workload,
        storage_class=spec.storage_class,
        lifecycle=load_lifecycle(spec.lifecycle) if spec.lifecycle else None,
        it_configs=load_intelligent_tiering(spec.intelligent_tiering)
        if spec.intelligent_tiering else [],
        restore_tier=spec.restore_tier,
        restore_days=spec.restore_days,
        key_template=spec.object_key,
        tag_templates=dict(spec.object_tags),
        egress_share=spec.egress_share,
        keep_events=keep_events,
    )


__all__ = ["ArchiveModel", "FlatArchive", "S3Archive", "build_archive"]
