"""S3 Intelligent-Tiering: access tiers inside the INTELLIGENT_TIERING storage class.

An object starts in Frequent Access (FA) when uploaded or transitioned in.  After 30 consecutive
days without access it moves to Infrequent Access (IA), after 90 to Archive Instant Access (AIA).
A bucket's IT configuration (``PutBucketIntelligentTieringConfiguration``: ``Tierings`` with
``ARCHIVE_ACCESS`` 90-730 days and ``DEEP_ARCHIVE_ACCESS`` 180-730 days, scoped by prefix and
tags) adds the asynchronous Archive Access (AA) and Deep Archive Access (DAA) tiers; AA at 90 days
replaces AIA.  A read of an IA/AIA object moves it back to FA at once; an AA/DAA object needs a
restore and returns to FA when the restore completes, restarting its clock.  Objects under
128 KB are not monitored: they stay in FA and pay no monitoring fee
(shared/reference/cloud-tiering.md §2.2).  Moves are evaluated at midnight UTC, at the first
midnight after the idle time is reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.calendar import SECONDS_PER_DAY
from sim.errors import InputError

FA, IA, AIA, AA, DAA = 0, 1, 2, 3, 4
IT_TIERS = ("FA", "IA", "AIA", "AA", "DAA")
IA_DAYS, AIA_DAYS = 30, 90
NEVER_DAY = np.iinfo(np.int64).max // 2


@dataclass(frozen=True)
class ITConfiguration:
    id: str
    enabled: bool
    prefix: str
    tags: tuple[tuple[str, str], ...]
    archive_access_days: int  # 0: not enabled
    deep_archive_access_days: int  # 0: not enabled


def parse_it_configurations(doc: Any) -> list[ITConfiguration]:
    """Parse one configuration or a list, as the AWS CLI prints them."""
    if isinstance(doc, dict) and "IntelligentTieringConfiguration" in doc:
        raw = [doc["IntelligentTieringConfiguration"]]
    elif isinstance(doc, dict) and "IntelligentTieringConfigurationList" in doc:
        raw = doc["IntelligentTieringConfigurationList"]
    elif isinstance(doc, dict):
        raw = [doc]
    else:
        raw = doc
    if not isinstance(raw, list) or not raw:
        raise InputError("an Intelligent-Tiering configuration is an object with Id, Status and "
                         "Tierings (or a list of them)")
    problems: list[str] = []
    configs = [c for i, r in enumerate(raw) if (c := _parse_one(r, i, problems)) is not None]
    if problems:
        raise InputError(problems)
    return configs


def _parse_one(raw: Any, index: int, problems: list[str]) -> ITConfiguration | None:
    if not isinstance(raw, dict):
        problems.append(f"configuration {index + 1}: must be an object")
        return None
    cid = str(raw.get("Id", f"(configuration {index + 1}, no Id)"))
    where = f"configuration {cid!r}"
    for key in raw:
        if key not in ("Id", "Filter", "Status", "Tierings"):
            problems.append(f"{where} {key}: unknown element; allowed: Filter, Id, Status, "
                            "Tierings")
    if "Id" not in raw:
        problems.append(f"{where}: Id is required")
    status = raw.get("Status")
    if status not in ("Enabled", "Disabled"):
        problems.append(f"{where} Status: got {status!r}; allowed: Enabled, Disabled")
    prefix, tags = "", []
    filt = raw.get("Filter") or {}
    body = filt.get("And", filt) if isinstance(filt, dict) else {}
    if isinstance(body, dict):
        prefix = str(body.get("Prefix", ""))
        raw_tags = body.get("Tags", [body["Tag"]] if "Tag" in body else [])
        for tag in raw_tags:
            if isinstance(tag, dict) and set(tag) == {"Key", "Value"}:
                tags.append((str(tag["Key"]), str(tag["Value"])))
            else:
                problems.append(f"{where} Filter: each tag is {{Key, Value}}; got {tag!r}")
    aa = daa = 0
    tierings = raw.get("Tierings")
    if not isinstance(tierings, list) or not tierings:
        problems.append(f"{where} Tierings: a list of {{AccessTier, Days}} is required")
        tierings = []
    limits = {"ARCHIVE_ACCESS": (90, 730), "DEEP_ARCHIVE_ACCESS": (180, 730)}
    for j, t in enumerate(tierings):
        tier = t.get("AccessTier") if isinstance(t, dict) else None
        days = t.get("Days") if isinstance(t, dict) else None
        if tier not in limits:
            problems.append(f"{where} Tierings[{j}] AccessTier: got {tier!r}; allowed: "
                            "ARCHIVE_ACCESS, DEEP_ARCHIVE_ACCESS")
            continue
        low, high = limits[tier]
        if not isinstance(days, int) or isinstance(days, bool) or not low <= days <= high:
            problems.append(f"{where} Tierings[{j}] Days: got {days!r}; {tier} takes {low} to "
                            f"{high} days")
            continue
        if tier == "ARCHIVE_ACCESS":
            aa = days
        else:
            daa = days
    if aa and daa and daa <= aa:
        problems.append(f"{where} Tierings: DEEP_ARCHIVE_ACCESS days ({daa}) must be more than "
                        f"ARCHIVE_ACCESS days ({aa})")
    return ITConfiguration(cid, status == "Enabled", prefix, tuple(tags), aa, daa)


def target_tier(idle_s: np.ndarray, aa_days: np.ndarray, daa_days: np.ndarray) -> np.ndarray:
    """The access tier an object idle for ``idle_s`` seconds belongs in. int8"""
    day = SECONDS_PER_DAY
    tier = np.full(idle_s.shape, FA, dtype=np.int8)
    tier[idle_s >= IA_DAYS * day] = IA
    tier[idle_s >= AIA_DAYS * day] = AIA
    tier[(aa_days > 0) & (idle_s >= aa_days.astype(np.int64) * day)] = AA
    tier[(daa_days > 0) & (idle_s >= daa_days.astype(np.int64) * day)] = DAA
    return tier
