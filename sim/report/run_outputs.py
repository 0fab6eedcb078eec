"""Write a run's output folder, all or nothing.

Files: ``ledger.csv``, ``workload.csv``, ``summary.json``, ``scenario.resolved.yaml`` and, with
``export_trace``, ``trace/studies.csv`` and ``trace/reads.csv`` (the trace format, so a run can be
inspected or replayed).  Everything is written to a temporary folder beside ``out_dir`` and moved
into place at the end, so a failure never leaves a half-written folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from sim.files import staged_folder, write_csv
from sim.run import RunResult
from sim.workload import READ_KIND_NAMES, Workload


def write_run(result: RunResult, out_dir: str | Path, export_trace: bool = False) -> Path:
    """Write ``result`` into ``out_dir`` (replacing the files a previous run wrote there)."""
    with staged_folder(out_dir, "summary.json") as staging:
        write_csv(result.ledger, staging / "ledger.csv")
        write_csv(result.workload_table, staging / "workload.csv")
        (staging / "summary.json").write_text(
            json.dumps(result.summary, indent=2, sort_keys=False) + "\n", encoding="utf-8"
        )
        resolved = result.scenario.model_dump(mode="json")
        (staging / "scenario.resolved.yaml").write_text(
            yaml.safe_dump(resolved, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        if export_trace:
            write_trace(result.workload, staging / "trace")
        if result.reads is not None:
            write_reads(result, staging / "reads.parquet")
        if result.events is not None:
            write_events(result, staging / "events.csv")
    return Path(out_dir).resolve()


def write_reads(result: RunResult, path: Path) -> None:
    """Every read of every tiered archive: study (row of trace/studies.csv), time (UTC), archive,
    tier served from, latency in seconds, and why the study was read."""
    reads = result.reads
    assert reads is not None
    time_ms = reads["time_s"].to_numpy() * 1000  # one new array: the run's clock in UTC ms
    time_ms += int(np.datetime64(result.workload.calendar.start, "ms").astype(np.int64))
    table = pa.table({  # built column by column: no pandas frame of timestamps in between
        "study": reads["study"].to_numpy(),
        "time": pa.array(time_ms, type=pa.timestamp("ms", tz="UTC")),
        "archive": _dictionary(reads["archive"]),
        "tier": _dictionary(reads["tier"]),
        "latency_s": reads["latency_s"].to_numpy(),
        "read_kind": _dictionary(reads["read_kind"]),
    })
    # the categories as dictionaries; the times (sorted) delta-encoded, with min/max statistics
    # (what a reader filters on): 1.3 s -> 0.9 s and 176 -> 127 MB for 17.6 M reads
    pq.write_table(table, path, use_dictionary=["archive", "tier", "read_kind"],
                   write_statistics=["time"],
                   column_encoding={"time": "DELTA_BINARY_PACKED", "study": "PLAIN",
                                    "latency_s": "PLAIN"},
                   compression={"study": "snappy", "time": "none", "archive": "none",
                                "tier": "snappy", "latency_s": "snappy",
                                "read_kind": "snappy"})


def _dictionary(column: pd.Series) -> pa.DictionaryArray:
    """A column of names as an Arrow dictionary (its categories, or its distinct values)."""
    names = column.array if isinstance(column.dtype, pd.CategoricalDtype) \
        else pd.Categorical(column)
    return pa.DictionaryArray.from_arrays(names.codes, pa.array(names.categories.astype(str)))


def write_events(result: RunResult, path: Path) -> None:
    """Tier changes, restores, expirations and deletions (the ``--events`` audit trail)."""
    events = result.events
    assert events is not None
    st = result.workload.studies
    uid = st.study_uid if st.study_uid is not None else _ids("S", len(st))
    frame = pd.DataFrame({
        "time": _iso(result.workload.calendar.timestamps(events["time_s"].to_numpy())),
        "study_id": np.asarray(uid, dtype=object)[events["study"].to_numpy()],
        "archive": events["archive"],
        "event": events["event"],
        "from_tier": events["from_tier"],
        "to_tier": events["to_tier"],
    })
    write_csv(frame, path)


def write_trace(workload: Workload, folder: Path) -> None:
    """The workload in the trace format (``workload.trace``), plus a ``kind`` column for reads."""
    folder.mkdir(parents=True, exist_ok=True)
    st, rd = workload.studies, workload.reads
    cal = workload.calendar
    uid = st.study_uid if st.study_uid is not None else _ids("S", len(st))
    studies = pd.DataFrame(
        {
            "study_id": uid,
            "created": _iso(cal.timestamps(st.created_s)),
            "size_bytes": st.size_bytes,
            "objects": st.objects,
            "modality": np.asarray(workload.modalities, dtype=object)[st.modality],
            "patient_id": _ids("P", int(st.patient.max()) + 1 if len(st) else 0)[st.patient],
            "patient_age_years": st.age_years,
        }
    )
    write_csv(studies, folder / "studies.csv")
    kind_names = np.array([READ_KIND_NAMES[k] for k in sorted(READ_KIND_NAMES)], dtype=object)
    reads = pd.DataFrame(
        {
            "study_id": np.asarray(uid, dtype=object)[rd.study],
            "time": _iso(cal.timestamps(rd.time_s)),
            "kind": kind_names[rd.kind],
        }
    )
    write_csv(reads, folder / "reads.csv")


def _ids(prefix: str, n: int) -> np.ndarray:
    width = max(7, len(str(n)))
    return np.char.add(prefix, np.char.zfill(np.arange(n).astype(str), width)).astype(object)


def _iso(stamps: np.ndarray) -> np.ndarray:
    return np.char.add(np.datetime_as_string(stamps, unit="s"), "Z").astype(object)
