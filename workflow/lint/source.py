"""Reading definitions (JSON or YAML) and finding where a JSON Pointer sits in the text.

`load_definition(path)` returns the parsed value and its text; unreadable input raises
`InputError` naming the file and where (`DefinitionSyntaxError`, which also carries the
line and column, for invalid JSON or YAML). `collect_files(paths)` expands folders and
refuses a path that names no definition at all. `positions(text, is_yaml)` maps each JSON Pointer
to its 1-based (line, column): the member's key for object members, the value for array
items. Positions are best effort: text the scanner cannot follow yields no positions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from workflow.errors import InputError
from workflow.jsonio import read_text

YAML_SUFFIXES = (".yaml", ".yml")
LINT_SUFFIXES = (".json", ".yaml", ".yml")  # *.asl.json ends in .json too


class DefinitionSyntaxError(InputError):
    """Invalid JSON or YAML: an `InputError` that also keeps the 1-based line and column."""

    def __init__(self, file: str, message: str, line: int | None, column: int | None):
        super().__init__(file, "$", message)
        self.line = line
        self.column = column


def parse_text(text: str, source: str, is_yaml: bool) -> Any:
    """Parse JSON or YAML text; a syntax error raises `DefinitionSyntaxError`."""
    if not is_yaml:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise DefinitionSyntaxError(source, f"invalid JSON at line {exc.lineno} column "
                                                f"{exc.colno}: {exc.msg}",
                                        exc.lineno, exc.colno) from None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        where = f" at line {line} column {column}" if mark else ""
        problem = getattr(exc, "problem", None) or "cannot parse"
        raise DefinitionSyntaxError(source, f"invalid YAML{where}: {problem}",
                                    line, column) from None


def load_definition(path: str | Path) -> tuple[Any, str]:
    """Read and parse one definition file; returns (value, text).

    A JSON file may hold bare `${Name}` placeholders where a number or a boolean goes
    (`"TimeoutSeconds": ${Timeout}`): SAM and CloudFormation substitute the file's text
    before parsing it (DefinitionUri with DefinitionSubstitutions), so such a file
    deploys. It is read with each bare placeholder quoted, and the text returned is the
    quoted one; `is_bare_placeholder` tells the rules which strings stood bare.
    """
    path = Path(path)
    text = read_text(path)
    is_yaml = path.suffix.lower() in YAML_SUFFIXES
    if not is_yaml and "${" in text:
        quoted = quote_bare_placeholders(text)
        if quoted != text:
            try:
                return json.loads(quoted), quoted
            except json.JSONDecodeError:
                pass  # report the error of the file as written
    return parse_text(text, str(path), is_yaml), text


_BARE_MARK = "\\u0000bare"  # a JSON escape: decodes to NUL, which no real placeholder holds


def quote_bare_placeholders(text: str) -> str:
    """Quote each `${Name}` that stands outside JSON strings, marking it as bare.

    The quoted value reads `"\u0000bare${Name}"`, so after parsing it is a string that
    starts with NUL + "bare" and `is_bare_placeholder` recognises it.
    """
    out, pos, in_string = [], 0, False
    while pos < len(text):
        char = text[pos]
        if in_string:
            if char == "\\":
                out.append(text[pos:pos + 2])
                pos += 2
                continue
            in_string = char != '"'
        elif char == '"':
            in_string = True
        elif text.startswith("${", pos):
            match = _BARE.match(text, pos)
            if match:
                out.append(f'"{_BARE_MARK}{match.group()}"')
                pos = match.end()
                continue
        out.append(char)
        pos += 1
    return "".join(out)


_BARE = re.compile(r"\$\{[A-Za-z0-9_.:-]+\}")


def is_bare_placeholder(value: Any) -> bool:
    """True for a string that stood as a bare `${Name}` in the file (see load_definition)."""
    return isinstance(value, str) and value.startswith("\x00bare${")


NO_DEFINITIONS = "no ASL definitions (*.json, *.asl.json, *.yaml, *.yml) found"


def collect_files(paths: list[str]) -> list[Path]:
    """Expand folders into their definition files (recursively, sorted).

    A missing path, or a folder holding no definition file, raises `InputError`: a
    mistyped path in CI must not pass as "0 file(s), 0 error(s)".
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*")
                           if p.is_file() and p.suffix.lower() in LINT_SUFFIXES)
            if not found:
                raise InputError(raw, "$", NO_DEFINITIONS)
            files.extend(found)
        elif not path.exists():
            raise InputError(raw, "$", "file not found")
        else:
            files.append(path)
    return files


def _escape(part: str | int) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


_WS = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(r"[^,\]}\s]+")


def positions(text: str, is_yaml: bool = False) -> dict[str, tuple[int, int]]:
    """Map JSON Pointers to 1-based (line, column) in the source text."""
    try:
        return _yaml_positions(text) if is_yaml else _json_positions(text)
    except Exception:  # noqa: BLE001 - positions are decoration, never a failure
        return {}


def _json_positions(text: str) -> dict[str, tuple[int, int]]:
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    import bisect

    def where(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(line_starts, offset) - 1
        return line + 1, offset - line_starts[line] + 1

    out: dict[str, tuple[int, int]] = {}

    def value(pos: int, pointer: str) -> int:
        pos = _WS.match(text, pos).end()
        char = text[pos]
        if char == "{":
            pos = _WS.match(text, pos + 1).end()
            if text[pos] == "}":
                return pos + 1
            while True:
                key_match = _STRING.match(text, pos)
                key = json.loads(key_match.group())
                child = f"{pointer}/{_escape(key)}"
                out.setdefault(child, where(pos))
                pos = _WS.match(text, key_match.end()).end() + 1  # skip ':'
                pos = _WS.match(text, value(pos, child)).end()
                if text[pos] == "}":
                    return pos + 1
                pos = _WS.match(text, pos + 1).end()
        if char == "[":
            pos = _WS.match(text, pos + 1).end()
            if text[pos] == "]":
                return pos + 1
            index = 0
            while True:
                child = f"{pointer}/{index}"
                pos = _WS.match(text, pos).end()
                out.setdefault(child, where(pos))
                pos = _WS.match(text, value(pos, child)).end()
                if text[pos] == "]":
                    return pos + 1
                pos, index = pos + 1, index + 1
        if char == '"':
            return _STRING.match(text, pos).end()
        return _SCALAR.match(text, pos).end()

    out[""] = where(_WS.match(text, 0).end())
    value(0, "")
    return out


def _yaml_positions(text: str) -> dict[str, tuple[int, int]]:
    import yaml

    out: dict[str, tuple[int, int]] = {}

    def walk(node: Any, pointer: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, child in node.value:
                sub = f"{pointer}/{_escape(key.value)}"
                out.setdefault(sub, (key.start_mark.line + 1, key.start_mark.column + 1))
                walk(child, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, child in enumerate(node.value):
                sub = f"{pointer}/{i}"
                out.setdefault(sub, (child.start_mark.line + 1, child.start_mark.column + 1))
                walk(child, sub)

    root = yaml.compose(text)
    if root is not None:
        out[""] = (root.start_mark.line + 1, root.start_mark.column + 1)
        walk(root, "")
    return out


def locate(pointer: str, table: dict[str, tuple[int, int]]) -> tuple[int, int] | None:
    """Position of `pointer`, or of its closest ancestor that has one."""
    while True:
        if pointer in table:
            return table[pointer]
        if not pointer:
            return None
        pointer = pointer.rsplit("/", 1)[0]
