"""Read a hospital's own data into two tidy tables, pseudonymising identifiers as they are read.

- studies: ``study`` (pseudonym), ``time`` (acquisition, UTC), ``modality`` (one of the
  simulator's codes), ``size_bytes``, ``objects`` (may be missing), ``patient`` (pseudonym, may be
  missing), ``age_years`` (whole years, may be missing), ``storage_class`` (S3 Inventory only);
- reads: ``study`` (pseudonym), ``time`` (UTC), ``user`` (pseudonym, may be missing).

Sources: a PACS/RIS study list (CSV), an access or audit log (CSV), an AWS S3 Inventory report
(its manifest.json with CSV or Parquet files, or one inventory file), an S3 Storage Class Analysis
export (CSV), a folder of DICOM files (headers only, never pixel data).  Only the columns needed
are loaded: names and other columns never enter memory.  Every problem names the file, the row
(as a spreadsheet numbers it: the header is row 1) and the column.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate.privacy import Pseudonymizer, whole_years
from sim.errors import InputError
from sim.io.trace_files import MODALITY_ALIASES as TRACE_ALIASES
from sim.io.trace_files import fail_rows
from sim.scenario import MODALITIES

MODALITY_ALIASES = {**TRACE_ALIASES, "MAMMO": "MG", "MRI": "MR", "ULTRASOUND": "US",
                    "SC": "OT", "SR": "OT", "PR": "OT", "KO": "OT", "DOC": "OT", "ECG": "OT",
                    "IO": "CR", "PX": "CR", "ES": "OT", "XC": "OT", "OP": "OT", "OCT": "OT",
                    "BMD": "OT"}
"""The trace format's aliases, and the other codes a PACS export or DICOM header may carry."""

FIELDS: dict[str, tuple[str, ...]] = {
    # field -> headers recognised (compared without case, spaces, underscores, dashes, dots)
    "study": ("study_id", "studyinstanceuid", "study_uid", "studyuid", "study_key", "studykey",
              "accession", "accessionnumber", "accession_no", "accessionno"),
    "date": ("study_date", "studydate", "study_datetime", "studydatetime", "created",
             "acquisition_date", "exam_date", "examdate", "date"),
    "clock": ("study_time", "studytime", "exam_time"),
    "modality": ("modality", "modalities", "modalitiesinstudy", "mod"),
    "size": ("size_bytes", "study_size_bytes", "studysize", "study_size", "size",
             "study_size_mb", "size_mb", "studysizemb", "study_size_gb", "size_gb",
             "study_size_kb", "size_kb"),
    "objects": ("objects", "number_of_images", "numberofimages", "images", "instances",
                "numberofstudyrelatedinstances", "number_of_instances", "numberofinstances",
                "image_count", "object_count", "num_images"),
    "patient": ("patient_id", "patientid", "mrn", "patient_key", "patientkey", "patient"),
    "age": ("patient_age_years", "patient_age", "patientage", "age"),
    "birth": ("patient_birth_date", "patientbirthdate", "birth_date", "birthdate", "dob"),
    "time": ("time", "access_time", "accesstime", "timestamp", "event_time", "eventtime",
             "datetime", "date_time", "accessed"),
    "user": ("user", "user_id", "userid", "username", "user_name"),
}
STUDY_FIELDS = ("study", "date", "clock", "modality", "size", "objects", "patient", "age",
                "birth")
READ_FIELDS = ("study", "time", "user")


def column_options(items: list[str]) -> dict[str, str]:
    """``--column FIELD=HEADER`` options as {field: header}; unknown fields are refused."""
    known = dict.fromkeys(STUDY_FIELDS + READ_FIELDS)
    columns: dict[str, str] = {}
    for item in items:
        field, sep, header = (part.strip() for part in item.partition("="))
        if not sep or not field or not header:
            raise InputError(f"--column {item!r}: give FIELD=HEADER, e.g. date='Study Date'")
        if field not in known:
            raise InputError(f"--column {item!r}: {field!r} is not a field; allowed: "
                             f"{', '.join(known)}")
        columns[field] = header
    return columns


def check_date_format(date_format: str) -> None:
    """Refuse a ``--date-format`` that strptime cannot use (e.g. ``%Q``) or that has no date
    code at all."""
    sample = dt.datetime(2027, 3, 14, 15, 9, 26)
    try:
        dt.datetime.strptime(sample.strftime(date_format), date_format)
    except ValueError as exc:
        raise InputError(f"--date-format {date_format!r}: not a usable strftime format ({exc}); "
                         "use codes such as %Y %m %d %H %M %S, e.g. %m/%d/%Y") from None
    if not re.search(r"%[YyjmdbBU]", date_format):
        raise InputError(f"--date-format {date_format!r}: names no date (no %Y, %y, %m, %d, "
                         "%b, %B or %j); e.g. %m/%d/%Y")


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-.()\[\]]", "", str(name)).lower()


def map_columns(header: list[str], fields: tuple[str, ...], given: dict[str, str],
                path: Path, required: tuple[str, ...]) -> dict[str, str]:
    """Which header holds each field: ``given`` (``--column field=Header``) first, then the
    recognised names."""
    by_norm = {_norm(h): h for h in header}
    found: dict[str, str] = {}
    for field in fields:
        if field in given:
            if given[field] not in header:
                raise InputError(f"--column {field}={given[field]}: no such column; the file has "
                                 f"{', '.join(header)}", file=path)
            found[field] = given[field]
            continue
        for candidate in FIELDS[field]:
            if _norm(candidate) in by_norm:
                found[field] = by_norm[_norm(candidate)]
                break
    missing = [f for f in required if f not in found]
    if missing:
        hints = "; ".join(f"{f}: one of {', '.join(FIELDS[f][:4])}, ..." for f in missing)
        raise InputError(f"no column found for {', '.join(missing)} ({hints}); name it with "
                         f"--column FIELD=HEADER. The file has: {', '.join(header)}", file=path)
    return found


def _read_csv(path: Path, usecols: list[str] | None = None,
              header: bool = True) -> pd.DataFrame:
    if not path.is_file():
        raise InputError("file not found", file=path)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True,
                           usecols=usecols, header=0 if header else None,
                           encoding_errors="replace")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise InputError(f"cannot read as CSV ({exc})".replace("\n", " "), file=path) from None


def _header(path: Path) -> list[str]:
    frame = _read_csv(path)
    return [str(c).strip() for c in frame.columns]


def parse_times(text: pd.Series, path: Path, column: str, date_format: str | None = None,
                clock: pd.Series | None = None, row_offset: int = 2) -> pd.Series:
    """UTC times from ISO 8601, DICOM dates (YYYYMMDD, with an optional HHMMSS time column) or
    ``date_format`` (strftime codes). datetime64[ns], naive UTC"""
    text = text.astype(str).str.strip()
    if date_format:
        stamps = pd.to_datetime(text, format=date_format, errors="coerce", utc=True)
    else:
        dicom = text.str.fullmatch(r"\d{8}")
        stamps = pd.to_datetime(text.where(~dicom), format="ISO8601", errors="coerce", utc=True)
        if dicom.any():
            day = pd.to_datetime(text.where(dicom), format="%Y%m%d", errors="coerce", utc=True)
            stamps = stamps.where(~dicom, day)
    if clock is not None:
        hhmmss = clock.astype(str).str.strip().str.extract(r"^(\d{2})(\d{2})?(\d{2})?")
        seconds = (pd.to_numeric(hhmmss[0], errors="coerce").fillna(0) * 3600
                   + pd.to_numeric(hhmmss[1], errors="coerce").fillna(0) * 60
                   + pd.to_numeric(hhmmss[2], errors="coerce").fillna(0))
        stamps = stamps + pd.to_timedelta(seconds, unit="s")
    allowed = f"the format {date_format!r}" if date_format else \
        "an ISO 8601 date or time (2024-03-01, 2024-03-01T08:30:00Z) or a DICOM date (20240301)"
    fail_rows(stamps.isna().to_numpy(), path, column, f"is not {allowed}", text.to_numpy(),
               row_offset)
    return stamps.dt.tz_localize(None).astype("datetime64[ns]")


def modality_codes(values: pd.Series, path: Path, column: str, row_offset: int = 2) -> pd.Series:
    """The simulator's modality code of each value (a study's first listed modality)."""
    first = values.astype(str).str.upper().str.split(r"[\\/,;| ]+", regex=True).str[0].str.strip()
    codes = first.replace(MODALITY_ALIASES)
    unknown = ~codes.isin(MODALITIES)
    codes = codes.where(~unknown, "OT")  # any other DICOM modality is "other"
    fail_rows((first == "").to_numpy(), path, column, "is empty", values.to_numpy(), row_offset)
    return codes


def _size_bytes(values: pd.Series, header: str, path: Path) -> pd.Series:
    name = _norm(header)
    scale = 1e9 if name.endswith("gb") else 1e6 if name.endswith("mb") else \
        1e3 if name.endswith("kb") else 1.0
    numbers = pd.to_numeric(values.astype(str).str.replace(",", "").str.strip(), errors="coerce")
    fail_rows((numbers.isna() | (numbers <= 0)).to_numpy(), path, header,
               "is not a positive size" + (f" (read in {header!r} units)" if scale > 1 else
                                           " in bytes"), values.to_numpy())
    return np.rint(numbers * scale).astype(np.int64)


def _ages(values: pd.Series, header: str, path: Path) -> pd.Series:
    """Whole years from numbers or DICOM age strings (045Y, 006M, 010W, 003D)."""
    text = values.astype(str).str.strip().str.upper()
    parts = text.str.extract(r"^(\d+(?:\.\d+)?)\s*([YMWD]?)$")
    number = pd.to_numeric(parts[0], errors="coerce")
    per_year = parts[1].map({"": 1.0, "Y": 1.0, "M": 12.0, "W": 52.18, "D": 365.25})
    years = np.floor(number / per_year)
    bad = (text != "") & (years.isna() | (years >= 150))
    fail_rows(bad.to_numpy(), path, header, "is not an age (years, or DICOM 045Y / 006M)",
               values.to_numpy())
    return years


# ----------------------------------------------------------------------------- study lists


def read_study_list(path: Path, pseudo: Pseudonymizer, given: dict[str, str] | None = None,
                    date_format: str | None = None) -> pd.DataFrame:
    """A PACS/RIS study list (CSV) as the studies table."""
    header = _header(path)
    cols = map_columns(header, STUDY_FIELDS, given or {}, path,
                       required=("study", "date", "modality", "size"))
    raw = _read_csv(path, usecols=sorted(set(cols.values())))
    out = pd.DataFrame({"study": pseudo(raw[cols["study"]], "S")})
    fail_rows(out.study.isna().to_numpy(), path, cols["study"], "is empty")
    out["time"] = parse_times(raw[cols["date"]], path, cols["date"], date_format,
                              raw[cols["clock"]] if "clock" in cols else None)
    out["modality"] = modality_codes(raw[cols["modality"]], path, cols["modality"])
    out["size_bytes"] = _size_bytes(raw[cols["size"]], cols["size"], path)
    out["objects"] = _optional_count(raw, cols, "objects", path)
    out["patient"] = pseudo(raw[cols["patient"]], "P") if "patient" in cols else None
    if "age" in cols:
        out["age_years"] = _ages(raw[cols["age"]], cols["age"], path)
    elif "birth" in cols:  # the birth date becomes an age and goes no further
        birth = parse_times(raw[cols["birth"]].where(raw[cols["birth"]].str.strip() != "",
                                                     "19000101"), path, cols["birth"])
        out["age_years"] = whole_years(birth, out["time"]).where(
            raw[cols["birth"]].str.strip().to_numpy() != "")
    else:
        out["age_years"] = np.nan
    duplicated = out.study.duplicated().to_numpy()
    fail_rows(duplicated, path, cols["study"], "repeats an earlier study (one row per study)")
    out["storage_class"] = None
    return out


def _optional_count(raw: pd.DataFrame, cols: dict[str, str], field: str,
                    path: Path) -> pd.Series:
    if field not in cols:
        return pd.Series(np.nan, index=raw.index)
    values = raw[cols[field]]
    numbers = pd.to_numeric(values.str.replace(",", "").str.strip(), errors="coerce")
    blank = values.str.strip() == ""
    bad = ~blank & (numbers.isna() | (numbers < 1) | (numbers != numbers.round()))
    fail_rows(bad.to_numpy(), path, cols[field], "is not a whole number >= 1",
               values.to_numpy())
    return numbers.where(~blank)


def read_access_log(path: Path, pseudo: Pseudonymizer, given: dict[str, str] | None = None,
                    date_format: str | None = None) -> pd.DataFrame:
    """An access or audit log (CSV: study key, time, optional user) as the reads table."""
    header = _header(path)
    cols = map_columns(header, READ_FIELDS, given or {}, path, required=("study", "time"))
    raw = _read_csv(path, usecols=sorted(set(cols.values())))
    out = pd.DataFrame({"study": pseudo(raw[cols["study"]], "S")})
    fail_rows(out.study.isna().to_numpy(), path, cols["study"], "is empty")
    out["time"] = parse_times(raw[cols["time"]], path, cols["time"], date_format)
    out["user"] = pseudo(raw[cols["user"]], "U") if "user" in cols else None
    return out


# ------------------------------------------------------------------------------ AWS exports

INVENTORY_DEFAULT_SCHEMA = "Bucket, Key, Size, LastModifiedDate, StorageClass"
PARQUET_FIELDS = {"bucket": "Bucket", "key": "Key", "size": "Size",
                  "last_modified_date": "LastModifiedDate", "storage_class": "StorageClass"}
STUDY_KEY_PATTERN = r"^(?P<study>.*)/[^/]+$"
"""Default: a study is every object under one folder (the key up to its last '/')."""


def read_s3_inventory(path: Path, pseudo: Pseudonymizer, key_pattern: str | None = None
                      ) -> pd.DataFrame:
    """An S3 Inventory report (``manifest.json`` or one CSV / CSV.gz / Parquet inventory file)
    as the studies table: objects grouped into studies by ``key_pattern`` (a regular expression
    with a ``study`` group and optionally a ``modality`` group; default: the key's folder, and a
    path segment that is a modality code)."""
    files, schema, fmt = _inventory_files(path)
    frames = []
    for f in files:
        frames.append(_inventory_frame(f, schema, fmt))
    objects = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for needed in ("Key", "Size", "LastModifiedDate"):
        if needed not in objects.columns:
            raise InputError(f"the inventory has no {needed} field (fileSchema: {schema}); "
                             "include it in the inventory configuration", file=path)
    try:
        pattern = re.compile(key_pattern or STUDY_KEY_PATTERN)
    except re.error as exc:
        raise InputError(f"--key-pattern {key_pattern!r}: not a regular expression ({exc})") \
            from None
    if "study" not in pattern.groupindex:
        raise InputError(f"--key-pattern {pattern.pattern!r}: needs a (?P<study>...) group")
    keys = objects["Key"].astype(str)
    encoded = keys.str.contains(r"[%+]", regex=True)  # only these need decoding
    if encoded.any():
        keys = keys.copy()
        keys[encoded] = keys[encoded].map(_url_unquote)
    parts = keys.str.extract(pattern)
    unmatched = parts["study"].isna().to_numpy()
    fail_rows(unmatched, path, "Key", f"does not match the study key pattern {pattern.pattern!r}"
               " (give --key-pattern)", keys.to_numpy(), row_offset=1)
    if "modality" in parts.columns:
        modality = parts["modality"].fillna("OT")
    else:
        codes = sorted({*MODALITIES, *MODALITY_ALIASES}, key=len, reverse=True)
        segment = rf"(?:^|/)({'|'.join(map(re.escape, codes))})(?=/|$)"  # the first one
        modality = keys.str.upper().str.extract(segment)[0].fillna("OT")
    sizes = pd.to_numeric(objects["Size"], errors="coerce")
    fail_rows(sizes.isna().to_numpy(), path, "Size", "is not a size in bytes",
               objects["Size"].to_numpy(), row_offset=1)
    times = pd.to_datetime(objects["LastModifiedDate"], utc=True, errors="coerce",
                           format="ISO8601")
    fail_rows(times.isna().to_numpy(), path, "LastModifiedDate", "is not an ISO 8601 time",
               objects["LastModifiedDate"].to_numpy(), row_offset=1)
    table = pd.DataFrame({"study": parts["study"], "size": sizes, "time": times,
                          "modality": modality.str.upper().replace(MODALITY_ALIASES),
                          "storage_class": objects.get("StorageClass", "STANDARD")})
    grouped = table.groupby("study", sort=False)
    out = pd.DataFrame({
        "study": pseudo(pd.Series(grouped.size().index), "S").to_numpy(),
        "time": grouped["time"].min().dt.tz_localize(None).astype("datetime64[ns]").to_numpy(),
        "modality": grouped["modality"].first().where(
            lambda m: m.isin(MODALITIES), "OT").to_numpy(),
        "size_bytes": grouped["size"].sum().astype(np.int64).to_numpy(),
        "objects": grouped.size().astype(float).to_numpy(),
        "storage_class": _most_common(table, "storage_class").reindex(
            grouped.size().index).to_numpy(),
    })
    out["patient"] = None
    out["age_years"] = np.nan
    return out


def _most_common(table: pd.DataFrame, column: str) -> pd.Series:
    """Each study's most common value of ``column`` (ties: the first in sort order)."""
    counts = table.groupby(["study", column], sort=False).size().reset_index(name="n")
    counts = counts.sort_values(["study", "n", column], ascending=[True, False, True])
    return counts.drop_duplicates("study").set_index("study")[column]


def _url_unquote(key: str) -> str:
    from urllib.parse import unquote_plus

    return unquote_plus(key)


def _inventory_files(path: Path) -> tuple[list[Path], str, str]:
    if not path.exists():
        raise InputError("file not found", file=path)
    if path.name.endswith("manifest.json"):
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON ({exc.msg}, line {exc.lineno})", file=path) \
                from None
        fmt = str(manifest.get("fileFormat", "CSV")).upper()
        if fmt not in ("CSV", "PARQUET"):
            raise InputError(f"fileFormat {fmt}: allowed CSV, Parquet (ORC is not read)",
                             file=path)
        schema = manifest.get("fileSchema", INVENTORY_DEFAULT_SCHEMA)
        files = []
        for entry in manifest.get("files", []):
            name = Path(str(entry.get("key", ""))).name
            candidates = [path.parent / "data" / name, path.parent / name]
            found = next((c for c in candidates if c.is_file()), None)
            if found is None:
                raise InputError(f"files: {entry.get('key')!r} is listed but not found next to "
                                 "the manifest (looked in data/ and the manifest's folder)",
                                 file=path)
            files.append(found)
        if not files:
            raise InputError("files: the manifest lists no inventory files", file=path)
        return files, schema, fmt
    fmt = "PARQUET" if path.suffix.lower() == ".parquet" else "CSV"
    return [path], INVENTORY_DEFAULT_SCHEMA, fmt


def _inventory_frame(path: Path, schema: str, fmt: str) -> pd.DataFrame:
    if fmt == "PARQUET":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds
            raise InputError(f"cannot read as Parquet ({exc})", file=path) from None
        # AWS writes Parquet inventories with snake_case fields (key, last_modified_date, ...)
        frame = frame.rename(columns=lambda c: PARQUET_FIELDS.get(str(c), str(c)))
        if "LastModifiedDate" in frame and pd.api.types.is_datetime64_any_dtype(
                frame["LastModifiedDate"]):
            stamps = frame["LastModifiedDate"]
            if stamps.dt.tz is None:
                stamps = stamps.dt.tz_localize("UTC")
            frame["LastModifiedDate"] = stamps.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        return frame.astype(str)
    fields = [f.strip() for f in schema.split(",")]
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except OSError as exc:
            raise InputError(f"cannot decompress ({exc})", file=path) from None
    try:
        frame = pd.read_csv(io.BytesIO(data), header=None, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read as CSV ({exc})", file=path) from None
    if frame.shape[1] != len(fields):
        raise InputError(f"{frame.shape[1]} columns, but the fileSchema names {len(fields)} "
                         f"({schema})", file=path)
    frame.columns = fields
    return frame


SCA_COLUMNS = ("Date", "StorageClass", "ObjectAge", "Storage_MB", "DataRetrieved_MB",
               "GetRequestCount")


def read_storage_class_analysis(path: Path) -> pd.DataFrame:
    """An S3 Storage Class Analysis export (CSV): per day and object-age group, storage and
    data retrieved.  Returns ``age_from_days``, ``age_to_days`` (NaN: open), ``storage_mb``,
    ``retrieved_mb``, ``days`` (distinct dates in the export)."""
    raw = _read_csv(path)
    raw.columns = [c.strip() for c in raw.columns]
    missing = [c for c in SCA_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}; a Storage Class Analysis "
                         f"export has {', '.join(SCA_COLUMNS)}, ...", file=path)
    ages = raw["ObjectAge"].str.extract(r"^(\d+)(?:-(\d+)|\+)$")
    fail_rows(ages[0].isna().to_numpy(), path, "ObjectAge",
               "is not an age group such as 000-014 or 730+", raw["ObjectAge"].to_numpy())
    numbers = {}
    for col in ("Storage_MB", "DataRetrieved_MB"):
        values = pd.to_numeric(raw[col].replace("", "0"), errors="coerce")
        fail_rows(values.isna().to_numpy(), path, col, "is not a number", raw[col].to_numpy())
        numbers[col] = values
    table = pd.DataFrame({"age_from_days": ages[0].astype(float),
                          "age_to_days": pd.to_numeric(ages[1], errors="coerce") + 1,
                          "storage_mb": numbers["Storage_MB"],
                          "retrieved_mb": numbers["DataRetrieved_MB"]})
    summary = table.groupby(["age_from_days", "age_to_days"], dropna=False).sum().reset_index()
    summary["days"] = raw["Date"].nunique()
    return summary


# ------------------------------------------------------------------------------------ DICOM

DICOM_TAGS = ("StudyInstanceUID", "StudyDate", "StudyTime", "Modality", "PatientID",
              "PatientBirthDate", "PatientAge")


def read_dicom_folder(folder: Path, pseudo: Pseudonymizer,
                      progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Every DICOM file under ``folder`` (headers only) as the studies table: one row per
    StudyInstanceUID, size = the files' bytes, objects = the files."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    if not folder.is_dir():
        raise InputError("not a folder", file=folder)
    rows = []
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "DICOMDIR")
    if not files:
        raise InputError("no files in the folder", file=folder)
    for i, f in enumerate(files):
        try:
            ds = pydicom.dcmread(f, stop_before_pixels=True, specific_tags=list(DICOM_TAGS))
        except (InvalidDicomError, OSError, EOFError, ValueError, TypeError) as exc:
            raise InputError(f"not a readable DICOM file ({type(exc).__name__}: {exc})",
                             file=f) from None
        uid = str(ds.get("StudyInstanceUID", "")).strip()
        if not uid:
            raise InputError("no StudyInstanceUID (0020,000D)", file=f)
        rows.append((uid, str(ds.get("StudyDate", "")), str(ds.get("StudyTime", "")),
                     str(ds.get("Modality", "")), str(ds.get("PatientID", "")),
                     str(ds.get("PatientBirthDate", "")), str(ds.get("PatientAge", "")),
                     f.stat().st_size, str(f)))
        if progress is not None and i % 500 == 0:
            progress(i)
    raw = pd.DataFrame(rows, columns=[*DICOM_TAGS, "bytes", "file"])
    for tag in ("StudyDate", "Modality"):
        blank = (raw[tag].str.strip() == "").to_numpy()
        if blank.any():
            where = int(np.argmax(blank))
            raise InputError(f"no {tag} in the header", file=raw["file"].iloc[where])
    bad_date = ~raw["StudyDate"].str.strip().str.fullmatch(r"\d{8}")
    if bad_date.any():
        where = int(np.argmax(bad_date.to_numpy()))
        raise InputError(f"StudyDate {raw['StudyDate'].iloc[where]!r} is not a DICOM date "
                         "(YYYYMMDD)", file=raw["file"].iloc[where])
    grouped = raw.groupby("StudyInstanceUID", sort=False)
    first = grouped.first()
    time = parse_times(first["StudyDate"], folder, "StudyDate", clock=first["StudyTime"])
    out = pd.DataFrame({
        "study": pseudo(pd.Series(first.index), "S").to_numpy(),
        "time": time.to_numpy(),
        "modality": modality_codes(first["Modality"].reset_index(drop=True), folder,
                                   "Modality").to_numpy(),
        "size_bytes": grouped["bytes"].sum().astype(np.int64).to_numpy(),
        "objects": grouped.size().astype(float).to_numpy(),
        "patient": pseudo(first["PatientID"].reset_index(drop=True), "P").to_numpy(),
    })
    birth = first["PatientBirthDate"].reset_index(drop=True)
    known = birth.str.fullmatch(r"\d{8}").to_numpy()
    ages = whole_years(pd.to_datetime(birth.where(known), format="%Y%m%d", errors="coerce"),
                       pd.Series(out["time"]))
    from_tag = first["PatientAge"].reset_index(drop=True).str.extract(r"^(\d{3})Y$")[0]
    out["age_years"] = ages.where(known, pd.to_numeric(from_tag, errors="coerce")).to_numpy()
    out["storage_class"] = None
    return out
