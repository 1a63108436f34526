"""The one exception type that the command line turns into a one-line message."""

from __future__ import annotations

import os
from typing import Iterable, Mapping


class InputError(ValueError):
    """Bad user input: a file, the line where it went wrong, and the problem.

    The CLI prints ``str(error)`` alone, exits non-zero and shows no traceback.
    """

    def __init__(self, problem: str, path: str | os.PathLike | None = None, line: int | None = None):
        self.problem = problem
        self.path = None if path is None else str(path)
        self.line = line
        super().__init__(self._format())

    def _format(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}, line {self.line}"
            where += ": "
        return f"{where}{self.problem}"


def differences(found: Mapping, wanted: Mapping, keys: Iterable) -> list[str]:
    """``"KEY FOUND, not WANTED"`` for each of ``keys`` whose two values differ (a missing
    key reads None): what a refusal to mix two runs' options names."""
    return [f"{key} {found.get(key)!r}, not {wanted.get(key)!r}" for key in keys if found.get(key) != wanted.get(key)]
