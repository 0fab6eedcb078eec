"""S3 Lifecycle configurations: parse, validate as AWS does, and decide actions day by day.

Input is the document AWS tools print (``aws s3api get-bucket-lifecycle-configuration``: a JSON
object with ``Rules``) or its XML form (``<LifecycleConfiguration>``), already read into a dict by
:mod:`sim.io.policy_files`.  Semantics (shared/reference/cloud-tiering.md §2.3):

- a rule applies to objects matching its ``Filter`` (Prefix, Tags, ObjectSizeGreaterThan/LessThan,
  combined with ``And``); disabled rules are ignored;
- ``Days: N`` is due at creation + N days rounded up to the next midnight UTC; ``Date`` at that
  midnight, and for objects created later at the first midnight after creation;
- on a day several actions are due: expiration beats transition; among transitions the cheaper
  class wins, except that INTELLIGENT_TIERING is preferred over every class but GLACIER and
  DEEP_ARCHIVE; a transition happens only along AWS's allowed waterfall from the current class;
- objects under 128 KB do not transition unless the rule filters on size
  (``TransitionDefaultMinimumObjectSize``: ``all_storage_classes_128K``, the default), or may go
  only to GLACIER / DEEP_ARCHIVE (``varies_by_storage_class``).

Versioning is not modelled (archives hold one version per object), so NoncurrentVersion* and
AbortIncompleteMultipartUpload elements are accepted, checked for shape, and reported as not
applying.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.calendar import SECONDS_PER_DAY, midnight_s
from sim.errors import InputError
from sim.tiering.document_checks import Problems as _Problems
from sim.tiering.document_checks import integer as _integer
from sim.tiering.document_checks import unknown as _unknown

TRANSITION_CLASSES = (
    "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE",
)
ALL_CLASSES = ("STANDARD", *TRANSITION_CLASSES)

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    "STANDARD": frozenset(TRANSITION_CLASSES),
    "STANDARD_IA": frozenset({"INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER",
                              "DEEP_ARCHIVE"}),
    "INTELLIGENT_TIERING": frozenset({"ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"}),
    "ONEZONE_IA": frozenset({"GLACIER", "DEEP_ARCHIVE"}),
    "GLACIER_IR": frozenset({"GLACIER", "DEEP_ARCHIVE"}),
    "GLACIER": frozenset({"DEEP_ARCHIVE"}),
    "DEEP_ARCHIVE": frozenset(),
}
"""AWS's transition waterfall (S3 User Guide, lifecycle-transition-general-considerations)."""

PRIORITY = {
    "STANDARD_IA": 10, "ONEZONE_IA": 20, "GLACIER_IR": 30, "INTELLIGENT_TIERING": 40,
    "GLACIER": 50, "DEEP_ARCHIVE": 60,
}
"""Which transition wins when several are due (higher wins): the cheaper class, except that
INTELLIGENT_TIERING beats every class but GLACIER and DEEP_ARCHIVE (S3 lifecycle-conflicts)."""
EXPIRE = "EXPIRE"
EXPIRE_PRIORITY = 1000

IA_CLASSES = ("STANDARD_IA", "ONEZONE_IA")
ARCHIVE_CLASSES = ("GLACIER", "DEEP_ARCHIVE")
SMALL_OBJECT_BYTES = 128 * 1024
MAX_OBJECT_BYTES = 5 * 1024**4
DEFAULT_MIN_SIZE_MODES = ("all_storage_classes_128K", "varies_by_storage_class")


@dataclass(frozen=True)
class Filter:
    prefix: str = ""
    tags: tuple[tuple[str, str], ...] = ()
    size_greater_than: int | None = None
    size_less_than: int | None = None

    @property
    def filters_on_size(self) -> bool:
        return self.size_greater_than is not None or self.size_less_than is not None


@dataclass(frozen=True)
class Action:
    """A transition (``storage_class``) or an expiration (``storage_class == EXPIRE``)."""

    storage_class: str
    days: int | None = None
    date: dt.date | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    enabled: bool
    filter: Filter
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class LifecycleConfiguration:
    rules: tuple[Rule, ...]
    default_minimum_object_size: str = "all_storage_classes_128K"
    not_applied: tuple[str, ...] = field(default=())
    """Elements accepted but not modelled (noncurrent versions, multipart uploads)."""


# ---------------------------------------------------------------------------------------- parsing


def parse_lifecycle(doc: Any) -> LifecycleConfiguration:
    """Validate a lifecycle document (dict form) and return it parsed.

    Raises :class:`InputError` listing every problem, each naming the rule ID and the field.
    """
    problems = _Problems()
    if isinstance(doc, dict) and "LifecycleConfiguration" in doc and len(doc) == 1:
        doc = doc["LifecycleConfiguration"]
    if not isinstance(doc, dict) or "Rules" not in doc:
        raise InputError("a lifecycle configuration is an object with a 'Rules' list "
                         "(as printed by aws s3api get-bucket-lifecycle-configuration)")
    _unknown(doc, {"Rules", "TransitionDefaultMinimumObjectSize"}, "configuration", problems)
    default_size = doc.get("TransitionDefaultMinimumObjectSize", "all_storage_classes_128K")
    if default_size not in DEFAULT_MIN_SIZE_MODES:
        problems.add("TransitionDefaultMinimumObjectSize",
                     f"got {default_size!r}; allowed: {', '.join(DEFAULT_MIN_SIZE_MODES)}")
    raw_rules = doc["Rules"]
    if not isinstance(raw_rules, list) or not raw_rules:
        problems.add("Rules", "must be a non-empty list of rules")
        raw_rules = []
    if len(raw_rules) > 1000:
        problems.add("Rules", f"at most 1,000 rules (got {len(raw_rules)})")
    rules: list = []
    not_applied: list[str] = []
    seen_ids: set[str] = set()
    for i, raw in enumerate(raw_rules):
        rule = _parse_rule(raw, i, problems, not_applied)
        if rule is None:
            continue
        if rule.id in seen_ids:
            problems.add(f"rule {rule.id!r}", "ID repeats an earlier rule's ID")
        seen_ids.add(rule.id)
        rules.append(rule)
    if problems.lines:
        raise InputError(problems.lines)
    return LifecycleConfiguration(tuple(rules), default_size, tuple(not_applied))


_RULE_KEYS = {
    "ID", "Status", "Filter", "Prefix", "Transitions", "Expiration",
    "NoncurrentVersionTransitions", "NoncurrentVersionExpiration",
    "AbortIncompleteMultipartUpload",
}


def _parse_rule(raw: Any, index: int, problems: _Problems, not_applied: list[str]) -> Rule | None:
    if not isinstance(raw, dict):
        problems.add(f"Rules[{index}]", "must be an object")
        return None
    rule_id = str(raw.get("ID", f"(rule {index + 1}, no ID)"))
    where = f"rule {rule_id!r}"
    if len(rule_id) > 255:
        problems.add(where, "ID is longer than 255 characters")
    _unknown(raw, _RULE_KEYS, where, problems)
    status = raw.get("Status")
    if status not in ("Enabled", "Disabled"):
        problems.add(f"{where} Status", f"got {status!r}; allowed: Enabled, Disabled")
    if "Filter" in raw and "Prefix" in raw:
        problems.add(where, "give Filter or the legacy rule-level Prefix, not both")
    if "Filter" in raw:
        rule_filter = _parse_filter(raw["Filter"], f"{where} Filter", problems)
    else:
        prefix = raw.get("Prefix", "")
        rule_filter = Filter(prefix=str(prefix))
    actions: list[Action] = []
    transitions = raw.get("Transitions", [])
    if not isinstance(transitions, list):
        problems.add(f"{where} Transitions", "must be a list")
        transitions = []
    for j, t in enumerate(transitions):
        action = _parse_transition(t, f"{where} Transitions[{j}]", problems)
        if action:
            actions.append(action)
    if "Expiration" in raw:
        action = _parse_expiration(raw["Expiration"], f"{where} Expiration", problems)
        if action:
            actions.append(action)
    for key in ("NoncurrentVersionTransitions", "NoncurrentVersionExpiration",
                "AbortIncompleteMultipartUpload"):
        if key in raw:
            not_applied.append(f"{where} {key} (archives hold one version per object)")
    if rule_filter.tags and "AbortIncompleteMultipartUpload" in raw:
        problems.add(where, "AbortIncompleteMultipartUpload cannot be used with a tag filter")
    if not actions and not any(k in raw for k in ("NoncurrentVersionTransitions",
                                                  "NoncurrentVersionExpiration",
                                                  "AbortIncompleteMultipartUpload")):
        problems.add(where, "has no action (Transitions, Expiration, ...)")
    _check_rule_actions(actions, where, problems)
    return Rule(rule_id, status == "Enabled", rule_filter, tuple(actions))


def _parse_filter(raw: Any, where: str, problems: _Problems) -> Filter:
    if raw is None or raw == {}:
        return Filter()
    if not isinstance(raw, dict):
        problems.add(where, "must be an object")
        return Filter()
    _unknown(raw, {"Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan", "And"},
             where, problems)
    if len(raw) > 1:
        problems.add(where, f"has {', '.join(raw)}: more than one condition must be wrapped in And")
    if "And" in raw:
        body = raw["And"]
        if not isinstance(body, dict):
            problems.add(f"{where} And", "must be an object")
            return Filter()
        _unknown(body, {"Prefix", "Tags", "ObjectSizeGreaterThan", "ObjectSizeLessThan"},
                 f"{where} And", problems)
        tags = body.get("Tags", [])
        if not isinstance(tags, list):
            problems.add(f"{where} And Tags", "must be a list of {Key, Value}")
            tags = []
    else:
        body = raw
        tags = [raw["Tag"]] if "Tag" in raw else []
    parsed_tags = []
    for tag in tags:
        if not (isinstance(tag, dict) and set(tag) == {"Key", "Value"}):
            problems.add(f"{where} Tags", f"each tag is {{Key, Value}}; got {tag!r}")
            continue
        parsed_tags.append((str(tag["Key"]), str(tag["Value"])))
    keys = [k for k, _ in parsed_tags]
    if len(set(keys)) != len(keys):
        problems.add(f"{where} Tags", "tag keys must be unique")
    gt = _size(body.get("ObjectSizeGreaterThan"), f"{where} ObjectSizeGreaterThan", problems)
    lt = _size(body.get("ObjectSizeLessThan"), f"{where} ObjectSizeLessThan", problems)
    if gt is not None and lt is not None and gt >= lt:
        problems.add(where, f"ObjectSizeGreaterThan ({gt}) must be less than "
                            f"ObjectSizeLessThan ({lt})")
    return Filter(str(body.get("Prefix", "")), tuple(parsed_tags), gt, lt)


def _size(value: Any, where: str, problems: _Problems) -> int | None:
    if value is None:
        return None
    number = _integer(value)
    if number is None or not 0 <= number <= MAX_OBJECT_BYTES:
        problems.add(where, f"got {value!r}; must be a whole number of bytes from 0 to 5 TB")
        return None
    return number


def _parse_transition(raw: Any, where: str, problems: _Problems) -> Action | None:
    if not isinstance(raw, dict):
        problems.add(where, "must be an object")
        return None
    _unknown(raw, {"Days", "Date", "StorageClass"}, where, problems)
    storage_class = raw.get("StorageClass")
    if storage_class not in TRANSITION_CLASSES:
        problems.add(f"{where} StorageClass",
                     f"got {storage_class!r}; allowed: {', '.join(TRANSITION_CLASSES)}")
        return None
    days, date = _when(raw, where, problems)
    if days is None and date is None:
        return None
    if storage_class in IA_CLASSES and days is not None and days < 30:
        problems.add(f"{where} Days",
                     f"got {days}; objects must be stored at least 30 days before a transition "
                     f"to {storage_class}")
    return Action(storage_class, days, date)


def _parse_expiration(raw: Any, where: str, problems: _Problems) -> Action | None:
    if not isinstance(raw, dict):
        problems.add(where, "must be an object")
        return None
    _unknown(raw, {"Days", "Date", "ExpiredObjectDeleteMarker"}, where, problems)
    if set(raw) == {"ExpiredObjectDeleteMarker"}:
        return None  # a versioning clean-up with no effect on an unversioned archive
    days, date = _when(raw, where, problems)
    if days is not None and days < 1:
        problems.add(f"{where} Days", f"got {days}; an expiration needs at least 1 day")
        return None
    if days is None and date is None:
        return None
    return Action(EXPIRE, days, date)


def _when(raw: dict, where: str, problems: _Problems) -> tuple[int | None, dt.date | None]:
    if ("Days" in raw) == ("Date" in raw):
        problems.add(where, "give exactly one of Days and Date")
        return None, None
    if "Days" in raw:
        days = _integer(raw["Days"])
        if days is None or days < 0:
            problems.add(f"{where} Days", f"got {raw['Days']!r}; must be a whole number >= 0")
            return None, None
        return days, None
    return None, _date(raw["Date"], f"{where} Date", problems)


def _date(value: Any, where: str, problems: _Problems) -> dt.date | None:
    text = str(value)
    try:
        stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        problems.add(where, f"got {value!r}; must be an ISO 8601 date at midnight UTC, "
                            "e.g. 2027-01-01T00:00:00Z")
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    if stamp.time() != dt.time(0):
        problems.add(where, f"got {value!r}; lifecycle dates are always midnight UTC")
        return None
    return stamp.date()


def _check_rule_actions(actions: list[Action], where: str, problems: _Problems) -> None:
    if any(a.days is not None for a in actions) and any(a.date is not None for a in actions):
        problems.add(where, "mixes Days and Date; a rule uses one or the other")
        return
    transitions = sorted(
        (a for a in actions if a.storage_class != EXPIRE),
        key=lambda a: (a.days if a.days is not None else a.date.toordinal()),  # type: ignore
    )
    for earlier, later in zip(transitions, transitions[1:], strict=False):
        if later.storage_class not in ALLOWED_TRANSITIONS[earlier.storage_class]:
            problems.add(where, f"a transition from {earlier.storage_class} to "
                                f"{later.storage_class} is not allowed (AWS's transition "
                                "waterfall only goes to colder classes)")
        if (earlier.storage_class in IA_CLASSES and later.storage_class in ARCHIVE_CLASSES
                and earlier.days is not None and later.days is not None
                and later.days - earlier.days < 30):
            problems.add(where, f"{later.storage_class} at day {later.days} is less than 30 days "
                                f"after {earlier.storage_class} at day {earlier.days}")
    expirations = [a for a in actions if a.storage_class == EXPIRE]
    for t in transitions:
        for e in expirations:
            if t.days is not None and e.days is not None and t.days >= e.days:
                problems.add(where, f"transition to {t.storage_class} at day {t.days} is not "
                                    f"before the expiration at day {e.days}")


# ---------------------------------------------------------------------------- deciding, per day


@dataclass(frozen=True)
class CompiledAction:
    rule: int
    """Index of the rule among the enabled rules (bit in the match mask)."""
    target: str
    days: int | None
    date_s: int | None
    """Seconds since the run's start of a Date action's midnight."""
    size_filtered: bool


def compile_actions(config: LifecycleConfiguration, start: dt.date) -> tuple[list[Rule],
                                                                           list[CompiledAction]]:
    """The enabled rules and their actions, with dates converted to run seconds."""
    rules = [r for r in config.rules if r.enabled]
    actions = []
    for i, rule in enumerate(rules):
        for a in rule.actions:
            date_s = None if a.date is None else midnight_s(a.date, start)
            actions.append(CompiledAction(i, a.storage_class, a.days, date_s,
                                          rule.filter.filters_on_size))
    return rules, actions


def due_day(action: CompiledAction, created_s: np.ndarray) -> np.ndarray:
    """The day (index) at whose start ``action`` becomes due for objects created at ``created_s``.

    Never before the first midnight after creation: lifecycle runs once a day.
    """
    first = created_s // SECONDS_PER_DAY + 1
    if action.days is not None:
        due = -((-(created_s + action.days * SECONDS_PER_DAY)) // SECONDS_PER_DAY)  # ceil
    else:
        assert action.date_s is not None
        due = np.full(created_s.shape, -(-action.date_s // SECONDS_PER_DAY))
    return np.maximum(due, first)


def blocks_small(action: CompiledAction, default_mode: str) -> bool:
    """Whether objects under 128 KB are kept from this transition by the default minimum size."""
    if action.target == EXPIRE or action.size_filtered:
        return False
    if default_mode == "all_storage_classes_128K":
        return True
    return action.target not in ARCHIVE_CLASSES
