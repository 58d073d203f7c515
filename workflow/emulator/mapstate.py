"""Map (inline and Distributed) and Parallel: sub-flows run in order, on one thread.

Iterations and branches run one after another (as with MaxConcurrency 1), so histories and
mock numbering are deterministic. Event sequences follow AWS recordings:
* inline Map: MapStateStarted{length}, then per item MapIterationStarted, the item's events,
  MapIterationSucceeded|Failed, then MapStateSucceeded|Failed (corpus
  `scenarios/...::test_map_state_break_condition`); a retry starts again at
  MapStateStarted (`test_map_state_retry_multiple_retriers`).
* Distributed Map: MapStateStarted, MapRunStarted{mapRunArn}, MapRunSucceeded|Failed,
  MapStateSucceeded|Failed; child executions are not in the parent history
  (`test_map_state_label`).
* MaxConcurrencyPath is checked before MapStateStarted, ToleratedFailure*Path after it
  (`test_max_concurrency_path[NoNumber]`, `test_map_state_tolerated_failure_count_path[-1]`).
* Parallel: ParallelStateStarted, each branch's events, ParallelStateSucceeded|Failed; a
  failing branch fails the Parallel with the branch's own error
  (`test_parallel_state_fail`, `_catch`, `_retry`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from workflow.emulator.answererrors import answerer_failure
from workflow.emulator.context import map_run_arn
from workflow.emulator.errors import StatesError
from workflow.emulator.execution import Call
from workflow.emulator.history import Thread
from workflow.emulator.paths import (
    MISSING,
    EvalContext,
    context_object,
    get_path,
    render_template,
    with_context_object,
)
from workflow.emulator.resultwriter import ChildResult, parse_result_writer, write_results
from workflow.emulator.variables import Variables

RUNTIME = "States.Runtime"
THRESHOLD = "States.ExceedToleratedFailureThreshold"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _integer_field(raw, name, effective, context, *, kind="integer"):
    """A Map number field given literally or through `<name>Path`, checked as AWS does."""
    if name in raw:
        return raw[name]
    path = raw.get(f"{name}Path")
    if path is None:
        return None
    value = get_path(path, effective, context, field=f"{name}Path")
    number = _as_number(value, kind)
    if number is None:
        raise StatesError(RUNTIME, f"The {name}Path field refers to value \"{_text(value)}\" "
                          f"which is not a valid {kind}: {path}")
    return number


_INTEGER_TEXT = re.compile(r"[+-]?\d+")
_FLOAT_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _as_number(value: Any, kind: str) -> int | float | None:
    """The number `value` stands for, or None. A numeric string counts: AWS ran a Map whose
    MaxConcurrencyPath and ToleratedFailure*Path read the string "1" (corpus
    `test_reference_in_map_state[MAP_STATE_REFERENCE_IN_MAX_CONCURRENCY_PATH]` and
    `[MAP_STATE_REFERENCE_IN_TOLERATED_FAILURE_PATH]`), and rejected "NoNumber" and {}
    (`test_max_concurrency_path[NoNumber]`)."""
    if isinstance(value, bool):
        return None
    if kind == "integer":
        if isinstance(value, int):
            return value
        if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value):
            return int(value)
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and _FLOAT_TEXT.fullmatch(value):
        return float(value)
    return None


def _read_items(engine, state, effective, context) -> list:
    raw = state.raw
    reader = raw.get("ItemReader")
    if reader is not None:
        return _items_from_reader(engine, state, reader, effective, context)
    path = raw.get("ItemsPath", "$")
    items = get_path(path, effective, context, field="ItemsPath") if path != "$" else effective
    if not isinstance(items, list):
        raise StatesError(RUNTIME, f"The ItemsPath field refers to value \"{_text(items)}\" "
                          f"which is not a valid array: {path}")
    return items


def _items_from_reader(engine, state, reader, effective, context) -> list:
    """Items from an ItemReader, whose read is answered like a Task (by mocks or `tasks`).

    The answer may be the list of items itself, an S3 GetObject-like `{"Body": text}` (JSON
    array, or CSV with `ReaderConfig.InputType: CSV` and a first-row header), or a
    ListObjectsV2-like `{"Contents": [...]}`.
    """
    if not isinstance(reader, dict) or not isinstance(reader.get("Resource"), str):
        raise StatesError(RUNTIME, "The ItemReader field needs a Resource")
    arguments = reader.get("Parameters", {})
    if isinstance(arguments, dict):
        arguments = render_template(arguments, effective, context, field="ItemReader.Parameters")
    engine.check_sent(state.name, engine.dumps(arguments))
    call = Call(state.name, reader["Resource"], arguments, 0, context_object(context))
    engine.calls.append(call)
    try:
        answer = engine.answer(call)
    except Exception as exc:  # named as a Task's answerer error would be
        raise answerer_failure(state.name, reader["Resource"], exc) from None
    config = reader.get("ReaderConfig") or {}
    if isinstance(answer, dict) and "Body" in answer:
        body = answer["Body"]
        if config.get("InputType") == "CSV":
            rows = list(csv.reader(io.StringIO(body)))
            header, rows = (rows[0], rows[1:]) if rows else ([], [])
            answer = [dict(zip(header, row, strict=False)) for row in rows]
        else:
            try:
                answer = json.loads(body) if isinstance(body, str) else body
            except ValueError:
                raise StatesError("States.ItemReaderFailed",
                                  "The ItemReader body is not valid JSON") from None
    elif isinstance(answer, dict) and "Contents" in answer:
        answer = answer["Contents"]
    if not isinstance(answer, list):
        raise StatesError("States.ItemReaderFailed", "The ItemReader did not produce an array")
    limit = config.get("MaxItems")
    return answer[:limit] if isinstance(limit, int) and limit >= 0 else answer


def map_work(engine, state, state_input, effective, context, thread, visible):
    """Map: run the item processor on each item; results in item order."""
    raw = state.raw
    history = engine.history
    processor = raw.get("ItemProcessor", raw.get("Iterator")) or {}
    config = processor.get("ProcessorConfig") or {}
    distributed = config.get("Mode") == "DISTRIBUTED"
    _integer_field(raw, "MaxConcurrency", effective, context)
    items = _read_items(engine, state, effective, context)
    history.add(thread, "MapStateStarted", "mapStateStartedEventDetails",
                {"length": len(items)}, visible=visible)
    count = _integer_field(raw, "ToleratedFailureCount", effective, context)
    percentage = _integer_field(raw, "ToleratedFailurePercentage", effective, context,
                                kind="float")
    if count is not None and count < 0:
        raise StatesError(RUNTIME, "ToleratedFailureCount cannot be negative.")
    if percentage is not None and not 0 <= percentage <= 100:
        raise StatesError(RUNTIME, "ToleratedFailurePercentage must be between 0 and 100.")
    tolerant = count is not None or percentage is not None
    selector = raw.get("ItemSelector", raw.get("Parameters", MISSING))
    child = state.children[0]
    if distributed:
        label = raw.get("Label") or state.name
        arn = map_run_arn(engine.region, engine.account_id, engine.machine_name, label)
        history.add(thread, "MapRunStarted", "mapRunStartedEventDetails", {"mapRunArn": arn},
                    visible=visible)
    inner_visible = visible and not distributed
    writer = None
    if "ResultWriter" in raw:  # checked by the plan, so parsing cannot fail here
        writer = parse_result_writer(raw["ResultWriter"], "$.ResultWriter")
    children: list[ChildResult] = []
    results: list[Any] = []
    failures = 0
    total = len(items)
    for index, item in enumerate(items):
        if selector is not MISSING:
            item_object = dict(context_object(context))
            item_object["Map"] = {"Item": {"Index": index, "Value": item}}
            item_input = render_template(selector, effective,
                                         with_context_object(context, item_object),
                                         field="ItemSelector")
        else:
            item_input = item
        iteration = {"index": index, "name": state.name}
        if inner_visible:
            history.add(thread, "MapIterationStarted", "mapIterationStartedEventDetails",
                        iteration)
        inner = Thread(thread.last)
        try:
            output, _ = engine.run_machine(child, item_input, None, inner, inner_visible,
                                           Variables() if distributed else _inner(context))
        except StatesError as err:
            if inner_visible:
                history.add(inner, "MapIterationFailed", "mapIterationFailedEventDetails",
                            iteration)
            thread.last = inner.last
            failures += 1
            exceeded = (not tolerant
                        or (count is not None and failures > count)
                        or (percentage is not None and failures * 100.0 / total > percentage))
            if exceeded:
                if distributed:
                    history.add(thread, "MapRunFailed", "mapRunFailedEventDetails",
                                {}, visible=visible)
                failure = err
                if tolerant:
                    failure = StatesError(THRESHOLD, "The specified tolerated failure "
                                          "threshold was exceeded")
                # MapStateFailed comes only once retries are over (the engine emits it).
                failure.failed_event = "MapStateFailed"
                raise failure from None
            # Unconfirmed: the item's place in the output of a tolerated failure.
            results.append({"Error": err.error, "Cause": err.cause})
            if writer is not None:
                children.append(ChildResult(index, item_input, error=err.error,
                                            cause=err.cause))
            continue
        if inner_visible:
            history.add(inner, "MapIterationSucceeded", "mapIterationSucceededEventDetails",
                        iteration)
        thread.last = inner.last
        results.append(output)
        if writer is not None:
            children.append(ChildResult(index, item_input, output))
    if writer is not None:
        try:
            results = write_results(engine, state, writer, children, effective, context, arn)
        except StatesError as err:
            history.add(thread, "MapRunFailed", "mapRunFailedEventDetails", {}, visible=visible)
            err.failed_event = "MapStateFailed"
            raise
    if distributed:
        history.add(thread, "MapRunSucceeded", None, visible=visible)
    history.add(thread, "MapStateSucceeded", None, visible=visible)
    return results, None


def parallel_work(engine, state, state_input, effective, context, thread, visible):
    """Parallel: each branch gets the effective input; the result lists their outputs."""
    history = engine.history
    history.add(thread, "ParallelStateStarted", None, visible=visible)
    results = []
    for branch in state.children:
        inner = Thread(thread.last)
        try:
            output, _ = engine.run_machine(branch, effective, None, inner, visible,
                                           _inner(context))
        except StatesError as err:
            thread.last = inner.last
            err.failed_event = "ParallelStateFailed"  # emitted by the engine, after retries
            raise
        thread.last = inner.last
        results.append(output)
    history.add(thread, "ParallelStateSucceeded", None, visible=visible)
    return results, None


def _inner(context: Any) -> Variables:
    """The variables an iteration or branch starts with: a copy of the outer ones (corpus
    `assign/test_assign_base::TestAssignBase::test_base_cases[BASE_SCOPE_MAP]`). A Distributed
    Map's child executions get none (its items are separate executions; not recorded)."""
    if isinstance(context, EvalContext) and isinstance(context.variables, Variables):
        return context.variables.child()
    return Variables()
