"""Folders of batch analyses (Monte Carlo, sensitivity, sweeps), which grow as tasks finish.

The folder is the batch's store: ``batch.json`` says what the batch is (command, scenario files
and a hash of their content, runs, seed, grid); finished tasks are in ``tasks/``; summaries and
figures are rewritten, each file whole, at the end.  Running the same command again resumes it;
a different batch in the same folder is refused.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.files import check_out_dir, write_atomically

MARKER = "batch.json"


def describe(command: str, specs, **settings: Any) -> dict:
    """What identifies a batch: the command, each scenario file with its content hash, and
    the settings."""
    files = [{"file": str(s.path.resolve()), "sha256": hashlib.sha256(json.dumps(
        s.data, sort_keys=True, default=str).encode()).hexdigest()[:16]} for s in specs]
    return {"command": command, "scenarios": files,
            **json.loads(json.dumps(settings, default=str))}


def open_batch(out_dir: Path, description: dict) -> Path:
    """Create the batch folder, or check that it holds this same batch (to resume it)."""
    check_out_dir(out_dir, MARKER)
    out_dir = out_dir.resolve()
    marker = out_dir / MARKER
    if marker.is_file():
        held = json.loads(marker.read_text(encoding="utf-8"))
        finished = out_dir / "tasks"
        if held != description and not any(
                not p.name.startswith(".") for p in finished.glob("*.parquet")):
            write_text(marker, json.dumps(description, indent=2) + "\n")  # nothing to lose
            return out_dir
        if held != description:
            changed = sorted(k for k in set(held) | set(description)
                             if held.get(k) != description.get(k))
            raise InputError(f"--out holds a different batch (differs in: {', '.join(changed)})"
                             "; give a new folder, or the same command to resume", out_dir)
        return out_dir
    if out_dir.is_file() or (out_dir.is_dir() and any(out_dir.iterdir())):
        raise InputError("--out: not empty and not a batch folder; give a new or empty folder",
                         out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_text(marker, json.dumps(description, indent=2) + "\n")
    return out_dir


def write_text(path: Path, text: str) -> None:
    """Write a text file whole."""
    write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """Write a binary file whole."""
    write_atomically(path, lambda tmp: tmp.write_bytes(data))
