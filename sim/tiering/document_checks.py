"""Small helpers the policy-document parsers share: collecting problems, whole numbers, unknown
keys.  Each problem line names where (rule and field) and what is allowed."""

from __future__ import annotations

from typing import Any


class Problems:
    """Every problem found in a document, one line each."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, where: str, what: str) -> None:
        self.lines.append(f"{where}: {what}")


def integer(value: Any) -> int | None:
    """A whole number given as int, digit string or integral float; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def unknown(raw: dict, allowed: set[str], where: str, problems: Problems) -> None:
    """One problem per key of ``raw`` not in ``allowed``."""
    for key in raw:
        if key not in allowed:
            problems.add(f"{where} {key}",
                         f"unknown element; allowed: {', '.join(sorted(allowed))}")
