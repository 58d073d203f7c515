"""`metapipe lint`: a validator for Amazon States Language definitions.

Public API: `lint_definition(definition, source_text=None, state_machine_type="STANDARD")`
and `lint_file(path, state_machine_type="STANDARD")`, both returning a list of
`Diagnostic`, sorted by location. The type matters because Express machines reject
integration patterns that Standard machines accept. Rules run over the raw JSON, so a
broken definition still gets every finding; the emulator's conformance runner uses this
to reject invalid definitions (any finding of severity "error").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workflow.lint import (  # noqa: F401 - importing registers the rules
    rules_choice,
    rules_errors,
    rules_graph,
    rules_paths,
    rules_resources,
    rules_structure,
)
from workflow.lint.context import LintContext
from workflow.lint.diagnostic import ERROR, WARNING, Diagnostic, Loc
from workflow.lint.rule import REGISTRY, Rule
from workflow.lint.source import load_definition

__all__ = ["Diagnostic", "Loc", "Rule", "REGISTRY", "ERROR", "WARNING", "lint_definition",
           "lint_file", "has_errors"]


def lint_definition(definition: Any, *, source_text: str | None = None,
                    state_machine_type: str = "STANDARD") -> list[Diagnostic]:
    """Run every rule over a parsed definition and return its findings, de-duplicated.

    `state_machine_type` is "STANDARD" or "EXPRESS" (any case); another value raises
    ValueError.
    """
    ctx = LintContext.build(definition, source_text, state_machine_type)
    if not isinstance(definition, dict):
        return [rules_structure.NOT_OBJECT.at(Loc(), what="the state machine definition",
                                              got=type(definition).__name__
                                              if definition is not None else "null")]
    seen: dict[tuple[str, tuple, str], Diagnostic] = {}
    for rule in REGISTRY.values():
        for check in rule.checks:
            for diagnostic in check(ctx):
                seen.setdefault((diagnostic.code, diagnostic.path.parts, diagnostic.message),
                                diagnostic)
    return sorted(seen.values(), key=lambda d: (_sort_key(d.path), d.code))


def _sort_key(loc: Loc) -> tuple:
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in loc.parts)


def lint_file(path: str | Path, state_machine_type: str = "STANDARD") -> list[Diagnostic]:
    """Read a JSON or YAML definition and lint it; unreadable input raises InputError."""
    definition, text = load_definition(path)
    return lint_definition(definition, source_text=text, state_machine_type=state_machine_type)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    """True when any finding has severity error."""
    return any(d.severity == ERROR for d in diagnostics)
