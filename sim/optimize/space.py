"""Search spaces made of real policy elements: what the optimizer may choose, per provider, and
the file that narrows or widens the defaults.

A space file (YAML) has one section per provider; the section of the optimized archive's
provider applies (a hybrid archive: its cloud part's provider, plus the ``hybrid`` section)::

    s3:
      groups: {mammography: [MG], rest: rest}    # a rule per group (default: one for all)
      transitions:                               # days after upload each class is reached at
        STANDARD_IA: [never, 30, 90]
        DEEP_ARCHIVE: [never, 365, 730]
      intelligent_tiering:
        deep_archive_access_days: [off, 180, 365]
      restore_tier: [Standard, Bulk]
    hybrid:
      window_months: [12, 24, 36]

Every key left out keeps its default (:data:`S3_TRANSITIONS` and the field defaults below); a
key given replaces its default whole.  Every choice is checked against the provider's own rules
(minimum days, ranges), so a space cannot hold a document the provider would refuse.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from sim.errors import InputError
from sim.scenario.base import MODALITIES, Modality, Model

NEVER = "never"
"""A class or tier the path does not go to."""
OFF = "off"
"""An Intelligent-Tiering archive tier not opted into."""

MAX_DAYS = 36_500

Days = Annotated[int, Field(ge=0, le=MAX_DAYS)] | Literal["never"]
GroupName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9]*$", max_length=32)]
Groups = dict[GroupName, list[Modality] | Literal["rest"]]

S3_PATH_CLASSES = ("STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER",
                   "DEEP_ARCHIVE")
"""The classes a lifecycle path may move a study to, warmest first (AWS's waterfall order)."""
S3_TRANSITIONS: dict[str, list] = {
    "STANDARD_IA": [NEVER, 30, 90],
    "INTELLIGENT_TIERING": [NEVER, 0],
    "GLACIER_IR": [NEVER, 30, 90, 180, 365],
    "GLACIER": [NEVER],
    "DEEP_ARCHIVE": [NEVER, 180, 365, 730, 1825],
}
"""Default choices: common transition ages.  ONEZONE_IA is left out (one Availability Zone is
no place for the only copy of a medical record); give it to consider it."""
S3_MIN_DAYS = {"STANDARD_IA": 30, "ONEZONE_IA": 30}
"""AWS: objects must be stored at least 30 days before a transition to STANDARD_IA or
ONEZONE_IA (S3 User Guide, lifecycle-transition-general-considerations)."""
IT_LIMITS = {"archive_access_days": (90, 730), "deep_archive_access_days": (180, 730)}
"""PutBucketIntelligentTieringConfiguration: ARCHIVE_ACCESS 90-730 days, DEEP_ARCHIVE_ACCESS
180-730 days."""

AZURE_TIERS = ("Cool", "Cold", "Archive")
GCS_CLASSES = ("NEARLINE", "COLDLINE", "ARCHIVE")


def _choices(values: list, key: str = "") -> list:
    """``values`` if they are a list of distinct choices (``key``: the entry of a mapping)."""
    where = f"{key}: " if key else ""
    if not values:
        raise ValueError(f"{where}list at least one choice (an empty list leaves nothing to "
                         "choose)")
    if len({repr(v) for v in values}) != len(values):
        raise ValueError(f"{where}a choice is listed twice")
    return values


class _Section(Model):
    """A space section: every list of choices (also those inside a mapping, e.g. each class's
    days) is non-empty and lists each choice once; a number is never a YAML true/false."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_yes_no(cls, value: Any, info: Any) -> Any:
        if info.field_name in ("auto_tier_to_hot", "smart_tier", "intelligent_tiering",
                               "archive_access_days", "deep_archive_access_days"):
            return value  # true/false choices, or (IT) a bare off read as false means off
        lists = value.values() if isinstance(value, dict) else [value]
        for choices in lists:
            if isinstance(choices, list) and any(isinstance(v, bool) for v in choices):
                raise ValueError("got true or false among the choices (YAML reads a bare "
                                 "off, no, on or yes so); write never for a class not used, "
                                 "or quote the word")
        return value

    @field_validator("*")
    @classmethod
    def _distinct_choices(cls, value: Any) -> Any:
        if isinstance(value, list):
            return _choices(value)
        if isinstance(value, dict):
            for name, choices in value.items():
                if isinstance(choices, list):
                    _choices(choices, str(name))
        return value


class ITSpace(_Section):
    """The bucket's Intelligent-Tiering configuration: days without access before the opt-in
    Archive Access and Deep Archive Access tiers (``off``: not opted into)."""

    archive_access_days: list[Annotated[int, Field(ge=90, le=730)] | Literal["off"]] = Field(
        default=["off", 90, 180], description="ARCHIVE_ACCESS Days: 90-730.")
    deep_archive_access_days: list[Annotated[int, Field(ge=180, le=730)] | Literal["off"]] = \
        Field(default=["off", 180, 365, 730],
              description="DEEP_ARCHIVE_ACCESS Days: 180-730.")

    @field_validator("archive_access_days", "deep_archive_access_days", mode="before")
    @classmethod
    def _off_read_as_false(cls, values: Any) -> Any:
        """YAML 1.1 reads an unquoted off as false: it means off here."""
        if isinstance(values, list):
            return [OFF if v is False else v for v in values]
        return values



class S3Space(_Section):
    """S3: per group of modalities, the days each class is reached at (a lifecycle rule per
    group), Intelligent-Tiering's archive tiers, the class studies are uploaded to and the
    restore tier."""

    groups: Groups | None = Field(
        None, description="Modality groups, each with its own rules (a list of modality codes, "
        "or 'rest' for every modality no other group names).  Default: one group, every study.")
    storage_class: list[Literal["STANDARD", "INTELLIGENT_TIERING", "STANDARD_IA", "GLACIER_IR",
                                "GLACIER", "DEEP_ARCHIVE"]] | None = Field(
        None, description="Classes studies may be uploaded to (default: the archive's own).")
    transitions: dict[Literal[S3_PATH_CLASSES], list[Days]] = Field(  # type: ignore[valid-type]
        default=dict(S3_TRANSITIONS),
        description="Days after upload at which each class may be reached ('never': not used);"
        " classes left out are not used.")
    intelligent_tiering: ITSpace = Field(default=ITSpace())
    restore_tier: list[Literal["Expedited", "Standard", "Bulk"]] = Field(
        default=["Standard", "Bulk", "Expedited"],
        description="Restore tiers for reads of archived studies.")

    @field_validator("transitions")
    @classmethod
    def _aws_minimums(cls, transitions: dict[str, list]) -> dict[str, list]:
        for name, days in transitions.items():
            low = S3_MIN_DAYS.get(name, 0)
            short = [d for d in days if d != NEVER and d < low]
            if short:
                raise ValueError(f"{name}: {short[0]} days; objects must be stored "
                                 f"at least {low} days before a transition to {name} (allowed: "
                                 f"never or {low} to {MAX_DAYS})")
        if not transitions:
            raise ValueError("list at least one class")
        return transitions



class AzureSpace(_Section):
    """Azure: per group, a lifecycle rule moving blobs to Cool, Cold and Archive after days
    since last access or since modification, with or without auto-tiering back to Hot on a
    read; or the account's smart tier instead of rules."""

    groups: Groups | None = Field(None, description="As for s3.")
    storage_class: list[Literal["Hot", "Cool", "Cold"]] | None = Field(
        None, description="Tiers blobs may be uploaded to (default: the archive's own).")
    clock: list[Literal["last_access", "modification"]] = Field(
        default=["last_access", "modification"],
        description="What the days count from: the last read (last-access tracking) or the "
        "upload.")
    tiers: dict[Literal["Cool", "Cold", "Archive"], list[Days]] = Field(
        default={"Cool": ["never", 30, 90], "Cold": ["never", 90, 180, 365],
                                 "Archive": ["never", 180, 365, 730]},
        description="Days (daysAfter...GreaterThan) at which each tier may be reached.")
    auto_tier_to_hot: list[bool] = Field(
        default=[True, False],
        description="enableAutoTierToHotFromCool (only with the last_access clock and Cool).")
    smart_tier: list[bool] = Field(
        default=[False],
        description="Account-level smart tier instead of rules (true replaces them).")
    rehydrate_priority: list[Literal["Standard", "High"]] = Field(
        default=["Standard", "High"],
        description="Rehydration priority for reads of archived blobs.")




class GcsSpace(_Section):
    """Google Cloud Storage: per group, lifecycle ages (days since upload) to NEARLINE,
    COLDLINE and ARCHIVE; or Autoclass with its terminal class."""

    groups: Groups | None = Field(None, description="As for s3.")
    mode: list[Literal["lifecycle", "autoclass"]] = Field(
        default=["lifecycle", "autoclass"],
        description="Lifecycle rules, or Autoclass (bucket-wide, no rules).")
    ages: dict[Literal["NEARLINE", "COLDLINE", "ARCHIVE"], list[Days]] = Field(
        default={"NEARLINE": ["never", 30, 90], "COLDLINE": ["never", 90, 180, 365],
                                 "ARCHIVE": ["never", 365, 730, 1095]},
        description="Ages (days) at which each class may be reached.")
    autoclass_terminal: list[Literal["NEARLINE", "ARCHIVE"]] = Field(
        default=["NEARLINE", "ARCHIVE"],
        description="Autoclass terminal storage class.")




class HybridSpace(_Section):
    """A hybrid archive: its cache window and mode (the cloud part's policy from the provider's
    section)."""

    window_months: list[Annotated[int, Field(ge=1, le=600)]] | None = Field(
        None, description="Age windows of the on-prem cache (default: 6, 12, 24, 36, 60 and the "
        "archive's own). [months]")
    mode: list[Literal["cache", "tiered"]] | None = Field(
        None, description="cache (every study also in the cloud) or tiered (recent studies "
        "only on-prem).  Default: the archive's own.")
    capacity_tb: list[Annotated[float, Field(gt=0)] | Literal["none"]] | None = Field(
        None, description="Capacities of the cache, least recently used evicted first ('none': "
        "the age window alone).  Default: the archive's own. [TB]")



class SpaceFile(Model):
    """A search space file: a section per provider (and ``hybrid``)."""

    s3: S3Space | None = None
    azure: AzureSpace | None = None
    gcs: GcsSpace | None = None
    hybrid: HybridSpace | None = None

    @model_validator(mode="after")
    def _groups_disjoint(self) -> SpaceFile:
        for section in ("s3", "azure", "gcs"):
            space = getattr(self, section)
            if space is not None and space.groups is not None:
                check_groups(space.groups, f"{section}.groups")
        return self


SECTION_OF_PROVIDER = {"aws": "s3", "azure": "azure", "gcp": "gcs"}


def check_groups(groups: Mapping[str, Any], where: str) -> None:
    """Each modality in one group at most; at most one ``rest``; at least one group."""
    if not groups:
        raise ValueError(f"{where}: name at least one group, or leave it out (one group)")
    seen: dict[str, str] = {}
    for name, members in groups.items():
        if members == "rest":
            continue
        if not members:
            raise ValueError(f"{where}.{name}: list at least one modality ({', '.join(MODALITIES)}"
                             ") or write rest")
        for m in members:
            if m in seen:
                raise ValueError(f"{where}.{name}: {m} is already in group {seen[m]!r}; a "
                                 "modality belongs to one group")
            seen[m] = name
    if sum(members == "rest" for members in groups.values()) > 1:
        raise ValueError(f"{where}: 'rest' may be given to one group only")


def group_members(groups: Mapping[str, Any] | None) -> dict[str, tuple[str, ...] | None]:
    """Each group's modalities (None: the single default group, every study)."""
    if groups is None:
        return {"all": None}
    named = {m for members in groups.values() if members != "rest" for m in members}
    rest = tuple(m for m in MODALITIES if m not in named)
    return {name: (rest if members == "rest" else tuple(members))
            for name, members in groups.items()}


def load_space(path: str | Path | None) -> SpaceFile:
    """The space file at ``path`` (None: every default)."""
    if path is None:
        return SpaceFile()
    from sim.io.scenario_file import read_yaml

    path = Path(path)
    data = read_yaml(path)
    if data is None:
        raise InputError("the file is empty; leave --space out for the defaults, or give a "
                         "section (s3, azure, gcs or hybrid)", file=path)
    if not isinstance(data, dict):
        raise InputError("a search space is a YAML mapping with sections s3, azure, gcs or "
                         "hybrid", file=path)
    try:
        return SpaceFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(_problems(exc), file=path) from None


_UNION_TAGS = ("int", "str", "bool", "constrained-int", "list[...]", "dict[...]")


def _problems(exc: ValidationError) -> list[str]:
    """One line per field: its dotted path, what is wrong (the alternatives of a union
    joined), what was given."""
    by_field: dict[str, tuple[list[str], Any, str]] = {}
    for error in exc.errors():
        parts = [str(p) for p in error["loc"]
                 if str(p) not in _UNION_TAGS and str(p) != "[key]"
                 and not str(p).startswith(("function-", "literal[", "list["))]
        where = ".".join(parts)
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        messages, given, kind = by_field.setdefault(where, ([], error.get("input"),
                                                            error["type"]))
        if message not in messages:
            messages.append(message)
    for where in list(by_field):  # a union's other branch, reported on a deeper field
        deeper = [w for w in by_field if w.startswith(where + ".")]
        if where and deeper:
            by_field[deeper[0]][0].extend(m for m in by_field.pop(where)[0]
                                          if m not in by_field[deeper[0]][0])
    lines = []
    for where, (messages, given, kind) in by_field.items():
        shown = "" if isinstance(given, dict | list) or kind == "extra_forbidden" \
            else f" (got {given!r})"
        text = "; or ".join(messages)
        lines.append(f"{where}: {text}{shown}" if where else f"{text}{shown}")
    return lines
