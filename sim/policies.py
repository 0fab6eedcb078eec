"""Policy documents written from Python, in the exact form the providers' tools accept, so a
policy tuned in a notebook can be applied as it is (and read back by :mod:`sim.io.policy_files`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def s3_lifecycle(transitions: list[tuple[int, str]], expiration_days: int | None = None,
                 prefix: str = "studies/", rule_id: str = "archive-tiering") -> dict[str, Any]:
    """An S3 Lifecycle configuration (as ``aws s3api put-bucket-lifecycle-configuration``
    takes it) with one rule: ``transitions`` as (days after creation, storage class).

    >>> s3_lifecycle([(30, "STANDARD_IA"), (90, "GLACIER_IR")])["Rules"][0]["Transitions"][1]
    {'Days': 90, 'StorageClass': 'GLACIER_IR'}
    """
    rule: dict[str, Any] = {
        "ID": rule_id,
        "Status": "Enabled",
        "Filter": {"Prefix": prefix},
        "Transitions": [{"Days": int(d), "StorageClass": c} for d, c in transitions],
    }
    if expiration_days is not None:
        rule["Expiration"] = {"Days": int(expiration_days)}
    return {"Rules": [rule]}


def s3_intelligent_tiering(archive_access_days: int | None = None,
                           deep_archive_access_days: int | None = None,
                           config_id: str = "archive-tiers", prefix: str = "") -> dict[str, Any]:
    """An S3 Intelligent-Tiering configuration (``put-bucket-intelligent-tiering-
    configuration``) opting into the Archive Access and/or Deep Archive Access tiers."""
    tierings = []
    if archive_access_days is not None:
        tierings.append({"AccessTier": "ARCHIVE_ACCESS", "Days": int(archive_access_days)})
    if deep_archive_access_days is not None:
        tierings.append({"AccessTier": "DEEP_ARCHIVE_ACCESS",
                         "Days": int(deep_archive_access_days)})
    doc: dict[str, Any] = {"Id": config_id, "Status": "Enabled", "Tierings": tierings}
    if prefix:
        doc["Filter"] = {"Prefix": prefix}
    return doc


def write_policy(document: dict[str, Any], path: str | Path) -> Path:
    """Write a policy document as JSON and check that it loads back (raises on a bad policy)."""
    from sim import providers

    kind = providers.document_kind(document)
    if kind is None:
        raise ValueError("not a policy document any provider reads")
    path = Path(path)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    kind.describe(path)  # loads it back: raises on a bad policy
    return path
