"""Reporters: text for people, JSON for scripts, SARIF 2.1.0 for code-scanning tools.

Only this module and the command format output; rules only return `Diagnostic`s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from workflow import __version__
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


_CACHE: dict[int, dict[str, tuple[int, int]]] = {}


def _positions_cache(result: FileResult) -> dict[str, tuple[int, int]]:
    key = id(result)
    if key not in _CACHE:
        _CACHE[key] = positions(result.text or "", Path(result.path).suffix.lower()
                                in YAML_SUFFIXES)
    return _CACHE[key]


def render_text(results: list[FileResult]) -> str:
    """One line per finding: `file:line:col: CODE severity: message [path]`."""
    lines = []
    for result in results:
        for d in result.diagnostics:
            pos = result.position(d)
            where = f"{result.path}:{pos[0]}:{pos[1]}" if pos else result.path
            lines.append(f"{where}: {d.code} {d.severity}: {d.message} [{d.path}]")
    errors = sum(d.severity == "error" for r in results for d in r.diagnostics)
    warnings = sum(d.severity == "warning" for r in results for d in r.diagnostics)
    lines.append(f"{len(results)} file(s): {errors} error(s), {warnings} warning(s)")
    return "\n".join(lines) + "\n"


def render_json(results: list[FileResult]) -> str:
    """A JSON array of findings with path, JSON Pointer and position."""
    out = []
    for result in results:
        for d in result.diagnostics:
            pos = result.position(d)
            out.append({"file": result.path, "code": d.code, "severity": d.severity,
                        "path": d.path.dotted, "pointer": d.path.pointer, "message": d.message,
                        "line": pos[0] if pos else None, "column": pos[1] if pos else None})
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def render_sarif(results: list[FileResult]) -> str:
    """A SARIF 2.1.0 log with one run; rules carry their --explain text."""
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
            "results": sarif_results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "sarif": render_sarif}
