"""Choice Rule rules: one operator per rule, Next only at the top, typed comparison values.

A top-level Choice Rule has a `Next` and exactly one of: a comparison (with `Variable`),
`And`, `Or`, `Not` (JSONPath), or a `Condition` (JSONata). Nested rules have no `Next`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from workflow.lint import fields as F
from workflow.lint.context import JSONATA, LintContext, StateInfo, type_name
from workflow.lint.diagnostic import ERROR, Diagnostic, Loc
from workflow.lint.rule import rule
from workflow.lint.rules_structure import (
    EMPTY,
    FIELD_NOT_ALLOWED,
    MISSING_FIELD,
    NOT_OBJECT,
    WRONG_LANGUAGE,
    WRONG_TYPE,
    value_findings,
)
from workflow.lint.syntax import is_jsonata_string

BAD_CHOICE_RULE = rule("ASL016", "choice-rule-operator", ERROR, "Choice Rule {problem}", """
    What it checks: each Choice Rule has exactly one operator (a comparison such as
    StringEquals, or And, Or, Not); a comparison has a Variable; Next appears on
    top-level rules only; a JSONata rule has a Condition.
    Why it matters: Step Functions rejects the definition; a rule with two operators
    has no defined meaning.
    Example: {"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1, "Next": "B"}.
""")


def choice_rules(state: StateInfo) -> Iterator[tuple[Any, Loc, bool]]:
    """Yield (rule, location, is_top_level) for every Choice Rule of a Choice state."""
    choices = state.get("Choices")
    if not isinstance(choices, list):
        return
    todo: list[tuple[Any, Loc, bool]] = [
        (c, state.loc.child("Choices", i), True) for i, c in enumerate(choices)]
    while todo:
        node, loc, top = todo.pop(0)
        yield node, loc, top
        if not isinstance(node, dict):
            continue
        for key in ("And", "Or"):
            if isinstance(node.get(key), list):
                todo.extend((c, loc.child(key, i), False) for i, c in enumerate(node[key]))
        if isinstance(node.get("Not"), dict):
            todo.append((node["Not"], loc.child("Not"), False))


@BAD_CHOICE_RULE.check
def _choice_rules(ctx: LintContext) -> Iterable[Diagnostic]:
    for state in ctx.states_of_type("Choice"):
        jsonata = state.query_language == JSONATA
        for node, loc, top in choice_rules(state):
            if not isinstance(node, dict):
                yield NOT_OBJECT.at(loc, what="a Choice Rule", got=type_name(node))
                continue
            yield from _one_rule(node, loc, top, jsonata)


def _one_rule(node: dict, loc: Loc, top: bool, jsonata: bool) -> Iterable[Diagnostic]:
    operators = [k for k in node if k in F.COMPARATORS or k in F.COMBINATORS]
    for key, value in node.items():
        if key in F.COMPARATORS:
            if not (jsonata and is_jsonata_string(value)):
                yield from value_findings(F.COMPARATORS[key], value, loc.child(key), key)
        elif key in ("And", "Or"):
            if not isinstance(value, list):
                yield WRONG_TYPE.at(loc.child(key), field=key, got=type_name(value),
                                    want="an array")
            elif not value:
                yield EMPTY.at(loc.child(key), field=key)
        elif key == "Not":
            if not isinstance(value, dict):
                yield NOT_OBJECT.at(loc.child(key), what="Not", got=type_name(value))
        elif key in F.CHOICE_RULE_EXTRA:
            if key == "Variable" and not isinstance(value, str):
                yield WRONG_TYPE.at(loc.child(key), field=key, got=type_name(value),
                                    want="a string")
        elif key in F.CHOICE_TOP_ONLY:
            if not top:
                yield BAD_CHOICE_RULE.at(loc.child(key),
                                         problem=f"field {key!r} is allowed on top-level rules only")
        else:
            yield FIELD_NOT_ALLOWED.at(loc.child(key), field=key, what="a Choice Rule", hint="")
    if jsonata:
        for key in ("Variable", *operators):
            if key in node:
                yield WRONG_LANGUAGE.at(loc.child(key), field=key, other="JSONPath",
                                        language="JSONata")
        if "Condition" not in node:
            yield MISSING_FIELD.at(loc, what="a JSONata Choice Rule", field="'Condition'")
    else:
        if "Condition" in node:
            yield WRONG_LANGUAGE.at(loc.child("Condition"), field="Condition", other="JSONata",
                                    language="JSONPath")
        elif len(operators) != 1:
            problem = "has no operator" if not operators else \
                "has more than one operator: " + ", ".join(operators)
            yield BAD_CHOICE_RULE.at(loc, problem=problem)
        elif operators[0] in F.COMPARATORS and "Variable" not in node:
            yield MISSING_FIELD.at(loc, what="a comparison Choice Rule", field="'Variable'")
        elif operators[0] in F.COMBINATORS and "Variable" in node:
            yield BAD_CHOICE_RULE.at(loc.child("Variable"),
                                     problem=f"with {operators[0]} cannot have a Variable")
    if top and "Next" not in node:
        yield MISSING_FIELD.at(loc, what="a top-level Choice Rule", field="'Next'")
