"""Choice rules: comparisons, And/Or/Not, JSONata conditions, and the top-level rule.

The comparison operators are a data table (`OPERATORS`: name -> what its value must be),
so adding an operator is one row. A top-level `ChoiceRule` carries the condition plus
`Next` (and optionally Comment, Assign, Output); nested rules inside And/Or/Not are bare
conditions, which may carry a Comment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workflow.model.codec import (
    ABSENT,
    JSON,
    OBJECT,
    STRING,
    AslObject,
    Composite,
    Where,
    asl,
    describe,
    is_number,
)

_VALUE_CHECKS: dict[str, tuple[str, Any]] = {
    "string": ("a string", lambda v: isinstance(v, str)),
    "number": ("a number", is_number),
    "boolean": ("a boolean", lambda v: isinstance(v, bool)),
    "timestamp": ("a timestamp string", lambda v: isinstance(v, str)),
    "path": ("a path string", lambda v: isinstance(v, str)),
}


def _operator_table() -> dict[str, str]:
    table: dict[str, str] = {}
    relations = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
    for family, kind in (("String", "string"), ("Numeric", "number"), ("Timestamp", "timestamp")):
        for relation in relations:
            table[family + relation] = kind
            table[family + relation + "Path"] = "path"
    table["StringMatches"] = "string"
    table["BooleanEquals"] = "boolean"
    table["BooleanEqualsPath"] = "path"
    for test in ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"):
        table[test] = "boolean"
    return table


# Operator name -> the kind of value it compares against (AWS docs: "Choice Rules").
OPERATORS: dict[str, str] = _operator_table()


@dataclass(frozen=True)
class Compare:
    """`{"Variable": ..., "<Operator>": value}`."""

    variable: str
    operator: str
    value: Any
    comment: str = ABSENT


@dataclass(frozen=True)
class And:
    """All of the nested conditions hold."""

    conditions: tuple[Condition, ...]
    comment: str = ABSENT


@dataclass(frozen=True)
class Or:
    """At least one of the nested conditions holds."""

    conditions: tuple[Condition, ...]
    comment: str = ABSENT


@dataclass(frozen=True)
class Not:
    """The nested condition does not hold."""

    condition: Condition
    comment: str = ABSENT


@dataclass(frozen=True)
class JsonataCondition:
    """A JSONata-mode rule: `{"Condition": "{% ... %}"}` (or a constant boolean)."""

    expression: str | bool
    comment: str = ABSENT


Condition = Compare | And | Or | Not | JsonataCondition

_FORM_KEYS = frozenset({"And", "Or", "Not", "Condition", "Variable"})
CONDITION_KEYS = _FORM_KEYS | frozenset(OPERATORS)


def read_condition(obj: dict[str, Any], where: Where, *, nested: bool) -> Condition:
    """Read the condition held by `obj` (a top-level rule, or a nested rule if `nested`)."""
    if not isinstance(obj, dict):
        raise where.error(f"expected a choice rule object, got {describe(obj)}")
    if nested:
        for key in obj:
            if key not in CONDITION_KEYS and key != "Comment":
                raise where.child(key).error("unknown field for a nested choice rule")
    comment = obj.get("Comment", ABSENT)
    if comment is not ABSENT and nested:
        comment = STRING.read(comment, where.child("Comment"))
    elif not nested:
        comment = ABSENT  # the top-level rule owns its Comment
    forms = [k for k in ("And", "Or", "Not", "Condition") if k in obj]
    operators = [k for k in obj if k in OPERATORS]
    if "Variable" in obj:
        forms.append("Variable")
    if len(forms) != 1:
        found = ", ".join(forms) or "none"
        raise where.error(f"a choice rule needs exactly one of And, Or, Not, Condition or "
                          f"Variable with an operator (found: {found})")
    form = forms[0]
    if form != "Variable" and operators:
        raise where.child(operators[0]).error(f"a comparison operator cannot stand beside {form}")
    if form in ("And", "Or"):
        items = obj[form]
        if not isinstance(items, list) or not items:
            raise where.child(form).error("expected a non-empty array of choice rules")
        inner = tuple(read_condition(v, where.child(form).child(i), nested=True)
                      for i, v in enumerate(items))
        return (And if form == "And" else Or)(inner, comment)
    if form == "Not":
        return Not(read_condition(obj["Not"], where.child("Not"), nested=True), comment)
    if form == "Condition":
        # AWS accepts a constant boolean too (corpus: test_choice_condition_constant_jsonata).
        expression = obj["Condition"]
        if not isinstance(expression, str | bool):
            raise where.child("Condition").error(
                f"expected a JSONata expression or a boolean, got {describe(expression)}")
        return JsonataCondition(expression, comment)
    variable = STRING.read(obj["Variable"], where.child("Variable"))
    if len(operators) != 1:
        raise where.error(f"a Variable rule needs exactly one comparison operator "
                          f"(found {len(operators)})")
    operator = operators[0]
    what, accepts = _VALUE_CHECKS[OPERATORS[operator]]
    value = obj[operator]
    if not accepts(value):
        raise where.child(operator).error(f"expected {what}, got {describe(value)}")
    return Compare(variable, operator, value, comment)


def write_condition(condition: Condition, out: dict[str, Any]) -> None:
    """Add the keys of `condition` to `out` (Comment of a nested rule first)."""
    if condition.comment is not ABSENT:
        out["Comment"] = condition.comment
    if isinstance(condition, Compare):
        out["Variable"] = condition.variable
        out[condition.operator] = condition.value
    elif isinstance(condition, And | Or):
        key = "And" if isinstance(condition, And) else "Or"
        out[key] = [condition_to_asl(c) for c in condition.conditions]
    elif isinstance(condition, Not):
        out["Not"] = condition_to_asl(condition.condition)
    else:
        out["Condition"] = condition.expression


def condition_to_asl(condition: Condition) -> dict[str, Any]:
    """Return a nested condition as its ASL object."""
    out: dict[str, Any] = {}
    write_condition(condition, out)
    return out


class _ConditionField(Composite):
    keys = CONDITION_KEYS

    def read_from(self, obj: dict[str, Any], where: Where) -> Condition:
        return read_condition(obj, where, nested=False)

    def write_into(self, out: dict[str, Any], value: Condition) -> None:
        write_condition(value, out)


@dataclass(frozen=True, kw_only=True)
class ChoiceRule(AslObject):
    """One entry of a Choice state's `Choices`: a condition and where to go when it holds."""

    WHAT = "choice rule"

    comment: str = asl("Comment", STRING)
    condition: Condition = asl(None, _ConditionField(), required=True)
    assign: dict[str, Any] = asl("Assign", OBJECT)
    output: Any = asl("Output", JSON)
    next: str = asl("Next", STRING, required=True)
