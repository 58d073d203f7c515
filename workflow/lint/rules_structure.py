"""Structure rules: object types, required/allowed/exclusive fields, value types and ranges.

All of them read the field tables of `fields.py` through `shapes.shaped_objects`, so a
new field is a table edit, not a code edit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from workflow.lint import fields as F
from workflow.lint.context import JSONATA, JSONPATH, LintContext, type_name
from workflow.lint.diagnostic import ERROR, Diagnostic
from workflow.lint.rule import rule
from workflow.lint.shapes import shaped_objects
from workflow.lint.source import is_bare_placeholder
from workflow.lint.syntax import check_timestamp, is_jsonata_string

NOT_OBJECT = rule("ASL001", "not-an-object", ERROR, "{what} must be an object, not {got}", """
    What it checks: the definition, every state, branch, retrier, catcher and Choice Rule
    is a JSON object.
    Why it matters: Step Functions rejects the definition (SCHEMA_VALIDATION_FAILED); the
    other rules still run over everything else, so one bad state does not hide the rest.
    Example: "States": {"A": 1}  ->  States.A must be an object, not number.
""")
MISSING_FIELD = rule("ASL002", "missing-required-field", ERROR, "{what} is missing {field}", """
    What it checks: required fields per object: Type on states, Resource on Task, Choices
    on Choice, Branches on Parallel, ItemProcessor (or Iterator) on Map, Next or End on
    non-terminal states, one of the four Wait fields, StartAt and States on a machine,
    ErrorEquals (and Next on catchers), Resource on ItemReader, OutputType on WriterConfig.
    Why it matters: Step Functions rejects the definition.
    Example: {"Type": "Pass"} with neither Next nor End.
""")
FIELD_NOT_ALLOWED = rule("ASL004", "field-not-allowed", ERROR,
                         "field {field!r} is not allowed in {what}{hint}", """
    What it checks: every field of a state (per Type), of the machine, of branches,
    retriers, catchers and Map configuration objects is one the language defines there.
    Why it matters: Step Functions rejects unknown fields ("Field 'X' is not supported"),
    e.g. TimeoutSeconds on Map or Parallel, ResultPath on Choice, a typo such as InputPth.
    Example: {"Type": "Succeed", "ResultPath": "$.x"}.
""")
WRONG_TYPE = rule("ASL005", "wrong-value-type", ERROR, "{field} is {got} but must be {want}", """
    What it checks: the JSON type of every known field: strings, booleans, objects,
    arrays, integers, numbers, timestamps, and null only where the language allows it
    (InputPath, OutputPath, ResultPath). In JSONata states a "{% %}" expression is accepted
    wherever a value is evaluated.
    Why it matters: Step Functions rejects the definition, or the state fails when run.
    Example: "TimeoutSeconds": "30" in a JSONPath state.
""")
OUT_OF_RANGE = rule("ASL006", "value-out-of-range", ERROR, "{field} is {got} but must be {want}", """
    What it checks: numeric ranges: TimeoutSeconds and HeartbeatSeconds 1..99999999,
    Seconds >= 0, MaxConcurrency >= 0, ToleratedFailurePercentage 0..100, retrier
    IntervalSeconds >= 1, MaxAttempts >= 0, BackoffRate >= 1.0, MaxDelaySeconds 1..31622400,
    ItemBatcher and ReaderConfig limits.
    Why it matters: Step Functions rejects the definition.
    Example: "Retry": [{"ErrorEquals": ["States.ALL"], "BackoffRate": 0.5}].
""")
EXCLUSIVE = rule("ASL007", "mutually-exclusive-fields", ERROR,
                 "{what} may have only one of {fields}", """
    What it checks: fields that exclude each other: Next/End, TimeoutSeconds/
    TimeoutSecondsPath, HeartbeatSeconds/HeartbeatSecondsPath, the four Wait fields,
    Error/ErrorPath, Cause/CausePath, Iterator/ItemProcessor, Parameters/ItemSelector,
    Items/ItemsPath and each Map limit with its Path twin.
    Why it matters: Step Functions rejects the definition; which one wins is undefined.
    Example: {"Type": "Wait", "Seconds": 5, "SecondsPath": "$.s", "End": true}.
""")
BAD_ENUM = rule("ASL008", "invalid-enum-value", ERROR, "{field} is {got}, not one of {allowed}", """
    What it checks: fields with a fixed set of values: Type, QueryLanguage, JitterStrategy,
    ProcessorConfig Mode and ExecutionType, WriterConfig OutputType and Transformation.
    Why it matters: Step Functions rejects the definition.
    Example: "Type": "Lambda" or "QueryLanguage": "Yaml".
""")
WRONG_LANGUAGE = rule("ASL009", "field-of-other-query-language", ERROR,
                      "field {field!r} belongs to {other} states; this state uses {language}", """
    What it checks: JSONPath-only fields (InputPath, Parameters, ResultSelector,
    ResultPath, OutputPath, the *Path fields, Choice Variable) in JSONata states, and
    JSONata-only fields (Arguments, Output, Items, Condition) in JSONPath states.
    Why it matters: Step Functions rejects the definition.
    Example: {"QueryLanguage": "JSONata", "Type": "Pass", "Parameters": {}, "End": true}.
""")
EMPTY = rule("ASL017", "empty-array", ERROR, "{field} must not be empty", """
    What it checks: arrays that need at least one element: ErrorEquals, Choices, the And
    and Or lists of Choice Rules.
    Why it matters: Step Functions rejects the definition.
    Example: "Retry": [{"ErrorEquals": []}].
""")
LANGUAGE_DOWNGRADE = rule("ASL019", "query-language-downgrade", ERROR,
                          "state sets QueryLanguage JSONPath but the state machine is JSONata",
                          """
    What it checks: when the state machine's top-level QueryLanguage is JSONata, no state
    (nested ones included) sets its own QueryLanguage to JSONPath. A state may move a
    JSONPath machine up to JSONata, never the other way.
    Why it matters: Step Functions rejects the definition with "'QueryLanguage' can not
    be 'JSONPath' if set to 'JSONata' for whole state machine" at the state (AWS-recorded:
    aws-recorded corpus, test_validate_state_machine_definition_type_standard and
    _type_express [INVALID_DOWNGRADE_QUERY_LANGUAGE]). The same corpus records a JSONPath
    machine with a JSONata Map whose inner state is JSONPath again as valid
    ([VALID_QUERY_LANGUAGE_PASS]), so only the machine's own setting counts. States inside
    a DISTRIBUTED Map's ItemProcessor are not checked: they run as child workflow
    executions, and whether the parent's JSONata binds them is not recorded (asl-validator
    keeps such a downgrade as a valid fixture).
    Example: {"QueryLanguage": "JSONata", "States": {"A": {"Type": "Pass",
    "QueryLanguage": "JSONPath", "End": true}}, ...}.
""")
NAME_TOO_LONG = rule("ASL015", "state-name-too-long", ERROR,
                     "state name is {length} characters; the limit is 80", """
    What it checks: state names are at most 80 characters (Step Functions quotas).
    Why it matters: the definition validates in other tools but fails to deploy
    (asl-validator fixture invalid-state-name-too-long).
    Example: a state named with 81 characters.
""")

_KIND_WORDS = {
    "string": "a string", "boolean": "a boolean", "object": "an object", "array": "an array",
    "string_array": "an array of strings", "integer": "an integer", "number": "a number",
    "path": "a JSONPath string", "refpath": "a reference path string",
    "error_path": "a path or intrinsic function string", "timestamp": "an RFC 3339 timestamp",
}
_TYPES = {
    "string": (str,), "boolean": (bool,), "object": (dict,), "array": (list,),
    "string_array": (list,), "integer": (int, float), "number": (int, float),
    "path": (str,), "refpath": (str,), "error_path": (str,), "timestamp": (str,),
}


def show(value: Any) -> str:
    """Render a value for a message, short."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _value_problem(kind: F.Kind, value: Any) -> tuple[str, str] | None:
    """Return (rule code, expectation) when `value` does not fit `kind`."""
    if kind.type == "any" or is_bare_placeholder(value):
        return None  # a bare ${Name} is only known once CloudFormation substitutes it
    if value is None:
        return None if kind.nullable else ("ASL005", "non-null " + _KIND_WORDS[kind.type])
    ok_types = _TYPES[kind.type]
    if not isinstance(value, ok_types) or (isinstance(value, bool) and bool not in ok_types):
        return "ASL005", _KIND_WORDS[kind.type]
    if kind.type == "integer" and isinstance(value, float) and not value.is_integer():
        return "ASL005", "an integer"
    if kind.type == "string_array" and not all(isinstance(v, str) for v in value):
        return "ASL005", "an array of strings"
    if kind.type == "timestamp" and check_timestamp(value):
        return "ASL005", "an RFC 3339 timestamp"
    if kind.enum is not None and value not in kind.enum:
        return "ASL008", ", ".join(sorted(kind.enum))
    if kind.lo is not None and (value < kind.lo or (kind.lo_open and value == kind.lo)):
        return "ASL006", f">= {kind.lo:g}"
    if kind.hi is not None and value > kind.hi:
        return "ASL006", f"<= {kind.hi:g}"
    if kind.non_empty and len(value) == 0:
        return "ASL017", ""
    return None


def value_findings(kind: F.Kind, value: Any, loc, field: str) -> Iterable[Diagnostic]:
    """Findings for one field value against its kind (used by Choice Rules too)."""
    problem = _value_problem(kind, value)
    if problem is None:
        return ()
    code, want = problem
    if code == "ASL008":
        return (BAD_ENUM.at(loc, field=field, got=show(value), allowed=want),)
    if code == "ASL017":
        return (EMPTY.at(loc, field=field),)
    target = WRONG_TYPE if code == "ASL005" else OUT_OF_RANGE
    return (target.at(loc, field=field, got=show(value), want=want),)


def _what(obj) -> str:
    if obj.state is not None and obj.node is obj.state.node:
        return f"a {obj.shape.name} state"
    return obj.shape.name if obj.shape.name != "State machine" else "the state machine"


@NOT_OBJECT.check
def _not_objects(ctx: LintContext) -> Iterable[Diagnostic]:
    for wrong in shaped_objects(ctx)[1]:
        yield NOT_OBJECT.at(wrong.loc, what=wrong.what, got=type_name(wrong.value))


@MISSING_FIELD.check
def _missing(ctx: LintContext) -> Iterable[Diagnostic]:
    for state in ctx.states:
        if isinstance(state.node, dict) and "Type" not in state.node:
            yield MISSING_FIELD.at(state.loc, what=f"state {state.name!r}", field="'Type'")
    for obj in shaped_objects(ctx)[0]:
        for group in obj.shape.required:
            if not group & obj.node.keys():
                names = sorted(group)
                field = repr(names[0]) if len(names) == 1 else "one of " + ", ".join(names)
                yield MISSING_FIELD.at(obj.loc, what=_what(obj), field=field)


@FIELD_NOT_ALLOWED.check
def _not_allowed(ctx: LintContext) -> Iterable[Diagnostic]:
    for obj in shaped_objects(ctx)[0]:
        if obj.shape.open:
            continue
        for key in obj.node:
            if key not in obj.shape.fields:
                hint = ""
                if obj.state is not None and obj.node is obj.state.node:
                    users = sorted(t for t, s in F.STATE_SHAPES.items() if key in s.fields)
                    hint = f" (only in {', '.join(users)} states)" if users else ""
                yield FIELD_NOT_ALLOWED.at(obj.loc.child(key), field=key, what=_what(obj),
                                           hint=hint)


@WRONG_LANGUAGE.check
def _wrong_language(ctx: LintContext) -> Iterable[Diagnostic]:
    for obj in shaped_objects(ctx)[0]:
        if obj.language is None:
            continue
        banned = F.JSONPATH_ONLY if obj.language == JSONATA else F.JSONATA_ONLY
        other = JSONPATH if obj.language == JSONATA else JSONATA
        for key in obj.node:
            if key in banned and key in obj.shape.fields:
                yield WRONG_LANGUAGE.at(obj.loc.child(key), field=key, other=other,
                                        language=obj.language)


@WRONG_TYPE.check
def _types_ranges_enums(ctx: LintContext) -> Iterable[Diagnostic]:
    """One pass for types, ranges, enums and emptiness (the four rules share the tables)."""
    for obj in shaped_objects(ctx)[0]:
        jsonata = obj.language == JSONATA
        for key, value in obj.node.items():
            kind = obj.shape.fields.get(key)
            if kind is None:
                continue
            if jsonata and key not in F.NEVER_EVALUATED and is_jsonata_string(value):
                continue
            yield from value_findings(kind, value, obj.loc.child(key), key)
    for state in ctx.states:
        state_type = state.type
        if isinstance(state.node, dict) and "Type" in state.node and \
                not (isinstance(state_type, str) and state_type in F.STATE_TYPES):
            yield BAD_ENUM.at(state.loc.child("Type"), field="Type", got=show(state_type),
                              allowed=", ".join(sorted(F.STATE_TYPES)))


@EXCLUSIVE.check
def _exclusive(ctx: LintContext) -> Iterable[Diagnostic]:
    for obj in shaped_objects(ctx)[0]:
        for group in obj.shape.exclusive:
            present = [k for k in obj.node if k in group]
            if len(present) > 1:
                yield EXCLUSIVE.at(obj.loc, what=_what(obj), fields=", ".join(present))


@NAME_TOO_LONG.check
def _long_names(ctx: LintContext) -> Iterable[Diagnostic]:
    for state in ctx.states:
        if len(state.name) > 80:
            yield NAME_TOO_LONG.at(state.loc, length=len(state.name))


@LANGUAGE_DOWNGRADE.check
def _language_downgrade(ctx: LintContext) -> Iterable[Diagnostic]:
    if not isinstance(ctx.definition, dict) or ctx.definition.get("QueryLanguage") != JSONATA:
        return
    for state in ctx.states:
        if state.get("QueryLanguage") == JSONPATH and not _in_distributed_map(state):
            yield LANGUAGE_DOWNGRADE.at(state.loc)


def _in_distributed_map(state) -> bool:
    """True when the state is inside a DISTRIBUTED Map's ItemProcessor, at any depth."""
    scope = state.scope
    while scope.owner is not None:
        config = scope.node.get("ProcessorConfig") if scope.kind == "processor" else None
        if isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED":
            return True
        scope = scope.owner.scope
    return False
