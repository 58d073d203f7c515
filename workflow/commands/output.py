"""Shared terminal output: one rich Console per stream, sized sensibly off a terminal."""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console


def console(stderr: bool = False) -> Console:
    """A Console that wraps at the terminal width, or at 160 columns when piped."""
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else 160
    return Console(file=stream, width=width, soft_wrap=False, highlight=False)


def jsonable(value: Any) -> Any:
    """Make emulator values JSON-serialisable (datetimes become ISO strings)."""
    from datetime import datetime

    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
