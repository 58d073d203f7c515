"""Reporters: text for people, JSON for scripts, SARIF 2.1.0 for code-scanning tools.

Only this module and the command format output; rules only return `Diagnostic`s.
A file that cannot be read or parsed is an `Unreadable`, not a finding of any rule: the
text report counts it in its summary, the JSON report lists it with the code
"unreadable", and the SARIF log records it as a tool execution notification.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workflow import __version__
from workflow.errors import InputError
from workflow.lint.diagnostic import Diagnostic
from workflow.lint.rule import REGISTRY
from workflow.lint.source import YAML_SUFFIXES, locate, positions


@dataclass(frozen=True)
class FileResult:
    """The findings of one file, with its text for line/column positions."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    text: str | None = None

    def position(self, diagnostic: Diagnostic) -> tuple[int, int] | None:
        """1-based (line, column) of a finding, when the source text allows it."""
        if self.text is None:
            return None
        table = _positions_cache(self)
        return locate(diagnostic.path.pointer, table)


UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Unreadable:
    """A file that could not be read or parsed: where in it, why, and the position if known."""

    path: str
    where: str
    message: str
    line: int | None = None
    column: int | None = None

    @classmethod
    def from_error(cls, path: str, error: InputError) -> Unreadable:
        """Build from the `InputError` that reading the file raised."""
        return cls(path, error.path, error.message, getattr(error, "line", None),
                   getattr(error, "column", None))


_CACHE: dict[int, dict[str, tuple[int, int]]] = {}


def _positions_cache(result: FileResult) -> dict[str, tuple[int, int]]:
    key = id(result)
    if key not in _CACHE:
        _CACHE[key] = positions(result.text or "", Path(result.path).suffix.lower()
                                in YAML_SUFFIXES)
    return _CACHE[key]


def render_text(results: list[FileResult], unreadable: Sequence[Unreadable] = ()) -> str:
    """One line per finding: `file:line:col: CODE severity: message [path]`.

    Unreadable files are reported on stderr by the command; here they only add to the
    summary line.
    """
    lines = []
    for result in results:
        for d in result.diagnostics:
            pos = result.position(d)
            where = f"{result.path}:{pos[0]}:{pos[1]}" if pos else result.path
            lines.append(f"{where}: {d.code} {d.severity}: {d.message} [{d.path}]")
    errors = sum(d.severity == "error" for r in results for d in r.diagnostics)
    warnings = sum(d.severity == "warning" for r in results for d in r.diagnostics)
    summary = f"{len(results)} file(s): {errors} error(s), {warnings} warning(s)"
    if unreadable:
        summary += f"; {len(unreadable)} unreadable file(s)"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def render_json(results: list[FileResult], unreadable: Sequence[Unreadable] = ()) -> str:
    """A JSON array of findings with path, JSON Pointer and position.

    Each unreadable file is one more entry, code "unreadable" and severity "error", whose
    path is where reading failed and whose line/column are set for a syntax error.
    """
    out = []
    for result in results:
        for d in result.diagnostics:
            pos = result.position(d)
            out.append({"file": result.path, "code": d.code, "severity": d.severity,
                        "path": d.path.dotted, "pointer": d.path.pointer, "message": d.message,
                        "line": pos[0] if pos else None, "column": pos[1] if pos else None})
    for bad in unreadable:
        out.append({"file": bad.path, "code": UNREADABLE, "severity": "error",
                    "path": bad.where, "pointer": "", "message": bad.message,
                    "line": bad.line, "column": bad.column})
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def render_sarif(results: list[FileResult], unreadable: Sequence[Unreadable] = ()) -> str:
    """A SARIF 2.1.0 log with one run; rules carry their --explain text.

    The run has one invocation; each unreadable file is an error-level notification in its
    `toolExecutionNotifications` (SARIF 2.1.0, the invocation object), and then the invocation's
    `executionSuccessful` is false.
    """
    codes = sorted({d.code for r in results for d in r.diagnostics})
    rules = [{
        "id": code, "name": REGISTRY[code].name,
        "shortDescription": {"text": REGISTRY[code].explanation.splitlines()[0]},
        "fullDescription": {"text": REGISTRY[code].explanation},
        "defaultConfiguration": {"level": REGISTRY[code].severity},
    } for code in codes if code in REGISTRY]
    index = {code: i for i, code in enumerate(codes)}
    sarif_results = []
    for result in results:
        for d in result.diagnostics:
            region = {}
            pos = result.position(d)
            if pos:
                region = {"region": {"startLine": pos[0], "startColumn": pos[1]}}
            sarif_results.append({
                "ruleId": d.code, "ruleIndex": index[d.code], "level": d.severity,
                "message": {"text": d.message},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": Path(result.path).as_posix()},
                                         **region},
                    "logicalLocations": [{"fullyQualifiedName": d.path.dotted,
                                          "name": d.path.pointer or "/"}],
                }],
            })
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "metapipe-lint", "version": __version__,
                                "informationUri": "https://states-language.net/",
                                "rules": rules}},
            "invocations": [{"executionSuccessful": not unreadable,
                             "toolExecutionNotifications": [_notification(bad)
                                                            for bad in unreadable]}],
            "results": sarif_results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _notification(bad: Unreadable) -> dict:
    region = ({"region": {"startLine": bad.line, "startColumn": bad.column}}
              if bad.line and bad.column else {})
    return {"level": "error", "descriptor": {"id": UNREADABLE},
            "message": {"text": f"{bad.where}: {bad.message}"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": Path(bad.path).as_posix()}, **region}}]}


RENDERERS = {"text": render_text, "json": render_json, "sarif": render_sarif}
