"""Storage metering: byte-time to billed GiB-months.

AWS meters byte-hours over the calendar month; at one-second resolution this is the same as
byte-seconds over the month's seconds.  A GiB is 2^30 bytes.
"""

from __future__ import annotations

BYTES_PER_GIB = 2**30


def gib_months(byte_seconds: float, month_seconds: float) -> float:
    """Billed GiB-months for ``byte_seconds`` stored in a month of ``month_seconds``. [GiB-month]

    >>> gib_months(2**30 * 31 * 86400, 31 * 86400)  # 1 GiB for all of January
    1.0
    """
    return byte_seconds / BYTES_PER_GIB / month_seconds
