"""Compile every expression of a state when the plan is built, before the execution starts.

AWS checks a definition's paths, payload templates, Choice rules and intrinsic calls at
CreateStateMachine, so a bad one is a `DefinitionError` here, at the JSON path of the field
(`$.States.x.Parameters.a['b.$']`, `$.States.c.Choices[0].Variable`), never a failed
execution or a Python exception later. What only fails against data (a path that selects
nothing, a value of the wrong type read through a `...Path`) stays a `States.Runtime` at run
time, as AWS recorded it (corpus `test_invalid_jsonpath[*]`, `test_max_concurrency_path[*]`).

The value compilers (`paths`, `choice`, `intrinsics`) do not know where a value sits: they
raise relative errors, and this module re-roots each one once, with the field's location.
The tables below say which field holds what, per state type (ASL spec, AWS docs per state).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workflow.emulator.choice import Predicate, compile_rule
from workflow.emulator.errors import DefinitionError

__all__ = ["check_fields", "compile_choices", "located"]
from workflow.emulator.paths import (
    check_result_path,
    compact_json,
    compile_path,
    compile_template,
)

# Fields holding a Path (a string; never null), per state type.
PATH_FIELDS: dict[str, tuple[str, ...]] = {
    "Task": ("TimeoutSecondsPath", "HeartbeatSecondsPath"),
    "Wait": ("SecondsPath", "TimestampPath"),
    "Map": ("ItemsPath", "MaxConcurrencyPath", "ToleratedFailureCountPath",
            "ToleratedFailurePercentagePath"),
}
# Fields holding a Path or an intrinsic function call (a string).
PATH_OR_INTRINSIC_FIELDS: dict[str, tuple[str, ...]] = {"Fail": ("ErrorPath", "CausePath")}
# Fields holding a payload template (an object).
TEMPLATE_FIELDS: dict[str, tuple[str, ...]] = {
    "Pass": ("Parameters",),
    "Task": ("Parameters", "ResultSelector"),
    "Parallel": ("Parameters", "ResultSelector"),
    "Map": ("Parameters", "ItemSelector", "ResultSelector"),
}
# Fields holding a string.
STRING_FIELDS: dict[str, tuple[str, ...]] = {
    "Fail": ("Error", "Cause"),
    "Map": ("Label",),
}
# The largest TimeoutSeconds, HeartbeatSeconds, IntervalSeconds and MaxAttempts AWS accepts,
# and MaxDelaySeconds, which "must be less than 31622401" (AWS docs, concepts-error-handling
# "Retry" fields; states-task-state "TimeoutSeconds").
SECONDS_MAX = 99_999_999
MAX_DELAY_MAX = 31_622_400
# Literal numbers: field -> (integer only, minimum, maximum or None).
NUMBER_FIELDS: dict[str, dict[str, tuple[bool, float, float | None]]] = {
    "Task": {"TimeoutSeconds": (True, 1, SECONDS_MAX),
             "HeartbeatSeconds": (True, 1, SECONDS_MAX)},
    "Map": {"MaxConcurrency": (True, 0, None), "ToleratedFailureCount": (True, 0, None),
            "ToleratedFailurePercentage": (False, 0, 100)},
}
# A Retry entry's numbers, same shape: IntervalSeconds is a positive integer (ASL spec).
RETRY_NUMBERS: dict[str, tuple[bool, float, float | None]] = {
    "IntervalSeconds": (True, 1, SECONDS_MAX),
    "MaxAttempts": (True, 0, SECONDS_MAX),
    "BackoffRate": (False, 1.0, None),
    "MaxDelaySeconds": (True, 1, MAX_DELAY_MAX),
}
# Fields a state may not give together (ASL spec, Task state: "MUST NOT include both").
EXCLUSIVE_PAIRS: dict[str, tuple[tuple[str, str], ...]] = {
    "Task": (("TimeoutSeconds", "TimeoutSecondsPath"),
             ("HeartbeatSeconds", "HeartbeatSecondsPath")),
}
# (smaller, larger): the first must be less than the second when both are known (ASL spec:
# HeartbeatSeconds "MUST be smaller than TimeoutSeconds"). Literals are checked here, values
# read through `...Path` at run time (states.task_work).
LESS_THAN: dict[str, tuple[tuple[str, str], ...]] = {
    "Task": (("HeartbeatSeconds", "TimeoutSeconds"),),
}
PROCESSOR_MODES = frozenset({"INLINE", "DISTRIBUTED"})


def located(where: str, compile_value: Callable[[Any], Any], value: Any) -> Any:
    """Run `compile_value(value)`, re-rooting a relative `DefinitionError` at `where`."""
    try:
        return compile_value(value)
    except DefinitionError as exc:
        raise exc.at(where) from None


def check_fields(kind: str, raw: dict, path: str) -> None:
    """Compile every path, template, literal and intrinsic call of one state at `path`."""
    for key in PATH_FIELDS.get(kind, ()):
        if key in raw:
            located(f"{path}.{key}", compile_path, raw[key])
    for key in PATH_OR_INTRINSIC_FIELDS.get(kind, ()):
        if key in raw:
            located(f"{path}.{key}", _path_or_intrinsic, raw[key])
    for key in TEMPLATE_FIELDS.get(kind, ()):
        if key in raw:
            located(f"{path}.{key}", _template, raw[key])
    for key in STRING_FIELDS.get(kind, ()):
        if key in raw and not isinstance(raw[key], str):
            raise DefinitionError(f"{path}.{key}", "must be a string")
    for first, second in EXCLUSIVE_PAIRS.get(kind, ()):
        if first in raw and second in raw:
            raise DefinitionError(f"{path}.{second}", f"cannot be given with {first}")
    for key, (integer, low, high) in NUMBER_FIELDS.get(kind, {}).items():
        if key in raw:
            check_number(raw[key], f"{path}.{key}", integer, low, high)
    for smaller, larger in LESS_THAN.get(kind, ()):
        if smaller in raw and larger in raw and raw[smaller] >= raw[larger]:
            raise DefinitionError(f"{path}.{smaller}", f"must be less than {larger}")
    catchers = raw.get("Catch")
    if isinstance(catchers, list):
        for index, catcher in enumerate(catchers):
            if isinstance(catcher, dict) and catcher.get("ResultPath") is not None:
                located(f"{path}.Catch[{index}].ResultPath", check_result_path,
                        catcher["ResultPath"])
    if kind == "Map":
        _check_map(raw, path)


def compile_choices(raw: dict, path: str) -> tuple[Predicate, ...]:
    """Compile a Choice state's rules (already known to be a non-empty list of objects)."""
    return tuple(located(f"{path}.Choices[{index}]", compile_rule, rule)
                 for index, rule in enumerate(raw["Choices"]))


def _template(value: Any) -> Any:
    # Any JSON value is a payload template: objects and arrays are rendered (`.$` keys at
    # any depth), other values are used as they are. The ASL spec speaks of objects, but a
    # deployed AWS sample (serverless-patterns, pipes-sqs-enrichment) gives a Pass state an
    # array, and asl-validator, statelint and the language service all accept non-objects
    # (asl-lint corpus README, `nonobject_parameters`).
    return compile_template(value)


def _path_or_intrinsic(value: Any) -> Any:
    if not isinstance(value, str):
        raise DefinitionError("$", "must be a JSONPath or an intrinsic function call, not "
                              f"{compact_json(value)}", relative=True)
    if value.startswith("States."):
        # intrinsics.py names the expression as the path: the field is where it sits.
        from workflow.emulator.intrinsics import compile_intrinsic

        try:
            return compile_intrinsic(value)
        except DefinitionError as exc:
            raise DefinitionError("$", exc.message, relative=True) from None
    return compile_path(value)


def check_number(value: Any, where: str, integer: bool, low: float, high: float | None
                 ) -> None:
    """Raise a DefinitionError at `where` unless `value` is a number within its bounds."""
    kinds = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise DefinitionError(where, f"must be {'an integer' if integer else 'a number'}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f">= {low}"
        raise DefinitionError(where, f"must be {bounds}")


def _check_map(raw: dict, path: str) -> None:
    """A Map's own structure: the processor's configuration and the ItemReader."""
    key = "ItemProcessor" if "ItemProcessor" in raw else "Iterator"
    processor = raw.get(key)
    if isinstance(processor, dict) and "ProcessorConfig" in processor:
        where = f"{path}.{key}.ProcessorConfig"
        config = processor["ProcessorConfig"]
        if not isinstance(config, dict):
            raise DefinitionError(where, "must be an object")
        if "Mode" in config and not (isinstance(config["Mode"], str)
                                     and config["Mode"] in PROCESSOR_MODES):
            raise DefinitionError(f"{where}.Mode", "must be INLINE or DISTRIBUTED")
    if "ItemReader" in raw:
        where = f"{path}.ItemReader"
        reader = raw["ItemReader"]
        if not isinstance(reader, dict):
            raise DefinitionError(where, "must be an object")
        if not isinstance(reader.get("Resource"), str):
            raise DefinitionError(f"{where}.Resource", "must be a string")
        if "Parameters" in reader:
            located(f"{where}.Parameters", _template, reader["Parameters"])
        config = reader.get("ReaderConfig", {})
        if not isinstance(config, dict):
            raise DefinitionError(f"{where}.ReaderConfig", "must be an object")

