"""Read provider policy documents: S3 Lifecycle (JSON or XML), S3 Intelligent-Tiering, Azure
lifecycle management policies and GCS lifecycle configurations (JSON).

Errors name the file and, through the parsers, the rule ID and field.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.tiering.azure_lifecycle import ManagementPolicy, parse_management_policy
from sim.tiering.gcs_lifecycle import GcsLifecycle, parse_gcs_lifecycle
from sim.tiering.intelligent_tiering import ITConfiguration, parse_it_configurations
from sim.tiering.s3_lifecycle import LifecycleConfiguration, parse_lifecycle

_LISTS = {"Rule": "Rules", "Transition": "Transitions",
          "NoncurrentVersionTransition": "NoncurrentVersionTransitions", "Tag": "Tags"}


def read_document(path: Path) -> Any:
    """A JSON or XML policy document as plain dicts and lists."""
    if not path.is_file():
        raise InputError("file not found", file=path)
    text = path.read_text(encoding="utf-8", errors="replace").lstrip("\ufeff").strip()
    try:
        if text.startswith("<"):
            if "<!DOCTYPE" in text or "<!ENTITY" in text:
                raise InputError("XML with a DOCTYPE or ENTITY declaration is not accepted (a "
                                 "policy document needs none)", file=path)
            try:
                root = ET.fromstring(text)
            except ET.ParseError as exc:
                raise InputError(f"not valid XML ({exc})", file=path) from None
            return {_local(root.tag): _xml_to_dict(root)}
        try:
            return json.loads(text, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: line {exc.lineno}, column {exc.colno}: "
                             f"{exc.msg}", file=path) from None
        except _DuplicateKey as exc:
            raise InputError(f"not valid JSON: key {exc.args[0]!r} appears twice in one object; "
                             "give each key once", file=path) from None
    except RecursionError:
        raise InputError("not a usable policy document: nested too deeply (hundreds of levels)",
                         file=path) from None


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def load_lifecycle(path: Path) -> LifecycleConfiguration:
    """An S3 Lifecycle configuration (JSON or XML)."""
    return _parsed(path, parse_lifecycle)


def load_intelligent_tiering(path: Path) -> list[ITConfiguration]:
    """S3 Intelligent-Tiering configuration(s)."""
    return _parsed(path, parse_it_configurations)


def load_azure_policy(path: Path) -> ManagementPolicy:
    """An Azure lifecycle management policy."""
    return _parsed(path, parse_management_policy)


def load_gcs_lifecycle(path: Path) -> GcsLifecycle:
    """A Google Cloud Storage lifecycle configuration."""
    return _parsed(path, parse_gcs_lifecycle)


def _parsed(path: Path, parse: Callable[[Any], Any]) -> Any:
    """``parse`` applied to the document at ``path``; its problems name the file."""
    doc = read_document(path)
    try:
        return parse(doc)
    except InputError as exc:
        raise InputError(exc.problems, file=path) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml_to_dict(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    out: dict[str, Any] = {}
    for child in children:
        name = _local(child.tag)
        value = _xml_to_dict(child)
        if name in _LISTS:
            if name == "Tag" and _local(element.tag) == "Filter":
                out["Tag"] = value  # a lone tag filter
            else:
                out.setdefault(_LISTS[name], []).append(value)
        else:
            out[name] = value
    for key in ("Days", "ObjectSizeGreaterThan", "ObjectSizeLessThan", "NoncurrentDays",
                "NewerNoncurrentVersions", "DaysAfterInitiation"):
        if isinstance(out.get(key), str) and out[key].isdigit():
            out[key] = int(out[key])
    return out
