"""Choice rules in JSONPath mode: comparison operators, And/Or/Not, and `choose_next`.

Type mismatches never fail: a comparison whose variable (or `...Path` operand) has the wrong
type is simply false. The 491 `choice_operators/*` corpus cases show this for every operator
family (e.g. `NumericEquals` on `true`, `"1"` or `[]`, `StringEquals` on `0`, `BooleanEquals`
on `0`), and `tests/emulator/test_choice.py` replays all of them.

A variable path that selects nothing fails with `States.Runtime`, except under `IsPresent`.
The corpus records no such failure, so the cause text is unconfirmed; it is the message AWS
is commonly reported to give ("Invalid path '...': The choice state's condition path
references an invalid value.").
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from workflow.emulator.errors import DefinitionError, StatesError, UnsupportedFeature
from workflow.emulator.paths import MISSING, _compile_path, _resolve, parse_timestamp

__all__ = ["COMPARATORS", "choose_next", "choose_rule", "evaluate_rule"]


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _utf16(s: str) -> bytes:
    # Java (AWS) orders strings by UTF-16 code units; this differs from Python's code-point
    # order only for characters beyond U+FFFF.
    return s.encode("utf-16-be", "surrogatepass")


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}


def _string_compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(a: Any, b: Any) -> bool:
        if not (isinstance(a, str) and isinstance(b, str)):
            return False
        if op is operator.eq:
            return a == b
        return op(_utf16(a), _utf16(b))

    return compare


def _numeric_compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda a, b: _is_number(a) and _is_number(b) and op(a, b)


def _timestamp_compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(a: Any, b: Any) -> bool:
        ta, tb = parse_timestamp(a), parse_timestamp(b)
        return ta is not None and tb is not None and op(ta, tb)

    return compare


def _boolean_equals(a: Any, b: Any) -> bool:
    return isinstance(a, bool) and isinstance(b, bool) and a == b


_PATTERN_CACHE: dict[str, re.Pattern[str]] = {}


def _string_matches(value: Any, pattern: Any) -> bool:
    """`*` matches any run of characters; `\\*` is a literal star and `\\\\` a backslash."""
    if not (isinstance(value, str) and isinstance(pattern, str)):
        return False
    compiled = _PATTERN_CACHE.get(pattern)
    if compiled is None:
        out: list[str] = []
        i = 0
        while i < len(pattern):
            ch = pattern[i]
            if ch == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*\\":
                out.append(re.escape(pattern[i + 1]))
                i += 2
                continue
            out.append(".*" if ch == "*" else re.escape(ch))
            i += 1
        compiled = re.compile("".join(out), re.DOTALL)
        _PATTERN_CACHE[pattern] = compiled
    return compiled.fullmatch(value) is not None


# Operator name -> comparison of (variable value, operand value). Each has a `...Path` twin
# whose operand is read from the input, except StringMatches (ASL has no StringMatchesPath).
COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "BooleanEquals": _boolean_equals,
    "StringMatches": _string_matches,
}
for _suffix, _op in _ORDER.items():
    COMPARATORS["String" + _suffix] = _string_compare(_op)
    COMPARATORS["Numeric" + _suffix] = _numeric_compare(_op)
    COMPARATORS["Timestamp" + _suffix] = _timestamp_compare(_op)

PATH_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    name + "Path": fn for name, fn in COMPARATORS.items() if name != "StringMatches"
}

# Type tests: operand true asks "is it?", false asks "is it not?". IsPresent is special-cased.
TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda v: v is None,
    "IsNumeric": _is_number,
    "IsString": lambda v: isinstance(v, str),
    "IsBoolean": lambda v: isinstance(v, bool),
    "IsTimestamp": lambda v: parse_timestamp(v) is not None,
}

_RULE_FIELDS = frozenset({"Variable", "Next", "Comment", "Assign", "Output"})


def _read(path: Any, data: Any, context: Any) -> Any:
    if not isinstance(path, str):
        raise DefinitionError(str(path), "a Choice rule path must be a string")
    return _resolve(_compile_path(path), data, context)


def _invalid_path(path: str) -> StatesError:
    return StatesError(
        "States.Runtime",
        f"Invalid path '{path}': The choice state's condition path references an invalid "
        "value.",
    )


def evaluate_rule(rule: dict, data: Any, context: Any) -> bool:
    """Evaluate one Choice rule (top-level or nested) against the state's effective input."""
    if "And" in rule:
        return all(evaluate_rule(r, data, context) for r in rule["And"])
    if "Or" in rule:
        return any(evaluate_rule(r, data, context) for r in rule["Or"])
    if "Not" in rule:
        return not evaluate_rule(rule["Not"], data, context)
    if "Condition" in rule:
        raise UnsupportedFeature("Condition", "JSONata Choice conditions are not supported yet")
    operators = [k for k in rule if k not in _RULE_FIELDS]
    if len(operators) != 1 or "Variable" not in rule:
        raise DefinitionError(
            "Choices", f"a Choice rule needs a Variable and exactly one operator: {rule!r}"
        )
    name = operators[0]
    operand = rule[name]
    variable = rule["Variable"]
    value = _read(variable, data, context)
    if name == "IsPresent":
        return (value is not MISSING) == bool(operand)
    if value is MISSING:
        raise _invalid_path(variable)
    test = TYPE_TESTS.get(name)
    if test is not None:
        return test(value) == bool(operand)
    compare = COMPARATORS.get(name)
    if compare is None:
        compare = PATH_COMPARATORS.get(name)
        if compare is None:
            raise DefinitionError(name, f"unknown Choice operator '{name}'")
        other = _read(operand, data, context)
        if other is MISSING:
            raise _invalid_path(operand)
        return compare(value, other)
    return compare(value, operand)


def choose_rule(state: dict, data: Any, context: Any) -> int:
    """Return the index of the first Choice rule that matches `data`, or -1 for `Default`.

    With no match and no Default, the execution fails with `States.NoChoiceMatched` (cause
    text unconfirmed: the corpus has no example).
    """
    for index, rule in enumerate(state.get("Choices", ())):
        if evaluate_rule(rule, data, context):
            return index
    if state.get("Default") is not None:
        return -1
    raise StatesError(
        "States.NoChoiceMatched",
        "No Choice Rule matched the input and the Choice state has no Default.",
    )


def choose_next(state: dict, data: Any, context: Any) -> str:
    """Return the name of the state a Choice state goes to for `data` (see `choose_rule`)."""
    index = choose_rule(state, data, context)
    return state["Choices"][index]["Next"] if index >= 0 else state["Default"]
