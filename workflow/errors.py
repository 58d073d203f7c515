"""The one error type for bad user input (files, JSON, mock configurations).

The CLI turns an `InputError` into one line on stderr and exit code 2; nothing else
about bad input may reach the user as a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def json_path(parts: Iterable[str | int]) -> str:
    """Render a location inside a JSON document as `$.a.b[0]['odd key']`."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _PLAIN_KEY.match(part):
            out.append(f".{part}")
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            out.append(f"['{escaped}']")
    return "".join(out)


class InputError(Exception):
    """A user-supplied file cannot be used: it names the file, the JSON path and why."""

    def __init__(self, file: str, path: str | Iterable[str | int], message: str):
        self.file = str(file)
        self.path = path if isinstance(path, str) else json_path(path)
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}"
