"""Rules: a code, a severity, a message template, an explanation and one check function.

Every check has the same signature, `(ctx) -> Iterable[Diagnostic]`, and builds its
findings with `RULE.at(loc, **fields)`, which fills the message template beside the code.
Rules register themselves in `REGISTRY` when their topic module is imported.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workflow.lint.diagnostic import Diagnostic, Loc, Severity

if TYPE_CHECKING:
    from workflow.lint.context import LintContext

Check = Callable[["LintContext"], Iterable[Diagnostic]]


@dataclass(frozen=True, eq=False)
class Rule:
    """One lint rule. `explanation` is what `metapipe lint --explain CODE` prints."""

    code: str
    name: str
    severity: Severity
    template: str
    explanation: str
    checks: list[Check] = field(default_factory=list, repr=False)

    def at(self, loc: Loc, severity: Severity | None = None, **fields: Any) -> Diagnostic:
        """Build a finding of this rule at `loc`, filling the message template."""
        return Diagnostic(self.code, severity or self.severity, loc, self.template.format(**fields))

    def check(self, func: Check) -> Check:
        """Decorator: attach a check function to this rule."""
        self.checks.append(func)
        return func


REGISTRY: dict[str, Rule] = {}


def rule(code: str, name: str, severity: Severity, template: str, explanation: str) -> Rule:
    """Declare and register a rule; the explanation is dedented for `--explain`."""
    if code in REGISTRY:
        raise ValueError(f"duplicate rule code {code}")
    new = Rule(code, name, severity, template, inspect.cleandoc(explanation))
    REGISTRY[code] = new
    return new
