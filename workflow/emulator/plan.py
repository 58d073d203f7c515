"""Compile a definition once into per-state plans, checking what running it needs.

A plan holds each state's fields already looked up (MISSING where absent), its retriers and
catchers, and its Next-or-End as one field (`next` is None for End). Every structural
problem is a `DefinitionError` naming its JSON path (`$.States.Charge.Next`), so `run()`
never meets a KeyError later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workflow.emulator.errors import DefinitionError, UnsupportedFeature
from workflow.emulator.fields import check_fields, compile_choices, located
from workflow.emulator.paths import MISSING, check_result_path, compile_path
from workflow.emulator.resultwriter import parse_result_writer
from workflow.emulator.retry import Catcher, Retrier, parse_catchers, parse_retriers
from workflow.emulator.timestamps import parse_timestamp
from workflow.emulator.variables import compile_assign
from workflow.errors import json_path

STATE_TYPES = frozenset({"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"})
TERMINAL_TYPES = frozenset({"Succeed", "Fail"})

# Which data-flow fields each state type takes (ASL spec; AWS docs per state type). A field
# outside its type's set is ignored by AWS's interpreter only where AWS accepts it at
# creation; we follow the spec and do not read it.
_TAKES = {
    "Pass": frozenset({"InputPath", "Parameters", "ResultPath", "OutputPath"}),
    "Task": frozenset({"InputPath", "Parameters", "ResultSelector", "ResultPath", "OutputPath"}),
    "Choice": frozenset({"InputPath", "OutputPath"}),
    "Wait": frozenset({"InputPath", "OutputPath"}),
    "Succeed": frozenset({"InputPath", "OutputPath"}),
    "Fail": frozenset(),
    "Parallel": frozenset({"InputPath", "Parameters", "ResultSelector", "ResultPath",
                           "OutputPath"}),
    # A Map's Parameters are its legacy ItemSelector: read by the Map work, not the template.
    "Map": frozenset({"InputPath", "ResultSelector", "ResultPath", "OutputPath"}),
}
_CAN_RETRY = frozenset({"Task", "Parallel", "Map"})
# The state types that take `Assign` (AWS docs, "Passing data between states with variables").
_CAN_ASSIGN = frozenset({"Pass", "Task", "Choice", "Wait", "Map", "Parallel"})


@dataclass(frozen=True, slots=True)
class StatePlan:
    """Everything the engine needs about one state, looked up once."""

    name: str
    type: str
    path: str
    raw: dict
    next: str | None
    input_path: Any
    parameters: Any
    result_selector: Any
    result_path: Any
    output_path: Any
    retriers: tuple[Retrier, ...]
    catchers: tuple[Catcher, ...]
    # Map and Parallel: compiled sub-machines (branches, or the item processor).
    children: tuple[MachinePlan, ...] = ()
    # A Pass state's Result: its JSON text size, measured once (for DataLimitExceeded).
    result_size: int = 0
    # `Assign` (a variables.Assignment) or MISSING; for a Choice, the one used on Default.
    assign: Any = MISSING
    # Choice only: each rule's own Assign (or MISSING), used when that rule matches.
    rule_assigns: tuple[Any, ...] = ()
    # Choice only: each rule compiled into a predicate (choice.compile_rule), in order.
    rules: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class MachinePlan:
    """A compiled state machine, branch or Map item processor."""

    start_at: str
    states: dict[str, StatePlan] = field(default_factory=dict)
    path: str = "$"
    timeout_seconds: float | None = None


def _field(raw: dict, key: str, allowed: frozenset) -> Any:
    return raw.get(key, MISSING) if key in allowed else MISSING


def _check_path_field(raw: dict, key: str, path: str) -> None:
    value = raw.get(key, MISSING)
    if value is MISSING or value is None:
        return
    if not isinstance(value, str):
        raise DefinitionError(f"{path}.{key}", "must be a string or null")
    located(f"{path}.{key}", check_result_path if key == "ResultPath" else compile_path, value)


def compile_machine(definition: Any, path: str = "$", *, top: bool = False,
                    measure=None) -> MachinePlan:
    """Compile a definition (or branch / item processor at `path`) into a `MachinePlan`."""
    if not isinstance(definition, dict):
        raise DefinitionError(path, "must be a JSON object")
    if definition.get("QueryLanguage", "JSONPath") != "JSONPath":
        raise UnsupportedFeature(f"{path}.QueryLanguage", "only JSONPath is supported")
    states = definition.get("States")
    if not isinstance(states, dict) or not states:
        raise DefinitionError(f"{path}.States", "must be a non-empty object")
    start_at = definition.get("StartAt")
    if not isinstance(start_at, str):
        raise DefinitionError(f"{path}.StartAt", "must be a state name")
    if start_at not in states:
        raise DefinitionError(f"{path}.StartAt", f"names no state: {start_at!r}")
    timeout = definition.get("TimeoutSeconds") if top else None
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int)
                                or timeout < 0):
        raise DefinitionError(f"{path}.TimeoutSeconds", "must be a non-negative integer")
    plans = {}
    for name, raw in states.items():
        where = path + json_path(["States", name])[1:]
        plans[name] = _compile_state(name, raw, where, states, measure)
    return MachinePlan(start_at, plans, path, timeout)


def _target(states: dict, target: Any, where: str) -> str:
    if not isinstance(target, str):
        raise DefinitionError(where, "must be a state name")
    if target not in states:
        raise DefinitionError(where, f"names no state in this scope: {target!r}")
    return target


def _compile_state(name: str, raw: Any, path: str, states: dict, measure) -> StatePlan:
    if not isinstance(raw, dict):
        raise DefinitionError(path, "must be an object")
    kind = raw.get("Type")
    if not isinstance(kind, str) or kind not in STATE_TYPES:
        raise DefinitionError(f"{path}.Type", f"unknown state type: {kind!r}")
    if raw.get("QueryLanguage", "JSONPath") != "JSONPath":
        raise UnsupportedFeature(f"{path}.QueryLanguage", "only JSONPath is supported")
    takes = _TAKES[kind]
    for key in ("InputPath", "OutputPath", "ResultPath"):
        if key in takes:
            _check_path_field(raw, key, path)
    next_name = None
    if kind == "Choice":
        _check_choice(raw, path, states)
    elif kind not in TERMINAL_TYPES:
        if raw.get("End") is True:
            if "Next" in raw:
                raise DefinitionError(f"{path}.Next", "a state cannot have both Next and End")
        else:
            if "Next" not in raw:
                raise DefinitionError(path, "needs Next or End: true")
            next_name = _target(states, raw["Next"], f"{path}.Next")
    retriers = parse_retriers(raw.get("Retry"), path) if kind in _CAN_RETRY else ()
    catchers = parse_catchers(raw.get("Catch"), path, MISSING) if kind in _CAN_RETRY else ()
    for index, catcher in enumerate(catchers):
        _target(states, catcher.next, f"{path}.Catch[{index}].Next")
    children: tuple[MachinePlan, ...] = ()
    result_size = 0
    if kind == "Parallel":
        branches = raw.get("Branches")
        if not isinstance(branches, list) or not branches:
            raise DefinitionError(f"{path}.Branches", "must be a non-empty list")
        children = tuple(compile_machine(b, f"{path}.Branches[{i}]", measure=measure)
                         for i, b in enumerate(branches))
    elif kind == "Map":
        children = (_compile_map(raw, path, measure),)
    elif kind == "Wait":
        _check_wait(raw, path)
    elif kind == "Task":
        if not isinstance(raw.get("Resource"), str):
            raise DefinitionError(f"{path}.Resource", "must be a string")
    elif kind == "Pass" and "Result" in raw and measure is not None:
        result_size = measure(raw["Result"])
    check_fields(kind, raw, path)
    rules = compile_choices(raw, path) if kind == "Choice" else ()
    assign: Any = MISSING
    rule_assigns: tuple[Any, ...] = ()
    if kind in _CAN_ASSIGN and "Assign" in raw:
        assign = compile_assign(raw["Assign"], f"{path}.Assign")
    if kind == "Choice":
        rule_assigns = tuple(
            compile_assign(rule["Assign"], f"{path}.Choices[{i}].Assign")
            if "Assign" in rule else MISSING
            for i, rule in enumerate(raw["Choices"]))
    return StatePlan(
        name=name, type=kind, path=path, raw=raw, next=next_name,
        input_path=_field(raw, "InputPath", takes),
        parameters=_field(raw, "Parameters", takes),
        result_selector=_field(raw, "ResultSelector", takes),
        result_path=_field(raw, "ResultPath", takes),
        output_path=_field(raw, "OutputPath", takes),
        retriers=retriers, catchers=catchers, children=children, result_size=result_size,
        assign=assign, rule_assigns=rule_assigns, rules=rules,
    )


def _check_choice(raw: dict, path: str, states: dict) -> None:
    choices = raw.get("Choices")
    if not isinstance(choices, list) or not choices:
        raise DefinitionError(f"{path}.Choices", "must be a non-empty list")
    for index, rule in enumerate(choices):
        if not isinstance(rule, dict):
            raise DefinitionError(f"{path}.Choices[{index}]", "must be an object")
        _target(states, rule.get("Next"), f"{path}.Choices[{index}].Next")
    if "Default" in raw:
        _target(states, raw["Default"], f"{path}.Default")


def _compile_map(raw: dict, path: str, measure) -> MachinePlan:
    if "ItemProcessor" in raw:
        key = "ItemProcessor"
    elif "Iterator" in raw:
        key = "Iterator"
    else:
        raise DefinitionError(path, "a Map needs ItemProcessor (or the legacy Iterator)")
    if "ResultWriter" in raw:
        parse_result_writer(raw["ResultWriter"], f"{path}.ResultWriter")
        processor = raw[key] if isinstance(raw[key], dict) else {}
        config = processor.get("ProcessorConfig")
        if not isinstance(config, dict) or config.get("Mode") != "DISTRIBUTED":
            # A ResultWriter exports child executions, which only a Distributed Map has
            # (developer guide "ResultWriter (Map)").
            raise DefinitionError(f"{path}.ResultWriter",
                                  "needs a Distributed Map (ProcessorConfig.Mode DISTRIBUTED)")
    return compile_machine(raw[key], f"{path}.{key}", measure=measure)


_WAIT_FIELDS = ("Seconds", "Timestamp", "SecondsPath", "TimestampPath")


def _check_wait(raw: dict, path: str) -> None:
    present = [key for key in _WAIT_FIELDS if key in raw]
    if len(present) != 1:
        raise DefinitionError(path, "a Wait needs exactly one of " + ", ".join(_WAIT_FIELDS))
    key = present[0]
    value = raw[key]
    if key == "Seconds" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise DefinitionError(f"{path}.Seconds", "must be a non-negative integer")
    if key != "Seconds" and not isinstance(value, str):
        raise DefinitionError(f"{path}.{key}", "must be a string")
    if key == "Timestamp":
        if parse_timestamp(value) is None:
            # AWS rejects this at creation (corpus invalid-definitions: ".../Timestamp").
            raise DefinitionError(f"{path}.Timestamp", "is not an ISO-8601 timestamp")
