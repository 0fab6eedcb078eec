"""Azure Blob Storage lifecycle management policies: parse, validate as Azure does, and the day
counting the engine applies (shared/reference/cloud-tiering.md §2.4-2.5).

Input is the policy JSON as the portal's code view shows it (``{"rules": [...]}``), as
``az storage account management-policy show`` prints it (``{"policy": {"rules": [...]}, ...}``),
or an ARM resource (``{"properties": {"policy": ...}}``).  Semantics:

- a rule applies to blobs matching all its filters: ``blobTypes`` (required; archives hold block
  blobs), ``prefixMatch`` (any of up to 10 prefixes, starting with the container name),
  ``blobIndexMatch`` (all of up to 10 index-tag conditions, operator ``==``);
- ``baseBlob`` actions ``tierToCool``, ``tierToCold``, ``tierToArchive``, ``delete`` each run on
  one clock: ``daysAfterModificationGreaterThan`` (archives never rewrite a study: its creation),
  ``daysAfterCreationGreaterThan`` or ``daysAfterLastAccessTimeGreaterThan``;
  ``tierToArchive`` may add ``daysAfterLastTierChangeGreaterThan`` (both must hold);
- "greater than N days" is strict, and the policy runs once a day: an action is due at the first
  midnight UTC more than N days after its clock started;
- when several actions are due, the least expensive runs: delete, then tierToArchive, tierToCold,
  tierToCool; an action never warms a blob (lifecycle never rehydrates from Archive);
- ``enableAutoTierToHotFromCool`` (with ``tierToCool`` on last access) returns a Cool blob to Hot
  when it is read.

Snapshots and versions are not modelled (archives hold one version per study): their actions are
checked for shape and reported as not applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.calendar import SECONDS_PER_DAY
from sim.errors import InputError
from sim.tiering.document_checks import Problems, integer, unknown

TIERS = ("Hot", "Cool", "Cold", "Archive")
HOT, COOL, COLD, ARCHIVE = range(4)
DELETE = -1
ACTIONS = {"tierToCool": COOL, "tierToCold": COLD, "tierToArchive": ARCHIVE, "delete": DELETE}
PREFERENCE = {DELETE: 4, ARCHIVE: 3, COLD: 2, COOL: 1}
"""Least expensive action wins: delete, then tierToArchive, tierToCold, tierToCool."""
CLOCKS = {"daysAfterModificationGreaterThan": "modification",
          "daysAfterCreationGreaterThan": "creation",
          "daysAfterLastAccessTimeGreaterThan": "last_access"}
TIER_CHANGE = "daysAfterLastTierChangeGreaterThan"
MAX_RULES = 100
MAX_DAYS = 99999
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


@dataclass(frozen=True)
class Condition:
    """When an action runs: more than ``days`` days after its clock (``modification``,
    ``creation`` or ``last_access``), and for tierToArchive optionally more than
    ``tier_change_days`` after the blob's last tier change."""

    clock: str
    days: int
    tier_change_days: int | None = None


@dataclass(frozen=True)
class AzureRule:
    name: str
    enabled: bool
    block_blobs: bool
    """Whether ``blobTypes`` includes ``blockBlob`` (the only type an archive holds)."""
    prefixes: tuple[str, ...]
    index_match: tuple[tuple[str, str], ...]
    actions: dict[int, Condition]
    """Target tier (COOL, COLD, ARCHIVE) or DELETE -> its condition."""
    auto_tier_to_hot: bool


@dataclass(frozen=True)
class ManagementPolicy:
    rules: tuple[AzureRule, ...]
    not_applied: tuple[str, ...] = ()


def parse_management_policy(doc: Any) -> ManagementPolicy:
    """Validate a management policy (dict form) and return it parsed.

    Raises :class:`InputError` listing every problem, each naming the rule and the field.
    """
    problems = Problems()
    if isinstance(doc, dict) and isinstance(doc.get("properties"), dict):
        doc = doc["properties"]
    if isinstance(doc, dict) and isinstance(doc.get("policy"), dict):
        doc = doc["policy"]
    if not isinstance(doc, dict) or "rules" not in doc:
        raise InputError("an Azure lifecycle management policy is an object with a 'rules' list "
                         "(as in the portal's code view or az storage account management-policy "
                         "show)")
    unknown(doc, {"rules"}, "policy", problems)
    raw_rules = doc["rules"]
    if not isinstance(raw_rules, list) or not raw_rules:
        problems.add("rules", "must be a list of 1 to 100 rules")
        raw_rules = []
    if len(raw_rules) > MAX_RULES:
        problems.add("rules", f"at most {MAX_RULES} rules (got {len(raw_rules)})")
    rules: list = []
    not_applied: list[str] = []
    names: set[str] = set()
    for i, raw in enumerate(raw_rules):
        rule = _parse_rule(raw, i, problems, not_applied)
        if rule is None:
            continue
        if rule.name in names:
            problems.add(f"rule {rule.name!r} name", "repeats an earlier rule's name (names are "
                                                    "unique, case-sensitive)")
        names.add(rule.name)
        rules.append(rule)
    if problems.lines:
        raise InputError(problems.lines)
    return ManagementPolicy(tuple(rules), tuple(not_applied))


def _parse_rule(raw: Any, index: int, problems: Problems, not_applied: list[str]
                ) -> AzureRule | None:
    if not isinstance(raw, dict):
        problems.add(f"rules[{index}]", "must be an object")
        return None
    name = raw.get("name")
    where = f"rule {name!r}" if isinstance(name, str) else f"rules[{index}]"
    unknown(raw, {"name", "enabled", "type", "definition"}, where, problems)
    if not isinstance(name, str) or not 1 <= len(name) <= 256 or set(name) - _NAME_CHARS:
        problems.add(f"{where} name", f"got {name!r}; a name is 1 to 256 letters and digits")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        problems.add(f"{where} enabled", f"got {enabled!r}; allowed: true, false")
    if raw.get("type") != "Lifecycle":
        problems.add(f"{where} type", f"got {raw.get('type')!r}; allowed: Lifecycle")
    definition = raw.get("definition")
    if not isinstance(definition, dict):
        problems.add(f"{where} definition", "must be an object with filters and actions")
        return None
    unknown(definition, {"filters", "actions"}, f"{where} definition", problems)
    block, prefixes, index_match = _parse_filters(definition.get("filters"), where, problems)
    actions_raw = definition.get("actions")
    if not isinstance(actions_raw, dict) or not actions_raw:
        problems.add(f"{where} actions", "must be an object with baseBlob, snapshot or version")
        return None
    unknown(actions_raw, {"baseBlob", "snapshot", "version"}, f"{where} actions", problems)
    for part in ("snapshot", "version"):
        if part in actions_raw:
            _check_versions(actions_raw[part], f"{where} actions.{part}", problems)
            not_applied.append(f"{where} actions.{part} (archives hold one version per study, "
                               "no snapshots)")
    actions: dict = {}
    auto_hot = False
    if "baseBlob" in actions_raw:
        actions, auto_hot = _parse_base_blob(actions_raw["baseBlob"],
                                             f"{where} actions.baseBlob", problems)
    if not block and any(t != DELETE for t in actions):
        problems.add(f"{where} filters.blobTypes", "appendBlob supports the delete action only")
    return AzureRule(name if isinstance(name, str) else f"rules[{index}]",
                     enabled if isinstance(enabled, bool) else True, block, prefixes,
                     index_match, actions, auto_hot)


def _parse_filters(raw: Any, where: str, problems: Problems
                   ) -> tuple[bool, tuple[str, ...], tuple[tuple[str, str], ...]]:
    where = f"{where} filters"
    if not isinstance(raw, dict):
        problems.add(where, "must be an object with blobTypes (required)")
        return True, (), ()
    unknown(raw, {"blobTypes", "prefixMatch", "blobIndexMatch"}, where, problems)
    types = raw.get("blobTypes")
    if not isinstance(types, list) or not types or \
            not set(types) <= {"blockBlob", "appendBlob"}:
        problems.add(f"{where}.blobTypes",
                     f"got {types!r}; a list of blockBlob and/or appendBlob (required)")
        types = ["blockBlob"]
    prefixes = raw.get("prefixMatch", [])
    if not isinstance(prefixes, list) or not all(isinstance(p, str) and p for p in prefixes):
        problems.add(f"{where}.prefixMatch", f"got {prefixes!r}; a list of non-empty prefixes, "
                                             "each starting with a container name")
        prefixes = []
    if len(prefixes) > 10:
        problems.add(f"{where}.prefixMatch", f"at most 10 prefixes (got {len(prefixes)})")
    tags = raw.get("blobIndexMatch", [])
    parsed: list[tuple[str, str]] = []
    if not isinstance(tags, list):
        problems.add(f"{where}.blobIndexMatch", "must be a list of {name, op, value}")
        tags = []
    if len(tags) > 10:
        problems.add(f"{where}.blobIndexMatch", f"at most 10 conditions (got {len(tags)})")
    for j, tag in enumerate(tags):
        if not (isinstance(tag, dict) and set(tag) == {"name", "op", "value"}):
            problems.add(f"{where}.blobIndexMatch[{j}]",
                         f"got {tag!r}; each is {{name, op, value}}")
            continue
        if tag["op"] != "==":
            problems.add(f"{where}.blobIndexMatch[{j}].op", f"got {tag['op']!r}; allowed: ==")
            continue
        parsed.append((str(tag["name"]), str(tag["value"])))
    return "blockBlob" in types, tuple(prefixes), tuple(parsed)


def _parse_base_blob(raw: Any, where: str, problems: Problems) -> tuple[dict[int, Condition],
                                                                        bool]:
    if not isinstance(raw, dict):
        problems.add(where, "must be an object")
        return {}, False
    if "tierToHot" in raw:
        problems.add(f"{where}.tierToHot", "only Premium block blob accounts support it; "
                                          "allowed: tierToCool, tierToCold, tierToArchive, delete")
    unknown(raw, {*ACTIONS, "enableAutoTierToHotFromCool", "tierToHot"}, where, problems)
    actions = {}
    for key, target in ACTIONS.items():
        if key in raw:
            condition = _parse_condition(raw[key], f"{where}.{key}", target == ARCHIVE, problems)
            if condition is not None:
                actions[target] = condition
    auto_hot = raw.get("enableAutoTierToHotFromCool", False)
    if not isinstance(auto_hot, bool):
        problems.add(f"{where}.enableAutoTierToHotFromCool", f"got {auto_hot!r}; true or false")
        auto_hot = False
    if auto_hot and (COOL not in actions or actions[COOL].clock != "last_access"):
        problems.add(f"{where}.enableAutoTierToHotFromCool",
                     "works only with tierToCool.daysAfterLastAccessTimeGreaterThan")
    if not set(raw) & {*ACTIONS, "tierToHot"}:
        problems.add(where, "has no action; allowed: tierToCool, tierToCold, tierToArchive, "
                            "delete")
    return actions, auto_hot


def _parse_condition(raw: Any, where: str, archive: bool, problems: Problems
                     ) -> Condition | None:
    if not isinstance(raw, dict):
        problems.add(where, "must be an object such as {\"daysAfterModificationGreaterThan\": 90}")
        return None
    unknown(raw, {*CLOCKS, TIER_CHANGE}, where, problems)
    clocks = [k for k in CLOCKS if k in raw]
    if len(clocks) != 1:
        problems.add(where, "give exactly one of " + ", ".join(CLOCKS))
        return None
    days = _days(raw[clocks[0]], f"{where}.{clocks[0]}", problems)
    tier_change = None
    if TIER_CHANGE in raw:
        if not archive:
            problems.add(f"{where}.{TIER_CHANGE}", "only tierToArchive takes it")
        elif clocks[0] != "daysAfterModificationGreaterThan":
            problems.add(f"{where}.{TIER_CHANGE}", "goes only with "
                                                  "daysAfterModificationGreaterThan on base blobs")
        tier_change = _days(raw[TIER_CHANGE], f"{where}.{TIER_CHANGE}", problems)
    if days is None:
        return None
    return Condition(CLOCKS[clocks[0]], days, tier_change)


def _days(value: Any, where: str, problems: Problems) -> int | None:
    days = integer(value)
    if days is None or not 0 <= days <= MAX_DAYS:
        problems.add(where, f"got {value!r}; a whole number of days from 0 to {MAX_DAYS}")
        return None
    return days


def _check_versions(raw: Any, where: str, problems: Problems) -> None:
    if not isinstance(raw, dict):
        problems.add(where, "must be an object")
        return
    allowed = {"tierToCool", "tierToCold", "tierToArchive", "delete"}
    unknown(raw, allowed, where, problems)
    for key in allowed & set(raw):
        body = raw[key]
        if not (isinstance(body, dict) and set(body) == {"daysAfterCreationGreaterThan"}):
            problems.add(f"{where}.{key}", "takes {\"daysAfterCreationGreaterThan\": N}")
        else:
            _days(body["daysAfterCreationGreaterThan"],
                  f"{where}.{key}.daysAfterCreationGreaterThan", problems)


def due_midnight(clock_s: np.ndarray, days: int) -> np.ndarray:
    """The first midnight UTC more than ``days`` days after ``clock_s`` (the daily policy run
    where "daysAfter...GreaterThan: days" first holds). [s]

    >>> due_midnight(np.array([10 * 3600]), 30).tolist() == [31 * 86400]
    True
    >>> due_midnight(np.array([0]), 30).tolist() == [31 * 86400]
    True
    """
    return ((clock_s + days * SECONDS_PER_DAY) // SECONDS_PER_DAY + 1) * SECONDS_PER_DAY
