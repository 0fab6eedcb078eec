"""Write a run's output folder, all or nothing.

Files: ``ledger.csv``, ``workload.csv``, ``summary.json``, ``scenario.resolved.yaml`` and, with
``export_trace``, ``trace/studies.csv`` and ``trace/reads.csv`` (the trace format, so a run can be
inspected or replayed).  Everything is written to a temporary folder beside ``out_dir`` and moved
into place at the end, so a failure never leaves a half-written folder.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.errors import InputError
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


@contextmanager
def staged_folder(out_dir: str | Path, marker: str) -> Iterator[Path]:
    """A new folder beside ``out_dir`` to write into; it replaces ``out_dir`` when the block
    ends without error, and is removed otherwise (nothing half-written).  ``marker``: the file
    this command always writes (an existing ``out_dir`` without it is refused)."""
    out_dir = Path(out_dir).resolve()
    check_out_dir(out_dir, marker)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a result folder is not
    try:
        yield staging
        _replace_folder(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Write one file whole: ``write(tmp)`` beside ``path``, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_out_dir(out_dir: Path, marker: str = "summary.json") -> None:
    """Refuse to replace a folder that is not an earlier output of the same command (it may
    hold user files); ``marker`` is the file that command always writes."""
    out_dir = Path(out_dir).resolve()
    if out_dir.is_file():
        raise InputError("--out: this is a file; give a folder for the output", out_dir)
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / marker).is_file():
        raise InputError(
            "--out: the folder exists, is not empty and is not an earlier output of this "
            f"command (no {marker}); give a new or empty folder",
            out_dir,
        )


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV with full float precision and Unix line ends (byte-identical for identical frames)."""
    frame.to_csv(path, index=False, lineterminator="\n")


def write_reads(result: RunResult, path: Path) -> None:
    """Every read of every tiered archive: study (row of trace/studies.csv), time (UTC), archive,
    tier served from, latency in seconds, and why the study was read."""
    reads = result.reads
    assert reads is not None
    frame = pd.DataFrame({
        "study": reads["study"].to_numpy(),
        "time": pd.to_datetime(result.workload.calendar.timestamps(reads["time_s"].to_numpy()))
        .tz_localize("UTC"),
        "archive": pd.Categorical(reads["archive"]),
        "tier": pd.Categorical(reads["tier"]),
        "latency_s": reads["latency_s"].to_numpy(),
        "read_kind": pd.Categorical(reads["read_kind"]),
    })
    frame.to_parquet(path, index=False)


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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _replace_folder(staging: Path, out_dir: Path) -> None:
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
        out_dir.rename(old / out_dir.name)
        staging.rename(out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(out_dir)
