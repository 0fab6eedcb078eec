"""Where a scenario's value comes from: the file of the ``extends`` chain that sets it and the
comment on its line (the bundled scenarios note the source and as-of date, or ASSUMPTION, next to
every value).

For example ``source_of(Path("scenarios/academic-medical-center-onprem.yaml"),
"archives.0.pue")`` finds line 17 of that file and its comment, "industry average 2023 (Uptime
Institute, A/B)".
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Source:
    """A value's place in the scenario files and what its comment says."""

    file: Path
    line: int
    """1-based line number."""
    comment: str
    """The comment on the value's line ('' when there is none)."""

    @property
    def is_assumption(self) -> bool:
        return "ASSUMPTION" in self.comment

    def describe(self) -> str:
        """The comment, or where the value is set when it has none."""
        return self.comment or f"no source noted ({self.file.name}, line {self.line})"


def extends_chain(path: Path) -> list[Path]:
    """The file and the files it extends, most derived first (at most 20 levels)."""
    chain = [path]
    while len(chain) < 20:
        parsed = _parsed(chain[-1])
        data = parsed[1] if parsed is not None else None
        parent = data.get("extends") if isinstance(data, dict) else None
        if not isinstance(parent, str):
            break
        chain.append((chain[-1].parent / parent).resolve())
    return chain


def source_of(path: Path, dotted: str) -> Source | None:
    """The first file of ``path``'s extends chain that sets the field at ``dotted`` (list items
    by index, archives also by name), with the comment on that line; None when no file sets it
    (a default of the model)."""
    for file in extends_chain(path):
        parsed = _parsed(file)
        if parsed is None:
            continue
        text, _, node = parsed
        line = _find(node, dotted.split("."))
        if line is not None:
            raw = text.splitlines()[line]
            return Source(file, line + 1, _comment(raw))
    return None


def _parsed(file: Path) -> tuple[str, object, yaml.Node | None] | None:
    """A scenario file's text, data and node tree (None when it cannot be read), parsed once
    per version of the file (a sensitivity table asks for dozens of values)."""
    try:
        stat = file.stat()
    except OSError:
        return None
    return _parse(file, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _parse(file: Path, mtime_ns: int, size: int) -> tuple[str, object, yaml.Node | None] | None:
    try:
        text = file.read_text(encoding="utf-8")
        return text, yaml.safe_load(text), yaml.compose(text)
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None


def _find(node, keys: list[str]) -> int | None:
    """The 0-based line of the key (or list item) at ``keys`` below ``node``, or None."""
    line = None
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value
                          if isinstance(k, yaml.ScalarNode) and k.value == key), None)
            if match is None:
                return None
            line, node = match[0].start_mark.line, match[1]
        elif isinstance(node, yaml.SequenceNode):
            item = _item(node, key)
            if item is None:
                return None
            line, node = item.start_mark.line, item
        else:
            return None
    return line


def _item(node: yaml.SequenceNode, key: str):
    """A list item by index, or the mapping item whose ``name`` is ``key``."""
    if key.isdigit():
        index = int(key)
        return node.value[index] if index < len(node.value) else None
    for item in node.value:
        if isinstance(item, yaml.MappingNode) and any(
                isinstance(k, yaml.ScalarNode) and k.value == "name"
                and isinstance(v, yaml.ScalarNode) and v.value == key for k, v in item.value):
            return item
    return None


def _comment(line: str) -> str:
    """The comment of a YAML line: after the first '#' outside quotes."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[i + 1:].strip()
    return ""
