"""Workflow variables (`Assign`, `$name`) in JSONPath mode, pinned to AWS-recorded cases.

Case ids are from the `aws-recorded` corpus (`assign/...`); where the corpus says nothing the
test name ends in `_chosen` and docs/fidelity.md lists the choice.
"""

from __future__ import annotations

import json

import pytest
from corpora import AWS_RECORDED, available

from workflow.conformance import matches, normalise, normalise_text
from workflow.emulator import DefinitionError, StatesError, run

CORPUS = AWS_RECORDED
RUN_NAMES = {"state_machine_name": "<ArnPart_0idx>", "execution_name": "<ExecArnPart_0idx>",
             "role_arn": "snf_role_arn", "account_id": "111111111111", "region": "us-east-1"}


def _pass(assign=None, **fields) -> dict:
    state = {"Type": "Pass", **fields}
    if assign is not None:
        state["Assign"] = assign
    return state


def _machine(*states: tuple[str, dict]) -> dict:
    """A machine of the given (name, state) pairs, each going to the next, the last ending."""
    out = {}
    for index, (name, state) in enumerate(states):
        state = dict(state)
        if state["Type"] not in ("Choice", "Fail", "Succeed") and "Next" not in state:
            if index + 1 < len(states):
                state["Next"] = states[index + 1][0]
            else:
                state["End"] = True
        out[name] = state
    return {"StartAt": states[0][0], "States": out}


def _exited(execution, name: str) -> dict:
    details = [e["stateExitedEventDetails"] for e in execution.events
               if e.get("stateExitedEventDetails", {}).get("name") == name]
    assert details, f"no exited event for {name}"
    return details[-1]


# ------------------------------------------------------------------ what Assign reads and when


def test_pass_assign_reads_the_result_field_as_dollar():
    # assign/...::test_assign_from_value[BASE_ASSIGN_FROM_RESULT]
    definition = _machine(("State0", _pass({"theAnswer.$": "$.answer"}, Result={"answer": 42})))
    execution = run(definition, {})
    assert execution.output == {"answer": 42}
    details = _exited(execution, "State0")
    assert details["assignedVariables"] == {"theAnswer": "42"}
    assert details["assignedVariablesDetails"] == {"truncated": False}


def test_pass_assign_reads_the_parameters_output_and_the_next_state_sees_it():
    # assign/...::test_assign_from_value[BASE_ASSIGN_FROM_PARAMETERS]
    definition = _machine(
        ("State0", _pass({"result.$": "$.input"}, Parameters={"input": "PENDING"})),
        ("State1", _pass({"result": "SUCCESS", "originalResult.$": "$.input"})))
    execution = run(definition, {})
    assert _exited(execution, "State0")["assignedVariables"] == {"result": '"PENDING"'}
    assert _exited(execution, "State1")["assignedVariables"] == {
        "result": '"SUCCESS"', "originalResult": '"PENDING"'}


def test_assigned_values_appear_in_the_history_as_compact_json_text():
    # assign/test_assign_base::TestAssignBase::test_base_cases[BASE_SCOPE_MAP] ("[1,2,3]")
    definition = _machine(("S", _pass({"items": [1, 2, 3], "x": 42, "s": "é", "n": None})))
    assigned = _exited(run(definition, {}), "S")["assignedVariables"]
    assert assigned == {"items": "[1,2,3]", "x": "42", "s": '"é"', "n": "null"}


def test_an_empty_assign_adds_no_assigned_variables_to_the_exited_event():
    # assign/test_assign_base::TestAssignBase::test_base_cases[BASE_EMPTY]
    details = _exited(run(_machine(("State0", _pass({}))), {"a": 1}), "State0")
    assert "assignedVariables" not in details
    assert "assignedVariablesDetails" not in details


def test_a_state_without_assign_adds_no_assigned_variables():
    details = _exited(run(_machine(("S", _pass())), {}), "S")
    assert set(details) == {"name", "output", "outputDetails"}


def test_output_path_reads_the_value_from_before_the_state_assigns():
    # assign/...::test_state_assign_evaluation_order[BASE_EVALUATION_ORDER_PASS_STATE]
    definition = _machine(
        ("State0", _pass({"question.$": "$.theQuestion", "answer": 42},
                         Result={"theQuestion": "What?"})),
        ("State1", _pass({"answer": "<omitted>"}, InputPath="$answer",
                         ResultPath="$.theAnswer", OutputPath="$answer")))
    execution = run(definition, {})
    assert execution.output == 42
    assert _exited(execution, "State1")["assignedVariables"] == {"answer": '"<omitted>"'}


def test_one_assign_reads_old_values_not_its_own_new_ones():
    # query_language/...::test_variable_sampling[JSONATA_ASSIGN_JSONPATH_REF]
    definition = _machine(
        ("First", _pass({"theAnswerVar": 42})),
        ("Second", _pass({"theAnswerVar": 18, "oldAnswerVar.$": "$theAnswerVar"})))
    assigned = _exited(run(definition, {}), "Second")["assignedVariables"]
    assert assigned == {"theAnswerVar": "18", "oldAnswerVar": "42"}


def test_assign_takes_context_paths_intrinsics_and_nested_templates():
    # assign/test_assign_base::TestAssignBase::test_base_cases[BASE_PATHS] and
    # test_assign_from_value[BASE_ASSIGN_FROM_INTRINSIC_FUNCTION]
    definition = _machine(
        ("S", _pass({"name.$": "$$.State.Name", "fmt.$": "States.Format('v={}', $.v)",
                     "nested": {"sum.$": "States.MathAdd($.v, 1)", "literal": "$.v"}})),
        ("T", _pass(Parameters={"all.$": "States.Array($name, $fmt, $nested)"})))
    execution = run(definition, {"v": 2})
    assert execution.output == {"all": ["S", "v=2", {"sum": 3, "literal": "$.v"}]}


def test_task_assign_reads_the_result_after_result_selector_chosen():
    definition = _machine(("Call", {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "ResultSelector": {"code.$": "$.Payload.code"}, "ResultPath": "$.r",
        "Assign": {"code.$": "$.code"}}),
        ("Use", _pass(Parameters={"code.$": "$code"})))
    execution = run(definition, {}, tasks=lambda call: {"Payload": {"code": 7}})
    assert execution.output == {"code": 7}


def test_catcher_assign_reads_the_error_output_and_the_state_assign_does_not_run():
    # AWS docs, "Passing data between states with variables" (Assign in Catch).
    def fail(call):
        raise StatesError("Boom", "it broke")

    definition = _machine(
        ("Call", {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Assign": {"ok": True},
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "After",
                             "Assign": {"error.$": "$.Error", "cause.$": "$.Cause"}}]}),
        ("After", _pass(Parameters={"error.$": "$error", "cause.$": "$cause"})))
    execution = run(definition, {}, tasks=fail)
    assert execution.output == {"error": "Boom", "cause": "it broke"}
    assert _exited(execution, "Call")["assignedVariables"] == {
        "error": '"Boom"', "cause": '"it broke"'}


# ------------------------------------------------------------------------ Choice and Wait


CHOICE = {"Comment": "BASE_ASSIGN_IN_CHOICE", "StartAt": "Check", "States": {
    "Check": {"Type": "Choice", "Choices": [
        {"Variable": "$.input_value", "IsPresent": False, "Assign": {"status": "UNKNOWN"},
         "Next": "Final"},
        {"Variable": "$.input_value", "NumericEquals": 42, "Assign": {"status": "CORRECT"},
         "Next": "Final"}],
        "Assign": {"status": "INCORRECT", "guess.$": "$.input_value"}, "Default": "Final"},
    "Final": {"Type": "Pass", "Parameters": {"result.$": "$status"}, "End": True}}}


def test_choice_default_uses_the_state_level_assign():
    # assign/...::test_assign_in_choice_state[CORRECT] ("42" is a string: no rule matches)
    execution = run(CHOICE, {"input_value": "42"})
    assert execution.output == {"result": "INCORRECT"}
    assert _exited(execution, "Check")["assignedVariables"] == {
        "status": '"INCORRECT"', "guess": '"42"'}


def test_choice_matching_rule_uses_its_own_assign_only_chosen():
    # The JSONata twin test_assign_in_choice[CONDITION_TRUE] records only the rule's value.
    execution = run(CHOICE, {"input_value": 42})
    assert execution.output == {"result": "CORRECT"}
    assert _exited(execution, "Check")["assignedVariables"] == {"status": '"CORRECT"'}


def test_choice_compares_two_variables():
    # assign/...::test_reference_assign[BASE_REFERENCE_IN_CHOICE]
    definition = {"StartAt": "Setup", "States": {
        "Setup": _pass({"guess": "g", "answer": "a"}, Next="Check"),
        "Check": {"Type": "Choice", "Choices": [
            {"Variable": "$guess", "StringEqualsPath": "$answer", "Next": "Right"}],
            "Default": "Wrong"},
        "Right": _pass(Result={"state": "CORRECT"}, End=True),
        "Wrong": _pass({"guess.$": "$answer"}, Result={"state": "WRONG"}, Next="Check")}}
    execution = run(definition, {})
    assert execution.output == {"state": "CORRECT"}
    assert execution.states_entered == ["Setup", "Check", "Wrong", "Check", "Right"]


def test_wait_assigns_and_reads_seconds_and_timestamp_from_variables():
    # assign/...::test_assign_in_wait_state and test_reference_assign[BASE_REFERENCE_IN_WAIT]
    definition = _machine(
        ("Start", {"Type": "Wait", "Seconds": 0,
                   "Assign": {"waitTime": 5, "startAt": "2024-11-06T09:42:03Z"}}),
        ("WaitSeconds", {"Type": "Wait", "SecondsPath": "$waitTime"}),
        ("WaitUntil", {"Type": "Wait", "TimestampPath": "$startAt"}))
    execution = run(definition, {})
    assert execution.status == "SUCCEEDED"
    assert _exited(execution, "Start")["assignedVariables"]["waitTime"] == "5"


def test_fail_reads_error_and_cause_from_variables():
    # assign/...::test_reference_assign[BASE_REFERENCE_IN_FAIL]
    definition = _machine(
        ("Pass", _pass({"errorVar": "Exception", "causeVar": "An Exception was encountered"})),
        ("Fail", {"Type": "Fail", "CausePath": "$causeVar", "ErrorPath": "$errorVar"}))
    execution = run(definition, {})
    assert (execution.error, execution.cause) == ("Exception", "An Exception was encountered")


# ------------------------------------------------------------------------- Map and Parallel


def test_map_iterations_read_outer_variables_and_keep_their_own_inside():
    # assign/test_assign_base::TestAssignBase::test_base_cases[BASE_SCOPE_MAP]
    definition = _machine(
        ("State0", _pass({"x": 42, "items": [1, 2, 3]})),
        ("State1", {"Type": "Map", "ItemsPath": "$items", "ItemProcessor": {
            "StartAt": "Inner", "States": {"Inner": _pass({"innerX.$": "$x"}, End=True)}}}),
        ("State2", _pass(Parameters={"leak.$": "$innerX"})))
    execution = run(definition, {})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert "'$innerX'" in execution.cause
    assert [_e["stateExitedEventDetails"]["assignedVariables"] for _e in execution.events
            if _e.get("stateExitedEventDetails", {}).get("name") == "Inner"] == [
        {"innerX": "42"}] * 3


def test_parallel_branches_read_outer_variables():
    # assign/test_assign_base::TestAssignBase::test_base_parallel_cases[BASE_SCOPE_PARALLEL]
    branch = {"StartAt": "B", "States": {"B": _pass({"innerX.$": "$x"}, Parameters={
        "x.$": "$x"}, End=True)}}
    definition = _machine(("S", _pass({"x": 42})),
                          ("P", {"Type": "Parallel", "Branches": [branch, branch]}))
    assert run(definition, {}).output == [{"x": 42}, {"x": 42}]


def test_an_inner_assignment_of_an_outer_name_stays_inside_chosen():
    definition = _machine(
        ("S", _pass({"x": "outer", "items": [1, 2]})),
        ("M", {"Type": "Map", "ItemsPath": "$items", "ResultPath": None, "ItemProcessor": {
            "StartAt": "I", "States": {"I": _pass({"x": "inner"}, End=True)}}}),
        ("After", _pass(Parameters={"x.$": "$x"})))
    assert run(definition, {}).output == {"x": "outer"}


def test_map_item_selector_and_number_paths_read_variables():
    # assign/...::test_reference_in_map_state[MAP_STATE_REFERENCE_IN_INTRINSIC_FUNCTION],
    # [MAP_STATE_REFERENCE_IN_MAX_CONCURRENCY_PATH] (AWS accepts the string "1")
    definition = _machine(
        ("Start", _pass({"template": "It's {}!", "limit": "1"}, Result=["a", "b"])),
        ("Each", {"Type": "Map", "MaxConcurrencyPath": "$limit",
                  "ItemSelector": {"say.$": "States.Format($template, $$.Map.Item.Value)"},
                  "ItemProcessor": {"StartAt": "P", "States": {"P": _pass(End=True)}}}))
    assert run(definition, {}).output == [{"say": "It's a!"}, {"say": "It's b!"}]


def test_distributed_map_children_start_without_variables_chosen():
    definition = _machine(
        ("Start", _pass({"x": 1}, Result=[0])),
        ("Each", {"Type": "Map", "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P", "States": {"P": _pass(Parameters={"x.$": "$x"}, End=True)}}}))
    execution = run(definition, {})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"


# ------------------------------------------------------------------------------- errors


def test_an_unassigned_variable_fails_with_states_runtime_naming_the_path():
    execution = run(_machine(("S", _pass(Parameters={"v.$": "$nothing"}))), {})
    assert execution.error == "States.Runtime"
    assert "The JSONPath '$nothing' specified for the field 'v.$' could not be found" in (
        execution.cause)


@pytest.mark.parametrize(("assign", "where"), [
    ([1], "$.States.S.Assign"),
    ({"1x": 1}, "$.States.S.Assign['1x']"),
    ({"a-b": 1}, "$.States.S.Assign.a-b"),
    ({"states": 1}, "$.States.S.Assign.states"),
    ({"x" * 81: 1}, "$.States.S.Assign." + "x" * 81),
    ({"v": 1, "v.$": "$"}, "$.States.S.Assign['v.$']"),
])
def test_a_bad_assign_is_a_definition_error_naming_its_path(assign, where):
    with pytest.raises(DefinitionError) as caught:
        run(_machine(("S", {"Type": "Pass", "Assign": assign})), {})
    assert caught.value.path == where


def test_a_bad_assign_in_a_choice_rule_or_catcher_names_its_path():
    choice = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Default": "E", "Choices": [
            {"Variable": "$.a", "IsPresent": True, "Next": "E", "Assign": {"9": 1}}]},
        "E": {"Type": "Succeed"}}}
    with pytest.raises(DefinitionError) as caught:
        run(choice, {})
    assert caught.value.path == "$.States.C.Choices[0].Assign['9']"
    task = _machine(("T", {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                           "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "T",
                                      "Assign": "nope"}]}))
    with pytest.raises(DefinitionError) as caught:
        run(task, {})
    assert caught.value.path == "$.States.T.Catch[0].Assign"


def test_a_variable_over_256_kib_fails_with_data_limit_exceeded_chosen():
    # The input is under the limit (StartExecution would refuse a larger one); the variable
    # doubles it.
    definition = _machine(("S", _pass({"big.$": "States.Format('{}{}', $.text, $.text)"})))
    execution = run(definition, {"text": "x" * 140_000})
    assert execution.error == "States.DataLimitExceeded"


def test_one_assign_over_256_kib_in_total_fails_with_data_limit_exceeded_chosen():
    definition = _machine(("S", _pass({"a.$": "$.text", "b.$": "$.text"})))
    execution = run(definition, {"text": "x" * 150_000})
    assert execution.error == "States.DataLimitExceeded"


def test_a_failed_state_assigns_nothing():
    definition = _machine(
        ("S", _pass({"x": 1})),
        ("T", _pass({"x": 2}, OutputPath="$.missing")))
    execution = run(definition, {})
    assert execution.error == "States.Runtime"
    assert [e["type"] for e in execution.events][-2:] == ["PassStateEntered", "ExecutionFailed"]


# ------------------------------------------------------------------------------ start mode


def _context_machine() -> dict:
    return _machine(("Q", _pass(Parameters={"execution.$": "$$.Execution"})))


def test_sync_start_leaves_redrive_count_out_of_the_context_object():
    # express/test_express_sync::TestExpressSync::test_query_runtime_memory
    output = run(_context_machine(), {}, state_machine_type="EXPRESS",
                 start_mode="sync").output
    assert "RedriveCount" not in output["execution"]


def test_async_start_has_redrive_count_zero():
    # express/test_express_async::TestExpressAsync::test_query_runtime_memory
    output = run(_context_machine(), {}, state_machine_type="EXPRESS").output
    assert output["execution"]["RedriveCount"] == 0


def test_an_unknown_start_mode_is_a_value_error():
    with pytest.raises(ValueError):
        run(_context_machine(), {}, start_mode="later")


# ------------------------------------------------- every recorded assign history, in full


def _recorded_assign_cases() -> list[tuple[dict, list]]:
    cases_file, histories_file = CORPUS / "cases.jsonl", CORPUS / "recorded-histories.jsonl"
    if not (available(cases_file) and available(histories_file)):
        return []
    histories = {}
    for line in histories_file.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        histories[row["id"]] = row["events"]
    out = []
    for line in cases_file.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        features = case.get("features", ())
        if ("variables" in features and "jsonata" not in features
                and case.get("query_language", "JSONPath") == "JSONPath"
                and case["id"] in histories):
            out.append((case, histories[case["id"]]))
    return out


RECORDED = _recorded_assign_cases()


@pytest.mark.skipif(not RECORDED, reason="the shared aws-recorded corpus is not present")
@pytest.mark.parametrize(("case", "recorded"), RECORDED, ids=[c["id"] for c, _ in RECORDED])
def test_recorded_history_matches_including_assigned_variables(case, recorded):
    execution = run(case["definition"], case["input"], **RUN_NAMES)
    assert [e["type"] for e in execution.events] == [e["type"] for e in recorded]
    bindings: dict[str, str] = {}
    for ours, theirs in zip(execution.events, recorded, strict=True):
        expected = theirs.get("stateExitedEventDetails", {}).get("assignedVariables")
        actual = ours.get("stateExitedEventDetails", {}).get("assignedVariables")
        if expected is None:
            assert actual is None, ours
            continue
        assert actual is not None and actual.keys() == expected.keys(), ours
        for name, text in actual.items():
            want = expected[name]
            # The corpus decoded values that were JSON objects; the rest are JSON text.
            got = (normalise(json.loads(text)) if not isinstance(want, str)
                   else normalise_text(text))
            assert matches(want, got, bindings), (name, want, got)
        assert ours["stateExitedEventDetails"]["assignedVariablesDetails"] == {
            "truncated": False}
