"""Files written whole or not at all, and output folders checked before any work is done.

Helpers that depend on nothing in the simulator: every command that writes uses them (run and
comparison folders, batch stores, calibration folders).
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from sim.errors import InputError


@contextmanager
def staged_folder(out_dir: str | Path, marker: str) -> Iterator[Path]:
    """A new folder beside ``out_dir`` to write into; it replaces ``out_dir`` when the block
    ends without error, and is removed otherwise (nothing half-written).  ``marker``: the file
    this command always writes (an existing ``out_dir`` without it is refused)."""
    out_dir = Path(out_dir).resolve()
    check_out_dir(out_dir, marker)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(out_dir.parent, f".{out_dir.name}.")
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.{os.getpid()}.",
                                    dir=out_dir.parent))
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
    handle, tmp = tempfile.mkstemp(prefix=f".{path.stem}.{os.getpid()}.", suffix=path.suffix,
                                   dir=path.parent)
    os.close(handle)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_stale(folder: Path, prefix: str) -> None:
    """Remove what a killed writer left in ``folder``: hidden staging folders and half-written
    files named ``PREFIX<pid>.…`` (or ``PREFIXold.<pid>.…``) whose process is gone."""
    for entry in folder.glob(f"{glob.escape(prefix)}*"):
        fields = entry.name[len(prefix):].removeprefix("old.").split(".", 1)
        if not fields[0].isdigit() or _alive(int(fields[0])):
            continue  # another writer's, still running (or not ours)
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


# Room left in a folder name for the staging folder's ".NAME.<pid>.<random>" [bytes]
_NAME_MAX_BYTES = 255 - 40
_PATH_MAX_BYTES = 4096 - 100


def check_out_dir(out_dir: Path, marker: str = "summary.json") -> None:
    """Check ``--out`` before any work is done: a folder can be made there and written to, and
    it is not a folder of something else (it may hold user files; ``marker`` is the file this
    command always writes, so an earlier output of the same command may be replaced)."""
    text = str(out_dir)
    if "\x00" in text:
        raise InputError("--out: the path contains a NUL character; give a folder path")
    out_dir = Path(out_dir).absolute()
    if len(os.fsencode(str(out_dir))) > _PATH_MAX_BYTES:
        raise InputError(f"--out: the path is {len(os.fsencode(str(out_dir))):,} bytes long; "
                         f"at most {_PATH_MAX_BYTES:,} are allowed", _short(out_dir))
    for part in out_dir.parts:
        if len(os.fsencode(part)) > _NAME_MAX_BYTES:
            raise InputError(f"--out: the folder name {_short(part)!r} is "
                             f"{len(os.fsencode(part))} bytes long; at most {_NAME_MAX_BYTES} "
                             "are allowed (the file system allows 255, less room for a staging "
                             "name)")
    out_dir = out_dir.resolve()
    existing = next(p for p in (out_dir, *out_dir.parents) if p.exists())
    if existing != out_dir and not existing.is_dir():
        raise InputError(f"--out: {existing} is a file, so no folder can be made under it; "
                         "give a folder path", out_dir)
    if out_dir.is_file():
        raise InputError("--out: this is a file; give a folder for the output", out_dir)
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / marker).is_file():
        raise InputError(
            "--out: the folder exists, is not empty and is not an earlier output of this "
            f"command (no {marker}); give a new or empty folder",
            out_dir,
        )
    writable = existing if existing != out_dir else out_dir.parent
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".archive-sim-probe.", dir=writable))
    except OSError as exc:
        raise InputError(f"--out: cannot create folders in {writable} ({exc.strerror}); give a "
                         "folder you can write to", out_dir) from None


def _short(text: object, keep: int = 60) -> str:
    text = str(text)
    return text if len(text) <= keep else f"{text[:keep]}… ({len(text):,} characters)"


def safe_folder_names(names: list[str], max_chars: int = 80) -> dict[str, str]:
    """A folder name for each (distinct) name: ASCII letters, digits, ``.``, ``_`` and ``-``
    only (accents dropped, anything else becomes ``-``), no leading dot, at most ``max_chars``;
    names that clash after cleaning get ``-2``, ``-3``... so no folder escapes its parent or
    overwrites another's.

    >>> safe_folder_names(["../../etc", "/abs/path", "Hôpital Nord", "a" * 100])["../../etc"]
    'etc'
    >>> safe_folder_names(["a/b", "a b"])
    {'a/b': 'a-b', 'a b': 'a-b-2'}
    """
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        clean = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip(".-")[:max_chars] or "option"
        folder, n = clean, 1
        while folder.lower() in taken:
            n += 1
            folder = f"{clean[:max_chars - len(str(n)) - 1]}-{n}"
        taken.add(folder.lower())
        out[name] = folder
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV with full float precision and Unix line ends (byte-identical for identical frames)."""
    frame.to_csv(path, index=False, lineterminator="\n")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _replace_folder(staging: Path, out_dir: Path) -> None:
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.{os.getpid()}.",
                                    dir=out_dir.parent))
        out_dir.rename(old / out_dir.name)
        staging.rename(out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(out_dir)
