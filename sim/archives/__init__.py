"""Archive models: one per scenario ``archives`` entry, driven day by day by :mod:`sim.des`."""

from __future__ import annotations

from sim import providers
from sim.archives.base import ArchiveModel
from sim.archives.flat import FlatArchive
from sim.archives.hybrid import HybridArchive, migrated_at_start
from sim.archives.linked import LinkedCloud, UploadPlan, plan_upload
from sim.archives.onprem import OnPremArchive
from sim.archives.s3 import S3Archive
from sim.network import ALWAYS_UP, Link
from sim.scenario import Archive, CloudArchive, cloud_part
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
        from sim.archives.immutability import with_held_deletions

        return OnPremArchive(spec, with_held_deletions(
            workload, spec.worm.days if spec.worm is not None else 0))
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
    """A cloud archive entry's price catalog (with its ``price_overrides``) and the parsed policy
    documents its provider reads (every file read and checked; errors name the file, rule and
    field): (catalog, documents)."""
    from sim.pricing.catalog import override_prices

    catalog = override_prices(providers.load_catalog(spec.provider, spec.catalog),
                              dict(spec.price_overrides),
                              f"archive {spec.name!r} price_overrides")
    if spec.dedicated_link is not None:
        from sim.archives.dedicated_link import check_link

        check_link(spec, catalog)
    provider = providers.get(spec.provider)
    documents = provider.load_documents(spec)
    provider.check_priced(spec, catalog, documents)
    return catalog, documents


def build_cloud(spec: CloudArchive, workload: Workload, keep_events: bool = False):
    """The engine of a cloud archive entry, from its provider (with its dedicated link)."""
    catalog, documents = load_cloud_documents(spec)
    engine = providers.build(spec, catalog, documents, workload, keep_events)
    if spec.dedicated_link is not None:
        from sim.archives.dedicated_link import DedicatedLinkArchive

        link = spec.dedicated_link
        engine = DedicatedLinkArchive(engine, catalog, link.port_speed, link.ports,
                                      link.share_of_egress, workload.calendar)
    return engine


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


def migration_plan(spec: Archive, workload: Workload) -> UploadPlan | None:
    """The archive's migration upload schedule over the whole workload, or None."""
    migration = migration_of(spec)
    if migration is None:
        return None
    only = migrated_at_start(spec, workload) if spec.kind == "hybrid" else None
    return plan_upload(workload, migration, only)


def migration_of(spec: Archive):
    """The archive's migration settings, or None."""
    cloud = cloud_part(spec)
    return cloud.migration if cloud is not None else None


__all__ = ["ArchiveModel", "FlatArchive", "HybridArchive", "OnPremArchive", "S3Archive",
           "build_archive", "load_cloud_documents", "migration_of", "migration_plan",
           "plan_upload", "shardable"]
