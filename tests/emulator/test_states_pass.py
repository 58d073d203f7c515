"""Pass states through whole executions: Result, Parameters, the four paths and the events.

Each test runs `workflow.emulator.run` and asserts exact outputs, errors and event types.
Where AWS recorded the behaviour, the corpus case id
(/work/shared/corpora/aws-recorded/cases.jsonl) is named beside the test.
"""

from __future__ import annotations

from datetime import UTC, datetime

from workflow.emulator import FakeClock, run

START = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
RUNTIME_PREFIX = "An error occurred while executing the state 'P' (entered at the event id #2). "


def _pass(**fields) -> dict:
    """A machine whose only state is the Pass state `P` with `fields`."""
    return {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True, **fields}}}


def _types(execution) -> list[str]:
    return [event["type"] for event in execution.events]


# ------------------------------------------------------------------------------- Result


def test_pass_without_result_outputs_its_input_unchanged():
    execution = run(_pass(), {"a": [1, {"b": None}]})
    assert (execution.status, execution.output) == ("SUCCEEDED", {"a": [1, {"b": None}]})


def test_result_replaces_the_input_by_default():
    # Corpus base/test_base::TestSnfBase::test_state_pass_result.
    execution = run(_pass(Result={"Arg1": "argument1"}), {"ignored": True})
    assert execution.output == {"Arg1": "argument1"}


def test_result_is_literal_so_dollar_keys_are_not_evaluated():
    execution = run(_pass(Result={"a.$": "$.x", "b": "States.Format('{}', $.x)"}), {"x": 1})
    assert execution.output == {"a.$": "$.x", "b": "States.Format('{}', $.x)"}


def test_result_may_be_any_json_value():
    for value in ([1, 2], "text", 0, False, None):
        assert run(_pass(Result=value), {"in": 1}).output == value


# --------------------------------------------------------------------------- Parameters


def test_parameters_select_input_values_with_dollar_keys_and_keep_constants():
    execution = run(_pass(Parameters={"constant": "c", "picked.$": "$.a.b",
                                      "nested": {"whole.$": "$", "n": 1}}),
                    {"a": {"b": [1, 2]}})
    assert execution.output == {"constant": "c", "picked": [1, 2],
                                "nested": {"whole": {"a": {"b": [1, 2]}}, "n": 1}}


def test_parameters_read_the_context_object_with_double_dollar():
    # The context shape is corpus context_object/test_context_object::TestSnfBase::
    # test_input_path[$$]; EnteredTime is rendered with milliseconds and a Z.
    execution = run(_pass(Parameters={"state.$": "$$.State.Name",
                                      "entered.$": "$$.State.EnteredTime",
                                      "execution.$": "$$.Execution.Name",
                                      "input.$": "$$.Execution.Input",
                                      "machine.$": "$$.StateMachine.Name"}),
                    {"k": "v"}, clock=FakeClock(START), execution_name="exec-1",
                    state_machine_name="Machine")
    assert execution.output == {"state": "P", "entered": "2026-01-02T03:04:05.678Z",
                                "execution": "exec-1", "input": {"k": "v"},
                                "machine": "Machine"}


def test_pass_context_has_no_retry_count():
    # RetryCount is only in $$.State of states that can retry (Task, Map, Parallel).
    execution = run(_pass(Parameters={"state.$": "$$.State"}), {}, clock=FakeClock(START))
    assert execution.output == {"state": {"Name": "P",
                                          "EnteredTime": "2026-01-02T03:04:05.678Z"}}


def test_parameters_evaluate_intrinsic_functions():
    execution = run(_pass(Parameters={
        "greeting.$": "States.Format('Hello {}, you are {}', $.name, $.age)",
        "next.$": "States.MathAdd($.age, 1)",
        "pair.$": "States.Array($.name, $.age)",
        "text.$": "States.JsonToString($.obj)",
    }), {"name": "Ada", "age": 36, "obj": {"a": 1}})
    assert execution.output == {"greeting": "Hello Ada, you are 36", "next": 37,
                                "pair": ["Ada", 36], "text": '{"a":1}'}


def test_parameters_path_missing_in_the_input_is_states_runtime():
    execution = run(_pass(Parameters={"x.$": "$.missing"}), {"a": 1})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.cause.startswith(RUNTIME_PREFIX)
    assert "'$.missing'" in execution.cause
    assert _types(execution) == ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]


# ---------------------------------------------------------------------------- InputPath


def test_input_path_selects_the_effective_input():
    execution = run(_pass(InputPath="$.inner"), {"inner": {"v": 1}, "outer": 2})
    assert execution.output == {"v": 1}


def test_input_path_may_read_the_context_object():
    # Corpus context_object/test_context_object::TestSnfBase::test_input_path[$$.Execution.Input].
    execution = run(_pass(InputPath="$$.Execution.Input"), {"k": 1})
    assert execution.output == {"k": 1}


def test_input_path_null_gives_an_empty_object():
    # Corpus base/test_base::TestSnfBase::test_state_pass_result_null_input_output_paths.
    execution = run(_pass(InputPath=None, Parameters={"from.$": "$"}), {"InputValue": 0})
    assert execution.output == {"from": {}}


def test_input_path_missing_in_the_input_is_states_runtime_with_jayway_wording():
    # Corpus scenarios/test_base_scenarios::TestBaseScenarios::
    # test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_INPUTPATH].
    execution = run(_pass(InputPath="$.NoSuchInputPath"), {"a": 1})
    assert execution.error == "States.Runtime"
    assert execution.cause == (RUNTIME_PREFIX + "Invalid path '$.NoSuchInputPath' : "
                               "No results for path: $['NoSuchInputPath']")


# --------------------------------------------------------------------------- ResultPath


def test_result_path_dollar_replaces_the_input_with_the_result():
    execution = run(_pass(Result={"r": 1}, ResultPath="$"), {"a": 1})
    assert execution.output == {"r": 1}


def test_result_path_puts_the_result_into_a_copy_of_the_input():
    execution = run(_pass(Result="R", ResultPath="$.r"), {"a": 1})
    assert execution.output == {"a": 1, "r": "R"}


def test_result_path_creates_missing_objects_on_the_way():
    execution = run(_pass(Result=[1], ResultPath="$.a.b.c"), {"a": {"keep": True}})
    assert execution.output == {"a": {"keep": True, "b": {"c": [1]}}}


def test_result_path_overwrites_an_existing_value():
    execution = run(_pass(Result="new", ResultPath="$.a.b"), {"a": {"b": "old", "c": 3}})
    assert execution.output == {"a": {"b": "new", "c": 3}}


def test_result_path_null_discards_the_result_and_keeps_the_input():
    execution = run(_pass(Result={"discarded": True}, ResultPath=None), {"a": 1})
    assert execution.output == {"a": 1}


def test_result_path_into_a_string_input_fails_and_quotes_the_input_once():
    # An AWS error quoted on qiita.com (tsubasaogawa, "States.ReferencePathConflict") reads
    # `Unable to apply ReferencePath $.someTaskResult to input "input1"` for a string input.
    execution = run(_pass(Result=1, ResultPath="$.r"), "input1")
    assert execution.status == "FAILED"
    assert execution.cause.endswith('Unable to apply ReferencePath $.r to input "input1"')
    assert _types(execution) == ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]


def test_result_path_into_an_array_input_is_a_reference_path_conflict():
    execution = run(_pass(Result=1, ResultPath="$.r"), [1, 2])
    assert (execution.error, execution.cause) == (
        "States.ReferencePathConflict", "Unable to apply ReferencePath $.r to input [1,2]")


def test_result_path_through_a_non_object_value_fails():
    execution = run(_pass(Result=1, ResultPath="$.a.b"), {"a": 5})
    assert execution.error == "States.ReferencePathConflict"
    assert execution.cause == 'Unable to apply ReferencePath $.a.b to input {"a":5}'


def test_result_path_into_a_non_object_is_reference_path_conflict_as_aws_reports():
    # AWS errors quoted on qiita.com and in cdklabs/construct-hub PR #459: this name, and no
    # "An error occurred while executing the state" prefix (that one is States.Runtime's).
    execution = run(_pass(Result=1, ResultPath="$.someTaskResult"), "input1")
    assert (execution.error, execution.cause) == (
        "States.ReferencePathConflict",
        'Unable to apply ReferencePath $.someTaskResult to input "input1"')


def test_result_path_merges_into_the_raw_input_not_the_effective_input():
    execution = run(_pass(InputPath="$.inner", ResultPath="$.copy"),
                    {"inner": {"v": 1}, "outer": 2})
    assert execution.output == {"inner": {"v": 1}, "outer": 2, "copy": {"v": 1}}


def test_result_path_does_not_change_the_input_seen_by_the_entered_event():
    execution = run(_pass(Result="R", ResultPath="$.a.r"), {"a": {}})
    entered = execution.events[1]["stateEnteredEventDetails"]["input"]
    assert entered == '{"a":{}}'


# --------------------------------------------------------------------------- OutputPath


def test_output_path_selects_from_the_state_output():
    execution = run(_pass(Result={"x": {"y": 1}, "z": 2}, OutputPath="$.x"), {})
    assert execution.output == {"y": 1}


def test_output_path_null_gives_an_empty_object():
    # Corpus base/test_base::TestSnfBase::test_state_pass_result_null_input_output_paths.
    execution = run(_pass(OutputPath=None), {"InputValue": 0})
    assert execution.output == {}


def test_output_path_missing_in_the_output_is_states_runtime():
    # Corpus scenarios/...::test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_OUTPUTPATH].
    execution = run(_pass(OutputPath="$.NoSuchOutputPath"), {"a": 1})
    assert execution.error == "States.Runtime"
    assert execution.cause == (RUNTIME_PREFIX + "Invalid path '$.NoSuchOutputPath' : "
                               "No results for path: $['NoSuchOutputPath']")


# ------------------------------------------------------------------------------- order


def test_paths_apply_in_order_input_parameters_result_output():
    # `w.$: $.v` only resolves after InputPath; `$.inner` exists only in the raw input, so
    # ResultPath must merge there; `result` exists only after ResultPath, so OutputPath runs
    # last. Any other order fails or gives another output.
    execution = run(_pass(InputPath="$.inner", Parameters={"w.$": "$.v", "n": 0},
                          ResultPath="$.inner.result", OutputPath="$.inner"),
                    {"inner": {"v": 1}, "keep": 2})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"v": 1, "result": {"w": 1, "n": 0}}


def test_result_wins_over_parameters_but_parameters_still_run():
    # Parameters is evaluated (a missing path fails) even though Result is the result.
    ok = run(_pass(Parameters={"x.$": "$.a"}, Result="R"), {"a": 1})
    assert ok.output == "R"
    failed = run(_pass(Parameters={"x.$": "$.missing"}, Result="R"), {"a": 1})
    assert failed.error == "States.Runtime"


# ------------------------------------------------------------------------------ events


def test_pass_events_carry_input_and_output_as_compact_json_text():
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": {"é": [1, 2]}, "ResultPath": "$.r", "Next": "B"},
        "B": {"Type": "Pass", "OutputPath": "$.r", "End": True}}}
    execution = run(definition, {"in": "ü"})
    assert _types(execution) == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                 "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    details = [event.get("stateEnteredEventDetails") or event.get("stateExitedEventDetails")
               for event in execution.events[1:5]]
    assert details == [
        {"name": "A", "input": '{"in":"ü"}', "inputDetails": {"truncated": False}},
        {"name": "A", "output": '{"in":"ü","r":{"é":[1,2]}}',
         "outputDetails": {"truncated": False}},
        {"name": "B", "input": '{"in":"ü","r":{"é":[1,2]}}', "inputDetails": {"truncated": False}},
        {"name": "B", "output": '{"é":[1,2]}', "outputDetails": {"truncated": False}},
    ]
    assert execution.events[-1]["executionSucceededEventDetails"]["output"] == '{"é":[1,2]}'


def test_pass_event_ids_chain_through_previous_event_id():
    execution = run(_pass(), {})
    assert [(e["id"], e["previousEventId"]) for e in execution.events] == [
        (1, 0), (2, 0), (3, 2), (4, 3)]


def test_a_reference_path_conflict_is_caught_by_states_all_unlike_states_runtime():
    # Only States.Runtime and States.DataLimitExceeded are terminal (AWS docs,
    # concepts-error-handling); ReferencePathConflict is an ordinary error to a catcher.
    definition = {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [{"StartAt": "Q", "States": {
            "Q": {"Type": "Pass", "Result": 1, "ResultPath": "$.r", "End": True}}}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": True},
        "Caught": {"Type": "Succeed"}}}
    execution = run(definition, "text")
    assert execution.status == "SUCCEEDED"
    assert execution.output["Error"] == "States.ReferencePathConflict"


def test_parameters_that_are_not_an_object_are_still_a_payload_template():
    # A deployed AWS sample (serverless-patterns, pipes-sqs-enrichment) gives a Pass state
    # an array; the other validators accept non-objects too (asl-lint `nonobject_parameters`).
    execution = run(_pass(Parameters=[{"Item.$": "$.item"}, 3]), {"item": {"a": 1}})
    assert execution.output == [{"Item": {"a": 1}}, 3]
    assert run(_pass(Parameters="constant"), {}).output == "constant"
