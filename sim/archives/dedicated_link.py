"""A dedicated link to the cloud provider (AWS Direct Connect, Google Cloud Interconnect), priced
from the archive's catalog.

- ports: every hour of the month the run covers, per port, at the catalog's price for the port
  speed, plus one attachment per port where the provider bills attachments (Google's VLAN
  attachments); ledger category ``network``, tier ``dedicated link``;
- data leaving the cloud over the link: ``share_of_egress`` of what would otherwise be internet
  egress, at the link's per-GiB price (category ``egress``, tier ``dedicated link``); the rest
  stays internet egress at the catalog's bands.  Data in is free.

The carrier circuit to the provider's location and the cross-connect are not the provider's
bill: give them in ``operations.network_usd_per_year``.
"""

from __future__ import annotations

from sim.archives.base import ArchiveModel, ArchiveWrapper, MonthUsage
from sim.calendar import SECONDS_PER_HOUR
from sim.errors import InputError
from sim.ledger import Charge
from sim.pricing.metering import BYTES_PER_GIB

TIER = "dedicated link"


class DedicatedLinkArchive(ArchiveWrapper):
    """A cloud archive whose site reads it over a dedicated link.

    Parameters
    ----------
    inner
        The cloud engine (its internet egress is what the link carries instead).
    catalog
        The archive's price catalog (``dedicated_link`` prices).
    port_speed, ports
        The ports bought (speed as the catalog lists it) and how many.
    share_of_egress
        Share of the archive's internet egress that goes over the link instead. [0-1]
    """

    def __init__(self, inner: ArchiveModel, catalog, port_speed: str, ports: int,
                 share_of_egress: float, calendar) -> None:
        super().__init__(inner)
        link = catalog.dedicated_link
        self._port = link.port_usd_per_hour[port_speed]
        self._speed, self._ports = port_speed, ports
        self._attachment = link.attachment_usd_per_hour
        self._transfer = link.transfer_out_usd_per_gib
        self._share = share_of_egress
        self._cal = calendar
        self._catalog = catalog.catalog
        self._noted = [f"{catalog.catalog}.dedicated_link.{path}" for path, price in (
            (f"port_usd_per_hour.{port_speed}", self._port),
            ("attachment_usd_per_hour", self._attachment),
            ("transfer_out_usd_per_gib", self._transfer))
            if price is not None and price.confidence == "UNCONFIRMED"]

    @property
    def unconfirmed_prices(self) -> list[str]:
        return sorted(set(self.inner.unconfirmed_prices) | set(self._noted))

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        over_link = usage.egress_bytes * self._share
        internet = MonthUsage(usage.quantity_seconds, usage.egress_bytes - over_link,
                              usage.event_charges, usage.daily_levels)
        label = self._cal.month_labels[month]
        bounds = self._cal.month_bounds_s  # the part of the month the run covers
        hours = float(bounds[month + 1] - bounds[month]) / SECONDS_PER_HOUR
        port_hours = hours * self._ports
        charges = self.inner.bill(month, internet)
        charges.append(Charge(label, self.name, TIER, "network", port_hours,
                              f"port-hours ({self._speed})", port_hours * self._port.value))
        if self._attachment is not None:
            charges.append(Charge(label, self.name, TIER, "network", port_hours,
                                  "attachment-hours", port_hours * self._attachment.value))
        gib = over_link / BYTES_PER_GIB
        if gib:
            charges.append(Charge(label, self.name, TIER, "egress", gib, "GiB out over the link",
                                  gib * self._transfer.value))
        return charges


def check_link(spec, catalog) -> None:
    """The entry's ``dedicated_link`` can be priced from its catalog (else one clear error)."""
    link = spec.dedicated_link
    where = f"archive {spec.name!r} dedicated_link"
    if catalog.dedicated_link is None:
        raise InputError(f"{where}: catalog {catalog.catalog!r} has no dedicated_link prices; "
                         "give the link's cost as operations.network_usd_per_year, or use a "
                         "catalog file with a dedicated_link section")
    sold = catalog.dedicated_link.port_usd_per_hour
    if link.port_speed not in sold:
        raise InputError(f"{where}.port_speed: {link.port_speed!r} is not sold in catalog "
                         f"{catalog.catalog!r}; allowed: {', '.join(sold)}")
