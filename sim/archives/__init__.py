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


def load_cloud_documents(spec: CloudArchive):
    """A cloud archive entry's price catalog and parsed policy documents (every file read and
    checked; errors name the file, rule and field): (catalog, lifecycle, intelligent_tiering)."""
    from sim.io import policy_files as pf
    from sim.pricing import catalog as cat

    catalog = cat.override_prices(cat.load_provider_catalog(spec.provider, spec.catalog),
                                  dict(spec.price_overrides),
                                  f"archive {spec.name!r} price_overrides")
    if spec.provider == "aws-healthimaging":
        return catalog, None, None
    if spec.provider == "gcp":
        return catalog, pf.load_gcs_lifecycle(spec.lifecycle) if spec.lifecycle else None, None
    if spec.provider == "azure":
        return catalog, pf.load_azure_policy(spec.lifecycle) if spec.lifecycle else None, None
    return (catalog,
            pf.load_lifecycle(spec.lifecycle) if spec.lifecycle else None,
            pf.load_intelligent_tiering(spec.intelligent_tiering)
            if spec.intelligent_tiering else [])


def build_cloud(spec: CloudArchive, workload: Workload, keep_events: bool = False):
    """The engine of a cloud archive entry: S3, AWS HealthImaging, Azure Blob or GCS."""
    catalog, lifecycle, it_configs = load_cloud_documents(spec)
    if spec.provider == "gcp":
        from sim.archives.gcs import GcsAutoclassArchive, GcsLifecycleArchive

        if spec.autoclass is not None:
            return GcsAutoclassArchive(spec.name, catalog, workload,
                                       spec.autoclass.terminal_storage_class, spec.egress_share,
                                       keep_events)
        return GcsLifecycleArchive(spec.name, catalog, workload, spec.storage_class, lifecycle,
                                   spec.object_key, spec.egress_share, spec.custom_time,
                                   keep_events)
    if spec.provider == "azure":
        return build_azure(spec, catalog, lifecycle, workload, keep_events)
    if spec.provider == "aws-healthimaging":
        from sim.archives.healthimaging import HealthImagingArchive

        return HealthImagingArchive(spec.name, catalog, workload, spec.egress_share,
                                    keep_events)
    return S3Archive(
        name=spec.name,
        catalog=catalog,
        workload=workload,
        storage_class=spec.storage_class,
        lifecycle=lifecycle,
        it_configs=it_configs,
        restore_tier=spec.restore_tier,
        restore_days=spec.restore_days,
        key_template=spec.object_key,
        tag_templates=dict(spec.object_tags),
        egress_share=spec.egress_share,
        keep_events=keep_events,
    )


def build_azure(spec: CloudArchive, catalog, policy, workload: Workload, keep_events: bool):
    """An Azure Blob archive: lifecycle management policy, or smart tier."""
    import datetime as dt

    from sim.scenario import AzureOptions

    options = spec.azure or AzureOptions()
    cal = workload.calendar
    start = cal.start
    if options.smart_tier:
        from sim.archives.azure_smart_tier import AzureSmartTierArchive

        return AzureSmartTierArchive(spec.name, catalog, workload, spec.egress_share,
                                     keep_events)
    from sim.archives.azure import AzureBlobArchive

    dates = catalog.min_billable_size_effective
    new_from = dt.date.fromisoformat(dates.new_accounts_from.value)
    all_from = dt.date.fromisoformat(dates.all_accounts_from.value)
    created = options.account_created or start
    min_size_from = max(created, new_from) if created >= new_from else all_from
    return AzureBlobArchive(
        spec.name, catalog, workload, spec.storage_class, policy, spec.object_key,
        dict(spec.object_tags), spec.egress_share, options.last_access_tracking,
        cal.midnight_s(options.policy_enabled or start), cal.midnight_s(min_size_from),
        options.rehydrate_priority, options.rehydrate_to, keep_events)


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


__all__ = ["ArchiveModel", "FlatArchive", "HybridArchive", "OnPremArchive", "S3Archive",
           "build_archive", "load_cloud_documents", "migration_of", "plan_upload", "shardable"]
