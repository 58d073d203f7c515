"""Retry and Catch seen through whole executions, with a Python task answerer and a FakeClock.

The matching rules and back-off maths alone are in `test_retry.py`; here they are checked
where a user sees them: the calls made, the clock's sleeps, `$$.State.RetryCount`, the
output a catcher builds and the history. Behaviour follows the AWS page "Handling errors in
Step Functions workflows" (concepts-error-handling) unless a corpus case id is named.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workflow.emulator import Call, FakeClock, StatesError, run

LAMBDA = "arn:aws:states:::lambda:invoke"
START = datetime(2026, 1, 1, tzinfo=UTC)


def _machine(**task_fields) -> dict:
    """Task `T` (answered by the test), then `Done`; catchers may go to `Caught`."""
    return {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": LAMBDA, "Next": "Done", **task_fields},
        "Done": {"Type": "Succeed"},
        "Caught": {"Type": "Pass", "End": True},
        "TimedOut": {"Type": "Pass", "End": True}}}


class Script:
    """A task answerer that plays a list of outcomes, one per call, then returns `"ok"`.

    An outcome is an error name (raised as `StatesError(name, f"cause {n}")`), a number
    (seconds to let pass on the clock, then answer `"late"`) or any other value (returned).
    """

    def __init__(self, *outcomes, clock: FakeClock | None = None):
        self.outcomes = list(outcomes)
        self.clock = clock
        self.calls: list[Call] = []

    def __call__(self, call: Call):
        self.calls.append(call)
        if not self.outcomes:
            return "ok"
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, str):
            raise StatesError(outcome, f"cause {len(self.calls)}")
        if isinstance(outcome, (int, float)) and not isinstance(outcome, bool):
            self.clock.sleep(outcome)
            return "late"
        return outcome


def _types(execution) -> list[str]:
    return [event["type"] for event in execution.events]


# ------------------------------------------------------------------------------- Retry


def test_a_retried_task_records_each_attempt_in_the_history():
    execution = run(_machine(Retry=[{"ErrorEquals": ["E"]}]), {}, tasks=Script("E", "E"))
    assert execution.status == "SUCCEEDED"
    assert _types(execution) == [
        "ExecutionStarted", "TaskStateEntered",
        "TaskScheduled", "TaskStarted", "TaskFailed",
        "TaskScheduled", "TaskStarted", "TaskFailed",
        "TaskScheduled", "TaskStarted", "TaskSucceeded",
        "TaskStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"]
    assert execution.states_entered == ["T", "Done"]


def test_each_retrier_counts_its_own_attempts():
    # A allows 2 retries and B 1: the sequence A, B, A is retried (4 calls) ...
    retry = [{"ErrorEquals": ["A"], "MaxAttempts": 2}, {"ErrorEquals": ["B"], "MaxAttempts": 1}]
    ok = run(_machine(Retry=retry), {}, tasks=Script("A", "B", "A"))
    assert (ok.status, len(ok.calls)) == ("SUCCEEDED", 4)
    # ... but a second B exhausts B's single retry although A has one left.
    failed = run(_machine(Retry=retry), {}, tasks=Script("A", "B", "B"))
    assert (failed.status, failed.error, failed.cause) == ("FAILED", "B", "cause 3")
    assert len(failed.calls) == 3


def test_retries_stop_after_max_attempts_and_the_last_error_fails_the_execution():
    execution = run(_machine(Retry=[{"ErrorEquals": ["E"], "MaxAttempts": 2,
                                     "IntervalSeconds": 1}]),
                    {}, tasks=Script("E", "E", "E", "E"))
    assert (execution.error, execution.cause) == ("E", "cause 3")
    assert [call.attempt for call in execution.calls] == [0, 1, 2]
    assert _types(execution)[-2:] == ["TaskFailed", "ExecutionFailed"]


def test_max_attempts_zero_never_retries():
    clock = FakeClock(START)
    execution = run(_machine(Retry=[{"ErrorEquals": ["E"], "MaxAttempts": 0}]), {},
                    clock=clock, tasks=Script("E"))
    assert (execution.error, len(execution.calls), clock.slept) == ("E", 1, [])


def test_a_matching_retrier_with_max_attempts_zero_is_not_passed_over_for_a_later_one():
    # The first retrier whose ErrorEquals matches is the one used (concepts-error-handling);
    # like corpus scenarios/...::test_map_state_retry_multiple_retriers, where the first
    # matching retrier alone decides the number of attempts.
    execution = run(_machine(Retry=[{"ErrorEquals": ["E"], "MaxAttempts": 0},
                                    {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}]),
                    {}, tasks=Script("E"))
    assert (execution.error, len(execution.calls)) == ("E", 1)


def test_an_error_no_retrier_names_is_not_retried():
    execution = run(_machine(Retry=[{"ErrorEquals": ["Other"]}]), {}, tasks=Script("E"))
    assert (execution.error, len(execution.calls)) == ("E", 1)


def test_backoff_without_jitter_is_interval_times_rate_to_the_n_capped_by_max_delay():
    clock = FakeClock(START)
    retrier = {"ErrorEquals": ["E"], "IntervalSeconds": 2, "BackoffRate": 3.0,
               "MaxDelaySeconds": 30, "MaxAttempts": 5, "JitterStrategy": "NONE"}
    execution = run(_machine(Retry=[retrier]), {}, clock=clock,
                    tasks=Script("E", "E", "E", "E", "E"))
    assert execution.status == "SUCCEEDED"
    assert clock.slept == [2, 6, 18, 30, 30]
    assert clock.now() == START.replace(second=26, minute=1)  # 86 seconds in all


def test_backoff_shows_in_the_timestamps_of_the_scheduled_events():
    clock = FakeClock(START)
    execution = run(_machine(Retry=[{"ErrorEquals": ["E"], "IntervalSeconds": 3,
                                     "BackoffRate": 1.5}]),
                    {}, clock=clock, tasks=Script("E", "E"))
    scheduled = [e["timestamp"] for e in execution.events if e["type"] == "TaskScheduled"]
    gaps = [(b - a).total_seconds() for a, b in zip(scheduled, scheduled[1:], strict=False)]
    assert gaps == [3.0, 4.5]


def test_each_retrier_backs_off_from_its_own_retry_count():
    clock = FakeClock(START)
    retry = [{"ErrorEquals": ["A"], "IntervalSeconds": 1, "BackoffRate": 2.0},
             {"ErrorEquals": ["B"], "IntervalSeconds": 10, "BackoffRate": 2.0}]
    run(_machine(Retry=retry), {}, clock=clock, tasks=Script("A", "B", "A", "B"))
    assert clock.slept == [1, 10, 2, 20]


def test_full_jitter_waits_between_zero_and_the_capped_delay():
    clock = FakeClock(START)
    retrier = {"ErrorEquals": ["E"], "IntervalSeconds": 1, "BackoffRate": 2.0,
               "MaxDelaySeconds": 20, "MaxAttempts": 8, "JitterStrategy": "FULL"}
    execution = run(_machine(Retry=[retrier]), {}, clock=clock,
                    tasks=Script(*["E"] * 8), execution_name="jitter")
    assert execution.status == "SUCCEEDED"
    caps = [min(1 * 2.0**n, 20) for n in range(8)]
    assert len(clock.slept) == 8
    assert all(0 <= slept <= cap for slept, cap in zip(clock.slept, caps, strict=True))
    assert clock.slept != caps  # the jitter did draw below the cap


def test_full_jitter_is_reproducible_for_the_same_execution_name():
    def sleeps(name: str) -> list[float]:
        clock = FakeClock(START)
        run(_machine(Retry=[{"ErrorEquals": ["E"], "JitterStrategy": "FULL"}]), {},
            clock=clock, tasks=Script("E", "E", "E"), execution_name=name)
        return clock.slept

    assert sleeps("same") == sleeps("same")


def test_retry_count_in_the_context_object_is_seen_by_parameters_on_each_attempt():
    script = Script("E", "E", "E")
    run(_machine(Parameters={"attempt.$": "$$.State.RetryCount", "payload.$": "$"},
                 Retry=[{"ErrorEquals": ["E"], "MaxAttempts": 3}]), {"k": 1}, tasks=script)
    assert [call.arguments for call in script.calls] == [
        {"attempt": n, "payload": {"k": 1}} for n in range(4)]


def test_retry_count_starts_again_at_zero_when_the_state_is_entered_again():
    definition = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": LAMBDA, "Next": "Again",
              "Parameters": {"n.$": "$$.State.RetryCount"},
              "Retry": [{"ErrorEquals": ["E"]}]},
        "Again": {"Type": "Choice", "Choices": [
            {"Variable": "$", "StringEquals": "ok", "Next": "Stop"}], "Default": "T"},
        "Stop": {"Type": "Succeed"}}}
    script = Script("E", ["not ok"], "E", "E")
    execution = run(definition, {}, tasks=script)
    assert execution.status == "SUCCEEDED"
    assert [call.arguments["n"] for call in script.calls] == [0, 1, 0, 1, 2]


# ------------------------------------------------------------------------------- Catch


def test_states_all_catches_a_task_error_and_goes_to_the_catchers_next():
    execution = run(_machine(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]),
                    {"in": 1}, tasks=Script("InvalidMetadata"))
    assert execution.status == "SUCCEEDED"
    assert execution.states_entered == ["T", "Caught"]
    assert execution.output == {"Error": "InvalidMetadata", "Cause": "cause 1"}
    assert _types(execution) == [
        "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed",
        "TaskStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]


def test_states_all_does_not_catch_states_runtime_from_the_states_own_paths():
    # AWS-FACTS.md: a Task's catcher never ran for States.Runtime (AWS recording 2023-11).
    execution = run(_machine(ResultSelector={"x.$": "$.missing"},
                             Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]),
                    {}, tasks=Script({"present": 1}))
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.states_entered == ["T"]
    assert len(execution.calls) == 1


def test_states_all_does_not_catch_states_runtime_raised_by_the_answerer():
    execution = run(_machine(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                             Retry=[{"ErrorEquals": ["States.ALL"]}]),
                    {}, tasks=Script("States.Runtime"))
    assert (execution.error, len(execution.calls)) == ("States.Runtime", 1)
    assert execution.states_entered == ["T"]


def test_a_catcher_naming_states_runtime_does_not_catch_it_either():
    # workflow/emulator/retry.py: States.Runtime is terminal even when named. AWS documents
    # it as not retriable; a catcher naming it explicitly is not recorded (our choice).
    execution = run(_machine(Parameters={"x.$": "$.missing"},
                             Catch=[{"ErrorEquals": ["States.Runtime"], "Next": "Caught"}]),
                    {}, tasks=Script())
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.states_entered == ["T"]


@pytest.mark.parametrize("error", ["Lambda.ServiceException", "States.Permissions",
                                   "DynamoDb.ResourceNotFoundException", "Custom"])
def test_states_task_failed_catches_any_task_error(error):
    execution = run(_machine(Catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}]),
                    {}, tasks=Script(error))
    assert execution.output == {"Error": error, "Cause": "cause 1"}


def test_states_task_failed_does_not_catch_a_timeout_but_a_later_catcher_naming_it_does():
    clock = FakeClock(START)
    execution = run(_machine(TimeoutSeconds=5, Catch=[
        {"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"},
        {"ErrorEquals": ["States.Timeout"], "Next": "TimedOut"}]),
        {}, clock=clock, tasks=Script(6, clock=clock))
    assert execution.states_entered == ["T", "TimedOut"]
    assert execution.output["Error"] == "States.Timeout"


def test_states_task_failed_does_not_retry_a_timeout():
    clock = FakeClock(START)
    execution = run(_machine(TimeoutSeconds=5,
                             Retry=[{"ErrorEquals": ["States.TaskFailed"]}]),
                    {}, clock=clock, tasks=Script(6, clock=clock))
    # The answer's 6 s sleep stops at the 5 s timeout: no back-off, no second call.
    assert (execution.error, len(execution.calls), clock.slept) == ("States.Timeout", 1, [5])


def test_the_first_matching_catcher_wins():
    execution = run(_machine(Catch=[{"ErrorEquals": ["Other"], "Next": "Done"},
                                    {"ErrorEquals": ["E", "F"], "Next": "Caught"},
                                    {"ErrorEquals": ["States.ALL"], "Next": "TimedOut"}]),
                    {}, tasks=Script("F"))
    assert execution.states_entered == ["T", "Caught"]


def test_retries_run_out_before_the_catcher_applies():
    execution = run(_machine(Retry=[{"ErrorEquals": ["E"], "MaxAttempts": 2}],
                             Catch=[{"ErrorEquals": ["E"], "Next": "Caught"}]),
                    {}, tasks=Script("E", "E", "E"))
    assert len(execution.calls) == 3
    assert execution.output == {"Error": "E", "Cause": "cause 3"}


@pytest.mark.parametrize(("result_path", "expected"), [
    ("$.error", {"in": {"v": 1}, "error": {"Error": "E", "Cause": "cause 1"}}),
    ("$.in.failure", {"in": {"v": 1, "failure": {"Error": "E", "Cause": "cause 1"}}}),
    ("$.a.b", {"in": {"v": 1}, "a": {"b": {"Error": "E", "Cause": "cause 1"}}}),
    ("$", {"Error": "E", "Cause": "cause 1"}),
    (None, {"in": {"v": 1}}),
])
def test_a_catchers_result_path_puts_error_and_cause_where_it_says(result_path, expected):
    catcher = {"ErrorEquals": ["E"], "Next": "Caught", "ResultPath": result_path}
    execution = run(_machine(Catch=[catcher]), {"in": {"v": 1}}, tasks=Script("E"))
    assert execution.output == expected


def test_a_catchers_result_path_applies_to_the_raw_input_not_the_effective_input():
    catcher = {"ErrorEquals": ["E"], "Next": "Caught", "ResultPath": "$.error"}
    execution = run(_machine(InputPath="$.in", Parameters={"p.$": "$.v"}, Catch=[catcher]),
                    {"in": {"v": 1}, "other": 2}, tasks=Script("E"))
    assert execution.output == {"in": {"v": 1}, "other": 2,
                                "error": {"Error": "E", "Cause": "cause 1"}}


def test_an_error_without_a_cause_gives_an_error_output_without_cause():
    def no_cause(call):
        raise StatesError("E")

    execution = run(_machine(Catch=[{"ErrorEquals": ["E"], "Next": "Caught"}]), {},
                    tasks=no_cause)
    assert execution.output == {"Error": "E"}


def test_the_caught_states_exited_event_carries_the_catchers_output():
    catcher = {"ErrorEquals": ["E"], "Next": "Caught", "ResultPath": "$.err"}
    execution = run(_machine(Catch=[catcher]), {"a": 1}, tasks=Script("E"))
    exited = next(e for e in execution.events if e["type"] == "TaskStateExited")
    assert exited["stateExitedEventDetails"]["output"] == (
        '{"a":1,"err":{"Error":"E","Cause":"cause 1"}}')


# ----------------------------------------------------------------- Timeout and Heartbeat


def test_timeout_seconds_fails_an_answer_that_takes_longer_on_the_clock():
    clock = FakeClock(START)
    execution = run(_machine(TimeoutSeconds=10), {}, clock=clock,
                    tasks=Script(11, clock=clock))
    assert (execution.status, execution.error) == ("FAILED", "States.Timeout")
    assert execution.cause == "The task did not finish within its TimeoutSeconds (10 s)."
    assert _types(execution) == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled",
                                 "TaskStarted", "TaskTimedOut", "ExecutionFailed"]
    timed_out = execution.events[4]["taskTimedOutEventDetails"]
    assert (timed_out["error"], timed_out["resourceType"], timed_out["resource"]) == (
        "States.Timeout", "lambda", "invoke")
    scheduled = execution.events[2]["taskScheduledEventDetails"]
    assert scheduled["timeoutInSeconds"] == 10


def test_an_answer_within_timeout_seconds_succeeds():
    clock = FakeClock(START)
    execution = run(_machine(TimeoutSeconds=10), {}, clock=clock,
                    tasks=Script(9, clock=clock))
    assert (execution.status, execution.output) == ("SUCCEEDED", "late")


def test_a_timeout_is_caught_by_a_catcher_naming_states_timeout():
    clock = FakeClock(START)
    execution = run(_machine(TimeoutSeconds=10, Catch=[
        {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": "TimedOut"}]),
        {"job": 7}, clock=clock, tasks=Script(30, clock=clock))
    assert execution.states_entered == ["T", "TimedOut"]
    assert execution.output == {"job": 7, "timeout": {
        "Error": "States.Timeout", "Cause": "The task did not finish within its TimeoutSeconds (10 s)."}}


def test_a_timeout_is_retried_by_a_retrier_naming_states_timeout():
    clock = FakeClock(START)
    execution = run(_machine(TimeoutSeconds=10,
                             Retry=[{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 1}]),
                    {}, clock=clock, tasks=Script(30, clock=clock))
    assert (execution.status, execution.output, len(execution.calls)) == ("SUCCEEDED", "ok", 2)


def test_heartbeat_seconds_fails_an_answer_silent_for_longer_with_heartbeat_timeout():
    # Answerers cannot send heartbeats, so a task silent past HeartbeatSeconds fails.
    clock = FakeClock(START)
    execution = run(_machine(HeartbeatSeconds=5, TimeoutSeconds=60), {}, clock=clock,
                    tasks=Script(6, clock=clock))
    assert (execution.error, execution.cause) == (
        "States.HeartbeatTimeout", "The task did not finish within its HeartbeatSeconds (5 s).")
    scheduled = execution.events[2]["taskScheduledEventDetails"]
    assert (scheduled["timeoutInSeconds"], scheduled["heartbeatInSeconds"]) == (60, 5)
    assert _types(execution)[4] == "TaskTimedOut"


def test_a_heartbeat_timeout_is_caught_by_states_timeout_and_by_its_own_name():
    # concepts-error-handling: States.Timeout covers a task that "failed to send a heartbeat
    # for a period longer than the HeartbeatSeconds value".
    for name in ("States.Timeout", "States.HeartbeatTimeout"):
        clock = FakeClock(START)
        execution = run(_machine(HeartbeatSeconds=5,
                                 Catch=[{"ErrorEquals": [name], "Next": "TimedOut"}]),
                        {}, clock=clock, tasks=Script(6, clock=clock))
        assert execution.states_entered == ["T", "TimedOut"], name
        assert execution.output["Error"] == "States.HeartbeatTimeout"


def test_states_task_failed_does_not_catch_a_heartbeat_timeout():
    clock = FakeClock(START)
    execution = run(_machine(HeartbeatSeconds=5,
                             Catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}]),
                    {}, clock=clock, tasks=Script(6, clock=clock))
    assert (execution.status, execution.error) == ("FAILED", "States.HeartbeatTimeout")
