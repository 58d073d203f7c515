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
from workflow.emulator.paths import MISSING, _compile_path, _resolve
from workflow.emulator.timestamps import parse_timestamp
from workflow.errors import json_path

__all__ = ["COMPARATORS", "choose_next", "choose_rule", "compile_rule", "evaluate_rule",
           "first_match"]


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
_COMBINATORS = ("And", "Or", "Not")

# The JSON type a literal operand must have (ASL spec, "Choice Rules"); AWS rejects any other
# at CreateStateMachine. The type tests (IsNull ...) and IsPresent take a boolean.
_OPERAND_TYPES: dict[str, tuple[type, ...]] = {"BooleanEquals": (bool,)}
for _name in COMPARATORS:
    if _name.startswith(("String", "Timestamp")):
        _OPERAND_TYPES[_name] = (str,)
    elif _name.startswith("Numeric"):
        _OPERAND_TYPES[_name] = (int, float)
for _name in (*TYPE_TESTS, "IsPresent"):
    _OPERAND_TYPES[_name] = (bool,)

Predicate = Callable[[Any, Any], bool]
"""A compiled Choice rule: `(effective input, context) -> bool`."""


def _invalid_path(path: str) -> StatesError:
    return StatesError(
        "States.Runtime",
        f"Invalid path '{path}': The choice state's condition path references an invalid "
        "value.",
    )


def _bad(where: tuple[str | int, ...], message: str) -> DefinitionError:
    return DefinitionError(json_path(where), message, relative=True)


def _path(path: Any, where: tuple[str | int, ...]) -> Any:
    try:
        return _compile_path(path)
    except DefinitionError as exc:
        raise _bad(where, exc.message) from None


def compile_rule(rule: Any, where: tuple[str | int, ...] = ()) -> Predicate:
    """Compile one Choice rule (top-level or nested) into a predicate.

    Every problem AWS rejects at creation (a rule that is not an object, And/Or that is not
    a non-empty list, Not that is not an object, no Variable or not exactly one operator, an
    unknown operator, an operand of the wrong type, a path that cannot be parsed) raises a
    `DefinitionError` relative to the rule (`$.And[0].Variable`); `where` is the position of
    `rule` inside the outermost rule compiled.
    """
    if not isinstance(rule, dict):
        raise _bad(where, "a Choice rule must be an object")
    if "Condition" in rule:
        raise UnsupportedFeature(json_path((*where, "Condition")),
                                 "JSONata Choice conditions are not supported yet",
                                 relative=True)
    combinator = next((key for key in _COMBINATORS if key in rule), None)
    if combinator == "Not":
        inner = compile_rule(rule["Not"], (*where, "Not"))
        return lambda data, context: not inner(data, context)
    if combinator is not None:
        rules = rule[combinator]
        if not isinstance(rules, list) or not rules:
            raise _bad((*where, combinator), "must be a non-empty list of Choice rules")
        parts = tuple(compile_rule(r, (*where, combinator, i)) for i, r in enumerate(rules))
        if combinator == "And":
            return lambda data, context: all(p(data, context) for p in parts)
        return lambda data, context: any(p(data, context) for p in parts)
    return _compile_comparison(rule, where)


def _compile_comparison(rule: dict, where: tuple[str | int, ...]) -> Predicate:
    operators = [k for k in rule if k not in _RULE_FIELDS]
    if "Variable" not in rule:
        raise _bad(where, "a Choice rule needs a Variable (or And, Or, Not)")
    if len(operators) != 1:
        raise _bad(where, "a Choice rule needs exactly one comparison operator, "
                   f"not {len(operators)}: {', '.join(map(str, operators)) or 'none'}")
    name = operators[0]
    operand = rule[name]
    variable = rule["Variable"]
    compiled = _path(variable, (*where, "Variable"))
    if name in PATH_COMPARATORS:
        other_path = _path(operand, (*where, name))
        compare = PATH_COMPARATORS[name]

        def by_path(data: Any, context: Any) -> bool:
            value = _resolve(compiled, data, context)
            if value is MISSING:
                raise _invalid_path(variable)
            other = _resolve(other_path, data, context)
            if other is MISSING:
                raise _invalid_path(operand)
            return compare(value, other)

        return by_path
    kinds = _OPERAND_TYPES.get(name)
    if kinds is None:
        raise _bad((*where, name), f"unknown Choice operator '{name}'")
    if not isinstance(operand, kinds) or (bool not in kinds and isinstance(operand, bool)):
        raise _bad((*where, name), f"the operand of {name} must be "
                   f"{'a boolean' if bool in kinds else kinds[0].__name__ + ' data'}")
    if name == "IsPresent":
        return lambda data, context: (_resolve(compiled, data, context) is not MISSING) == \
            operand
    test = TYPE_TESTS.get(name)
    compare = COMPARATORS.get(name)

    def by_value(data: Any, context: Any) -> bool:
        value = _resolve(compiled, data, context)
        if value is MISSING:
            raise _invalid_path(variable)
        if test is not None:
            return test(value) == operand
        return compare(value, operand)

    return by_value


def evaluate_rule(rule: dict, data: Any, context: Any) -> bool:
    """Evaluate one Choice rule (top-level or nested) against the state's effective input."""
    return compile_rule(rule)(data, context)


def first_match(rules: tuple[Predicate, ...], has_default: bool, data: Any,
                context: Any) -> int:
    """Return the index of the first compiled rule that matches `data`, or -1 for `Default`.

    With no match and no Default, the execution fails with `States.NoChoiceMatched` (cause
    text unconfirmed: the corpus has no example).
    """
    for index, rule in enumerate(rules):
        if rule(data, context):
            return index
    if has_default:
        return -1
    raise StatesError(
        "States.NoChoiceMatched",
        "No Choice Rule matched the input and the Choice state has no Default.",
    )


def choose_rule(state: dict, data: Any, context: Any) -> int:
    """Return the index of the first Choice rule of the raw `state` that matches `data`, or
    -1 for `Default` (see `first_match`)."""
    rules = tuple(compile_rule(rule) for rule in state.get("Choices", ()))
    return first_match(rules, state.get("Default") is not None, data, context)


def choose_next(state: dict, data: Any, context: Any) -> str:
    """Return the name of the state a Choice state goes to for `data` (see `choose_rule`)."""
    index = choose_rule(state, data, context)
    return state["Choices"][index]["Next"] if index >= 0 else state["Default"]
