"""What the run loop asks of an archive model.

The run loop (:mod:`sim.des`) drives every archive through the same day: deletions at midnight,
the day's ingests, the day's reads, the end-of-day step (metering, daily policy evaluation), and
at each calendar month's end the bill.  Archive models keep per-study state in numpy arrays and
are handed index arrays, never one study at a time.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.ledger import Charge


class ArchiveModel(Protocol):
    name: str

    def delete(self, day: int, studies: np.ndarray) -> None:
        """Studies removed by retention at the start of ``day``."""

    def ingest(self, day: int, studies: np.ndarray) -> None:
        """Studies acquired during ``day`` (their exact times are in the workload)."""

    def read(self, day: int, reads: slice) -> None:
        """The workload's reads ``reads`` (a slice of the time-sorted reads) during ``day``."""

    def end_of_day(self, day: int) -> None:
        """Meter the day and run the daily policy evaluation."""

    def close_month(self, month: int) -> list[Charge]:
        """The bill of calendar month ``month`` (index into the calendar's months)."""
