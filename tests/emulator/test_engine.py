"""run(): results, definition errors, guards, context object and ARNs."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from workflow.emulator import DefinitionError, FakeClock, StatesError, run

START = datetime(2026, 1, 1, tzinfo=UTC)


def _pass_chain(n: int) -> dict:
    states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(n - 1)}
    states[f"S{n - 1}"] = {"Type": "Pass", "End": True}
    return {"StartAt": "S0", "States": states}


def test_pass_chain_returns_its_input():
    execution = run(_pass_chain(5), {"a": 1})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"a": 1}
    assert execution.states_entered == [f"S{i}" for i in range(5)]


def test_definition_may_be_json_text():
    execution = run(json.dumps(_pass_chain(2)), [1, 2])
    assert execution.output == [1, 2]


@pytest.mark.parametrize(
    ("definition", "path"),
    [
        ("{not json", "$"),
        ([], "$"),
        ({"States": {"A": {"Type": "Pass", "End": True}}}, "$.StartAt"),
        ({"StartAt": "B", "States": {"A": {"Type": "Pass", "End": True}}}, "$.StartAt"),
        ({"StartAt": "A", "States": {}}, "$.States"),
        ({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nope"}}}, "$.States.A.Next"),
        ({"StartAt": "A", "States": {"A": {"Type": "Pass"}}}, "$.States.A"),
        ({"StartAt": "A", "States": {"A": {"Type": "Nope", "End": True}}}, "$.States.A.Type"),
        ({"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [
            {"Variable": "$.x", "IsPresent": True, "Next": "Z"}]}}}, "$.States.A.Choices[0].Next"),
        ({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "r", "End": True,
                                           "Catch": [{"ErrorEquals": ["States.ALL"],
                                                      "Next": "Q"}]}}},
         "$.States.A.Catch[0].Next"),
        ({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "r", "End": True,
                                           "Retry": [{"ErrorEquals": ["States.ALL", "X"]}]}}},
         "$.States.A.Retry[0].ErrorEquals"),
        ({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "r", "End": True,
                                           "Retry": [{"ErrorEquals": ["States.ALL"]},
                                                     {"ErrorEquals": ["X"]}]}}},
         "$.States.A.Retry[0].ErrorEquals"),
        ({"StartAt": "A", "States": {"A": {"Type": "Wait", "End": True}}}, "$.States.A"),
        ({"StartAt": "A", "States": {"A": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "Y"}}}]}}},
         "$.States.A.Branches[0].States.X.Next"),
        ({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "odd name"}}},
         "$.States.A.Next"),
    ],
)
def test_structural_problems_are_definition_errors_with_the_json_path(definition, path):
    with pytest.raises(DefinitionError) as info:
        run(definition, {})
    assert info.value.path == path


def test_a_next_target_in_another_scope_is_a_definition_error():
    # A branch cannot jump to a state of the enclosing machine.
    definition = {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "Done", "Branches": [
            {"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "Done"}}}]},
        "Done": {"Type": "Succeed"}}}
    with pytest.raises(DefinitionError, match="Branches"):
        run(definition, {})


@pytest.mark.parametrize("junk", [None, 1, "x", [1], {"a": None}, {"StartAt": 3, "States": 4}])
def test_no_python_exception_escapes_for_junk_definitions(junk):
    try:
        run(junk, junk)
    except DefinitionError:
        pass


def test_an_unanswered_task_fails_the_execution_naming_the_state():
    definition = {"StartAt": "Charge", "States": {"Charge": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]},
        "Caught": {"Type": "Succeed"}}}
    execution = run(definition, {})
    # Not caught by States.ALL: a missing answer is a test setup problem, not a task failure.
    assert execution.status == "FAILED"
    assert execution.error == "Emulator.TaskNotAnswered"
    assert "'Charge'" in execution.cause


def test_max_transitions_guard_fails_the_execution_naming_the_limit():
    loop = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}}
    execution = run(loop, {}, max_transitions=50)
    assert execution.status == "FAILED"
    assert execution.error == "Emulator.TransitionLimitExceeded"
    assert "max_transitions=50" in execution.cause
    assert len(execution.states_entered) == 50


def test_oversized_pass_result_is_data_limit_exceeded():
    # Corpus error_handling/test_states_errors::TestStatesErrors::test_start_large_input.
    definition = {"StartAt": "State_1", "States": {"State_1": {
        "Type": "Pass", "Result": {"Arg1": "a" * 262_144}, "End": True}}}
    execution = run(definition, {})
    assert execution.error == "States.DataLimitExceeded"
    assert execution.cause == ("The state/task 'State_1' returned a result with a size "
                               "exceeding the maximum number of bytes service limit.")
    assert [e["type"] for e in execution.events] == [
        "ExecutionStarted", "PassStateEntered", "ExecutionFailed"]


def test_payload_limit_counts_utf8_bytes_not_characters():
    # The input holds 45,000 three-byte characters (135,000 bytes); the output holds them
    # twice: 90,000 characters but 270,000 bytes, over the 262,144-byte limit.
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True,
                                                   "Parameters": {"a.$": "$.v", "b.$": "$.v"}}}}
    execution = run(definition, {"v": "€" * 45_000})
    assert execution.status == "FAILED"
    assert execution.error == "States.DataLimitExceeded"


def test_data_limit_exceeded_is_not_caught_by_states_all():
    definition = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}]},
        "C": {"Type": "Succeed"}}}
    execution = run(definition, {}, tasks=lambda call: "x" * 300_000)
    assert execution.error == "States.DataLimitExceeded"


def test_states_runtime_cause_names_the_state_and_its_entered_event():
    # Corpus scenarios/...::test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_INPUTPATH].
    definition = {"StartAt": "pass", "States": {"pass": {
        "Type": "Pass", "InputPath": "$.NoSuchInputPath", "End": True}}}
    execution = run(definition, {})
    assert execution.error == "States.Runtime"
    assert execution.cause.startswith(
        "An error occurred while executing the state 'pass' (entered at the event id #2). ")


def test_context_object_matches_the_recorded_shape():
    # Corpus context_object/test_context_object::TestSnfBase::test_input_path[$$].
    definition = {"StartAt": "TestState", "States": {"TestState": {
        "Type": "Pass", "InputPath": "$$", "End": True}}}
    execution = run(definition, {"input-value": 0}, state_machine_name="SM",
                    execution_name="E1", account_id="111111111111", region="eu-west-1",
                    role_arn="role", clock=FakeClock(START))
    assert execution.output == {
        "Execution": {"Id": "arn:aws:states:eu-west-1:111111111111:execution:SM:E1",
                      "Input": {"input-value": 0}, "StartTime": "2026-01-01T00:00:00.000Z",
                      "Name": "E1", "RoleArn": "role", "RedriveCount": 0},
        "StateMachine": {"Id": "arn:aws:states:eu-west-1:111111111111:stateMachine:SM",
                         "Name": "SM"},
        "State": {"Name": "TestState", "EnteredTime": "2026-01-01T00:00:00.000Z"},
    }
    assert execution.execution_arn == "arn:aws:states:eu-west-1:111111111111:execution:SM:E1"


def test_express_execution_arns_use_express():
    execution = run(_pass_chain(1), {}, state_machine_name="SM", execution_name="E",
                    state_machine_type="EXPRESS")
    assert execution.execution_arn.startswith("arn:aws:states:us-east-1:123456789012:express:SM:E:")


def test_execution_timeout_seconds_times_out_on_the_clock():
    definition = {"TimeoutSeconds": 10, "StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 60, "End": True}}}
    clock = FakeClock(START)
    execution = run(definition, {}, clock=clock)
    assert execution.status == "TIMED_OUT"
    assert execution.events[-1]["type"] == "ExecutionTimedOut"
    assert sum(clock.slept) == 10


def test_fail_state_error_and_cause_from_paths_and_intrinsics():
    definition = {"StartAt": "F", "States": {"F": {
        "Type": "Fail", "ErrorPath": "$.e",
        "CausePath": "States.Format('bad {}', $.what)"}}}
    execution = run(definition, {"e": "Oops", "what": "thing"})
    assert (execution.error, execution.cause) == ("Oops", "bad thing")


def test_fail_state_without_error_reports_none():
    # Corpus base/test_base::TestSnfBase::test_state_fail_empty.
    execution = run({"StartAt": "F", "States": {"F": {"Type": "Fail"}}}, {})
    assert (execution.status, execution.error, execution.cause) == ("FAILED", None, None)
    assert "executionFailedEventDetails" in execution.events[-1]
    assert execution.events[-1]["executionFailedEventDetails"] == {}


def test_an_emulator_bug_is_reported_as_a_failed_execution(monkeypatch):
    from workflow.emulator import engine

    def broken(*args):
        raise ZeroDivisionError("boom")

    monkeypatch.setitem(engine.WORK, "Pass", broken)
    execution = run(_pass_chain(1), {})
    assert execution.status == "FAILED"
    assert execution.error == "Emulator.InternalError"
    assert "ZeroDivisionError" in execution.cause


def test_states_error_is_importable_for_answerers():
    assert StatesError("E", "c").error == "E"
