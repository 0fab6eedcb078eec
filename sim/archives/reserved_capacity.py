"""Azure Blob Storage reserved capacity: a monthly commitment billed whether used or not.

Each reservation covers ``count`` units (100 TiB or 1 PiB, binary) of one tier for a term of one
or three years, billed monthly (the monthly payment option).  In a calendar month:

- the commitment: ``count x usd_per_unit_month x`` the share of the month's days inside the term
  (ledger: category ``storage``, the tier, unit ``reserved units (100 TiB, 1-year)``);
- the tier's storage: the month's average GiB stored (the engine's ``GiB-month`` row) up to the
  reserved GiB (times the same share) costs nothing more; what is above is billed at
  pay-as-you-go prices, as a volume of its own from the first band (Microsoft: usage above the
  reservation is "charged at pay-as-you-go rates"; how volume bands count next to a reservation
  is not documented).  The row keeps its quantity (all GiB-months stored), so storage figures
  are unchanged; its amount is the overage's.

Microsoft applies a reservation hour by hour; the simulator applies it to the month's average,
which is the same when the stored amount does not cross the reserved amount within the month.
A term that ends reverts to pay-as-you-go unless ``renew`` (the later terms then cost
``renewal_usd_per_unit_month``, by default the same price; their rows say "renewed").
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.archives.base import ArchiveModel, ArchiveWrapper, MonthUsage
from sim.calendar import Calendar
from sim.ledger import Charge
from sim.pricing.price_book import PriceBook

GIB_PER_UNIT = {"100 TiB": 100 * 1024, "1 PiB": 1024 * 1024}
"""Reserved units in GiB (Microsoft sells them in binary units)."""


def term_share_by_month(calendar: Calendar, start: dt.date, years: int,
                        renew: bool) -> np.ndarray:
    """Share of each calendar month's days that fall inside the reservation's term(s) and the
    run (the first and last months of the run count their full calendar length). [0-1]"""
    def add_years(d: dt.date, n: int) -> dt.date:
        try:
            return d.replace(year=d.year + n)
        except ValueError:  # 29 February
            return d.replace(year=d.year + n, day=28)

    end = calendar.end if renew else add_years(start, years)
    first = max(start, calendar.start)
    share = np.zeros(calendar.n_months)
    for m, label in enumerate(calendar.month_labels):
        y, mo = map(int, label.split("-"))
        month_start = dt.date(y, mo, 1)
        month_end = dt.date(y + (mo == 12), mo % 12 + 1, 1)
        days = (min(month_end, end, calendar.end) - max(month_start, first)).days
        share[m] = max(days, 0) / (month_end - month_start).days
    return share


class ReservedCapacityArchive(ArchiveWrapper):
    """An Azure archive with reserved capacity on some of its tiers.

    Parameters
    ----------
    inner
        The Azure engine (lifecycle or smart tier).
    reservations
        The scenario's ``azure.reserved_capacity`` entries.
    storage_prices
        Each tier's pay-as-you-go storage price (the account's redundancy) and catalog path.
    """

    def __init__(self, inner: ArchiveModel, reservations, storage_prices: dict,
                 book: PriceBook, calendar: Calendar) -> None:
        super().__init__(inner)
        self._cal = calendar
        self._book = book
        self._prices = storage_prices
        self._terms = []
        for r in reservations:
            start = r.start or calendar.start
            first = term_share_by_month(calendar, start, r.term_years, False)
            unit = f"reserved units ({r.unit}, {r.term_years}-year)"
            self._terms.append((r.tier, first, r.count, GIB_PER_UNIT[r.unit],
                                r.usd_per_unit_month, unit))
            if r.renew:
                later = term_share_by_month(calendar, start, r.term_years, True) - first
                price = r.usd_per_unit_month if r.renewal_usd_per_unit_month is None \
                    else r.renewal_usd_per_unit_month
                self._terms.append((r.tier, later, r.count, GIB_PER_UNIT[r.unit], price,
                                    f"{unit}, renewed"))

    def bill(self, month: int, usage: MonthUsage) -> list[Charge]:
        charges = self.inner.bill(month, usage)
        label = self._cal.month_labels[month]
        covered: dict[str, float] = {}
        fees = []
        for tier, share, count, gib, price, unit in self._terms:
            if share[month] <= 0:
                continue
            covered[tier] = covered.get(tier, 0.0) + count * gib * share[month]
            fees.append(Charge(label, self.name, tier, "storage", count * share[month], unit,
                               count * price * share[month]))
        out = []
        for c in charges:
            if c.category == "storage" and c.unit == "GiB-month" and c.tier in covered:
                over = max(c.quantity - covered[c.tier], 0.0)
                price, path = self._prices[c.tier]
                c = Charge(c.month, c.archive, c.tier, c.category, c.quantity, c.unit,
                           self._book.cost(price, over, path) if over else 0.0)
            out.append(c)
        return out + fees
