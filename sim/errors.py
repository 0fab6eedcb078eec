"""The one exception type for bad user input.

Every reader at the edge (scenario YAML, trace CSV, policy documents) raises :class:`InputError`
with the file, the field and what is allowed, so the CLI can print one paragraph and exit 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class InputError(ValueError):
    """Bad user input: names the file, the field and what is allowed.

    Parameters
    ----------
    problems
        One line per problem, each already naming the field and what is allowed.
    file
        The file the input came from, if any.
    """

    def __init__(self, problems: str | list[str], file: str | Path | None = None):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.file = str(file) if file is not None else None
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = f"{self.file}: " if self.file else ""
        if len(self.problems) == 1:
            return f"{where}{self.problems[0]}"
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return f"{where}{len(self.problems)} problems:\n{lines}"


@contextmanager
def named_file(file: str | Path | None) -> Iterator[None]:
    """Problems raised inside without a file (e.g. found while drawing the workload) are
    reported as the given file's."""
    try:
        yield
    except InputError as exc:
        if exc.file is not None or file is None:
            raise
        raise InputError(exc.problems, file=file) from None
