"""The prices one engine bills with, and which of them are UNCONFIRMED stand-ins its bill used.

Every engine reads its catalog through a :class:`PriceBook`: a price (or band, or billing fact)
marked UNCONFIRMED is noted, under its catalog path, when the bill depends on it, so every run
lists exactly the stand-ins behind its numbers (``summary.json``: ``unconfirmed_prices_used``).
"""

from __future__ import annotations

from typing import Any

from sim.pricing.catalog import BandedPrice, Price
from sim.pricing.volume_bands import banded_cost


class PriceBook:
    """A catalog as one archive bills with it.

    >>> from sim.pricing.catalog import Band
    >>> book = PriceBook(type("C", (), {"catalog": "demo"})())
    >>> hot = BandedPrice(bands=[Band(from_gib=0, value=0.02),
    ...                          Band(from_gib=100, value=0.01, confidence="UNCONFIRMED")],
    ...                   source="s", as_of="2026", confidence="S")
    >>> book.cost(hot, 50, "tiers.Hot.storage"), book.unconfirmed
    (1.0, [])
    >>> round(book.cost(hot, 150, "tiers.Hot.storage"), 6), book.unconfirmed
    (2.5, ['demo.tiers.Hot.storage.bands[1]'])
    """

    def __init__(self, catalog: Any) -> None:
        self.catalog = catalog
        self._noted: set[str] = set()

    def use(self, price: Any, path: str) -> Any:
        """``price`` (a Price, BandedPrice, RestoreTier or Fact at ``path`` in the catalog), noted
        if it is UNCONFIRMED."""
        if getattr(price, "confidence", None) == "UNCONFIRMED":
            self.note(path)
        return price

    def note(self, path: str) -> None:
        """Note the catalog entry at ``path`` as a stand-in this bill used."""
        self._noted.add(f"{self.catalog.catalog}.{path}")

    def cost(self, price: Price | BandedPrice, quantity: float, path: str) -> float:
        """``quantity`` at ``price``: one rate, or band by band (each UNCONFIRMED band the
        quantity reaches is noted). [USD]"""
        self.use(price, path)
        if isinstance(price, Price):
            return quantity * price.value
        for i, band in enumerate(price.bands):
            if band.confidence == "UNCONFIRMED" and quantity > band.from_gib:
                self.note(f"{path}.bands[{i}]")
        return banded_cost(quantity, [b.from_gib for b in price.bands],
                           [b.value for b in price.bands])

    def egress(self, gib: float) -> float:
        """A month's internet egress of ``gib`` GiB under the catalog's ``egress_internet``
        (free allowance, bands), its unconfirmed parts noted. [USD]"""
        egress = self.catalog.egress_internet
        for path in egress.unconfirmed("egress_internet"):
            self.note(path)
        return egress.cost_usd(gib)

    @property
    def unconfirmed(self) -> list[str]:
        """The UNCONFIRMED catalog entries noted so far, by catalog path."""
        return sorted(self._noted)
