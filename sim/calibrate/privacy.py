"""Pseudonyms for patient, study and user identifiers, made as the data are read.

A keyed hash (HMAC-SHA-256) turns an identifier into a fixed-length pseudonym: the same key gives
the same pseudonym for the same identifier in every file (so a study list and an access log still
join), and without the key a pseudonym cannot be traced back or recomputed from a guessed ID.
The key comes from a file the hospital keeps (``--key-file``), or the environment variable
``ARCHIVE_SIM_PSEUDONYM_KEY``; without either, a random key is used for this run only (pseudonyms
then differ between runs).  Names are never read; birth dates only become ages in whole years.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError

KEY_VARIABLE = "ARCHIVE_SIM_PSEUDONYM_KEY"
PSEUDONYM_HEX = 16


class Pseudonymizer:
    """Keyed-hash pseudonyms with a prefix naming what they stand for (``P``, ``S``, ``U``)."""

    def __init__(self, key: bytes, persistent: bool):
        if len(key) < 16:
            raise InputError("the pseudonymisation key must be at least 16 bytes")
        self._key = key
        self.persistent = persistent
        """Whether the key outlives this run (pseudonyms repeat across runs)."""

    @classmethod
    def from_options(cls, key_file: Path | None) -> Pseudonymizer:
        if key_file is not None:
            if not key_file.is_file():
                raise InputError("file not found", file=key_file)
            key = key_file.read_bytes().strip()
            if len(key) < 16:
                raise InputError("--key-file: the key must be at least 16 bytes", file=key_file)
            return cls(key, persistent=True)
        if os.environ.get(KEY_VARIABLE):
            return cls(os.environ[KEY_VARIABLE].encode(), persistent=True)
        return cls(secrets.token_bytes(32), persistent=False)

    def __call__(self, values: pd.Series, prefix: str) -> pd.Series:
        """Pseudonyms of ``values`` (blank stays blank: None)."""
        text = values.astype(str).str.strip()
        unique = pd.unique(text)
        mapped = {v: (None if v in ("", "nan", "None") else prefix + hmac.new(
            self._key, v.encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX])
            for v in unique}
        return text.map(mapped)


def whole_years(birth: pd.Series, at: pd.Series) -> pd.Series:
    """Age in whole years on each date (birthdays counted), NaN where unknown."""
    b = pd.to_datetime(birth, errors="coerce")
    a = pd.to_datetime(at, errors="coerce")
    years = a.dt.year - b.dt.year
    before_birthday = (a.dt.month < b.dt.month) | ((a.dt.month == b.dt.month)
                                                   & (a.dt.day < b.dt.day))
    out = (years - before_birthday.astype(float)).astype(float)
    return out.where((out >= 0) & (out < 150), np.nan)
