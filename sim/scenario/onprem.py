"""An on-prem archive entry: tiers, purchases, refreshes, deleters and running costs; the
hybrid cache in front of a cloud archive."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.base import ArchiveName, Model, NonNegativeFloat, PositiveFloat
from sim.scenario.operations import DiscountsField, OperationsField


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


class InstalledBase(Model):
    """Hardware of this tier the hospital already owns and runs at the start: no purchase for
    it; it is replaced at ``refresh_on`` (then every ``refresh_years``) at the then-current price;
    its maintenance follows its contract.  Its purchase is a sunk cost: it is not in the bill,
    nor in the residual value at the end."""

    raw_tb: PositiveFloat = Field(description="Raw capacity owned and in service. [TB]")
    purchased: dt.date | None = Field(
        None, description="When it was bought and installed (or give age_years).")
    age_years: NonNegativeFloat | None = Field(
        None, description="Its age at the start of the run (instead of purchased). [years]")
    price_usd: NonNegativeFloat | None = Field(
        None, description="What it cost when bought; maintenance then follows maintenance_rate "
        "once past warranty (unless maintenance_usd_per_year is given). [USD]")
    refresh_on: dt.date | None = Field(
        None, description="When it is due to be replaced (default: purchase + refresh_years); "
        "later refreshes follow every refresh_years.  A date before the start means the "
        "refresh is overdue: it happens on the first day.")
    maintenance_usd_per_year: NonNegativeFloat | None = Field(
        None, description="What its support contract costs now. [USD/year]")
    maintenance_ends: dt.date | None = Field(
        None, description="The support contract's last day (paid): paid until then even if "
        "the hardware is replaced sooner; renewed at renewal_usd_per_year from the next day "
        "until the refresh.  Default: it runs until the refresh.")
    renewal_usd_per_year: NonNegativeFloat | None = Field(
        None, description="Support after maintenance_ends, until the refresh (often dearer "
        "for ageing hardware). Default: the current price. [USD/year]")

    @model_validator(mode="after")
    def _complete(self) -> InstalledBase:
        if (self.purchased is None) == (self.age_years is None):
            raise ValueError("give purchased (a date) or age_years, one of them")
        if self.price_usd is None and self.maintenance_usd_per_year is None:
            raise ValueError("give price_usd (maintenance then follows maintenance_rate after "
                             "warranty) or maintenance_usd_per_year (the contract's price)")
        if self.maintenance_usd_per_year is None and (self.maintenance_ends is not None or
                                                      self.renewal_usd_per_year is not None):
            raise ValueError("maintenance_ends and renewal_usd_per_year need "
                             "maintenance_usd_per_year (the contract they belong to)")
        if self.purchased is not None and self.refresh_on is not None \
                and self.refresh_on <= self.purchased:
            raise ValueError(f"refresh_on ({self.refresh_on}) must be after purchased "
                             f"({self.purchased})")
        if self.purchased is not None and self.maintenance_ends is not None \
                and self.maintenance_ends <= self.purchased:
            raise ValueError(f"maintenance_ends ({self.maintenance_ends}) must be after "
                             f"purchased ({self.purchased})")
        return self

    def purchased_on(self, start: dt.date) -> dt.date:
        """The purchase date (from ``age_years`` and the run's start when not given)."""
        if self.purchased is not None:
            return self.purchased
        assert self.age_years is not None
        return start - dt.timedelta(days=round(self.age_years * 365.25))


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
    installed: InstalledBase | None = Field(
        None, description="Hardware already owned at the start (no purchase for it; refreshed "
        "on its own date).")
    deleter: Deleter | None = Field(
        None, description="Fill-level deleter (first tier only): the tier then keeps its "
        "initial capacity and buys no more.")

    @property
    def start_raw_tb(self) -> float:
        """Raw capacity in service on the first day: owned plus bought that day. [TB]"""
        return self.purchase.initial_raw_tb + (self.installed.raw_tb if self.installed else 0.0)


class Staff(Model):
    fte_base: NonNegativeFloat = Field(0.0, description="Staff for the archive at any size. [FTE]")
    fte_per_pb: NonNegativeFloat = Field(
        0.0, description="Additional staff per PB stored (logical). [FTE/PB]")
    usd_per_fte_year: NonNegativeFloat = Field(0.0, description="Loaded cost. [USD/FTE/year]")


class Licences(Model):
    usd_per_tb_year: NonNegativeFloat = Field(
        0.0, description="Software licence per TB stored (logical). [USD/TB/year]")
    usd_per_study: NonNegativeFloat = Field(0.0, description="Licence per study ingested. [USD]")


class TapeCopy(Model):
    """A tape copy of every study kept off-site for disaster recovery: cartridges bought as the
    archive grows (reclamation keeps them filled to ``fill_share``), drives and a library bought
    at the start and at each equipment refresh, and a vaulting service that holds the cartridges
    and collects new ones.  Vaulting and pickup prices are contract prices: no public list exists
    (give your quote)."""

    cartridge_tb: PositiveFloat = Field(
        18.0, description="Native capacity of a cartridge, e.g. 18 for LTO-9. [TB]")
    fill_share: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.9, description="Share of a cartridge's native capacity that holds data. [0-1]")
    usd_per_cartridge: NonNegativeFloat = Field(
        description="Price of a cartridge (WORM cartridges where the copy must be "
        "immutable). [USD]")
    drives: Annotated[int, Field(ge=1, le=100)] = Field(2, description="Tape drives. [drives]")
    usd_per_drive: NonNegativeFloat = Field(description="Price of a drive. [USD]")
    library_usd: NonNegativeFloat = Field(
        0.0, description="Library or autoloader, bought with the drives. [USD]")
    equipment_refresh_years: Annotated[float, Field(gt=0.0, le=30.0)] = Field(
        7.0, description="Drives and library are replaced this often. [years]")
    vaulting_usd_per_cartridge_year: NonNegativeFloat = Field(
        description="Off-site vaulting per cartridge held. [USD/cartridge/year]")
    pickups_per_year: Annotated[int, Field(ge=0, le=365)] = Field(
        52, description="Scheduled pickups of new cartridges. [pickups/year]")
    usd_per_pickup: NonNegativeFloat = Field(0.0, description="Price of a pickup. [USD]")
    source: str = Field(min_length=1, description="Where the prices come from, and their date.")


class Worm(Model):
    """Write-once (WORM) retention on the on-prem archive's storage (a SnapLock- or
    SmartLock-style volume, or object lock on an on-prem object store): no study is deleted
    before it is ``days`` old, so retention deletions wait (and are paid for) until then; the
    feature's licence, if any, is priced per TB held."""

    days: Annotated[int, Field(ge=1, le=36500)] = Field(
        description="Retention period of the WORM volume. [days]")
    usd_per_tb_year: NonNegativeFloat = Field(
        0.0, description="Licence for the WORM feature per TB held (logical), ledger category "
        "licences; 0 where the storage includes it. [USD/TB/year]")
    source: str = Field("", description="Where the licence price comes from.")


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
    staff: Staff = Field(default_factory=Staff, description="The on-prem storage team, sized by "
                         "what the on-prem tiers hold (billed daily); staff for the whole "
                         "archive, whatever it stores on, go in operations.")
    licences: Licences = Field(default_factory=Licences, description="Licences sized by what "
                               "the on-prem tiers hold; the archive's VNA licence is better "
                               "given in operations (the same block for every option).")
    security_usd_per_year: NonNegativeFloat = Field(
        0.0, description="Security tools and the staff share kept on-prem. [USD/year]")
    operations: OperationsField
    discounts: DiscountsField
    migration_usd_per_tb: NonNegativeFloat = Field(
        0.0, description="Data migration at each refresh, per TB stored (logical). [USD/TB]")


class OnPremArchive(OnPremCosts):
    """An on-prem archive (PACS / VNA storage): tiers, capacity bought ahead of need, refresh."""

    name: ArchiveName
    kind: Literal["onprem"]
    tiers: list[OnPremTier] = Field(min_length=1, max_length=4)
    tape_copy: TapeCopy | None = Field(
        None, description="A tape copy of every study, vaulted off-site (a second copy for "
        "disaster recovery).")
    worm: Worm | None = Field(
        None, description="Write-once retention on the archive's storage (against "
        "ransomware): deletions wait until it ends.")

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
            if first.start_raw_tb <= 0:
                raise ValueError("a tier with a deleter needs purchase.initial_raw_tb > 0 or "
                                 "installed hardware (its fixed capacity)")
        names = [t.name for t in self.tiers]
        if len(set(names)) != len(names):
            raise ValueError(f"tier names must be unique: {names}")
        return self


class Cache(Model):
    """The on-prem part of a hybrid archive: a cache in front of a cloud archive that holds
    every study (``mode: cache``), or the first tier of a tiered archive whose studies move to
    the cloud when they leave it (``mode: tiered``)."""

    mode: Literal["cache", "tiered"] = Field(
        "cache", description="cache: every study is written to the cloud at once and recent "
        "ones are also kept on-prem; tiered: studies live only on-prem until they leave the "
        "window (age, or oldest first when capacity_tb is full), then move to the cloud "
        "(upload, then on-prem deletion), and reads of older studies come from the cloud.")
    window_months: Annotated[int, Field(ge=1, le=600)] | None = Field(
        None, description="Keep studies acquired in the last N months (age window).")
    capacity_tb: PositiveFloat | None = Field(
        None, description="Keep the most recently used studies that fit in this many TB "
        "(logical), least recently used evicted first (tiered: oldest acquisitions move to "
        "the cloud first). [TB]")
    tier: OnPremTier = Field(description="The cache's storage and its costs.")

    @model_validator(mode="after")
    def _a_policy(self) -> Cache:
        if self.window_months is None and self.capacity_tb is None:
            raise ValueError("give window_months (age window), capacity_tb (least recently "
                             "used), or both")
        return self
