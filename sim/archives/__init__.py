"""Archive models: one per scenario ``archives`` entry, driven day by day by :mod:`sim.des`."""

from __future__ import annotations

from sim.archives.base import ArchiveModel
from sim.archives.flat import FlatArchive
from sim.archives.hybrid import HybridArchive
from sim.archives.linked import LinkedCloud, UploadPlan, plan_upload
from sim.archives.onprem import OnPremArchive
from sim.archives.s3 import S3Archive
from sim.network import ALWAYS_UP, Link
from sim.scenario import Archive, CloudArchive
from sim.workload.model import Workload


def build_archive(spec: Archive, workload: Workload, keep_events: bool = False,
                  link: Link = ALWAYS_UP, plan: UploadPlan | None = None) -> ArchiveModel:
    """The archive model for a scenario entry (reads its catalog and policy documents).

    ``link``: the site's internet link (outages, bandwidth) between the site and cloud archives;
    ``plan``: a migration's upload schedule for these studies (computed on the whole workload
    when it is split into shards; else from ``workload``).
    """
    if spec.kind == "flat":
        return FlatArchive(spec, workload)
    if spec.kind == "onprem":
        return OnPremArchive(spec, workload)
    if spec.kind == "hybrid":
        cloud = spec.cloud.model_copy(update={"name": spec.name})
        return HybridArchive(spec, workload, link,
                             lambda w: build_cloud(cloud, w, keep_events), plan)
    if link.down_from_s.size or link.wan_mbps is not None or spec.migration is not None:
        up = ~link.is_down(workload.reads.time_s)
        return LinkedCloud(lambda w: build_cloud(spec, w, keep_events), workload, up, link,
                           spec.migration, plan)
    return build_cloud(spec, workload, keep_events)


def build_cloud(spec: CloudArchive, workload: Workload, keep_events: bool = False):
    """The engine of a cloud archive entry: S3, AWS HealthImaging or GCS with Autoclass."""
    if spec.provider == "gcp":
        from sim.archives.gcs import GcsAutoclassArchive
        from sim.pricing.catalog import load_gcs_catalog

        return GcsAutoclassArchive(spec.name, load_gcs_catalog(spec.catalog), workload,
                                   spec.autoclass.terminal_storage_class, spec.egress_share)
    if spec.provider == "aws-healthimaging":
        from sim.archives.healthimaging import HealthImagingArchive
        from sim.pricing.catalog import load_healthimaging_catalog

        return HealthImagingArchive(spec.name, load_healthimaging_catalog(spec.catalog),
                                    workload, spec.egress_share)
    return build_s3(spec, workload, keep_events)


def shardable(spec: Archive) -> bool:
    """Whether the archive can be simulated in shards of studies (its decisions never depend on
    other studies): all but a capacity-limited (least recently used) hybrid cache, an on-prem
    tier run by a fill-level deleter.  A migration's upload queue spans the whole archive: it is
    planned before the split (:func:`sim.archives.linked.plan_upload`)."""
    if spec.kind == "hybrid":
        return spec.cache.capacity_tb is None
    if spec.kind == "onprem":
        return spec.tiers[0].deleter is None
    return True


def migration_of(spec: Archive):
    """The archive's migration settings, or None."""
    cloud = spec.cloud if spec.kind == "hybrid" else spec
    return cloud.migration if cloud.kind == "cloud" else None


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


__all__ = ["ArchiveModel", "FlatArchive", "HybridArchive", "OnPremArchive", "S3Archive",
           "build_archive", "migration_of", "plan_upload", "shardable"]
