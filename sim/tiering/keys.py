"""Object keys and tags from study attributes, so real prefix and tag filters match.

A scenario gives a key template and tag templates using the fields ``{modality}``, ``{yyyy}``,
``{mm}``, ``{age_group}`` (``child`` under 18, ``adult`` 18-64, ``senior`` 65+, ``unknown``) and,
in the key only, ``{study_id}``.  Studies sharing modality, month of creation and age group share
everything but the study id, so filters are evaluated once per such group, not per study.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np

from sim.calendar import SECONDS_PER_DAY
from sim.errors import InputError
from sim.jit import kernel
from sim.workload.model import Workload, per_workload

AGE_GROUPS = ("child", "adult", "senior", "unknown")
KEY_FIELDS = ("modality", "yyyy", "mm", "age_group", "study_id")
_STUDY = "\x00"


@dataclass(frozen=True)
class StudyGroups:
    """Studies grouped by (modality, year, month, age group)."""

    of_study: np.ndarray
    """Group index of each study. int32"""
    fields: list[dict[str, str]]
    """Field values of each group."""


def check_templates(key: str, tags: dict[str, str]) -> list[str]:
    """Problems with a key template and tag templates (unknown fields)."""
    problems = []
    for name, text in [("object_key", key), *((f"object_tags.{k}", v) for k, v in tags.items())]:
        allowed = KEY_FIELDS if name == "object_key" else KEY_FIELDS[:-1]
        try:
            used = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
            continue
        for f in used:
            if f not in allowed:
                problems.append(f"{name}: unknown field {{{f}}}; allowed: "
                                + ", ".join(f"{{{a}}}" for a in allowed))
    return problems


@per_workload
def group_studies(workload: Workload) -> StudyGroups:
    """The workload's studies grouped by every field a key or tag template can use; computed
    once while the workload lives (runs on one draw share it)."""
    st = workload.studies
    origin_s = int(np.datetime64(workload.calendar.start, "s").astype(np.int64))
    of_study, present, first_month, n_months = _group_codes(
        st.created_s, origin_s, st.modality, st.age_years, len(workload.modalities))
    fields = []
    for c in present.tolist():
        c, ag = divmod(c, 4)
        m, mi = divmod(c, n_months)
        month = np.datetime64(first_month + mi, "M").astype(object)
        fields.append({
            "modality": workload.modalities[m],
            "yyyy": f"{month.year:04d}",
            "mm": f"{month.month:02d}",
            "age_group": AGE_GROUPS[ag],
        })
    groups = StudyGroups(of_study, fields)
    groups.of_study.flags.writeable = False  # shared by every run on the draw
    return groups


class RuleMatches:
    """Which lifecycle rules' key and tag filters match each study, for any number of rules.

    Filters on keys and tags see only a study's group, so one bool per (rule, group) is kept,
    plus each study's group (4 bytes a study, whatever the rule count).
    """

    def __init__(self, groups: StudyGroups | None) -> None:
        self._of_study = groups.of_study if groups is not None else np.zeros(0, np.int32)
        self._by_rule: list[np.ndarray] = []

    def add(self, group_ok: np.ndarray) -> np.ndarray:
        """Add the next rule (bool per group); returns whether it matches each study."""
        self._by_rule.append(np.asarray(group_ok, dtype=bool))
        return self._by_rule[-1][self._of_study]

    def of(self, rule: int, ids: np.ndarray) -> np.ndarray:
        """Whether rule number ``rule`` matches each of the studies ``ids``. bool"""
        return self._by_rule[rule][self._of_study[ids]]


def prefix_matches(template: str, groups: StudyGroups, prefix: str, where: str) -> np.ndarray:
    """Whether each group's keys start with ``prefix``. bool per group"""
    out = np.zeros(len(groups.fields), dtype=bool)
    for g, fields in enumerate(groups.fields):
        key = template.format(study_id=_STUDY, **fields)
        fixed, has_id, _ = key.partition(_STUDY)
        if has_id and len(prefix) > len(fixed) and prefix.startswith(fixed):
            raise InputError(f"{where}: prefix {prefix!r} reaches into the study id part of the "
                             f"object key ({template!r}); filter on the part before {{study_id}}")
        out[g] = key.startswith(prefix)  # a prefix that differs before {study_id}: no match
    return out


def suffix_matches(template: str, groups: StudyGroups, suffix: str, where: str) -> np.ndarray:
    """Whether each group's keys end with ``suffix``. bool per group"""
    out = np.zeros(len(groups.fields), dtype=bool)
    for g, fields in enumerate(groups.fields):
        key = template.format(study_id=_STUDY, **fields)
        _, has_id, tail = key.rpartition(_STUDY)
        if has_id and len(suffix) > len(tail) and suffix.endswith(tail):
            raise InputError(f"{where}: suffix {suffix!r} reaches into the study id part of the "
                             f"object key ({template!r}); filter on the part after {{study_id}}")
        out[g] = key.endswith(suffix)  # a suffix that differs after {study_id}: no match
    return out


def tags_match(tag_templates: dict[str, str], groups: StudyGroups,
               wanted: tuple[tuple[str, str], ...]) -> np.ndarray:
    """Whether each group's tags include every wanted (key, value). bool per group"""
    out = np.ones(len(groups.fields), dtype=bool)
    for key, value in wanted:
        template = tag_templates.get(key)
        if template is None:
            return np.zeros(len(groups.fields), dtype=bool)
        out &= np.array([template.format(**f) == value for f in groups.fields], dtype=bool)
    return out


@kernel
def _group_codes(created_s, origin_s, modality, age_years, n_modalities
                 ):  # pragma: no cover - compiled
    """Each study's group (int32) and the codes of the groups present, in code order: code =
    (modality x months + month - first month) x 4 + age group (``AGE_GROUPS`` order, NaN age:
    unknown); months counted from 1970-01 in UTC (``created_s`` from ``origin_s``, the calendar
    start since the epoch).  Also returns the first month and the number of months."""
    n = created_s.size
    code = np.empty(n, dtype=np.int64)
    first, last = 0, 0
    for i in range(n):
        code[i] = _month_since_1970(origin_s + created_s[i])
        if i == 0 or code[i] < first:
            first = code[i]
        if i == 0 or code[i] > last:
            last = code[i]
    n_months = last - first + 1
    counts = np.zeros(n_modalities * n_months * 4, dtype=np.int64)
    for i in range(n):
        age = age_years[i]
        group = 0 if age < 18 else 1 if age < 65 else 2 if age >= 65 else 3  # NaN: unknown
        code[i] = (modality[i] * n_months + code[i] - first) * 4 + group
        counts[code[i]] += 1
    present = np.flatnonzero(counts)
    group_of_code = np.zeros(counts.size, dtype=np.int32)
    for g in range(present.size):
        group_of_code[present[g]] = g
    of_study = np.empty(n, dtype=np.int32)
    for i in range(n):
        of_study[i] = group_of_code[code[i]]
    return of_study, present, first, n_months


@kernel
def _month_since_1970(t_s):  # pragma: no cover - compiled
    """Calendar month of a UTC time, counted from January 1970 (proleptic Gregorian: the
    days-to-civil-date algorithm of H. Hinnant, "chrono-compatible low-level date algorithms").
    [s since 1970-01-01T00:00:00Z]"""
    z = t_s // SECONDS_PER_DAY + 719_468  # days since 0000-03-01
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1_460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    month = mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (1 if month <= 2 else 0)
    return (year - 1970) * 12 + month - 1
