"""The one place JSON is read from files and written canonically.

Canonical form: indent 2, UTF-8 (non-ASCII kept as is), key order preserved, one
trailing newline, so that generated files diff quietly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workflow.errors import InputError


def dumps_canonical(value: Any) -> str:
    """Serialise `value` in the project's canonical JSON form (with trailing newline)."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def write_json(path: str | Path, value: Any) -> None:
    """Write `value` to `path` in canonical form, creating parent folders."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_canonical(value), encoding="utf-8")


def parse_json_text(text: str, source: str) -> Any:
    """Parse JSON text, naming `source` and the line/column on failure."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source, "$", f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None


def read_text(path: str | Path) -> str:
    """Read a UTF-8 text file (a BOM is dropped); a missing, unreadable or undecodable file
    raises `InputError` naming it."""
    path = Path(path)
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(str(path), "$", "file not found") from None
    except IsADirectoryError:
        raise InputError(str(path), "$", "is a directory, expected a file") from None
    except UnicodeDecodeError as exc:
        raise InputError(str(path), "$", f"not UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(str(path), "$", f"cannot read: {exc.strerror}") from None


def load_json(path: str | Path) -> Any:
    """Read a JSON file; a missing, unreadable or malformed file raises `InputError`."""
    return parse_json_text(read_text(path), str(path))
