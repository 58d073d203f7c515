"""Path and payload-template rules: Paths, Reference Paths, `.$` fields, intrinsics, JSONata.

Sources: the ASL specification ("Paths", "Reference Paths", "Payload Template") and the
developer guide pages "Intrinsic functions" and "Transforming data with JSONata".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from workflow.intrinsic_syntax import (
    HASH_ALGORITHMS,
    SIGNATURES,
    Call,
    IntrinsicSyntaxError,
    Literal,
    Path,
    String,
    iter_calls,
    parse_intrinsic,
    placeholder_count,
    signature_problem,
)
from workflow.lint import fields as F
from workflow.lint.context import JSONATA, LintContext, StateInfo, type_name
from workflow.lint.diagnostic import ERROR, Diagnostic, Loc
from workflow.lint.rule import rule
from workflow.lint.rules_choice import choice_rules
from workflow.lint.rules_structure import WRONG_TYPE, show
from workflow.lint.shapes import shaped_objects
from workflow.lint.syntax import check_jsonata, check_path, check_reference_path

BAD_JSONATA = rule("ASL010", "invalid-jsonata", ERROR, "{value}: {problem}", """
    What it checks: in JSONata states, every "{% ... %}" string opens with "{%", closes
    with "%}" and has the shape of an expression (balanced brackets, operators between
    operands, no dangling operator); Arguments is an object or an expression, Items an
    array or an expression, Condition an expression.
    Why it matters: an expression that cannot parse fails the state at run time
    (States.QueryEvaluationError) or is rejected at creation.
    Example: "Output": "{% $sum($states.input.n %}".
""")
# ASL018 (jsonata-delimiter-spacing) is retired: it warned on "{%x%}" with no space inside
# the delimiters, but AWS deploys such expressions ("{%$lowercase(...) %}" in the exported
# definition of step-functions-workflows-collection bedrock-evaluations, "{% $states.input%}"
# in distributed-data-stream-aggregator), and AWS's own Step Functions skill for agents asks
# only that the string start with "{%" and end with "%}". The code is not reused.
BAD_PATH = rule("ASL030", "invalid-path", ERROR, "{field} {value} is not {want}: {problem}", """
    What it checks: InputPath and OutputPath are Paths; ResultPath, ItemsPath, the *Path
    fields and Choice Variable are Reference Paths (only .name, ['name'] and [index]
    steps); ResultPath cannot name the context object or a variable; ErrorPath and
    CausePath are Reference Paths or string-returning intrinsic calls.
    Why it matters: AWS rejects invalid paths at creation.
    Example: "ResultPath": ".guid" (no leading "$").
""")
BAD_TEMPLATE_VALUE = rule("ASL031", "invalid-template-value", ERROR,
                          "{field} must hold a path, a context path or an intrinsic call, not {value}{why}",
                          """
    What it checks: in payload templates (Parameters, ResultSelector, ItemSelector,
    Assign, Credentials, ItemReader/ResultWriter Parameters) every key ending in ".$"
    holds a string that is a Path ("$.x"), a context path ("$$.Execution.Id"), a variable
    path ("$name") or an intrinsic function call.
    Why it matters: AWS rejects the definition.
    Example: {"id.$": "id"} (a plain string: drop ".$" or write "$.id").
""")
UNKNOWN_INTRINSIC = rule("ASL032", "unknown-intrinsic", ERROR,
                         "{name} is not an intrinsic function{hint}", """
    What it checks: intrinsic calls use one of the 18 functions Step Functions defines
    (States.Format, StringToJson, JsonToString, Array, ArrayPartition, ArrayContains,
    ArrayRange, ArrayGetItem, ArrayLength, ArrayUnique, Base64Encode, Base64Decode, Hash,
    JsonMerge, MathRandom, MathAdd, StringSplit, UUID). There is no States.Timestamp: use
    $$.State.EnteredTime.
    Why it matters: AWS rejects the definition.
    Example: "now.$": "States.Timestamp()".
""")
INTRINSIC_ARGS = rule("ASL033", "intrinsic-arguments", ERROR, "{name}: {problem}", """
    What it checks: each intrinsic gets the number of arguments it takes, and literal
    arguments have the right type (numbers for MathAdd, MathRandom, ArrayRange; a known
    algorithm for Hash; false for JsonMerge's third argument).
    Why it matters: the call fails (States.IntrinsicFailure) or the definition is rejected.
    Example: "States.MathAdd($.a, $.b, $.c)".
""")
FORMAT_COUNT = rule("ASL034", "format-placeholder-count", ERROR,
                    "States.Format template has {holes} '{{}}' placeholder(s) but {args} "
                    "argument(s) follow it", """
    What it checks: a literal States.Format template has as many "{}" as arguments after it.
    Why it matters: the call fails at run time with States.IntrinsicFailure.
    Example: "States.Format('{} and {}', $.a)".
""")
DUPLICATE_KEY = rule("ASL035", "template-key-conflict", ERROR,
                     "keys {a!r} and {b!r} both produce the field {name!r}", """
    What it checks: a payload template does not hold both "x" and "x.$".
    Why it matters: both would write the field "x"; AWS rejects the definition.
    Example: {"channel": "a", "channel.$": "$.channel"}.
""")

STRING_RESULT = frozenset({"States.Format", "States.JsonToString", "States.ArrayGetItem",
                           "States.Base64Encode", "States.Base64Decode", "States.Hash",
                           "States.UUID"})
# Arguments that must be numbers, from the shared signature table.
_NUMERIC_ARGS = {name: tuple(i for i, kind in enumerate(sig.kinds) if kind in ("number", "integer"))
                 for name, sig in SIGNATURES.items()}
TEMPLATE_FIELDS = ("Parameters", "ResultSelector", "ItemSelector", "Assign", "Credentials")


@dataclass(frozen=True)
class TemplateValue:
    """A `.$` entry of a payload template."""

    key: str
    value: Any
    loc: Loc


def _templates(ctx: LintContext) -> Iterator[tuple[Any, Loc]]:
    """Yield every payload template of JSONPath states, with its location."""
    for state in ctx.states:
        if state.query_language == JSONATA or not isinstance(state.node, dict):
            continue
        for key in TEMPLATE_FIELDS:
            if key in state.node:
                yield state.node[key], state.loc.child(key)
        for key in ("ItemReader", "ResultWriter"):
            sub = state.get(key)
            if isinstance(sub, dict) and "Parameters" in sub:
                yield sub["Parameters"], state.loc.child(key, "Parameters")
        batcher = state.get("ItemBatcher")
        if isinstance(batcher, dict) and "BatchInput" in batcher:
            yield batcher["BatchInput"], state.loc.child("ItemBatcher", "BatchInput")
        catchers = state.get("Catch")
        for i, catcher in enumerate(catchers if isinstance(catchers, list) else []):
            if isinstance(catcher, dict) and "Assign" in catcher:
                yield catcher["Assign"], state.loc.child("Catch", i, "Assign")
        for node, loc, _ in choice_rules(state) if state.type == "Choice" else ():
            if isinstance(node, dict) and "Assign" in node:
                yield node["Assign"], loc.child("Assign")


def _walk_template(node: Any, loc: Loc) -> Iterator[tuple[dict, Loc]]:
    if isinstance(node, dict):
        yield node, loc
        for key, value in node.items():
            if not key.endswith(".$"):
                yield from _walk_template(value, loc.child(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk_template(value, loc.child(i))


def template_values(ctx: LintContext) -> Iterator[TemplateValue]:
    """Yield every `.$` key of every payload template."""
    for template, loc in _templates(ctx):
        for obj, obj_loc in _walk_template(template, loc):
            for key, value in obj.items():
                if isinstance(key, str) and key.endswith(".$"):
                    yield TemplateValue(key, value, obj_loc.child(key))


def parse_call(value: str) -> Call:
    """Parse an intrinsic call with the shared grammar; paths are checked as JSONPath.

    Trailing whitespace is tolerated, as by the emulator (see docs/lint.md).
    """
    return parse_intrinsic(value.rstrip(), check_path=check_path)


def _parse_calls(value: str) -> list[Call] | None:
    try:
        return list(iter_calls(parse_call(value)))
    except IntrinsicSyntaxError:
        return None


def expression_strings(ctx: LintContext) -> Iterator[tuple[str, Loc, str]]:
    """Yield (text, location, field) of strings that are paths or intrinsic calls."""
    for item in template_values(ctx):
        if isinstance(item.value, str):
            yield item.value, item.loc, item.key
    for obj in shaped_objects(ctx)[0]:
        if obj.language == JSONATA:
            continue
        for key in ("ErrorPath", "CausePath"):
            if isinstance(obj.node.get(key), str) and obj.shape.fields.get(key) is F.ERROR_PATH:
                yield obj.node[key], obj.loc.child(key), key


@BAD_TEMPLATE_VALUE.check
def _template_values(ctx: LintContext) -> Iterable[Diagnostic]:
    for item in template_values(ctx):
        value = item.value
        if not isinstance(value, str):
            yield BAD_TEMPLATE_VALUE.at(item.loc, field=item.key, value=type_name(value), why="")
            continue
        if value.startswith("$"):
            problem = check_path(value.rstrip())
            if problem:
                yield BAD_TEMPLATE_VALUE.at(item.loc, field=item.key, value=show(value),
                                            why=f" ({problem})")
        elif value.startswith("States."):
            try:
                parse_call(value)
            except IntrinsicSyntaxError as exc:
                yield BAD_TEMPLATE_VALUE.at(item.loc, field=item.key, value=show(value),
                                            why=f" ({exc})")
        else:
            yield BAD_TEMPLATE_VALUE.at(item.loc, field=item.key, value=show(value), why="")


@UNKNOWN_INTRINSIC.check
def _intrinsic_calls(ctx: LintContext) -> Iterable[Diagnostic]:
    """Names, arity, literal argument types and Format counts of every intrinsic call."""
    for text, loc, _ in expression_strings(ctx):
        if not text.startswith("States."):
            continue
        for call in _parse_calls(text) or ():
            yield from _check_call(call, loc)


def _check_call(call: Call, loc: Loc) -> Iterator[Diagnostic]:
    problem = signature_problem(call)
    if problem is not None and problem.unknown:
        hint = " (use $$.State.EnteredTime for the time)" if "Time" in call.name else ""
        yield UNKNOWN_INTRINSIC.at(loc, name=call.name, hint=hint)
        return
    if problem is not None:
        yield INTRINSIC_ARGS.at(loc, name=call.name, problem=problem.message)
        return
    args = call.args
    for index in _NUMERIC_ARGS[call.name]:
        arg = args[index] if index < len(args) else None
        if isinstance(arg, String) or (isinstance(arg, Literal) and
                                       (arg.value is None or isinstance(arg.value, bool))):
            yield INTRINSIC_ARGS.at(loc, name=call.name,
                                    problem=f"argument {index + 1} must be a number or a path")
    if call.name == "States.Hash" and isinstance(args[1], String) and \
            args[1].value not in HASH_ALGORITHMS:
        yield INTRINSIC_ARGS.at(loc, name=call.name,
                                problem=f"unknown algorithm {args[1].value!r}")
    if call.name == "States.JsonMerge" and not isinstance(args[2], Path) and \
            not (isinstance(args[2], Literal) and args[2].value is False):
        yield INTRINSIC_ARGS.at(loc, name=call.name,
                                problem="the third argument must be false (no deep merge)")
    if call.name == "States.Format" and isinstance(args[0], String):
        holes = placeholder_count(args[0])
        if holes != len(args) - 1:
            yield FORMAT_COUNT.at(loc, holes=holes, args=len(args) - 1)


@DUPLICATE_KEY.check
def _duplicate_keys(ctx: LintContext) -> Iterable[Diagnostic]:
    for template, loc in _templates(ctx):
        for obj, obj_loc in _walk_template(template, loc):
            for key in obj:
                if isinstance(key, str) and key.endswith(".$") and key[:-2] in obj:
                    yield DUPLICATE_KEY.at(obj_loc.child(key), a=key[:-2], b=key, name=key[:-2])


_PATH_RULES = {  # kind -> (want, allow context, allow variables)
    "path": ("a Path", True, True),
    "refpath": ("a Reference Path", True, True),
    "error_path": ("a Reference Path or a string-returning intrinsic call", True, True),
}


def _path_problem(field: str, kind: str, value: str) -> tuple[str, str] | None:
    want, context, variables = _PATH_RULES[kind]
    if field == "ResultPath":
        return (want, p) if (p := check_reference_path(value, allow_context=False,
                                                       allow_variables=False)) else None
    if kind == "error_path" and value.startswith("States."):
        calls = _parse_calls(value)
        if calls is None:
            return want, "cannot parse the intrinsic call"
        if calls[0].name not in STRING_RESULT:
            return want, f"{calls[0].name} does not return a string"
        return None
    if kind == "path":
        problem = check_path(value)
    else:
        problem = check_reference_path(value, allow_context=context, allow_variables=variables)
    return (want, problem) if problem else None


@BAD_PATH.check
def _paths(ctx: LintContext) -> Iterable[Diagnostic]:
    for obj in shaped_objects(ctx)[0]:
        if obj.language == JSONATA:
            continue
        for key, value in obj.node.items():
            kind = obj.shape.fields.get(key)
            if kind is None or kind.type not in _PATH_RULES or not isinstance(value, str):
                continue
            found = _path_problem(key, kind.type, value)
            if found:
                yield BAD_PATH.at(obj.loc.child(key), field=key, value=show(value),
                                  want=found[0], problem=found[1])
    for state in ctx.states_of_type("Choice"):
        if state.query_language == JSONATA:
            continue
        for node, loc, _ in choice_rules(state):
            if not isinstance(node, dict):
                continue
            for key, value in node.items():
                if (key == "Variable" or (key.endswith("Path") and key in F.COMPARATORS)) \
                        and isinstance(value, str):
                    found = _path_problem(key, "refpath", value)
                    if found:
                        yield BAD_PATH.at(loc.child(key), field=key, value=show(value),
                                          want=found[0], problem=found[1])


def _jsonata_strings(node: Any, loc: Loc, top: bool) -> Iterator[tuple[str, Loc]]:
    if isinstance(node, str):
        if node.startswith("{%") or node.endswith("%}"):
            yield node, loc
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Comment" or (top and key in F.NEVER_EVALUATED):
                continue
            if key == "States" and not top:
                continue  # nested states are linted as states of their own
            yield from _jsonata_strings(value, loc.child(key), False)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _jsonata_strings(value, loc.child(i), False)


def _jsonata_states(ctx: LintContext) -> Iterator[StateInfo]:
    return (s for s in ctx.states if s.is_jsonata and isinstance(s.node, dict))


@BAD_JSONATA.check
def _jsonata(ctx: LintContext) -> Iterable[Diagnostic]:
    for state in _jsonata_states(ctx):
        for text, loc in _jsonata_strings(state.node, state.loc, True):
            problem = check_jsonata(text)
            if problem:
                yield BAD_JSONATA.at(loc, value=show(text), problem=problem)
        for key, allowed, want in (("Arguments", dict, "an object or a JSONata expression"),
                                   ("Items", list, "an array or a JSONata expression")):
            if key in state.node and key in F.STATE_SHAPES.get(str(state.type), F.MACHINE).fields:
                value = state.node[key]
                if not isinstance(value, allowed) and not (
                        isinstance(value, str) and value.startswith("{%")):
                    yield WRONG_TYPE.at(state.loc.child(key), field=key, got=show(value),
                                        want=want)
        for node, loc, _ in choice_rules(state) if state.type == "Choice" else ():
            if isinstance(node, dict) and "Condition" in node and not (
                    isinstance(node["Condition"], str | bool)
                    and (isinstance(node["Condition"], bool) or node["Condition"].startswith("{%"))):
                yield WRONG_TYPE.at(loc.child("Condition"), field="Condition",
                                    got=show(node["Condition"]), want="a JSONata expression")
