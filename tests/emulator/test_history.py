"""History events: ids, previousEventId threads and the GetExecutionHistory shapes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from workflow.emulator import FakeClock, run
from workflow.emulator.history import task_resource_parts

START = datetime(2026, 1, 1, tzinfo=UTC)


def test_event_ids_count_from_one_and_the_first_state_points_at_zero():
    # Every corpus history: ExecutionStarted is 1 and the first state's previousEventId is 0.
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                             "B": {"Type": "Pass", "End": True}}}
    events = run(definition, {}).events
    assert [e["id"] for e in events] == [1, 2, 3, 4, 5, 6]
    assert [e["previousEventId"] for e in events] == [0, 0, 2, 3, 4, 5]


def test_inputs_and_outputs_are_compact_json_text_and_not_truncated():
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"b": "é"},
                                                   "End": True}}}
    events = run(definition, {"a": [1, 2]}, role_arn="role").events
    assert events[0]["executionStartedEventDetails"] == {
        "input": '{"a":[1,2]}', "inputDetails": {"truncated": False}, "roleArn": "role"}
    assert events[1]["stateEnteredEventDetails"] == {
        "name": "A", "input": '{"a":[1,2]}', "inputDetails": {"truncated": False}}
    assert events[2]["stateExitedEventDetails"] == {
        "name": "A", "output": '{"b":"é"}', "outputDetails": {"truncated": False}}
    assert json.loads(events[3]["executionSucceededEventDetails"]["output"]) == {"b": "é"}


def test_timestamps_come_from_the_injected_clock():
    clock = FakeClock(START)
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}}
    events = run(definition, {}, clock=clock).events
    assert events[0]["timestamp"] == START
    assert events[-1]["timestamp"] == datetime(2026, 1, 1, 0, 0, 5, tzinfo=UTC)


def test_map_iterations_chain_previous_event_ids_within_the_iteration():
    definition = {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}
    events = {e["id"]: e for e in run(definition, [1]).events}
    iteration_started = next(e for e in events.values() if e["type"] == "MapIterationStarted")
    inner = next(e for e in events.values() if e["type"] == "PassStateEntered")
    assert inner["previousEventId"] == iteration_started["id"]


def test_execution_failed_omits_absent_error_and_cause():
    events = run({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}, {}).events
    assert events[-1]["executionFailedEventDetails"] == {"error": "E"}


def test_task_resource_parts_split_service_and_action():
    assert task_resource_parts("arn:aws:states:::lambda:invoke") == ("lambda", "invoke")
    assert task_resource_parts("arn:aws:states:::aws-sdk:dynamodb:putItem") == (
        "aws-sdk:dynamodb", "putItem")
    assert task_resource_parts("arn:aws:states:::lambda:invoke.waitForTaskToken") == (
        "lambda", "invoke.waitForTaskToken")
