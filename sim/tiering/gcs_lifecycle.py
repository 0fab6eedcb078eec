"""Google Cloud Storage Object Lifecycle Management: parse, validate, and each object's path in
closed form (shared/reference/cloud-tiering.md §2.6).

Input is the bucket's lifecycle configuration as JSON: ``{"lifecycle": {"rule": [...]}}`` (the
bucket resource, ``gcloud storage buckets update --lifecycle-file``) or ``{"rule": [...]}``.
Semantics:

- a rule has one action (``SetStorageClass`` with ``storageClass``, ``Delete``) and conditions
  that must all hold: ``age`` (days since creation), ``createdBefore`` (a date),
  ``customTimeBefore`` and ``daysSinceCustomTime`` (the object's Custom-Time; objects without one
  never match),
  ``matchesStorageClass``, ``matchesPrefix``, ``matchesSuffix``, ``isLive``; rules with the same
  action are OR-ed;
- lifecycle runs once a day: an action is taken at the first midnight UTC at or after its
  conditions hold (Google acts asynchronously, "at midnight UTC on the day the condition is met"
  per a secondary source);
- when several rules fire at once only one action runs: Delete beats SetStorageClass; among
  SetStorageClass actions the class with the lowest at-rest price wins; the object is evaluated
  again (at the next daily run) before any further action;
- SetStorageClass only moves an object to a colder class (Standard -> Nearline -> Coldline ->
  Archive).

No condition depends on reads (GCS lifecycle has no last-access condition), so an object's whole
path follows from its creation: at most three moves and a deletion.  Versioning is not modelled:
rules on noncurrent versions (``isLive: false``, ``numNewerVersions``,
``daysSinceNoncurrentTime``, ``noncurrentTimeBefore``) and ``AbortIncompleteMultipartUpload``
are checked for shape and reported as not applied.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.calendar import SECONDS_PER_DAY
from sim.errors import InputError
from sim.tiering.document_checks import Problems, integer, unknown

CLASSES = ("STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE")
LEGACY_CLASSES = ("MULTI_REGIONAL", "REGIONAL", "DURABLE_REDUCED_AVAILABILITY")
DELETE = -1
NEVER_S = np.iinfo(np.int64).max // 16
MAX_RULES = 100
_CONDITIONS = {"age", "createdBefore", "customTimeBefore", "daysSinceCustomTime",
               "daysSinceNoncurrentTime", "noncurrentTimeBefore", "isLive", "numNewerVersions",
               "matchesStorageClass", "matchesPrefix", "matchesSuffix"}
_NONCURRENT = ("daysSinceNoncurrentTime", "noncurrentTimeBefore", "numNewerVersions")


@dataclass(frozen=True)
class GcsRule:
    number: int
    """Position in the document (1-based), for messages."""
    action: int
    """DELETE or the index of the target class in CLASSES."""
    age: int | None = None
    created_before: dt.date | None = None
    custom_time_before: dt.date | None = None
    days_since_custom_time: int | None = None
    matches_class: tuple[int, ...] | None = None
    prefixes: tuple[str, ...] | None = None
    suffixes: tuple[str, ...] | None = None


@dataclass(frozen=True)
class GcsLifecycle:
    rules: tuple[GcsRule, ...]
    not_applied: tuple[str, ...] = ()


def parse_gcs_lifecycle(doc: Any) -> GcsLifecycle:
    """Validate a GCS lifecycle configuration (dict form) and return it parsed.

    Raises :class:`InputError` listing every problem, each naming the rule and the field.
    """
    problems = Problems()
    if isinstance(doc, dict) and isinstance(doc.get("lifecycle"), dict) and len(doc) == 1:
        doc = doc["lifecycle"]
    if not isinstance(doc, dict) or "rule" not in doc:
        raise InputError("a GCS lifecycle configuration is {\"lifecycle\": {\"rule\": [...]}} or "
                         "{\"rule\": [...]}")
    unknown(doc, {"rule"}, "lifecycle", problems)
    raw_rules = doc["rule"]
    if not isinstance(raw_rules, list) or not raw_rules:
        problems.add("rule", "must be a non-empty list of rules")
        raw_rules = []
    if len(raw_rules) > MAX_RULES:
        problems.add("rule", f"at most {MAX_RULES} rules (got {len(raw_rules)})")
    rules: list = []
    not_applied: list[str] = []
    for i, raw in enumerate(raw_rules):
        rule = _parse_rule(raw, i + 1, problems, not_applied)
        if rule is not None:
            rules.append(rule)
    if problems.lines:
        raise InputError(problems.lines)
    return GcsLifecycle(tuple(rules), tuple(not_applied))


def _parse_rule(raw: Any, number: int, problems: Problems, not_applied: list[str]
                ) -> GcsRule | None:
    where = f"rule {number}"
    if not isinstance(raw, dict):
        problems.add(where, "must be an object with action and condition")
        return None
    unknown(raw, {"action", "condition"}, where, problems)
    action = raw.get("action")
    kind = action.get("type") if isinstance(action, dict) else None
    if kind not in ("Delete", "SetStorageClass", "AbortIncompleteMultipartUpload"):
        problems.add(f"{where} action.type", f"got {kind!r}; allowed: Delete, SetStorageClass, "
                                             "AbortIncompleteMultipartUpload")
        return None
    assert isinstance(action, dict)
    unknown(action, {"type", "storageClass"}, f"{where} action", problems)
    target = DELETE
    if kind == "SetStorageClass":
        target_name = action.get("storageClass")
        if target_name in LEGACY_CLASSES:
            problems.add(f"{where} action.storageClass", f"{target_name} is a legacy class this "
                                                         f"simulator does not bill; allowed: "
                                                         f"{', '.join(CLASSES[1:])}")
            return None
        if target_name not in CLASSES:
            problems.add(f"{where} action.storageClass",
                         f"got {target_name!r}; allowed: {', '.join(CLASSES)}")
            return None
        target = CLASSES.index(target_name)
    elif "storageClass" in action:
        problems.add(f"{where} action.storageClass", f"only SetStorageClass takes it ({kind})")
    condition = raw.get("condition")
    if not isinstance(condition, dict) or not condition:
        problems.add(f"{where} condition", "must be an object with at least one condition")
        return None
    unknown(condition, _CONDITIONS, f"{where} condition", problems)
    parsed = _parse_conditions(condition, f"{where} condition", problems)
    if kind == "AbortIncompleteMultipartUpload":
        if set(condition) - {"age", "matchesPrefix"}:
            problems.add(f"{where} condition", "AbortIncompleteMultipartUpload takes only age "
                                               "and matchesPrefix")
        not_applied.append(f"{where} AbortIncompleteMultipartUpload (uploads are not modelled)")
        return None
    if condition.get("isLive") is False or any(k in condition for k in _NONCURRENT):
        not_applied.append(f"{where} (acts on noncurrent versions; archives hold one version "
                           "per study)")
        return None
    if parsed is None:
        return None
    if target != DELETE and parsed.get("matches_class") is not None \
            and all(c >= target for c in parsed["matches_class"]):
        problems.add(f"{where} action.storageClass", f"{CLASSES[target]} is not colder than any "
                                                     "class in matchesStorageClass (lifecycle "
                                                     "only moves objects to colder classes)")
    return GcsRule(number, target, **parsed)


def _parse_conditions(raw: dict, where: str, problems: Problems) -> dict | None:
    out: dict[str, Any] = {}
    ok = True
    for key, field in (("age", "age"), ("daysSinceCustomTime", "days_since_custom_time"),
                       ("daysSinceNoncurrentTime", None), ("numNewerVersions", None)):
        if key in raw:
            days = integer(raw[key])
            if days is None or days < 0:
                problems.add(f"{where}.{key}", f"got {raw[key]!r}; a whole number >= 0")
                ok = False
            elif field:
                out[field] = days
    for key, field in (("createdBefore", "created_before"),
                       ("customTimeBefore", "custom_time_before"),
                       ("noncurrentTimeBefore", None)):
        if key in raw:
            try:
                date = dt.date.fromisoformat(str(raw[key]))
            except ValueError:
                problems.add(f"{where}.{key}", f"got {raw[key]!r}; a date YYYY-MM-DD (UTC)")
                ok = False
                continue
            if field:
                out[field] = date
    if "isLive" in raw and not isinstance(raw["isLive"], bool):
        problems.add(f"{where}.isLive", f"got {raw['isLive']!r}; true or false")
        ok = False
    if "matchesStorageClass" in raw:
        names = raw["matchesStorageClass"]
        allowed = CLASSES + LEGACY_CLASSES
        if not isinstance(names, list) or not names or any(c not in allowed for c in names):
            problems.add(f"{where}.matchesStorageClass",
                         f"got {names!r}; a list of {', '.join(allowed)}")
            ok = False
        else:
            out["matches_class"] = tuple(CLASSES.index(c) for c in names if c in CLASSES)
    for key, field in (("matchesPrefix", "prefixes"), ("matchesSuffix", "suffixes")):
        if key in raw:
            values = raw[key]
            if not isinstance(values, list) or not values or \
                    not all(isinstance(v, str) and v for v in values):
                problems.add(f"{where}.{key}", f"got {values!r}; a list of non-empty strings")
                ok = False
            else:
                out[field] = tuple(values)
    return out if ok else None


# ------------------------------------------------------------------------------- the path


@dataclass(frozen=True, eq=False)
class LifecyclePath:
    """Each object's class changes and lifecycle deletion."""

    move_s: np.ndarray
    """``[study, k]``: when the k-th SetStorageClass happened, or -1. [s]"""
    move_to: np.ndarray
    """``[study, k]``: the class it moved to (index into CLASSES), or -1."""
    delete_s: np.ndarray
    """When lifecycle deleted the object, or NEVER_S. [s]"""

    def class_at(self, study: np.ndarray, t_s: np.ndarray, initial: int) -> np.ndarray:
        """Class of ``study`` at ``t_s`` (index into CLASSES)."""
        cls = np.full(study.size, initial, dtype=np.int8)
        for k in range(self.move_s.shape[1]):
            when = self.move_s[study, k]
            moved = (when >= 0) & (when <= t_s)
            cls[moved] = self.move_to[study[moved], k]
        return cls


def _midnight_at_or_after(t_s: np.ndarray) -> np.ndarray:
    return -(-t_s // SECONDS_PER_DAY) * SECONDS_PER_DAY


def lifecycle_path(rules: tuple[GcsRule, ...], static_ok: list[np.ndarray], initial: int,
                   created_s: np.ndarray, custom_s: np.ndarray | None, end_s: np.ndarray,
                   cheapest_first: list[int]) -> LifecyclePath:
    """Every object's path under the rules, up to ``end_s`` (its deletion by retention, or the
    run's end).

    ``static_ok[r]``: whether rule ``r``'s conditions that never change (prefix, suffix, creation
    and custom-time dates) hold for each object; ``custom_s``: each object's Custom-Time (None:
    not set); ``cheapest_first``: class indices from the lowest at-rest price up.
    """
    n = created_s.size
    cls = np.full(n, initial, dtype=np.int64)
    next_run = _midnight_at_or_after(created_s)
    move_s = np.full((n, len(CLASSES) - 1), -1, dtype=np.int64)
    move_to = np.full((n, len(CLASSES) - 1), -1, dtype=np.int8)
    delete_s = np.full(n, NEVER_S, dtype=np.int64)
    active = np.ones(n, dtype=bool)
    rank = np.empty(len(CLASSES), dtype=np.int64)
    rank[cheapest_first] = np.arange(len(CLASSES))
    colder = np.array([[b > a for b in range(len(CLASSES))] for a in range(len(CLASSES))])
    ready = [_ready_s(rule, created_s, custom_s) for rule in rules]
    for step in range(len(CLASSES)):  # at most three moves to colder classes, then a delete
        best = np.full(n, NEVER_S * 8, dtype=np.int64)
        for r, rule in enumerate(rules):
            ok = active & static_ok[r]
            if rule.matches_class is not None:
                ok &= np.isin(cls, rule.matches_class)
            if rule.action != DELETE:
                ok &= colder[cls, rule.action]
            if not ok.any():
                continue
            when = np.maximum(ready[r], next_run)
            ok &= when < end_s
            # earliest first; at the same time Delete, then the cheapest class
            key = when * 8 + (0 if rule.action == DELETE else 1 + rank[rule.action])
            best = np.where(ok & (key < best), key, best)
        acting = best < NEVER_S * 8
        if not acting.any():
            break
        when, choice = np.divmod(best[acting], 8)
        where = np.flatnonzero(acting)
        deleting = choice == 0
        delete_s[where[deleting]] = when[deleting]
        active[where[deleting]] = False
        moving = where[~deleting]
        target = np.asarray(cheapest_first)[choice[~deleting] - 1]
        move_s[moving, step] = when[~deleting]
        move_to[moving, step] = target
        cls[moving] = target
        next_run[moving] = when[~deleting] + SECONDS_PER_DAY  # evaluated again the next day
    return LifecyclePath(move_s, move_to, delete_s)


def _ready_s(rule: GcsRule, created_s: np.ndarray, custom_s: np.ndarray | None) -> np.ndarray:
    """From when the rule's conditions on time hold (a midnight), or NEVER_S. [s]"""
    ready = np.zeros(created_s.size, dtype=np.int64) + np.iinfo(np.int64).min // 16
    if rule.age is not None:
        ready = np.maximum(ready, _midnight_at_or_after(created_s + rule.age * SECONDS_PER_DAY))
    if rule.days_since_custom_time is not None:
        if custom_s is None:
            return np.full(created_s.size, NEVER_S, dtype=np.int64)
        ready = np.maximum(ready, _midnight_at_or_after(
            custom_s + rule.days_since_custom_time * SECONDS_PER_DAY))
    return ready
