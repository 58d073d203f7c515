"""The interpreter: `run()` and the one template every state runs.

Template, per state: entered event -> InputPath -> Parameters -> the state's work ->
ResultSelector -> Assign (evaluated) -> ResultPath -> OutputPath -> variables stored ->
exited event. Retriers re-run the template from InputPath (so `$$.State.RetryCount` is seen
by Parameters); catchers evaluate their own Assign on the error output, apply their
ResultPath to the state's raw input and emit the exited event. Workflow variables live in a
`Variables` per flow of control (see `variables.py`); the data layer sees them through an
`EvalContext` only when there are any, so states in a machine without variables pay nothing.

Failures that are not the definition's own (an unanswered Task, the transition guard, a bug
in the emulator) fail the execution with an `Emulator.*` error that no retrier or catcher
sees, so it cannot be hidden by a `States.ALL` catcher.
"""

from __future__ import annotations

import gc
import json
import random
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from workflow.emulator.answerers import UNANSWERED, answerer_chain
from workflow.emulator.choice import first_match
from workflow.emulator.clock import Clock, FakeClock
from workflow.emulator.context import execution_arn as make_execution_arn
from workflow.emulator.context import (
    format_timestamp,
    make_execution_context,
    state_machine_arn,
)
from workflow.emulator.errors import DefinitionError, ExecutionInputRejected, StatesError
from workflow.emulator.execution import Call, Execution
from workflow.emulator.history import History, Thread, error_details
from workflow.emulator.mapstate import map_work, parallel_work
from workflow.emulator.paths import (
    MISSING,
    EvalContext,
    apply_input_path,
    apply_output_path,
    apply_result_path,
    render_template,
)
from workflow.emulator.plan import MachinePlan, StatePlan, compile_machine
from workflow.emulator.retry import RUNTIME, find_catcher, find_retrier
from workflow.emulator.states import (
    choice_work,
    fail_work,
    pass_work,
    succeed_work,
    task_work,
    wait_work,
)
from workflow.emulator.variables import Variables, evaluate_assign

PAYLOAD_LIMIT = 262_144  # bytes of UTF-8, any state input or output (AWS limits-overview)

WORK: dict[str, Callable] = {
    "Pass": pass_work,
    "Task": task_work,
    "Choice": choice_work,
    "Wait": wait_work,
    "Succeed": succeed_work,
    "Fail": fail_work,
    "Map": map_work,
    "Parallel": parallel_work,
}
_RETRY_COUNTED = frozenset({"Task", "Map", "Parallel"})
_NOT_TRUNCATED = {"truncated": False}
_RUNTIME_PREFIX = "An error occurred while executing the state"


TASK_NOT_ANSWERED = "Emulator.TaskNotAnswered"
TRANSITION_LIMIT = "Emulator.TransitionLimitExceeded"
INTERNAL_ERROR = "Emulator.InternalError"


class _TimedOut(Exception):
    """The execution's TimeoutSeconds passed on the clock."""


class Engine:
    """One execution's mutable state: history, clock, answerers, counters."""

    payload_limit = PAYLOAD_LIMIT

    def __init__(self, *, clock, answerers, ectx, region, account_id, machine_name,
                 max_transitions, deadline, seed):
        self.clock = clock
        self.history = History(clock)
        self.answerers = answerers
        self.ectx = ectx
        self.region = region
        self.account_id = account_id
        self.machine_name = machine_name
        self.max_transitions = max_transitions
        self.deadline = deadline
        self.rng = random.Random(seed)
        self.calls: list[Call] = []
        self.transitions = 0
        self._stamp_at: datetime | None = None
        self._stamp = ""
        self.dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

    # ----------------------------------------------------------------- helpers for states

    def too_large(self, text: str) -> bool:
        """Whether JSON text exceeds the payload limit in UTF-8 bytes."""
        if len(text) <= PAYLOAD_LIMIT // 4:
            return False
        return len(text.encode("utf-8")) > PAYLOAD_LIMIT

    def data_limit_error(self, name: str) -> StatesError:
        """AWS's error for an oversized result (corpus error_handling test_start_large_input)."""
        return StatesError("States.DataLimitExceeded",
                           f"The state/task '{name}' returned a result with a size exceeding "
                           "the maximum number of bytes service limit.")

    def check_sent(self, name: str, text: str) -> None:
        """Raise States.DataLimitExceeded when what a state sends to a task is too large.

        The 256 KiB limit covers "input data when scheduling a task" (AWS docs,
        limits-overview), so a Task's effective input and an ItemReader's rendered
        Parameters are checked before they are sent. AWS's cause for this case is not in
        the recorded corpus; the wording follows the recorded one for results.
        """
        if self.too_large(text):
            raise StatesError("States.DataLimitExceeded",
                              f"The state/task '{name}' has an input with a size exceeding "
                              "the maximum number of bytes service limit.")

    def answer(self, call: Call) -> Any:
        """Ask each answerer in turn; the first that does not pass (UNANSWERED) answers."""
        for answerer in self.answerers:
            result = answerer(call)
            if result is not UNANSWERED:
                return result
        raise StatesError(TASK_NOT_ANSWERED,
                          f"Task state '{call.state}' (resource {call.resource}) has no answer: "
                          "no mock response names it and no task answerer handles it; pass "
                          "run(..., tasks={...}) or a mock_config test case for it.")

    def answer_in_time(self, call: Call, limits: tuple[tuple[float | None, str], ...]
                       ) -> tuple[Any, Exception | None, tuple[float, str] | None]:
        """Answer `call` while its task's time limits and the execution's deadline run.

        `limits` are `(seconds or None, error name)` pairs measured from now (TimeoutSeconds,
        HeartbeatSeconds). A `FakeClock` stops the answerer's sleeps at the earliest of them
        and the deadline, so a timeout happens at its own instant. Time is checked before
        the answer is trusted, returned or raised: past the execution's deadline this
        raises `_TimedOut`; otherwise it returns `(result, failure, expired)`, where
        `failure` is what the answerer raised (or None) and `expired` the `(seconds,
        error)` limit that ran out first (or None).
        """
        clock = self.clock
        started = clock.now()
        moments = [(started + timedelta(seconds=sec), sec, err) for sec, err in limits
                   if sec is not None]
        moments.sort(key=lambda item: item[0])
        until = moments[0][0] if moments else None
        if self.deadline is not None and (until is None or self.deadline <= until):
            until = self.deadline
        fake = until is not None and isinstance(clock, FakeClock)
        if fake:
            saved = clock.limit, clock.reached_limit
            clock.limit, clock.reached_limit = until, False
        result = failure = None
        try:
            result = self.answer(call)
        except Exception as exc:
            failure = exc
        finally:
            stopped = fake and clock.reached_limit
            if fake:
                clock.limit, clock.reached_limit = saved
        now = clock.now()

        def reached(moment: datetime) -> bool:
            return now > moment or (stopped and now == moment)

        if self.deadline is not None and reached(self.deadline):
            raise _TimedOut()
        for moment, seconds, error in moments:
            if reached(moment):
                return None, None, (seconds, error)
        return result, failure, None

    def sleep(self, seconds: float) -> None:
        """Let `seconds` pass on the clock, stopping at the execution's deadline."""
        if seconds <= 0:
            return
        if self.deadline is not None:
            left = (self.deadline - self.clock.now()).total_seconds()
            if seconds > left:
                self.clock.sleep(max(0.0, left))
                raise _TimedOut()
        self.clock.sleep(seconds)

    def sleep_until(self, moment: datetime) -> None:
        """Wait until `moment` (no wait if it has passed)."""
        self.sleep((moment - self.clock.now()).total_seconds())

    # ----------------------------------------------------------------------- the machine

    def run_machine(self, plan: MachinePlan, value: Any, text: str | None, thread: Thread,
                    visible: bool = True, variables: Variables | None = None
                    ) -> tuple[Any, str]:
        """Run a state machine (or branch / iteration) from StartAt; return output and text.

        `variables` are the workflow variables of this flow (a fresh set when None).
        """
        if variables is None:
            variables = Variables()
        states = plan.states
        name = plan.start_at
        clock = self.clock
        while True:
            self.transitions += 1
            if self.transitions > self.max_transitions:
                raise StatesError(TRANSITION_LIMIT,
                                  f"The execution exceeded max_transitions={self.max_transitions} "
                                  f"state transitions (entering state '{name}').")
            if self.deadline is not None and clock.now() > self.deadline:
                raise _TimedOut()
            state = states[name]
            if text is None:
                text = self.dumps(value)
            value, text, name = self.run_state(state, value, text, thread, visible, variables)
            if name is None:
                return value, text

    def run_state(self, state: StatePlan, value: Any, text: str, thread: Thread,
                  visible: bool, variables: Variables) -> tuple[Any, str, str | None]:
        """Run one state: events, retries and catchers around the template."""
        history = self.history
        entered_id = history.state_entered(thread, state.type, state.name, text, visible)
        now = self.clock.now()
        if now != self._stamp_at:  # FakeClock often stands still: format once per instant
            self._stamp_at, self._stamp = now, format_timestamp(now)
        entered = self._stamp
        counted = state.type in _RETRY_COUNTED
        context = self.ectx.for_state(state.name, entered, 0 if counted else None)
        if state.type == "Task" and state.raw["Resource"].endswith(".waitForTaskToken"):
            context["Task"] = {"Token": str(uuid.uuid4())}
        try:
            if not state.retriers:
                return self._process(state, value, text, context, thread, visible, variables)
            return self._with_retries(state, value, text, context, thread, visible, variables)
        except DefinitionError as exc:
            # The plan compiles every field first, so this is a safety net: a value compiler's
            # relative error found late still names a place in the definition (the state).
            raise exc.at(state.path) from None
        except StatesError as err:
            failed_event = getattr(err, "failed_event", None)
            if failed_event is not None:
                # Map/Parallel: `<Type>StateFailed` once retries are over (corpus
                # test_map_state_retry_multiple_retriers, test_parallel_state_retry).
                err.failed_event = None
                history.add(thread, failed_event, None, visible=visible)
            if err.error == RUNTIME and not (err.cause or "").startswith(_RUNTIME_PREFIX):
                err = StatesError(RUNTIME, f"{_RUNTIME_PREFIX} '{state.name}' (entered at the "
                                  f"event id #{entered_id}). {err.cause}")
            catcher = find_catcher(state.catchers, err.error) if state.catchers else None
            if catcher is None:
                raise err from None
            error_output = {"Error": err.error}
            if err.cause is not None:
                error_output["Cause"] = err.cause
            assigned = None
            if catcher.assign is not MISSING and catcher.assign is not None:
                # The catcher's Assign reads the error output as `$` (AWS docs, "Passing data
                # between states with variables"); the state's own Assign does not run.
                data_ctx = EvalContext(context, variables) if variables else context
                new_values, assigned = evaluate_assign(catcher.assign, error_output, data_ctx,
                                                       self.dumps, state.name)
            output = apply_result_path(value, error_output, catcher.result_path)
            out_text = self.dumps(output)
            if self.too_large(out_text):
                raise self.data_limit_error(state.name) from None
            if assigned is not None:
                variables.commit(new_values, assigned, state.name)
            history.state_exited(thread, state.type, state.name, out_text, visible, assigned)
            return output, out_text, catcher.next

    def _with_retries(self, state, value, text, context, thread, visible, variables):
        counts = [0] * len(state.retriers)
        while True:
            try:
                return self._process(state, value, text, context, thread, visible, variables)
            except StatesError as err:
                index = find_retrier(state.retriers, err.error)
                if index is None:
                    raise
                retrier = state.retriers[index]
                if counts[index] >= retrier.max_attempts:
                    raise
                self.sleep(retrier.delay(counts[index], self.rng))
                counts[index] += 1
                retried = dict(context)
                retried["State"] = dict(context["State"], RetryCount=sum(counts))
                context = retried

    def _process(self, state: StatePlan, value: Any, text: str, context: dict,
                 thread: Thread, visible: bool, variables: Variables
                 ) -> tuple[Any, str, str | None]:
        """The template: InputPath -> Parameters -> work -> ResultSelector -> Assign ->
        ResultPath -> OutputPath -> variables stored -> exited event.

        Every expression here reads the variables as they were on entry; what Assign gives is
        stored only once the output is settled (corpus
        `test_state_assign_evaluation_order[BASE_EVALUATION_ORDER_PASS_STATE]`).
        """
        data_ctx = EvalContext(context, variables) if variables else context
        effective = value
        if state.input_path is not MISSING:
            effective = apply_input_path(state.input_path, value, data_ctx)
        if state.parameters is not MISSING:
            effective = render_template(state.parameters, effective, data_ctx,
                                        field="Parameters")
        assignment = state.assign
        if state.type == "Choice":
            result = effective
            index = first_match(state.rules, state.raw.get("Default") is not None,
                                effective, data_ctx)
            if index >= 0:
                # A matching rule uses its own Assign; the state's top-level Assign is for
                # Default only (ASL spec; unconfirmed by the corpus, see docs/fidelity.md).
                next_name = state.raw["Choices"][index]["Next"]
                assignment = state.rule_assigns[index]
            else:
                next_name = state.raw["Default"]
        else:
            if state.type in _TAKES_VARIABLES:
                data_ctx = _with_variables(data_ctx, context, variables)
            result, next_name = WORK[state.type](self, state, value, effective, data_ctx,
                                                 thread, visible)
        if state.result_selector is not MISSING:
            result = render_template(state.result_selector, result, data_ctx,
                                     field="ResultSelector")
        assigned = None
        if assignment is not MISSING:
            new_values, assigned = evaluate_assign(assignment, result, data_ctx, self.dumps,
                                                   state.name)
        output = result
        if state.result_path is not MISSING:
            output = apply_result_path(value, result, state.result_path)
        if state.output_path is not MISSING:
            output = apply_output_path(state.output_path, output, data_ctx)
        # JSON values are never changed in place, so an unchanged object has the same text.
        out_text = text if output is value else self.dumps(output)
        if len(out_text) > PAYLOAD_LIMIT // 4 and self.too_large(out_text):
            raise self.data_limit_error(state.name)
        if assigned is not None:
            variables.commit(new_values, assigned, state.name)
        if state.type != "Fail":
            self.history.state_exited(thread, state.type, state.name, out_text, visible,
                                      assigned)
        return output, out_text, next_name if next_name is not None else state.next


# Map and Parallel start inner flows, which need the variables even when there are none yet.
_TAKES_VARIABLES = frozenset({"Map", "Parallel"})


def _with_variables(data_ctx: Any, context: dict, variables: Variables) -> EvalContext:
    return data_ctx if isinstance(data_ctx, EvalContext) else EvalContext(context, variables)


def _parse_definition(definition: Any) -> Any:
    if isinstance(definition, (str, bytes)):
        try:
            return json.loads(definition)
        except ValueError as exc:
            raise DefinitionError("$", f"not valid JSON: {exc}") from None
    return definition


_START_MODES = frozenset({"async", "sync"})
_PLAN_CACHE: dict[str, MachinePlan] = {}
_PLAN_CACHE_SIZE = 64


def _measure(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _compiled(definition: Any) -> MachinePlan:
    """Compile a definition, reusing the plan of an identical definition (keyed by its JSON
    text, so a dict changed between runs is compiled again)."""
    if isinstance(definition, bytes):
        definition = definition.decode("utf-8", "replace")
    if isinstance(definition, str):
        key = definition
    else:
        try:
            key = json.dumps(definition, separators=(",", ":"))
        except (TypeError, ValueError):
            raise DefinitionError("$", "is not JSON data") from None
    plan = _PLAN_CACHE.get(key)
    if plan is None:
        plan = compile_machine(_parse_definition(definition), top=True, measure=_measure)
        if len(_PLAN_CACHE) >= _PLAN_CACHE_SIZE:
            _PLAN_CACHE.pop(next(iter(_PLAN_CACHE)))
        _PLAN_CACHE[key] = plan
    return plan


def run(definition: dict | str, input: Any = None, *, mock_config=None, test_case=None,
        state_machine_name: str = "MetadataPipeline", execution_name: str | None = None,
        account_id: str = "123456789012", region: str = "us-east-1", role_arn: str | None = None,
        state_machine_type: str = "STANDARD", clock: Clock | None = None, tasks=None,
        max_transitions: int = 25_000, start_mode: str = "async") -> Execution:
    """Run `definition` on `input` and return the finished `Execution`.

    `tasks` answers Task states: a callable `(Call) -> result` (raise `StatesError` to fail
    the task, return `UNANSWERED` to pass), or a dict keyed by state name or resource ARN
    whose values are such callables (or fixed results). With `mock_config` and `test_case`
    (Step Functions Local's mock file), mocked states are answered first and the rest fall
    through to `tasks`. `start_mode="sync"` runs as StartSyncExecution does (EXPRESS only):
    `$$.Execution` then has no `RedriveCount`. A Task nothing answers fails the execution with
    `Emulator.TaskNotAnswered`, naming the state. Raises `DefinitionError` (with the JSON path)
    when the definition cannot run, `workflow.errors.InputError` for a bad mock file and
    `ValueError` for an unknown `start_mode`, and `ExecutionInputRejected` (a `ValueError`)
    for an input over 262,144 bytes, which StartExecution refuses; no other exception escapes.
    """
    if start_mode not in _START_MODES:
        raise ValueError(f"start_mode must be one of {sorted(_START_MODES)}, not {start_mode!r}")
    clock = clock or FakeClock()
    plan = _compiled(definition)
    answerers = answerer_chain(mock_config, test_case, state_machine_name, tasks)
    input_size = _measure(input)
    if input_size > PAYLOAD_LIMIT:
        raise ExecutionInputRejected(input_size, PAYLOAD_LIMIT)
    execution_name = execution_name or str(uuid.uuid4())
    role_arn = role_arn or f"arn:aws:iam::{account_id}:role/StepFunctions-{state_machine_name}"
    machine_id = state_machine_arn(region, account_id, state_machine_name)
    exec_arn = make_execution_arn(region, account_id, state_machine_name, execution_name,
                                  state_machine_type)
    start = clock.now()
    ectx = make_execution_context(
        execution_id=exec_arn, execution_name=execution_name, execution_input=input,
        start_time=format_timestamp(start), role_arn=role_arn, machine_id=machine_id,
        machine_name=state_machine_name,
        redrive_count=None if start_mode == "sync" else 0)
    deadline = (start + timedelta(seconds=plan.timeout_seconds)
                if plan.timeout_seconds is not None else None)
    engine = Engine(clock=clock, answerers=answerers, ectx=ectx, region=region,
                    account_id=account_id, machine_name=state_machine_name,
                    max_transitions=max_transitions, deadline=deadline, seed=execution_name)
    # An execution allocates many small dicts and no reference cycles: pausing the cyclic
    # garbage collector meanwhile saves its repeated full scans (about a third of Map time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _execute(engine, plan, input, exec_arn, role_arn)
    finally:
        if collecting:
            gc.enable()


def _execute(engine: Engine, plan: MachinePlan, value: Any, exec_arn: str,
             role_arn: str) -> Execution:
    history = engine.history
    main = Thread()
    text = engine.dumps(value)
    history.add(main, "ExecutionStarted", "executionStartedEventDetails",
                {"input": text, "inputDetails": _NOT_TRUNCATED, "roleArn": role_arn})
    main.last = 0  # AWS: the first state's previousEventId is 0 (every corpus history)

    def finish(status, kind, key, details, **fields) -> Execution:
        history.add(main, kind, key, details)
        return Execution(status=status, events=history.events, calls=engine.calls,
                         execution_arn=exec_arn, **fields)

    try:
        output, out_text = engine.run_machine(plan, value, text, main)
    except StatesError as err:
        return finish("FAILED", "ExecutionFailed", "executionFailedEventDetails",
                      error_details(err.error, err.cause), error=err.error, cause=err.cause)
    except _TimedOut:
        cause = f"The execution ran longer than its TimeoutSeconds ({plan.timeout_seconds} s)."
        return finish("TIMED_OUT", "ExecutionTimedOut", "executionTimedOutEventDetails",
                      error_details("States.Timeout", cause), error="States.Timeout",
                      cause=cause)
    except DefinitionError:
        raise
    except RecursionError:
        cause = "The definition nests Map/Parallel states too deeply to emulate."
        return finish("FAILED", "ExecutionFailed", "executionFailedEventDetails",
                      error_details(INTERNAL_ERROR, cause), error=INTERNAL_ERROR, cause=cause)
    except Exception as exc:  # a bug in the emulator: report it, never a traceback
        cause = f"emulator bug: {type(exc).__name__}: {exc}"
        return finish("FAILED", "ExecutionFailed", "executionFailedEventDetails",
                      error_details(INTERNAL_ERROR, cause), error=INTERNAL_ERROR, cause=cause)
    return finish("SUCCEEDED", "ExecutionSucceeded", "executionSucceededEventDetails",
                  {"output": out_text, "outputDetails": _NOT_TRUNCATED}, output=output)
