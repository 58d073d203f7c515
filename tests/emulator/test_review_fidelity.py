"""Behaviour a review found unchecked by the AWS recordings, each pinned to an AWS doc page.

Doc pages are named by their developer-guide slug (e.g. `limits-overview`) or API reference
page (`API_HistoryEvent`, `API_StartExecution`).
"""

from __future__ import annotations

from workflow.emulator import (
    DefinitionError,
    ExecutionInputRejected,
    FakeClock,
    StatesError,
    run,
)

LAMBDA = "arn:aws:states:::lambda:invoke"
LIMIT = 262_144


def _task(**fields) -> dict:
    state = {"Type": "Task", "Resource": LAMBDA, "End": True, **fields}
    return {"StartAt": "T", "States": {"T": state, "Caught": {"Type": "Pass", "End": True}}}


def _types(execution) -> list[str]:
    return [event["type"] for event in execution.events]


# ---- 1. limits-overview: the 256 KiB limit covers "input data when scheduling a task"


def test_task_input_over_256_kib_fails_with_data_limit_exceeded_before_scheduling():
    half = "y" * 140_000
    calls = []
    definition = _task(Parameters={"a.$": "$.a", "b.$": "$.a"})
    execution = run(definition, {"a": half}, tasks=lambda call: calls.append(call))
    assert execution.error == "States.DataLimitExceeded"
    assert "'T' has an input" in execution.cause
    assert calls == []
    assert "TaskScheduled" not in _types(execution)


def test_task_input_of_exactly_256_kib_is_sent_limits_overview():
    text = "z" * (LIMIT - 8)  # {"s":"..."} is then exactly LIMIT bytes
    definition = _task(Parameters={"s.$": "$.s"})
    execution = run(definition, {"s": text}, tasks=lambda call: 1)
    assert execution.status == "SUCCEEDED"


def test_item_reader_parameters_over_256_kib_fail_with_data_limit_exceeded():
    half = "k" * 140_000  # doubled by States.Format: the input itself is under the limit
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "Parameters": {"Bucket": "b",
                                      "Key.$": "States.Format('{}{}', $.key, $.key)"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                              "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}
    execution = run(definition, {"key": half}, tasks=lambda call: [1])
    assert execution.error == "States.DataLimitExceeded"


# ---- 2./3. Timeouts happen at their own instant (ASL spec "Task" TimeoutSeconds and the
# state machine's TimeoutSeconds; concepts-error-handling for States.Timeout).


def _sleeper(clock, seconds, result=None, error=None):
    def answer(call):
        clock.sleep(seconds)
        if error is not None:
            raise StatesError(error, "late")
        return result if result is not None else {"ok": 1}

    return answer


def _offsets(execution, start) -> list[tuple[str, float]]:
    return [(e["type"], (e["timestamp"] - start).total_seconds()) for e in execution.events]


def test_execution_timeout_seconds_ends_an_execution_whose_task_runs_past_it():
    clock = FakeClock()
    start = clock.now()
    definition = {"TimeoutSeconds": 5, **_task()}
    execution = run(definition, {}, clock=clock, tasks=_sleeper(clock, 100))
    assert (execution.status, execution.error) == ("TIMED_OUT", "States.Timeout")
    assert _offsets(execution, start)[-1] == ("ExecutionTimedOut", 5.0)
    assert "TaskSucceeded" not in _types(execution)


def test_execution_times_out_at_its_deadline_even_when_the_task_raises_after_it():
    clock = FakeClock()
    definition = {"TimeoutSeconds": 5, **_task(
        Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}])}
    execution = run(definition, {}, clock=clock,
                    tasks=_sleeper(clock, 100, error="Lambda.Unknown"))
    assert execution.status == "TIMED_OUT"
    assert execution.states_entered == ["T"]


def test_task_timed_out_is_stamped_at_the_timeout_instant_not_when_the_answer_wakes():
    clock = FakeClock()
    start = clock.now()
    definition = _task(TimeoutSeconds=10,
                       Catch=[{"ErrorEquals": ["States.Timeout"], "Next": "Caught"}])
    execution = run(definition, {}, clock=clock, tasks=_sleeper(clock, 100))
    assert ("TaskTimedOut", 10.0) in _offsets(execution, start)
    assert execution.states_entered == ["T", "Caught"]


def test_task_timeout_wins_over_the_error_an_answer_raises_after_it():
    clock = FakeClock()
    execution = run(_task(TimeoutSeconds=10), {}, clock=clock,
                    tasks=_sleeper(clock, 100, error="Lambda.Unknown"))
    assert execution.error == "States.Timeout"
    assert "TaskFailed" not in _types(execution)


def test_heartbeat_timeout_comes_first_when_it_is_shorter_than_the_timeout():
    clock = FakeClock()
    start = clock.now()
    definition = _task(TimeoutSeconds=60, HeartbeatSeconds=5)
    execution = run(definition, {}, clock=clock, tasks=_sleeper(clock, 100))
    assert execution.error == "States.HeartbeatTimeout"
    assert ("TaskTimedOut", 5.0) in _offsets(execution, start)


def test_an_answer_within_its_timeout_keeps_the_fake_clock_unchanged_otherwise():
    clock = FakeClock()
    definition = {"TimeoutSeconds": 100, **_task(TimeoutSeconds=10)}
    execution = run(definition, {}, clock=clock, tasks=_sleeper(clock, 3))
    assert execution.status == "SUCCEEDED"
    assert clock.slept == [3] and clock.limit is None
    clock.sleep(1000)  # outside an answer nothing stops the clock
    assert clock.slept[-1] == 1000


# ---- 4. Task events split the resource after the service (API_TaskScheduledEventDetails;
# recorded Glue history: resourceType "glue", resource "startJobRun.sync").


def test_sync_2_resource_is_split_after_the_service_keeping_the_pattern_suffix():
    from workflow.emulator.history import task_resource_parts

    assert task_resource_parts("arn:aws:states:::states:startExecution.sync:2") == (
        "states", "startExecution.sync:2")
    assert task_resource_parts("arn:aws:states:::glue:startJobRun.sync") == (
        "glue", "startJobRun.sync")
    assert task_resource_parts("arn:aws:states:::aws-sdk:s3:getObject") == (
        "aws-sdk:s3", "getObject")
    assert task_resource_parts("arn:aws:states:::lambda:invoke.waitForTaskToken") == (
        "lambda", "invoke.waitForTaskToken")


def test_sync_2_task_events_name_states_and_start_execution_sync_2():
    definition = _task(Resource="arn:aws:states:::states:startExecution.sync:2")
    execution = run(definition, {}, tasks=lambda call: {"Output": {}})
    scheduled = next(e for e in execution.events if e["type"] == "TaskScheduled")
    details = scheduled["taskScheduledEventDetails"]
    assert (details["resourceType"], details["resource"]) == ("states",
                                                              "startExecution.sync:2")


# ---- 5. Activities record Activity* events (API reference HistoryEvent:
# ActivityScheduledEventDetails, ActivityStartedEventDetails, ...).

ACTIVITY = "arn:aws:states:us-east-1:123456789012:activity:review"


def test_activity_task_records_activity_scheduled_started_and_succeeded():
    definition = _task(Resource=ACTIVITY, TimeoutSeconds=30, HeartbeatSeconds=10)
    execution = run(definition, {"a": 1}, tasks=lambda call: {"done": True})
    by_type = {e["type"]: e for e in execution.events}
    assert _types(execution)[2:5] == ["ActivityScheduled", "ActivityStarted",
                                      "ActivitySucceeded"]
    assert by_type["ActivityScheduled"]["activityScheduledEventDetails"] == {
        "resource": ACTIVITY, "input": '{"a":1}', "inputDetails": {"truncated": False},
        "timeoutInSeconds": 30, "heartbeatInSeconds": 10}
    assert "workerName" in by_type["ActivityStarted"]["activityStartedEventDetails"]
    assert by_type["ActivitySucceeded"]["activitySucceededEventDetails"]["output"] == (
        '{"done":true}')


def test_activity_failure_and_timeout_record_activity_failed_and_activity_timed_out():
    failed = run(_task(Resource=ACTIVITY), {},
                 tasks=lambda call: (_ for _ in ()).throw(StatesError("Worker.Bad", "no")))
    event = failed.events[-2]
    assert (event["type"], event["activityFailedEventDetails"]) == (
        "ActivityFailed", {"error": "Worker.Bad", "cause": "no"})
    clock = FakeClock()
    timed = run(_task(Resource=ACTIVITY, TimeoutSeconds=5), {}, clock=clock,
                tasks=_sleeper(clock, 60))
    assert "ActivityTimedOut" in _types(timed)
    assert timed.error == "States.Timeout"


# ---- 6. `.sync` tasks record TaskSubmitted between TaskStarted and the outcome
# (recorded Glue startJobRun.sync history; connect-to-resource "Run a Job (.sync)").


def test_sync_task_records_task_submitted_before_task_succeeded():
    for resource in ("arn:aws:states:::glue:startJobRun.sync",
                     "arn:aws:states:::states:startExecution.sync:2"):
        execution = run(_task(Resource=resource), {}, tasks=lambda call: {"JobRunState": "OK"})
        assert _types(execution)[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted",
                                          "TaskSucceeded"], resource


def test_request_response_and_callback_tasks_record_no_task_submitted():
    for resource in (LAMBDA, "arn:aws:states:::sqs:sendMessage.waitForTaskToken"):
        execution = run(_task(Resource=resource), {}, tasks=lambda call: 1)
        assert "TaskSubmitted" not in _types(execution), resource


# ---- 7. Definitions the ASL spec forbids are rejected when compiled (ASL spec "Task State":
# "MUST NOT include both"; HeartbeatSeconds "MUST be smaller than TimeoutSeconds";
# concepts-error-handling for the Retry maximums), and resolved Path values are checked the
# same way at run time (States.Runtime, wording as corpus test_max_concurrency_path[*]).


def _rejected(definition) -> str:
    try:
        run(definition, {}, tasks=lambda call: 1)
    except DefinitionError as exc:
        return exc.path
    raise AssertionError("the definition ran")


def test_timeout_seconds_with_timeout_seconds_path_is_rejected_at_its_path():
    assert _rejected(_task(TimeoutSeconds=5, TimeoutSecondsPath="$.t")) == (
        "$.States.T.TimeoutSecondsPath")
    assert _rejected(_task(HeartbeatSeconds=5, HeartbeatSecondsPath="$.h")) == (
        "$.States.T.HeartbeatSecondsPath")


def test_heartbeat_seconds_not_below_timeout_seconds_is_rejected():
    assert _rejected(_task(TimeoutSeconds=10, HeartbeatSeconds=10)) == (
        "$.States.T.HeartbeatSeconds")
    assert _rejected(_task(TimeoutSeconds=10, HeartbeatSeconds=20)) == (
        "$.States.T.HeartbeatSeconds")


def test_values_beyond_aws_maximums_and_interval_zero_are_rejected():
    assert _rejected(_task(TimeoutSeconds=100_000_000)) == "$.States.T.TimeoutSeconds"
    for field, value in (("MaxAttempts", 100_000_000), ("IntervalSeconds", 100_000_000),
                         ("IntervalSeconds", 0), ("MaxDelaySeconds", 31_622_401)):
        retry = [{"ErrorEquals": ["E"], field: value}]
        assert _rejected(_task(Retry=retry)) == f"$.States.T.Retry[0].{field}", field


def test_values_at_aws_maximums_are_accepted():
    retry = [{"ErrorEquals": ["E"], "MaxAttempts": 99_999_999, "IntervalSeconds": 99_999_999,
              "MaxDelaySeconds": 31_622_400}]
    execution = run(_task(TimeoutSeconds=99_999_999, HeartbeatSeconds=99_999_998, Retry=retry),
                    {}, tasks=lambda call: 1)
    assert execution.status == "SUCCEEDED"


def test_a_timeout_seconds_path_value_over_the_maximum_fails_with_states_runtime():
    execution = run(_task(TimeoutSecondsPath="$.t"), {"t": 100_000_000},
                    tasks=lambda call: 1)
    assert execution.error == "States.Runtime"
    assert ('The TimeoutSecondsPath field refers to value "100000000"' in execution.cause)


def test_a_heartbeat_path_value_not_below_the_timeout_fails_with_states_runtime():
    execution = run(_task(TimeoutSecondsPath="$.t", HeartbeatSecondsPath="$.h"),
                    {"t": 5, "h": 50}, tasks=lambda call: 1)
    assert execution.error == "States.Runtime"
    assert "not less than the TimeoutSeconds value 5" in execution.cause


# ---- 9. StartExecution refuses an input over 262,144 bytes (API reference StartExecution,
# `input` length constraints): no execution exists, so run() raises instead of failing one.


def test_an_execution_input_over_256_kib_is_rejected_before_any_execution_exists():
    pass_only = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    try:
        run(pass_only, "a" * 262_200)
    except ExecutionInputRejected as exc:
        assert (exc.size, exc.limit) == (262_202, LIMIT)
        assert isinstance(exc, ValueError)
    else:
        raise AssertionError("the input was accepted")
    assert run(pass_only, "a" * (LIMIT - 2)).status == "SUCCEEDED"  # exactly the limit


def test_metapipe_execute_reports_an_oversized_input_as_one_line_and_exit_2(tmp_path, capsys):
    import json

    from workflow.cli import main

    definition = tmp_path / "machine.json"
    definition.write_text(json.dumps({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "End": True}}}), encoding="utf-8")
    payload = tmp_path / "input.json"
    payload.write_text(json.dumps({"body": "é" * 140_000}), encoding="utf-8")
    assert main(["execute", str(definition), "--input", str(payload)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "input.json" in err and "262,144" in err


# ---- 10. An answerer's exception is named by the resource (supported-services-awssdk:
# `<Service>.<Error>Exception`; a Lambda function error keeps its class name).


def _client_error(code: str, message: str = "m"):
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": message},
                        "ResponseMetadata": {"HTTPStatusCode": 404, "RequestId": "r"}},
                       "GetObject")


def _raising(exc):
    def answer(call):
        raise exc

    return answer


def test_a_client_error_from_an_aws_sdk_s3_answerer_is_caught_as_s3_no_such_key_exception():
    definition = _task(Resource="arn:aws:states:::aws-sdk:s3:getObject",
                       Catch=[{"ErrorEquals": ["S3.NoSuchKeyException"], "Next": "Caught"}])
    execution = run(definition, {}, tasks=_raising(_client_error("NoSuchKey")))
    assert execution.states_entered == ["T", "Caught"]
    assert execution.output["Error"] == "S3.NoSuchKeyException"


def test_an_undeclared_client_error_code_collapses_to_the_service_exception():
    definition = _task(Resource="arn:aws:states:::aws-sdk:s3:getObject")
    execution = run(definition, {}, tasks=_raising(_client_error("SlowDown")))
    assert execution.error == "S3.S3Exception"


def test_optimized_dynamodb_client_errors_say_dynamodb_and_sdk_ones_dynamodb_lowercase_b():
    error = _client_error("ResourceNotFoundException")
    optimized = run(_task(Resource="arn:aws:states:::dynamodb:putItem"), {},
                    tasks=_raising(error))
    sdk = run(_task(Resource="arn:aws:states:::aws-sdk:dynamodb:putItem"), {},
              tasks=_raising(error))
    assert (optimized.error, sdk.error) == ("DynamoDB.ResourceNotFoundException",
                                            "DynamoDb.ResourceNotFoundException")


def test_a_python_exception_from_a_lambda_answerer_keeps_the_function_error_shape():
    class InvalidMetadata(Exception):
        pass

    execution = run(_task(), {}, tasks=_raising(InvalidMetadata("bad")))
    assert execution.error == "InvalidMetadata"
    assert '"errorType":"InvalidMetadata"' in execution.cause


def test_a_non_aws_exception_from_an_sdk_answerer_is_an_emulator_error_no_catcher_sees():
    definition = _task(Resource="arn:aws:states:::aws-sdk:s3:getObject",
                       Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}])
    execution = run(definition, {}, tasks=_raising(KeyError("oops")))
    assert execution.states_entered == ["T"]
    assert execution.error == "Emulator.AnswererError"
    assert "'T'" in execution.cause and "KeyError" in execution.cause


def test_an_item_reader_answerer_client_error_is_named_like_a_tasks():
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True,
        "Catch": [{"ErrorEquals": ["S3.NoSuchKeyException"], "Next": "Caught"}],
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "Parameters": {"Bucket": "b", "Key": "k"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                              "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}},
        "Caught": {"Type": "Pass", "End": True}}}
    execution = run(definition, {}, tasks=_raising(_client_error("NoSuchKey")))
    assert execution.states_entered == ["M", "Caught"]
