"""The work of each simple state type, one function each, in the `WORK` dispatch table.

A work function takes `(engine, state, state_input, effective_input, context, thread,
visible)` and returns `(result, next_name)`; `next_name` None means "the state's own Next
(or End)". The data flow around it (InputPath, Parameters, ResultSelector, ResultPath,
OutputPath) is the engine's one template. Map and Parallel live in `mapstate.py`.
"""

from __future__ import annotations

import json
from typing import Any

from workflow.emulator.answererrors import answerer_failure
from workflow.emulator.choice import first_match
from workflow.emulator.errors import StatesError
from workflow.emulator.execution import Call
from workflow.emulator.fields import NUMBER_FIELDS
from workflow.emulator.intrinsics import evaluate_intrinsic
from workflow.emulator.paths import MISSING, context_object, get_path
from workflow.emulator.taskevents import TaskEvents
from workflow.emulator.timestamps import parse_timestamp

RUNTIME = "States.Runtime"


def pass_work(engine, state, state_input, effective, context, thread, visible):
    """Pass: the `Result` if given, else the effective input (corpus base/test_state_pass_*)."""
    raw = state.raw
    if "Result" in raw:
        if state.result_size > engine.payload_limit:
            raise engine.data_limit_error(state.name)
        return raw["Result"], None
    return effective, None


def succeed_work(engine, state, state_input, effective, context, thread, visible):
    """Succeed: ends this flow with its effective input."""
    return effective, None


def choice_work(engine, state, state_input, effective, context, thread, visible):
    """Choice: the first matching rule's Next, else Default, else States.NoChoiceMatched."""
    raw = state.raw
    index = first_match(state.rules, raw.get("Default") is not None, effective, context)
    return effective, raw["Choices"][index]["Next"] if index >= 0 else raw["Default"]


def _value_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def wait_work(engine, state, state_input, effective, context, thread, visible):
    """Wait: let the injected clock pass (causes as corpus base/test_wait::*)."""
    raw = state.raw
    if "Seconds" in raw:
        engine.sleep(raw["Seconds"])
    elif "Timestamp" in raw:
        engine.sleep_until(parse_timestamp(raw["Timestamp"]))
    elif "SecondsPath" in raw:
        path = raw["SecondsPath"]
        try:
            value = get_path(path, effective, context, field="SecondsPath")
        except StatesError:
            raise StatesError(RUNTIME, "The SecondsPath parameter does not reference an input "
                              f"value: {path}") from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise StatesError(RUNTIME, "The SecondsPath parameter cannot be parsed as a long "
                              f"value: {path} == {_value_text(value)}")
        if value < 0:
            raise StatesError(RUNTIME, "The SecondsPath parameter references a negative value: "
                              f"{path} == {value}")
        engine.sleep(value)
    else:
        path = raw["TimestampPath"]
        try:
            value = get_path(path, effective, context, field="TimestampPath")
        except StatesError:
            raise StatesError(RUNTIME, "The TimestampPath parameter does not reference an input "
                              f"value: {path}") from None
        moment = parse_timestamp(value)
        if moment is None:
            raise StatesError(RUNTIME, "The TimestampPath parameter does not reference a valid "
                              "ISO-8601 extended offset date-time format string: "
                              f"{path} == {_value_text(value)}")
        engine.sleep_until(moment)
    return effective, None


def _fail_field(raw: dict, name: str, effective, context) -> str | None:
    path = raw.get(f"{name}Path", MISSING)
    if path is MISSING:
        value = raw.get(name)
        return value if isinstance(value, str) else None
    if isinstance(path, str) and path.startswith("States."):
        value = evaluate_intrinsic(path, effective, context)
    else:
        value = get_path(path, effective, context, field=f"{name}Path")
    if not isinstance(value, str):
        raise StatesError(RUNTIME, f"The {name}Path field must refer to a string value, "
                          f"got: {_value_text(value)}")
    return value


def fail_work(engine, state, state_input, effective, context, thread, visible):
    """Fail: raise its Error/Cause (or ErrorPath/CausePath, a path or an intrinsic)."""
    error = _fail_field(state.raw, "Error", effective, context)
    cause = _fail_field(state.raw, "Cause", effective, context)
    raise StatesError(error, cause)


# ---------------------------------------------------------------------------------- Task


def _seconds(raw: dict, name: str, state_input, context) -> float | None:
    if name in raw:
        return raw[name]
    path = raw.get(f"{name}Path")
    if path is None:
        return None
    value = get_path(path, state_input, context, field=f"{name}Path")
    # The same bounds as a literal (fields.NUMBER_FIELDS); the wording follows AWS's for a bad
    # MaxConcurrencyPath value (corpus `test_max_concurrency_path[NoNumber]`).
    integer, low, high = NUMBER_FIELDS["Task"][name]
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise StatesError(RUNTIME, f"The {name}Path field refers to value "
                          f"\"{_value_text(value)}\" which is not a valid positive integer: "
                          f"{path}")
    if value > high:
        raise StatesError(RUNTIME, f"The {name}Path field refers to value "
                          f"\"{_value_text(value)}\" which is greater than the maximum "
                          f"{high}: {path}")
    return value


def task_work(engine, state, state_input, effective, context, thread, visible):
    """Task: one attempt, answered by the task answerers; events as GetExecutionHistory.

    TimeoutSeconds and HeartbeatSeconds are measured on the injected clock around the
    answer: an answerer that lets more time pass (`clock.sleep`) fails with States.Timeout
    or States.HeartbeatTimeout, and its result is discarded.
    """
    raw = state.raw
    resource = raw["Resource"]
    timeout = _seconds(raw, "TimeoutSeconds", state_input, context)
    heartbeat = _seconds(raw, "HeartbeatSeconds", state_input, context)
    if timeout is not None and heartbeat is not None and heartbeat >= timeout:
        # Literals are rejected with the definition (fields.LESS_THAN); here a Path gave one.
        raise StatesError(RUNTIME, f"The HeartbeatSeconds value {heartbeat} is not less than "
                          f"the TimeoutSeconds value {timeout}.")
    arguments_text = engine.dumps(effective)
    engine.check_sent(state.name, arguments_text)
    events = TaskEvents(engine.history, thread, visible, resource)
    events.scheduled(arguments_text, engine.region, timeout, heartbeat)
    dollars = context_object(context)
    call = Call(state.name, resource, effective, dollars["State"].get("RetryCount", 0), dollars)
    engine.calls.append(call)
    result, failure, expired = engine.answer_in_time(
        call, ((timeout, "States.Timeout"), (heartbeat, "States.HeartbeatTimeout")))
    if expired is not None:
        limit, error = expired
        field = "TimeoutSeconds" if error == "States.Timeout" else "HeartbeatSeconds"
        cause = f"The task did not finish within its {field} ({limit} s)."
        events.timed_out(error, cause)
        raise StatesError(error, cause)
    if isinstance(failure, StatesError):
        events.failed(failure.error, failure.cause)
        raise failure
    if failure is not None:  # a Python exception: named by the resource's family
        err = answerer_failure(state.name, resource, failure)
        events.failed(err.error, err.cause)
        raise err from None
    result_text = engine.dumps(result)
    if engine.too_large(result_text):
        raise engine.data_limit_error(state.name)
    events.succeeded(result_text)
    return result, None

