"""Succeed and Fail states through whole executions, alone and inside Parallel and Map.

Corpus case ids name /work/shared/corpora/aws-recorded/cases.jsonl records where AWS
recorded the behaviour.
"""

from __future__ import annotations

from workflow.emulator import run


def _types(execution) -> list[str]:
    return [event["type"] for event in execution.events]


def _fail(**fields) -> dict:
    return {"StartAt": "F", "States": {"F": {"Type": "Fail", **fields}}}


# ------------------------------------------------------------------------------ Succeed


def test_succeed_ends_the_execution_with_its_input():
    execution = run({"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}, {"a": 1})
    assert (execution.status, execution.output) == ("SUCCEEDED", {"a": 1})
    assert _types(execution) == ["ExecutionStarted", "SucceedStateEntered",
                                 "SucceedStateExited", "ExecutionSucceeded"]


def test_succeed_applies_input_path_then_output_path():
    definition = {"StartAt": "S", "States": {"S": {"Type": "Succeed", "InputPath": "$.inner",
                                                   "OutputPath": "$.keep"}}}
    execution = run(definition, {"inner": {"keep": [1], "drop": 2}, "outer": 3})
    assert execution.output == [1]
    exited = execution.events[2]["stateExitedEventDetails"]
    assert (exited["name"], exited["output"]) == ("S", "[1]")
    entered = execution.events[1]["stateEnteredEventDetails"]
    assert entered["input"] == '{"inner":{"keep":[1],"drop":2},"outer":3}'


def test_succeed_output_path_null_gives_an_empty_object():
    definition = {"StartAt": "S", "States": {"S": {"Type": "Succeed", "OutputPath": None}}}
    assert run(definition, {"a": 1}).output == {}


def test_succeed_in_a_parallel_branch_ends_only_that_branch():
    definition = {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "After", "Branches": [
            {"StartAt": "Early", "States": {
                "Early": {"Type": "Succeed", "OutputPath": "$.x"}}},
            {"StartAt": "B1", "States": {
                "B1": {"Type": "Pass", "Result": "b1", "Next": "B2"},
                "B2": {"Type": "Pass", "Parameters": {"from.$": "$"}, "End": True}}},
        ]},
        "After": {"Type": "Pass", "Parameters": {"branches.$": "$"}, "End": True}}}
    execution = run(definition, {"x": "early"})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"branches": ["early", {"from": "b1"}]}
    assert execution.states_entered == ["P", "Early", "B1", "B2", "After"]
    assert _types(execution) == [
        "ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted",
        "SucceedStateEntered", "SucceedStateExited", "PassStateEntered", "PassStateExited",
        "PassStateEntered", "PassStateExited", "ParallelStateSucceeded", "ParallelStateExited",
        "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]


def test_succeed_in_a_map_iteration_ends_only_that_iteration():
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "MaxConcurrency": 1,
        "ItemProcessor": {"StartAt": "Small", "States": {
            "Small": {"Type": "Choice", "Choices": [
                {"Variable": "$", "NumericLessThan": 10, "Next": "Done"}], "Default": "Big"},
            "Done": {"Type": "Succeed"},
            "Big": {"Type": "Pass", "Result": "big", "End": True}}}}}}
    execution = run(definition, [1, 20, 3])
    assert execution.output == [1, "big", 3]
    assert execution.states_entered == ["M", "Small", "Done", "Small", "Big", "Small", "Done"]


# --------------------------------------------------------------------------------- Fail


def test_fail_with_constant_error_and_cause():
    # Corpus base/test_base::TestSnfBase::test_state_fail.
    execution = run(_fail(Error="SomeFailure",
                          Cause="This state machines raises a 'SomeFailure' failure."), {})
    assert (execution.status, execution.error, execution.cause) == (
        "FAILED", "SomeFailure", "This state machines raises a 'SomeFailure' failure.")
    assert _types(execution) == ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"]


def test_fail_without_error_or_cause_leaves_both_out_of_the_failed_event():
    # Corpus base/test_base::TestSnfBase::test_state_fail_empty.
    execution = run(_fail(), {})
    assert (execution.status, execution.error, execution.cause) == ("FAILED", None, None)
    assert execution.events[-1]["executionFailedEventDetails"] == {}


def test_fail_with_only_an_error_has_no_cause_in_the_failed_event():
    # Corpus scenarios/...::test_parallel_state_fail records error FailureType, cause null.
    execution = run(_fail(Error="OnlyError"), {})
    assert execution.events[-1]["executionFailedEventDetails"] == {"error": "OnlyError"}


def test_fail_error_path_and_cause_path_read_the_input():
    # Corpus base/test_base::TestSnfBase::test_state_fail_path.
    execution = run(_fail(ErrorPath="$.Error", CausePath="$.Cause"),
                    {"Error": "error string", "Cause": "cause string"})
    assert (execution.error, execution.cause) == ("error string", "cause string")
    assert execution.events[-1]["executionFailedEventDetails"] == {
        "error": "error string", "cause": "cause string"}


def test_fail_error_path_and_cause_path_read_the_context_object():
    # Corpus context_object/test_context_object::TestSnfBase::test_error_cause_path.
    execution = run(_fail(ErrorPath="$$.State.Name", CausePath="$$.StateMachine.Name"), {},
                    state_machine_name="MyMachine")
    assert (execution.error, execution.cause) == ("F", "MyMachine")


def test_fail_error_path_and_cause_path_may_be_intrinsics():
    # Corpus base/test_base::TestSnfBase::test_state_fail_intrinsic.
    execution = run(_fail(
        ErrorPath="States.Format('{}', $.Error)",
        CausePath="States.Format('This is a custom error message for {}, caused by {}.', "
                  "$.Error, $.Cause)"),
        {"Error": "error string", "Cause": "cause string"})
    assert (execution.error, execution.cause) == (
        "error string", "This is a custom error message for error string, caused by cause string.")


def test_fail_cause_path_may_use_other_string_intrinsics():
    # AWS docs (state-fail): CausePath may use States.JsonToString, ArrayGetItem, ...
    execution = run(_fail(ErrorPath="States.ArrayGetItem($.codes, 1)",
                          CausePath="States.JsonToString($.detail)"),
                    {"codes": ["A", "B"], "detail": {"k": [1, 2]}})
    assert (execution.error, execution.cause) == ("B", '{"k":[1,2]}')


def test_fail_error_path_missing_in_the_input_is_states_runtime():
    # Corpus scenarios/...::test_invalid_jsonpath[INVALID_JSONPATH_IN_ERRORPATH].
    execution = run(_fail(ErrorPath="$.ErrorX", Cause="c"), {"Error": "e"})
    assert execution.error == "States.Runtime"
    assert execution.cause.startswith(
        "An error occurred while executing the state 'F' (entered at the event id #2). "
        "The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found")


def test_fail_error_path_to_a_non_string_is_states_runtime():
    execution = run(_fail(ErrorPath="$.code"), {"code": 42})
    assert execution.error == "States.Runtime"
    assert execution.cause.endswith("The ErrorPath field must refer to a string value, got: 42")


def test_fail_inside_a_map_item_fails_the_map_and_the_execution():
    # Corpus scenarios/test_base_scenarios::TestBaseScenarios::test_map_state_break_condition:
    # FailStateEntered, MapIterationFailed, MapStateFailed, ExecutionFailed; no item after it.
    definition = {"StartAt": "M", "States": {
        "M": {"Type": "Map", "MaxConcurrency": 1, "Next": "Never",
              "ItemProcessor": {"StartAt": "Is2", "States": {
                  "Is2": {"Type": "Choice", "Choices": [
                      {"Variable": "$", "NumericEquals": 2, "Next": "Break"}], "Default": "Ok"},
                  "Break": {"Type": "Fail", "Error": "SomeFailure", "Cause": "item 2"},
                  "Ok": {"Type": "Pass", "End": True}}}},
        "Never": {"Type": "Pass", "End": True}}}
    execution = run(definition, [1, 2, 3])
    assert (execution.status, execution.error, execution.cause) == (
        "FAILED", "SomeFailure", "item 2")
    assert _types(execution) == [
        "ExecutionStarted", "MapStateEntered", "MapStateStarted",
        "MapIterationStarted", "ChoiceStateEntered", "ChoiceStateExited", "PassStateEntered",
        "PassStateExited", "MapIterationSucceeded",
        "MapIterationStarted", "ChoiceStateEntered", "ChoiceStateExited", "FailStateEntered",
        "MapIterationFailed", "MapStateFailed", "ExecutionFailed"]
    assert "Never" not in execution.states_entered


def test_fail_inside_a_map_item_is_caught_by_the_maps_catcher():
    definition = {"StartAt": "M", "States": {
        "M": {"Type": "Map", "MaxConcurrency": 1, "End": True,
              "Catch": [{"ErrorEquals": ["SomeFailure"], "ResultPath": "$.error",
                         "Next": "Handled"}],
              "ItemsPath": "$.items",
              "ItemProcessor": {"StartAt": "Break", "States": {
                  "Break": {"Type": "Fail", "Error": "SomeFailure", "CausePath": "$.why"}}}},
        "Handled": {"Type": "Pass", "End": True}}}
    execution = run(definition, {"items": [{"why": "first"}]})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"items": [{"why": "first"}],
                                "error": {"Error": "SomeFailure", "Cause": "first"}}
    assert execution.states_entered == ["M", "Break", "Handled"]


def test_fail_in_a_parallel_branch_fails_the_parallel_with_the_branch_error():
    # Corpus scenarios/test_base_scenarios::TestBaseScenarios::test_parallel_state_fail.
    definition = {"StartAt": "ParallelState", "States": {"ParallelState": {
        "Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "Branch1", "States": {"Branch1": {"Type": "Fail",
                                                          "Error": "FailureType"}}}]}}}
    execution = run(definition, {})
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "FailureType", None)
    assert _types(execution) == ["ExecutionStarted", "ParallelStateEntered",
                                 "ParallelStateStarted", "FailStateEntered",
                                 "ParallelStateFailed", "ExecutionFailed"]
    assert execution.events[-1]["executionFailedEventDetails"] == {"error": "FailureType"}


def test_the_execution_failed_event_follows_the_fail_state_entered_event():
    execution = run({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "F"},
        "F": {"Type": "Fail", "Error": "E", "Cause": "C"}}}, {})
    failed = execution.events[-1]
    assert failed["type"] == "ExecutionFailed"
    assert (failed["id"], failed["previousEventId"]) == (5, 4)
    assert execution.events[3]["stateEnteredEventDetails"]["name"] == "F"
    assert failed["executionFailedEventDetails"] == {"error": "E", "cause": "C"}
