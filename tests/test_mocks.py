"""The Step Functions Local mock file: strict parsing and invocation numbering."""

from __future__ import annotations

import json

import pytest

from workflow.emulator import FakeClock, run
from workflow.errors import InputError, json_path
from workflow.mocks import MOCK_RESPONSE_MISSING, MockConfig


def _config(responses: dict, cases: dict | None = None) -> dict:
    return {
        "StateMachines": {"M": {"TestCases": cases or {"Happy": {"Call": "R"}}}},
        "MockedResponses": responses,
    }


def _error(obj) -> InputError:
    with pytest.raises(InputError) as info:
        MockConfig.parse(obj, source="mock.json")
    return info.value


# ------------------------------------------------------------------------- bad files


def test_unknown_top_level_key_is_named():
    err = _error({"StateMachines": {}, "MockedResponses": {}, "Extra": 1})
    assert (err.file, err.path) == ("mock.json", "$.Extra")


def test_test_case_naming_a_missing_response_is_named():
    err = _error(_config({"R": {"0": {"Return": 1}}}, {"Happy": {"Call": "Nope"}}))
    assert err.path == "$.StateMachines.M.TestCases.Happy.Call"
    assert "Nope" in err.message


def test_entry_with_both_return_and_throw_is_rejected():
    err = _error(_config({"R": {"0": {"Return": 1, "Throw": {"Error": "E"}}}}))
    assert err.path == "$.MockedResponses.R['0']"
    assert "exactly one" in err.message


def test_entry_with_neither_return_nor_throw_is_rejected():
    err = _error(_config({"R": {"0": {}}}))
    assert err.path == "$.MockedResponses.R['0']"


@pytest.mark.parametrize("key", ["2-1", "x", "-1", "01", "1-", "1-2-3", " 1"])
def test_bad_range_keys_are_rejected(key):
    err = _error(_config({"R": {"0": {"Return": 1}, key: {"Return": 2}}}))
    assert err.path == json_path(["MockedResponses", "R", key])


def test_gap_in_numbering_is_rejected():
    err = _error(_config({"R": {"0": {"Return": 1}, "2": {"Return": 2}}}))
    assert err.path == "$.MockedResponses.R"
    assert "gap" in err.message and "1" in err.message


def test_numbering_not_starting_at_zero_is_a_gap():
    err = _error(_config({"R": {"1": {"Return": 1}}}))
    assert "0 is not defined" in err.message


def test_overlapping_ranges_are_rejected():
    err = _error(_config({"R": {"0-2": {"Return": 1}, "2": {"Return": 2}}}))
    assert err.path == "$.MockedResponses.R['2']"
    assert "invocation 2" in err.message


def test_throw_without_error_is_rejected():
    err = _error(_config({"R": {"0": {"Throw": {"Cause": "c"}}}}))
    assert err.path == "$.MockedResponses.R['0'].Throw.Error"


def test_unknown_key_in_throw_is_rejected():
    err = _error(_config({"R": {"0": {"Throw": {"Error": "E", "Kind": 1}}}}))
    assert err.path == "$.MockedResponses.R['0'].Throw.Kind"


def test_unknown_key_beside_test_cases_is_rejected():
    err = _error({"StateMachines": {"M": {"TestCases": {}, "Other": 1}}, "MockedResponses": {}})
    assert err.path == "$.StateMachines.M.Other"


def test_load_reports_the_file_for_invalid_json(tmp_path):
    path = tmp_path / "MockConfigFile.json"
    path.write_text("{nope", encoding="utf-8")
    with pytest.raises(InputError) as info:
        MockConfig.load(path)
    assert info.value.file == str(path)


def test_unknown_state_machine_or_test_case_is_an_input_error():
    config = MockConfig.parse(_config({"R": {"0": {"Return": 1}}}), source="mock.json")
    with pytest.raises(InputError, match="no state machine named 'Other'"):
        config.answerer("Other", "Happy")
    with pytest.raises(InputError, match="no test case named 'Sad'") as info:
        config.answerer("M", "Sad")
    assert info.value.path == "$.StateMachines.M.TestCases"


# ------------------------------------------------------------------------- numbering

RETRYING_TASK = {
    "StartAt": "Call",
    "States": {
        "Call": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Retry": [{"ErrorEquals": ["Lambda.ResourceNotReadyException"],
                       "MaxAttempts": 3, "IntervalSeconds": 1}],
            "End": True,
        }
    },
}


def test_retries_consume_invocation_numbers_as_in_the_aws_docs_example():
    # AWS docs (sfn-local-test-sm-exec): "0" Throw, "1-2" Throw, "3" Return with MaxAttempts 3.
    throw = {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "not ready"}}
    config = MockConfig.parse(_config({"R": {"0": throw, "1-2": throw,
                                             "3": {"Return": {"StatusCode": 200}}}}))
    clock = FakeClock()
    execution = run(RETRYING_TASK, {}, mock_config=config, test_case="Happy",
                    state_machine_name="M", clock=clock)
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"StatusCode": 200}
    assert [c.attempt for c in execution.calls] == [0, 1, 2, 3]
    assert clock.slept == [1, 2, 4]


def test_a_missing_invocation_number_fails_the_execution_naming_it():
    config = MockConfig.parse(_config({"R": {"0": {"Throw": {
        "Error": "Lambda.ResourceNotReadyException"}}}}))
    execution = run(RETRYING_TASK, {}, mock_config=config, test_case="Happy",
                    state_machine_name="M")
    assert execution.status == "FAILED"
    assert execution.error == MOCK_RESPONSE_MISSING
    assert "invocation number 1" in execution.cause and "'Call'" in execution.cause


def test_loop_passes_consume_numbers_per_state():
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                     "ResultPath": "$.r", "Next": "Done?"},
            "Done?": {"Type": "Choice",
                      "Choices": [{"Variable": "$.r.done", "BooleanEquals": True,
                                   "Next": "End"}],
                      "Default": "Call"},
            "End": {"Type": "Succeed"},
        },
    }
    config = MockConfig.parse(_config({"R": {"0-1": {"Return": {"done": False}},
                                             "2": {"Return": {"done": True}}}}))
    execution = run(definition, {}, mock_config=config, test_case="Happy",
                    state_machine_name="M")
    assert execution.status == "SUCCEEDED"
    assert len(execution.calls) == 3


def test_map_iterations_share_the_state_counter():
    # Step Functions Local 2.0.0 keeps counting across iterations (floci-io/floci#3254).
    definition = {
        "StartAt": "Each",
        "States": {"Each": {
            "Type": "Map", "MaxConcurrency": 1, "End": True,
            "ItemProcessor": {"StartAt": "Call", "States": {"Call": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 1}], "End": True}}}}},
    }
    config = MockConfig.parse(_config({"R": {
        "0": {"Throw": {"Error": "Boom", "Cause": "attempt0"}},
        "1": {"Return": "idx1"}, "2": {"Return": "idx2"}, "3": {"Return": "idx3"}}}))
    execution = run(definition, ["a", "b"], mock_config=config, test_case="Happy",
                    state_machine_name="M")
    assert execution.output == ["idx1", "idx2"]


def test_each_execution_starts_numbering_again():
    config = MockConfig.parse(_config({"R": {"0": {"Return": 1}}}))
    definition = {"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}}}
    for _ in range(2):
        execution = run(definition, {}, mock_config=config, test_case="Happy",
                        state_machine_name="M")
        assert execution.output == 1


def test_unlisted_tasks_fall_through_to_the_task_answerers():
    definition = {"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Other"},
        "Other": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "End": True},
    }}
    config = MockConfig.parse(_config({"R": {"0": {"Return": {"x": 1}}}}))
    execution = run(definition, {}, mock_config=config, test_case="Happy",
                    state_machine_name="M", tasks={"Other": lambda call: call.arguments})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"x": 1}


def test_mock_config_may_be_given_as_a_path(tmp_path):
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps(_config({"R": {"0": {"Return": 7}}})), encoding="utf-8")
    definition = {"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}}}
    execution = run(definition, {}, mock_config=str(path), test_case="Happy",
                    state_machine_name="M")
    assert execution.output == 7


def test_a_test_case_mocking_a_state_the_definition_lacks_is_named(tmp_path):
    # Step Functions Local would send that state's calls to the real service unseen
    # (HybridPath); we refuse it and point at the entry (found by review).
    from workflow.errors import InputError
    from workflow.mocks import MockConfig

    config = MockConfig.parse({
        "StateMachines": {"M": {"TestCases": {"T": {"GetObjekt": "R"}}}},
        "MockedResponses": {"R": {"0": {"Return": {}}}},
    }, source="mock.json")
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "GetObject", "States": {"GetObject": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject", "End": True}}}]}}}
    try:
        config.check_states("M", "T", definition)
    except InputError as exc:
        assert exc.file == "mock.json"
        assert exc.path == "$.StateMachines.M.TestCases.T.GetObjekt"
        assert "GetObject" in exc.message  # the Task names it does have, nested ones included
    else:
        raise AssertionError("a misspelt state name was accepted")
    config = MockConfig.parse({
        "StateMachines": {"M": {"TestCases": {"T": {"GetObject": "R"}}}},
        "MockedResponses": {"R": {"0": {"Return": {}}}},
    }, source="mock.json")
    config.check_states("M", "T", definition)  # the nested Task is found


def test_a_map_with_an_item_reader_may_be_mocked_by_its_own_name():
    # run() answers a Distributed Map's ItemReader under the Map's name; the check that
    # refuses misspelt names must agree with it (found by review).
    from workflow.mocks import MockConfig

    config = MockConfig.parse({
        "StateMachines": {"M": {"TestCases": {"T": {"Mp": "R"}}}},
        "MockedResponses": {"R": {"0": {"Return": [1, 2]}}},
    }, source="mock.json")
    definition = {"StartAt": "Mp", "States": {"Mp": {
        "Type": "Map", "End": True,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "JSON"},
                       "Parameters": {"Bucket": "b", "Key": "k"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}
    config.check_states("M", "T", definition)
