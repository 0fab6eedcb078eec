"""Read and check a trace (studies.csv, reads.csv) and build its workload.

studies.csv: ``study_id, created, size_bytes, objects, modality, patient_id`` and optionally
``patient_age_years``.  reads.csv: ``study_id, time``.  Times are ISO 8601; without an offset they
are taken as UTC; they are kept to the second (fractions of a second are dropped).  Every problem
names the file, the row (as numbered by a spreadsheet, header = row 1) and the column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.calendar import Calendar
from sim.errors import InputError
from sim.scenario import MODALITIES, Scenario
from sim.workload.model import Workload
from sim.workload.sizes import MAX_STUDY_BYTES
from sim.workload.trace import workload_from_trace

STUDY_COLUMNS = ["study_id", "created", "size_bytes", "objects", "modality", "patient_id"]
READ_COLUMNS = ["study_id", "time"]
MODALITY_ALIASES = {"DX": "CR", "RG": "CR", "PT": "NM", "PET": "NM", "RF": "XA", "DBT": "MG"}
_SHOWN = 5


def load_trace_workload(scenario: Scenario) -> Workload:
    """The workload of a scenario with ``workload.trace``."""
    trace = scenario.workload.trace
    assert trace is not None
    calendar = Calendar(scenario.start, scenario.horizon_months)
    studies = _read_csv(trace.studies, STUDY_COLUMNS)
    uid = studies["study_id"].to_numpy(dtype=object)
    _check_unique(uid, trace.studies)
    created_s = _times(studies["created"], trace.studies, "created", calendar)
    size_bytes = _integers(studies["size_bytes"], trace.studies, "size_bytes", minimum=1,
                           maximum=MAX_STUDY_BYTES)
    objects = _integers(studies["objects"], trace.studies, "objects", minimum=1,
                        maximum=np.iinfo(np.int32).max)
    modality = _modalities(studies["modality"], trace.studies)
    patient = studies["patient_id"].to_numpy(dtype=str)
    _check_not_blank(studies["patient_id"], trace.studies, "patient_id")
    retention = scenario.workload.retention
    if "patient_age_years" in studies.columns:
        ages = _floats(studies["patient_age_years"], trace.studies, "patient_age_years")
    elif retention.minors is not None:
        raise InputError(
            "column patient_age_years is missing, and workload.retention.minors needs each "
            "patient's age: add the column, or remove retention.minors from the scenario",
            file=trace.studies,
        )
    else:
        ages = np.full(len(studies), np.nan)

    if trace.reads is not None:
        reads = _read_csv(trace.reads, READ_COLUMNS)
        lookup = pd.Index(uid)
        read_uid = reads["study_id"].to_numpy(dtype=object)
        read_study = lookup.get_indexer(read_uid)
        fail_rows(read_study < 0, trace.reads, "study_id", "is not a study_id in studies.csv",
                   read_uid)
        read_time_s = _times(reads["time"], trace.reads, "time", calendar)
        early = read_time_s < created_s[read_study]
        fail_rows(early, trace.reads, "time", "is before the study was created")
    else:
        read_study = np.zeros(0, dtype=np.int64)
        read_time_s = np.zeros(0, dtype=np.int64)
    return workload_from_trace(
        calendar, retention, uid, created_s, size_bytes, objects, modality, patient, ages,
        read_study, read_time_s,
    )


def _read_csv(path: Path, required: list[str]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read as CSV ({exc})".replace("\n", " "), file=path) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; required: {', '.join(required)}", file=path
        )
    return frame


def fail_rows(bad: np.ndarray, path: Path, column: str, what: str, values=None,
              row_offset: int = 2) -> None:
    """Raise one error naming the file, the column and the first bad rows (numbered as a
    spreadsheet numbers them: the header is row 1, so data row 0 is row ``row_offset``)."""
    rows = np.flatnonzero(bad)
    if rows.size == 0:
        return
    shown = []
    for r in rows[:_SHOWN]:
        value = f" ({values[r]!r})" if values is not None else ""
        shown.append(f"row {r + row_offset}{value}")
    more = f" and {rows.size - _SHOWN} more" if rows.size > _SHOWN else ""
    raise InputError(f"column {column}: {', '.join(shown)}{more} {what}", file=path)


def _times(column: pd.Series, path: Path, name: str, calendar: Calendar) -> np.ndarray:
    text = column.str.strip()
    stamps = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
    values = text.to_numpy()
    fail_rows(stamps.isna().to_numpy(), path, name,
               "is not an ISO 8601 time such as 2027-03-01T08:30:00Z", values)
    seconds = calendar.seconds_since_start(
        stamps.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    )
    outside = (seconds < 0) | (seconds >= calendar.horizon_s)
    fail_rows(outside, path, name,
               f"is outside the run ({calendar.start} to {calendar.end}, end excluded)", values)
    return seconds


def _integers(column: pd.Series, path: Path, name: str, minimum: int,
              maximum: int) -> np.ndarray:
    numbers = pd.to_numeric(column.str.strip(), errors="coerce")
    values = column.to_numpy()
    whole = numbers.notna() & (numbers == numbers.round()) & (numbers >= minimum) \
        & (numbers <= maximum)
    fail_rows(~whole.to_numpy(), path, name,
              f"is not a whole number from {minimum} to {maximum:,}", values)
    return numbers.to_numpy(dtype=np.int64)


def _floats(column: pd.Series, path: Path, name: str) -> np.ndarray:
    numbers = pd.to_numeric(column.str.strip(), errors="coerce")
    ok = numbers.notna() & (numbers >= 0) & (numbers < 150)
    fail_rows(~ok.to_numpy(), path, name, "is not an age in years from 0 to 150",
               column.to_numpy())
    return numbers.to_numpy(dtype=np.float64)


def _modalities(column: pd.Series, path: Path) -> np.ndarray:
    codes = column.str.strip().str.upper().replace(MODALITY_ALIASES).to_numpy(dtype=str)
    known = np.isin(codes, MODALITIES)
    aliases = ", ".join(f"{k}->{v}" for k, v in MODALITY_ALIASES.items())
    fail_rows(~known, path, "modality",
               f"is not a known modality; allowed: {', '.join(MODALITIES)} (aliases {aliases})",
               column.to_numpy())
    return codes.astype(object)


def _check_unique(uid: np.ndarray, path: Path) -> None:
    duplicated = pd.Series(uid).duplicated().to_numpy()
    fail_rows(duplicated, path, "study_id", "repeats an earlier study_id", uid)


def _check_not_blank(column: pd.Series, path: Path, name: str) -> None:
    fail_rows((column.str.strip() == "").to_numpy(), path, name, "is empty")
