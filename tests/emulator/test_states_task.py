"""Task states: answerers, calls, events, retries, catchers and timeouts."""

from __future__ import annotations

import json

from workflow.emulator import UNANSWERED, Call, FakeClock, StatesError, run

LAMBDA = "arn:aws:states:::lambda:invoke"


def _task(**fields) -> dict:
    state = {"Type": "Task", "Resource": LAMBDA, "End": True, **fields}
    return {"StartAt": "T", "States": {"T": state, "Caught": {"Type": "Pass", "End": True}}}


def _failing(*errors):
    """An answerer that raises the given errors in turn, then returns {"ok": True}."""
    queue = list(errors)

    def answer(call: Call):
        if queue:
            raise StatesError(queue.pop(0), "cause")
        return {"ok": True}

    return answer


def test_task_result_flows_through_result_selector_and_result_path():
    definition = _task(Parameters={"FunctionName": "f", "Payload.$": "$"},
                       ResultSelector={"body.$": "$.Payload"}, ResultPath="$.result")
    execution = run(definition, {"k": 1},
                    tasks=lambda call: {"StatusCode": 200, "Payload": call.arguments["Payload"]})
    assert execution.output == {"k": 1, "result": {"body": {"k": 1}}}
    assert execution.calls == [Call("T", LAMBDA, {"FunctionName": "f", "Payload": {"k": 1}}, 0)]


def test_task_answerers_may_be_a_dict_by_state_name_or_resource():
    by_name = run(_task(), {}, tasks={"T": lambda call: "by name"})
    by_arn = run(_task(), {}, tasks={LAMBDA: lambda call: "by arn"})
    assert (by_name.output, by_arn.output) == ("by name", "by arn")


def test_an_answerer_returning_unanswered_passes_to_the_next():
    execution = run(_task(), {}, tasks=lambda call: UNANSWERED)
    assert execution.error == "Emulator.TaskNotAnswered"


def test_task_events_follow_get_execution_history():
    execution = run(_task(), {"a": 1}, region="eu-west-1", tasks=lambda call: {"r": 2})
    types = [e["type"] for e in execution.events]
    assert types == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                     "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    scheduled = execution.events[2]["taskScheduledEventDetails"]
    assert scheduled == {"resourceType": "lambda", "resource": "invoke", "region": "eu-west-1",
                         "parameters": '{"a":1}'}
    succeeded = execution.events[4]["taskSucceededEventDetails"]
    assert json.loads(succeeded["output"]) == {"r": 2}


def test_sdk_integration_resource_type_keeps_the_service():
    definition = _task(Resource="arn:aws:states:::aws-sdk:s3:getObject")
    execution = run(definition, {}, tasks=lambda call: {})
    details = execution.events[2]["taskScheduledEventDetails"]
    assert (details["resourceType"], details["resource"]) == ("aws-sdk:s3", "getObject")


def test_task_failure_is_recorded_and_fails_the_execution():
    execution = run(_task(), {}, tasks=_failing("InvalidMetadata"))
    assert (execution.status, execution.error, execution.cause) == (
        "FAILED", "InvalidMetadata", "cause")
    failed = [e for e in execution.events if e["type"] == "TaskFailed"][0]
    assert failed["taskFailedEventDetails"]["error"] == "InvalidMetadata"


def test_an_answerer_exception_is_reported_as_lambda_reports_it():
    def broken(call):
        raise ValueError("bad metadata")

    execution = run(_task(), {}, tasks=broken)
    assert execution.error == "ValueError"
    cause = json.loads(execution.cause)
    assert cause["errorMessage"] == "bad metadata" and cause["errorType"] == "ValueError"


def test_retry_backoff_sleeps_on_the_clock_with_defaults():
    clock = FakeClock()
    definition = _task(Retry=[{"ErrorEquals": ["OpenSearchThrottled"]}])
    execution = run(definition, {}, clock=clock,
                    tasks=_failing("OpenSearchThrottled", "OpenSearchThrottled"))
    assert execution.status == "SUCCEEDED"
    assert clock.slept == [1.0, 2.0]
    assert [c.attempt for c in execution.calls] == [0, 1, 2]


def test_retry_gives_up_after_max_attempts():
    clock = FakeClock()
    definition = _task(Retry=[{"ErrorEquals": ["E"], "MaxAttempts": 2, "IntervalSeconds": 3,
                               "BackoffRate": 1.5, "MaxDelaySeconds": 4}])
    execution = run(definition, {}, clock=clock, tasks=_failing("E", "E", "E", "E"))
    assert execution.error == "E"
    assert clock.slept == [3.0, 4.0]
    assert len(execution.calls) == 3


def test_max_attempts_zero_never_retries():
    definition = _task(Retry=[{"ErrorEquals": ["E"], "MaxAttempts": 0}])
    execution = run(definition, {}, tasks=_failing("E"))
    assert len(execution.calls) == 1 and execution.error == "E"


def test_each_retrier_counts_its_own_attempts():
    definition = _task(Retry=[{"ErrorEquals": ["A"], "MaxAttempts": 1},
                              {"ErrorEquals": ["B"], "MaxAttempts": 1}])
    execution = run(definition, {}, tasks=_failing("A", "B"))
    assert execution.status == "SUCCEEDED"
    assert len(execution.calls) == 3


def test_first_matching_retrier_wins_even_when_a_later_one_allows_more():
    definition = _task(Retry=[{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 1},
                              {"ErrorEquals": ["E"], "MaxAttempts": 5}])
    execution = run(definition, {}, tasks=_failing("E", "E", "E"))
    assert execution.error == "E" and len(execution.calls) == 2


def test_retry_count_is_visible_in_the_context_object():
    definition = _task(Parameters={"n.$": "$$.State.RetryCount"},
                       Retry=[{"ErrorEquals": ["E"], "MaxAttempts": 2}])
    seen = []

    def answer(call):
        seen.append(call.arguments["n"])
        if len(seen) < 3:
            raise StatesError("E")
        return None

    run(definition, {}, tasks=answer)
    assert seen == [0, 1, 2]


def test_catch_applies_result_path_to_the_raw_input_and_goes_to_next():
    definition = _task(Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                               "Next": "Caught"}], InputPath="$.inner")
    execution = run(definition, {"inner": {}, "x": 1}, tasks=_failing("InvalidMetadata"))
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"inner": {}, "x": 1,
                                "error": {"Error": "InvalidMetadata", "Cause": "cause"}}
    assert execution.states_entered == ["T", "Caught"]
    assert [e["type"] for e in execution.events][4:6] == ["TaskFailed", "TaskStateExited"]


def test_states_runtime_is_not_caught_even_by_states_all():
    # AWS-FACTS.md: an AWS recording (2023-11) shows a Task's catcher never running for it.
    definition = _task(Parameters={"x.$": "$.missing"},
                       Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}])
    execution = run(definition, {}, tasks=lambda call: None)
    assert execution.error == "States.Runtime"
    assert execution.calls == []


def test_timeout_seconds_fails_a_slow_task_with_states_timeout():
    clock = FakeClock()

    def slow(call):
        clock.sleep(30)
        return "late"

    definition = _task(TimeoutSeconds=10,
                       Catch=[{"ErrorEquals": ["States.Timeout"], "Next": "Caught"}])
    execution = run(definition, {}, clock=clock, tasks=slow)
    assert execution.states_entered == ["T", "Caught"]
    assert execution.output == {"Error": "States.Timeout",
                                "Cause": "The task did not finish within its TimeoutSeconds (10 s)."}
    assert "TaskTimedOut" in [e["type"] for e in execution.events]


def test_states_task_failed_does_not_match_timeout():
    clock = FakeClock()

    def slow(call):
        clock.sleep(30)

    definition = _task(TimeoutSecondsPath="$.t",
                       Catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}])
    execution = run(definition, {"t": 5}, clock=clock, tasks=slow)
    assert execution.error == "States.Timeout"


def test_heartbeat_seconds_fails_with_heartbeat_timeout():
    clock = FakeClock()
    definition = _task(HeartbeatSeconds=5, TimeoutSeconds=100)
    execution = run(definition, {}, clock=clock, tasks=lambda call: clock.sleep(6))
    assert execution.error == "States.HeartbeatTimeout"


def test_wait_for_task_token_puts_a_token_in_the_context():
    definition = _task(Resource="arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                       Parameters={"token.$": "$$.Task.Token"})
    execution = run(definition, {}, tasks=lambda call: call.arguments)
    assert isinstance(execution.output["token"], str) and execution.output["token"]


def test_legacy_lambda_arn_records_lambda_function_events():
    definition = _task(Resource="arn:aws:lambda:us-east-1:123456789012:function:indexer")
    execution = run(definition, {}, tasks=lambda call: 1)
    types = [e["type"] for e in execution.events]
    assert types[2:5] == ["LambdaFunctionScheduled", "LambdaFunctionStarted",
                          "LambdaFunctionSucceeded"]
