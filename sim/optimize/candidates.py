"""Candidates: a space bound to one archive of a scenario, its dimensions, and each choice of
values turned into the provider's own documents and archive settings.

Any combination of choices is a candidate: :meth:`BoundSpace.normalize` repairs it into the
policy the provider would actually run (transitions kept in the waterfall's order, a class
reached on the same day as a warmer one or against AWS's 30-day rule dropped, settings that
cannot matter set to one value), so that two combinations that mean the same policy are one
candidate (one key, one evaluation).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.io.policy_files import (
    load_azure_policy,
    load_gcs_lifecycle,
    load_intelligent_tiering,
    load_lifecycle,
)
from sim.optimize.space import (
    AZURE_TIERS,
    GCS_CLASSES,
    NEVER,
    OFF,
    S3_PATH_CLASSES,
    SECTION_OF_PROVIDER,
    AzureSpace,
    GcsSpace,
    HybridSpace,
    S3Space,
    SpaceFile,
    group_members,
)
from sim.scenario.cloud import CloudArchive
from sim.tiering import azure_lifecycle, gcs_lifecycle
from sim.tiering.s3_lifecycle import ALLOWED_TRANSITIONS, ARCHIVE_CLASSES, IA_CLASSES

Params = dict[str, Any]

DEFAULT_KEY: str = CloudArchive.model_fields["object_key"].default
"""The object key of a cloud archive that gives none (the scenario schema's default)."""
HYBRID_WINDOWS = (6, 12, 24, 36, 60)
"""Default cache windows of a hybrid archive, besides its own. [months]"""


@dataclass(frozen=True)
class Dimension:
    """One choice the optimizer makes: its name and the values it may take."""

    name: str
    choices: tuple


@dataclass(frozen=True)
class Policy:
    """What a candidate writes: provider documents by archive field (``lifecycle``,
    ``intelligent_tiering``) and settings by dotted path under the cloud archive (None: the
    setting is removed); ``archive_settings`` under a hybrid archive."""

    documents: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    archive_settings: dict[str, Any] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """How many moves the documents write (transitions, archive tiers, tier actions): of
        two policies that cost the same, the one with fewer is preferred (a rule due after
        the run's end costs nothing in it, but would later)."""
        text = json.dumps(self.documents)
        return sum(text.count(word) for word in ('"StorageClass"', '"AccessTier"', '"tierTo',
                                                 '"SetStorageClass"'))


def policy_key(policy: Policy) -> str:
    """A short, file-name-safe identifier of what a candidate writes (its documents and
    settings): two choices that write the same are one candidate, whatever the space."""
    text = json.dumps([policy.documents, policy.settings, policy.archive_settings],
                      sort_keys=True, default=str)
    return "c-" + hashlib.sha256(text.encode()).hexdigest()[:12]


def key_prefixes(template: str, members: tuple[str, ...] | None, where: str) -> list[str]:
    """The object-key prefixes that select a group's studies: one per modality (the key's text
    up to and including the separator after ``{modality}``), or the fixed start of the key for
    the single default group ("" when the key starts with a field)."""
    fixed = template.split("{", 1)[0]
    if members is None:
        return [fixed]
    rest = template[len(fixed):]
    if not rest.startswith("{modality}"):
        raise InputError(f"{where}: the archive's object_key {template!r} does not start with "
                         "{modality} after a fixed prefix, so no rule can select a modality by "
                         "prefix; change object_key (e.g. studies/{modality}/{yyyy}/{mm}/"
                         "{study_id}) or leave groups out")
    after = rest[len("{modality}"):].split("{", 1)[0]
    if not after:
        raise InputError(f"{where}: the archive's object_key {template!r} has no separator "
                         "after {modality}; a prefix like CT would also select CTA")
    return [f"{fixed}{m}{after}" for m in members]


def _ordered_path(chosen: Sequence[tuple[Any, int, str]], allowed) -> list[tuple[int, str]]:
    """The steps (days, class) kept from ``chosen`` (days, rank, class): in order of days, each
    on a later day than the last, each one the ``allowed`` callable accepts."""
    path: list[tuple[int, str]] = []
    for days, _, name in sorted(chosen):
        if path and days <= path[-1][0]:
            continue
        if allowed(path, days, name):
            path.append((days, name))
    return path


def _covering(prefix: str, items, prefixes_of) -> list | None:
    """The rules (``items``) that apply to every object under ``prefix``
    (``prefixes_of(item)``: its prefixes, empty for every object), or None when one applies
    to only part of them (today's policy then treats the group's studies differently)."""
    out = []
    for item in items:
        prefixes = prefixes_of(item) or ("",)
        if any(p.startswith(prefix) and p != prefix for p in prefixes):
            return None
        if any(prefix.startswith(p) for p in prefixes):
            out.append(item)
    return out


def _held(space: ProviderSpace, params: Params) -> Params | None:
    """``params`` normalized, if every value is one of its dimension's choices and the
    normalized candidate writes what ``params`` describe (else None)."""
    if any(params.get(d.name) not in d.choices for d in space.dimensions):
        return None
    normal = space.normalize(params)
    return normal if space.policy(normal) == space.policy(params) else None


def _days_in_it(upload: str, path: list[tuple[int, str]]) -> int | None:
    """Most days a study spends in INTELLIGENT_TIERING on this path: 0 when it never goes
    there, None when it stays to the end. [days]"""
    entered = 0 if upload == "INTELLIGENT_TIERING" else next(
        (d for d, c in path if c == "INTELLIGENT_TIERING"), None)
    if entered is None:
        return 0
    leaves = next((d for d, _ in path if d > entered), None)
    return None if leaves is None else leaves - entered


class ProviderSpace:
    """The dimensions, normalization and documents of one provider's space."""

    dimensions: list[Dimension]
    groups: dict[str, tuple[str, ...] | None]
    prefixes: dict[str, list[str]]

    def first(self, name: str) -> Any:
        """The first choice of dimension ``name`` (what a setting that cannot matter is set
        to)."""
        return next(d.choices[0] for d in self.dimensions if d.name == name)

    def _group(self, groups: Any, archive: dict, where: str) -> None:
        """The space's modality groups and the key prefixes that select each."""
        self.groups = group_members(groups)
        self.prefixes = {g: key_prefixes(archive.get("object_key") or DEFAULT_KEY, members,
                                         f"{where}.groups")
                         for g, members in self.groups.items()}

    def normalize(self, params: Params) -> Params:
        raise NotImplementedError

    def policy(self, params: Params) -> Policy:
        raise NotImplementedError

    def today(self, archive: dict) -> Params | None:
        """Today's policy (the archive as the scenario gives it) as a candidate of this space,
        or None when the space cannot express it."""
        return None


class S3Candidates(ProviderSpace):
    """S3 Lifecycle rules per group, Intelligent-Tiering configurations, upload class and
    restore tier."""

    def __init__(self, space: S3Space, archive: dict, where: str):
        self._group(space.groups, archive, where)
        uploads = tuple(space.storage_class or [archive.get("storage_class") or "STANDARD"])
        dims = [Dimension("storage_class", uploads)]
        for g in self.groups:
            dims += [Dimension(f"{g}.{c}", tuple(space.transitions[c]))
                     for c in S3_PATH_CLASSES if c in space.transitions]
            dims += [Dimension(f"{g}.archive_access_days",
                               tuple(space.intelligent_tiering.archive_access_days)),
                     Dimension(f"{g}.deep_archive_access_days",
                               tuple(space.intelligent_tiering.deep_archive_access_days))]
        dims.append(Dimension("restore_tier", tuple(space.restore_tier)))
        self.dimensions = dims
        self.classes = [c for c in S3_PATH_CLASSES if c in space.transitions]

    def path(self, params: Params, group: str) -> list[tuple[int, str]]:
        upload = params["storage_class"]
        rank = {c: i for i, c in enumerate(S3_PATH_CLASSES)}
        chosen = [(params[f"{group}.{c}"], rank[c], c) for c in self.classes
                  if params[f"{group}.{c}"] != NEVER]

        def allowed(path, days, name):
            current = path[-1][1] if path else upload
            if name not in ALLOWED_TRANSITIONS[current]:
                return False
            return not (path and current in IA_CLASSES and name in ARCHIVE_CLASSES
                        and days - path[-1][0] < 30)
        return _ordered_path(chosen, allowed)

    def normalize(self, params: Params) -> Params:
        out = dict(params)
        upload = params["storage_class"]
        restores = upload in ARCHIVE_CLASSES
        for g in self.groups:
            path = self.path(params, g)
            for c in self.classes:
                out[f"{g}.{c}"] = next((d for d, name in path if name == c), NEVER)
            stay = _days_in_it(upload, path)
            aa, daa = params[f"{g}.archive_access_days"], params[f"{g}.deep_archive_access_days"]
            # an archive tier is never reached when studies leave IT before it is due (leaving
            # and the tier on the same midnight: kept, as the order of the two is the engine's)
            if stay is not None and aa != OFF and aa > stay:
                aa = OFF
            if stay is not None and daa != OFF and daa > stay:
                daa = OFF
            if aa != OFF and daa != OFF and daa <= aa:
                aa = OFF  # studies reach Deep Archive Access before Archive Access
            out[f"{g}.archive_access_days"], out[f"{g}.deep_archive_access_days"] = aa, daa
            restores |= any(c in ARCHIVE_CLASSES for _, c in path) or aa != OFF or daa != OFF
        if not restores:
            out["restore_tier"] = self.first("restore_tier")
        return out

    def policy(self, params: Params) -> Policy:
        rules, configs = [], []
        for g, members in self.groups.items():
            path = self.path(params, g)
            names = [g] if members is None else [f"{g}-{m}" for m in members]
            for name, prefix in zip(names, self.prefixes[g], strict=True):
                where = {"Prefix": prefix} if prefix else {}
                if path:
                    rules.append({"ID": f"archive-sim-{name}", "Status": "Enabled",
                                  "Filter": where, "Transitions": [
                                      {"Days": d, "StorageClass": c} for d, c in path]})
                tierings = [{"AccessTier": tier, "Days": params[f"{g}.{days}"]}
                            for tier, days in (("ARCHIVE_ACCESS", "archive_access_days"),
                                               ("DEEP_ARCHIVE_ACCESS",
                                                "deep_archive_access_days"))
                            if params[f"{g}.{days}"] != OFF]
                if tierings:
                    configs.append({"Id": f"archive-sim-{name}", "Filter": where,
                                    "Status": "Enabled", "Tierings": tierings})
        documents: dict[str, Any] = {}
        if rules:
            documents["lifecycle"] = {"Rules": rules}
        if configs:
            documents["intelligent_tiering"] = (
                configs[0] if len(configs) == 1
                else {"IntelligentTieringConfigurationList": configs})
        settings = {"storage_class": params["storage_class"],
                    "restore_tier": params["restore_tier"],
                    "lifecycle": None, "intelligent_tiering": None}
        return Policy(documents, settings)

    def today(self, archive: dict) -> Params | None:
        params: Params = {"storage_class": archive.get("storage_class") or "STANDARD",
                          "restore_tier": archive.get("restore_tier") or "Standard"}
        rules = load_lifecycle(Path(archive["lifecycle"])).rules \
            if archive.get("lifecycle") else ()
        configs = load_intelligent_tiering(Path(archive["intelligent_tiering"])) \
            if archive.get("intelligent_tiering") else []
        rules = tuple(r for r in rules if r.enabled)
        configs = [c for c in configs if c.enabled]
        if any(r.filter.tags or r.filter.filters_on_size for r in rules) or \
                any(c.tags for c in configs):
            return None
        for g in self.groups:
            paths, tierings = set(), set()
            for prefix in self.prefixes[g]:
                covering = _covering(prefix, rules, lambda r: (r.filter.prefix,))
                found = _covering(prefix, configs, lambda c: (c.prefix,))
                if covering is None or found is None or len(covering) > 1 or len(found) > 1 \
                        or any(a.days is None or a.storage_class not in self.classes
                               for r in covering for a in r.actions):
                    return None
                paths.add(tuple(sorted((a.days, a.storage_class) for r in covering
                                       for a in r.actions)))
                tierings.add((found[0].archive_access_days, found[0].deep_archive_access_days)
                             if found else (0, 0))
            if len(paths) != 1 or len(tierings) != 1:
                return None  # the group's modalities are treated differently today
            path, (aa, daa) = paths.pop(), tierings.pop()
            days = dict((c, d) for d, c in path)
            for c in self.classes:
                params[f"{g}.{c}"] = days.get(c, NEVER)
            params[f"{g}.archive_access_days"] = aa or OFF
            params[f"{g}.deep_archive_access_days"] = daa or OFF
        return _held(self, params)


class AzureCandidates(ProviderSpace):
    """Azure lifecycle management rules per group, or smart tier."""

    def __init__(self, space: AzureSpace, archive: dict, where: str):
        self._group(space.groups, archive, where)
        options = archive.get("azure") or {}
        if "last_access" in space.clock and options.get("immutability"):
            raise InputError(f"{where}.clock: last_access needs last-access-time tracking, "
                             "which the archive's azure.immutability excludes; allowed: "
                             "modification")
        self.tiers = [t for t in AZURE_TIERS if t in space.tiers]
        uploads = tuple(space.storage_class or [archive.get("storage_class") or "Hot"])
        dims = [Dimension("storage_class", uploads),
                Dimension("smart_tier", tuple(space.smart_tier))]
        for g in self.groups:
            dims.append(Dimension(f"{g}.clock", tuple(space.clock)))
            dims += [Dimension(f"{g}.{t}", tuple(space.tiers[t])) for t in self.tiers]
            dims.append(Dimension(f"{g}.auto_tier_to_hot", tuple(space.auto_tier_to_hot)))
        dims.append(Dimension("rehydrate_priority", tuple(space.rehydrate_priority)))
        self.dimensions = dims

    def path(self, params: Params, group: str) -> list[tuple[int, str]]:
        ranks = {t: i for i, t in enumerate(("Hot", *AZURE_TIERS))}
        upload = ranks[params["storage_class"]]
        chosen = [(params[f"{group}.{t}"], ranks[t], t) for t in self.tiers
                  if params[f"{group}.{t}"] != NEVER]
        return _ordered_path(chosen, lambda path, days, name: ranks[name] > (
            ranks[path[-1][1]] if path else upload))

    def normalize(self, params: Params) -> Params:
        out = dict(params)
        archived = False
        for g in self.groups:
            path = [] if params["smart_tier"] else self.path(params, g)
            for t in self.tiers:
                out[f"{g}.{t}"] = next((d for d, name in path if name == t), NEVER)
            if not path:
                out[f"{g}.clock"] = self.first(f"{g}.clock")
            cool_on_access = out[f"{g}.clock"] == "last_access" and \
                any(t == "Cool" for _, t in path)
            if not cool_on_access:
                out[f"{g}.auto_tier_to_hot"] = False
            archived |= any(t == "Archive" for _, t in path)
        if params["smart_tier"]:
            out["storage_class"] = "Hot"
        if not archived:
            out["rehydrate_priority"] = self.first("rehydrate_priority")
        return out

    def today(self, archive: dict) -> Params | None:
        options = archive.get("azure") or {}
        params: Params = {"storage_class": archive.get("storage_class") or "Hot",
                          "smart_tier": bool(options.get("smart_tier", False)),
                          "rehydrate_priority": options.get("rehydrate_priority", "Standard")}
        rules = [r for r in (load_azure_policy(Path(archive["lifecycle"])).rules
                             if archive.get("lifecycle") else ())
                 if r.enabled and r.block_blobs]
        if any(r.index_match for r in rules):
            return None
        for g in self.groups:
            found: set[tuple | None] = set()
            for prefix in self.prefixes[g]:
                covering = _covering(prefix, rules, lambda r: r.prefixes)
                if covering is None or len(covering) > 1:
                    return None
                if not covering:
                    found.add(None)
                    continue
                rule = covering[0]
                conditions = rule.actions.values()
                clocks = {"modification" if c.clock == "creation" else c.clock
                          for c in conditions}
                if azure_lifecycle.DELETE in rule.actions or len(clocks) != 1 or any(
                        c.tier_change_days is not None for c in conditions):
                    return None
                found.add((clocks.pop(), tuple(sorted((azure_lifecycle.TIERS[t], c.days)
                                                      for t, c in rule.actions.items())),
                           rule.auto_tier_to_hot))
            if len(found) != 1:
                return None  # the group's modalities are treated differently today
            kept = found.pop()
            clock, steps, auto = kept if kept else (self.first(f"{g}.clock"), (), False)
            days = dict(steps)
            if set(days) - set(self.tiers):
                return None
            params[f"{g}.clock"] = clock
            for t in self.tiers:
                params[f"{g}.{t}"] = days.get(t, NEVER)
            params[f"{g}.auto_tier_to_hot"] = auto
        return _held(self, params)

    def policy(self, params: Params) -> Policy:
        clock_names = {"last_access": "daysAfterLastAccessTimeGreaterThan",
                       "modification": "daysAfterModificationGreaterThan"}
        rules = []
        for g in self.groups:
            path = [] if params["smart_tier"] else self.path(params, g)
            if not path:
                continue
            clock = clock_names[params[f"{g}.clock"]]
            actions: dict[str, Any] = {f"tierTo{t}": {clock: d} for d, t in path}
            if params[f"{g}.auto_tier_to_hot"]:
                actions["enableAutoTierToHotFromCool"] = True
            filters: dict[str, Any] = {"blobTypes": ["blockBlob"]}
            prefixes = [p for p in self.prefixes[g] if p]
            if prefixes:
                filters["prefixMatch"] = prefixes
            rules.append({"enabled": True, "name": f"archivesim{g}", "type": "Lifecycle",
                          "definition": {"filters": filters,
                                         "actions": {"baseBlob": actions}}})
        uses_access = any(params[f"{g}.clock"] == "last_access" and self.path(params, g)
                          for g in self.groups) and not params["smart_tier"]
        settings: dict[str, Any] = {
            "storage_class": params["storage_class"], "lifecycle": None,
            "azure.smart_tier": params["smart_tier"],
            "azure.rehydrate_priority": params["rehydrate_priority"]}
        if uses_access:
            settings["azure.last_access_tracking"] = True
        return Policy({"lifecycle": {"rules": rules}} if rules else {}, settings)


class GcsCandidates(ProviderSpace):
    """Google Cloud Storage lifecycle rules per group, or Autoclass."""

    def __init__(self, space: GcsSpace, archive: dict, where: str):
        self._group(space.groups, archive, where)
        self.classes = [c for c in GCS_CLASSES if c in space.ages]
        dims = [Dimension("mode", tuple(space.mode))]
        for g in self.groups:
            dims += [Dimension(f"{g}.{c}", tuple(space.ages[c])) for c in self.classes]
        dims.append(Dimension("autoclass_terminal", tuple(space.autoclass_terminal)))
        self.dimensions = dims

    def path(self, params: Params, group: str) -> list[tuple[int, str]]:
        if params["mode"] != "lifecycle":
            return []
        ranks = {c: i for i, c in enumerate(("STANDARD", *GCS_CLASSES))}
        chosen = [(params[f"{group}.{c}"], ranks[c], c) for c in self.classes
                  if params[f"{group}.{c}"] != NEVER]
        return _ordered_path(chosen, lambda path, days, name: True)

    def normalize(self, params: Params) -> Params:
        out = dict(params)
        for g in self.groups:
            path = self.path(params, g)
            for c in self.classes:
                out[f"{g}.{c}"] = next((d for d, name in path if name == c), NEVER)
        if params["mode"] != "autoclass":
            out["autoclass_terminal"] = self.first("autoclass_terminal")
        return out

    def today(self, archive: dict) -> Params | None:
        autoclass = archive.get("autoclass")
        params: Params = {"mode": "autoclass" if autoclass else "lifecycle",
                          "autoclass_terminal": (autoclass or {}).get(
                              "terminal_storage_class", "NEARLINE")}
        rules = load_gcs_lifecycle(Path(archive["lifecycle"])).rules \
            if archive.get("lifecycle") else ()
        if any(r.action < 0 or r.age is None or r.created_before or r.custom_time_before
               or r.days_since_custom_time is not None or r.suffixes for r in rules):
            return None
        for g in self.groups:
            found = set()
            for prefix in self.prefixes[g]:
                covering = _covering(prefix, rules, lambda r: r.prefixes)
                if covering is None:
                    return None
                found.add(tuple(sorted((r.age, r.action, r.matches_class) for r in covering)))
            if len(found) != 1:
                return None
            steps = found.pop()
            warmer = [0]
            for _, action, matches in steps:  # as policy() writes them, and nothing else
                if matches is None or sorted(matches) != warmer or action <= warmer[-1]:
                    return None
                warmer.append(action)
            ages = {gcs_lifecycle.CLASSES[action]: age for age, action, _ in steps}
            if set(ages) - set(self.classes):
                return None
            for c in self.classes:
                params[f"{g}.{c}"] = ages.get(c, NEVER)
        return _held(self, params)

    def policy(self, params: Params) -> Policy:
        if params["mode"] == "autoclass":
            return Policy({}, {"autoclass": {"terminal_storage_class":
                                             params["autoclass_terminal"]},
                               "lifecycle": None, "storage_class": None})
        rules = []
        for g in self.groups:
            path = self.path(params, g)
            prefixes = [p for p in self.prefixes[g] if p]
            warmer = ["STANDARD"]
            for days, name in path:
                condition: dict[str, Any] = {"age": days, "matchesStorageClass": list(warmer)}
                if prefixes:
                    condition["matchesPrefix"] = prefixes
                rules.append({"action": {"type": "SetStorageClass", "storageClass": name},
                              "condition": condition})
                warmer.append(name)
        return Policy({"lifecycle": {"lifecycle": {"rule": rules}}} if rules else {},
                      {"autoclass": None, "lifecycle": None})


class BoundSpace:
    """A space bound to one archive of a scenario: the dimensions, the normalized candidates,
    and each candidate's policy."""

    def __init__(self, space: SpaceFile, archive: dict, space_file: str | None):
        kind = archive.get("kind")
        self.archive = archive["name"]
        self.hybrid = kind == "hybrid"
        cloud = self.cloud_entry(archive)
        if kind not in ("cloud", "hybrid") or not isinstance(cloud, dict):
            raise InputError(f"--archive {self.archive}: it is of kind {kind!r}, which has no "
                             "policy document to search; give a cloud or hybrid archive")
        self.provider = cloud.get("provider", "")
        section = SECTION_OF_PROVIDER.get(self.provider)
        if section is None:
            raise InputError(f"--archive {self.archive}: no search space for provider "
                             f"{self.provider!r} (spaces exist for aws, azure and gcp)")
        given = getattr(space, section)
        if given is None and space_file and any(
                getattr(space, s) is not None for s in SECTION_OF_PROVIDER.values()):
            raise InputError(f"{section}: missing; the archive {self.archive!r} is on "
                             f"{self.provider}, so the space needs a {section} section",
                             file=space_file)
        builder = {"s3": (S3Candidates, S3Space), "azure": (AzureCandidates, AzureSpace),
                   "gcs": (GcsCandidates, GcsSpace)}[section]
        self.section = section
        try:
            self.cloud: ProviderSpace = builder[0](given or builder[1](), cloud, section)
        except InputError as exc:
            raise InputError(exc.problems, file=space_file) from None
        dims = list(self.cloud.dimensions)
        if self.hybrid:
            hybrid = space.hybrid or HybridSpace()
            cache = archive.get("cache") or {}
            own_window = cache.get("window_months")
            windows = hybrid.window_months or sorted({*HYBRID_WINDOWS, *(
                [own_window] if own_window else [])})
            modes = hybrid.mode or [cache.get("mode", "cache")]
            capacities = hybrid.capacity_tb or [cache.get("capacity_tb") or "none"]
            dims = [Dimension("window_months", tuple(windows)),
                    Dimension("mode", tuple(modes)),
                    Dimension("capacity_tb", tuple(capacities)), *dims]
        elif space.hybrid is not None and space_file:
            raise InputError(f"hybrid: the archive {self.archive!r} is not a hybrid archive; "
                             "remove the hybrid section or give a hybrid archive",
                             file=space_file)
        self.dimensions = dims
        self.space_file = space_file

    def cloud_entry(self, archive: dict) -> Any:
        """The cloud archive's entry: the archive's own, or a hybrid archive's ``cloud``."""
        return archive.get("cloud") if self.hybrid else archive

    @property
    def raw_size(self) -> int:
        """Combinations of choices (before duplicates are merged)."""
        return math.prod(len(d.choices) for d in self.dimensions)

    def normalize(self, params: Params) -> Params:
        """The candidate a combination of choices stands for."""
        unknown = set(params) - {d.name for d in self.dimensions}
        if unknown:
            raise ValueError(f"not dimensions of this space: {sorted(unknown)}")
        cloud = self.cloud.normalize({d.name: params[d.name] for d in self.cloud.dimensions})
        out = {d.name: params[d.name] for d in self.dimensions}
        out.update(cloud)
        return out

    def policy(self, params: Params) -> Policy:
        """The documents and settings a normalized candidate writes."""
        policy = self.cloud.policy(params)
        if self.hybrid:
            capacity = params["capacity_tb"]
            return Policy(policy.documents, policy.settings,
                          {"cache.window_months": params["window_months"],
                           "cache.mode": params["mode"],
                           "cache.capacity_tb": None if capacity == "none" else capacity})
        return policy

    def key(self, params: Params) -> str:
        """The identifier of a normalized candidate (:func:`policy_key` of its policy)."""
        return policy_key(self.policy(params))

    def today(self, archive: dict) -> Params | None:
        """Today's policy of ``archive`` (its scenario entry, merged file data) as a normalized
        candidate, when the space holds it."""
        cloud = self.cloud_entry(archive)
        params = self.cloud.today(cloud) if isinstance(cloud, dict) else None
        if params is None:
            return None
        if self.hybrid:
            cache = archive.get("cache") or {}
            params = {"window_months": cache.get("window_months"),
                      "mode": cache.get("mode", "cache"),
                      "capacity_tb": cache.get("capacity_tb") or "none", **params}
            if any(params[d.name] not in d.choices for d in self.dimensions[:3]):
                return None
        return self.normalize(params)

    def enumerate(self, limit: int = 200_000) -> list[Params] | None:
        """Every distinct candidate, in a fixed order; None when there are more than ``limit``
        combinations to look at."""
        if self.raw_size > limit:
            return None
        names = [d.name for d in self.dimensions]
        seen: dict[str, Params] = {}
        for values in itertools.product(*(d.choices for d in self.dimensions)):
            params = self.normalize(dict(zip(names, values, strict=True)))
            seen.setdefault(self.key(params), params)
        return list(seen.values())

    def described(self) -> dict[str, list]:
        """The dimensions as JSON: name -> choices."""
        return {d.name: list(d.choices) for d in self.dimensions}


def archive_entry(scenario_data: dict, archive: str) -> dict:
    """The entry of archive ``archive`` in a scenario's (merged) file data; an unknown name is
    an error listing the scenario's archives."""
    archives = [a for a in scenario_data.get("archives", []) if isinstance(a, dict)]
    found = next((a for a in archives if a.get("name") == archive), None)
    if found is None:
        names = ", ".join(str(a.get("name")) for a in archives)
        raise InputError(f"--archive {archive!r}: no such archive in the scenario; its "
                         f"archives: {names}")
    return found


def bind_space(space: SpaceFile, scenario_data: dict, archive: str,
               space_file: str | None = None) -> BoundSpace:
    """The space of archive ``archive`` of a scenario (merged file data)."""
    return BoundSpace(space, archive_entry(scenario_data, archive), space_file)
