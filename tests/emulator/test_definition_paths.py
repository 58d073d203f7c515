"""Every bad definition is rejected by `run()` before the execution starts, with the JSON path
of the field that is wrong (issue 3), never a bare field name, an `Emulator.InternalError` or
a Python exception. AWS rejects these at CreateStateMachine; what only fails against data
stays a `States.Runtime` failure (corpus `test_invalid_jsonpath[*]`)."""

from __future__ import annotations

import pytest

from workflow.emulator import DefinitionError, run


def _one(name: str, state: dict) -> dict:
    if state["Type"] not in ("Choice", "Fail", "Succeed"):
        state.setdefault("End", True)
    return {"StartAt": name, "States": {name: state, "Done": {"Type": "Succeed"}}}


def _choice(*rules) -> dict:
    return _one("ChoiceState", {"Type": "Choice", "Choices": list(rules), "Default": "Done"})


def _map(**fields) -> dict:
    processor = {"StartAt": "z", "States": {"z": {"Type": "Succeed"}}}
    return _one("m", {"Type": "Map", "ItemProcessor": processor, **fields})


@pytest.mark.parametrize(
    ("definition", "path"),
    [
        # payload templates: the `.$` key itself, however deep
        (_one("x", {"Type": "Pass", "Parameters": {"a": {"b.$": "States.Format('{}', $.e"}}}),
         "$.States.x.Parameters.a['b.$']"),
        (_one("x", {"Type": "Pass", "Parameters": {"a": [{"b": [{}, {"c": {"d.$": "x"}}]}]}}),
         "$.States.x.Parameters.a[0].b[1].c['d.$']"),
        (_one("x", {"Type": "Pass", "Parameters": {"a.$": None}}), "$.States.x.Parameters['a.$']"),
        (_one("x", {"Type": "Task", "Resource": "r", "ResultSelector": {"v.$": "nope"}}),
         "$.States.x.ResultSelector['v.$']"),
        (_one("x", {"Type": "Pass", "Assign": {"v.$": 3}}), "$.States.x.Assign['v.$']"),
        (_map(ItemSelector={"i.$": "$$.Map.Item.Value", "j.$": ""}),
         "$.States.m.ItemSelector['j.$']"),
        # paths
        (_one("p", {"Type": "Pass", "InputPath": "bug$.library.movies"}), "$.States.p.InputPath"),
        (_one("p", {"Type": "Pass", "OutputPath": "States.Format('{}', 1)"}),
         "$.States.p.OutputPath"),
        (_one("p", {"Type": "Pass", "ResultPath": "$$.Execution"}), "$.States.p.ResultPath"),
        (_one("t", {"Type": "Task", "Resource": "r", "Catch": [
            {"ErrorEquals": ["States.ALL"], "Next": "Done", "ResultPath": "$[*]"}]}),
         "$.States.t.Catch[0].ResultPath"),
        (_one("fail", {"Type": "Fail", "CausePath": True}), "$.States.fail.CausePath"),
        (_one("fail", {"Type": "Fail", "ErrorPath": "Error"}), "$.States.fail.ErrorPath"),
        (_one("fail", {"Type": "Fail", "ErrorPath": "States.Nope($.a)"}),
         "$.States.fail.ErrorPath"),
        (_one("w", {"Type": "Wait", "SecondsPath": "seconds"}), "$.States.w.SecondsPath"),
        (_one("t", {"Type": "Task", "Resource": "r", "TimeoutSeconds": "10"}),
         "$.States.t.TimeoutSeconds"),
        (_map(ItemsPath={}), "$.States.m.ItemsPath"),
        (_map(ItemsPath="items"), "$.States.m.ItemsPath"),
        (_map(MaxConcurrencyPath=7), "$.States.m.MaxConcurrencyPath"),
        # Map structure
        (_one("m", {"Type": "Map", "ItemProcessor": {
            "ProcessorConfig": "x", "StartAt": "z", "States": {"z": {"Type": "Succeed"}}}}),
         "$.States.m.ItemProcessor.ProcessorConfig"),
        (_map(ItemReader={"Resource": "r", "Parameters": {"Key.$": 1}}),
         "$.States.m.ItemReader.Parameters['Key.$']"),
        (_map(ItemReader="s3"), "$.States.m.ItemReader"),
        (_one("m", {"Type": "Map", "ItemProcessor": {
            "ProcessorConfig": {"Mode": []}, "StartAt": "z", "States": {"z": {"Type": "Succeed"}}}}),
         "$.States.m.ItemProcessor.ProcessorConfig.Mode"),
        # Choice rules
        (_choice({"Variable": "States.ArrayContains($.a, 'null')", "NumericEquals": 1,
                  "Next": "Done"}), "$.States.ChoiceState.Choices[0].Variable"),
        (_choice({"Variable": 0, "IsString": False, "Next": "Done"}),
         "$.States.ChoiceState.Choices[0].Variable"),
        (_choice({"Variable": "$", "StringEqualsPath": None, "Next": "Done"}),
         "$.States.ChoiceState.Choices[0].StringEqualsPath"),
        (_choice({"Variable": "$.a", "StringEquals": 1, "Next": "Done"}),
         "$.States.ChoiceState.Choices[0].StringEquals"),
        (_choice({"Variable": "$.a", "Nope": 1, "Next": "Done"}),
         "$.States.ChoiceState.Choices[0].Nope"),
        (_choice({"And": [{"Or": [0]}], "Next": "Done"}),
         "$.States.ChoiceState.Choices[0].And[0].Or[0]"),
        (_choice({"And": [{"Variable": "$", "IsNull": True}, 1.5], "Next": "Done"}),
         "$.States.ChoiceState.Choices[0].And[1]"),
        (_choice({"Or": None, "Next": "Done"}), "$.States.ChoiceState.Choices[0].Or"),
        (_choice({"And": [], "Next": "Done"}), "$.States.ChoiceState.Choices[0].And"),
        (_choice({"Not": [{"Variable": "$", "IsNull": True}], "Next": "Done"}),
         "$.States.ChoiceState.Choices[0].Not"),
        (_choice({"Not": {"Variable": "$", "IsNull": True, "IsString": True}, "Next": "Done"}),
         "$.States.ChoiceState.Choices[0].Not"),
        (_choice({"Variable": "$", "Next": "Done"}), "$.States.ChoiceState.Choices[0]"),
        # a state field of the wrong JSON type
        (_one("x", {"Type": [], "End": True}), "$.States.x.Type"),
    ],
)
def test_a_bad_field_is_rejected_with_its_json_path(definition, path):
    with pytest.raises(DefinitionError) as info:
        run(definition, {"a": 1})
    assert info.value.path == path
    assert info.value.message


def test_the_message_of_the_value_compiler_is_kept():
    definition = _one("x", {"Type": "Pass", "Parameters": {"lorem.$": "ipsum"}})
    with pytest.raises(DefinitionError) as info:
        run(definition, {})
    # AWS's creation-time wording (corpus invalid-definitions, aslvalidator payload template).
    assert info.value.message == ("The value for the field 'lorem.$' must be a valid JSONPath "
                                  "or a valid intrinsic function call")


def test_a_bad_field_in_a_state_never_reached_is_still_rejected_before_the_run():
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Succeed"},
        "Unreached": {"Type": "Pass", "InputPath": "nope", "End": True}}}
    with pytest.raises(DefinitionError) as info:
        run(definition, {})
    assert info.value.path == "$.States.Unreached.InputPath"


def test_a_bad_field_inside_a_parallel_branch_names_the_branch():
    branch = {"StartAt": "B", "States": {"B": {"Type": "Pass", "Parameters": {"v.$": "v"},
                                               "End": True}}}
    definition = _one("P", {"Type": "Parallel", "Branches": [branch]})
    with pytest.raises(DefinitionError) as info:
        run(definition, {})
    assert info.value.path == "$.States.P.Branches[0].States.B.Parameters['v.$']"


def test_a_valid_path_that_selects_nothing_still_fails_the_execution_at_run_time():
    # corpus test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_INPUTPATH]: States.Runtime.
    execution = run(_one("p", {"Type": "Pass", "InputPath": "$.nope"}), {})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"


def test_a_choice_whose_variable_is_missing_still_fails_at_run_time():
    execution = run(_choice({"Variable": "$.nope", "StringEquals": "x", "Next": "Done"}), {})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"


def test_nested_choice_rules_still_choose_as_before():
    rule = {"And": [{"Variable": "$.n", "NumericGreaterThan": 0},
                    {"Not": {"Variable": "$.s", "StringEquals": "no"}},
                    {"Or": [{"Variable": "$.b", "BooleanEquals": True},
                            {"Variable": "$.missing", "IsPresent": False}]}],
            "Next": "Yes"}
    definition = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [rule], "Default": "No"},
        "Yes": {"Type": "Pass", "Result": "yes", "End": True},
        "No": {"Type": "Pass", "Result": "no", "End": True}}}
    assert run(definition, {"n": 1, "s": "ok", "b": False}).output == "yes"
    assert run(definition, {"n": 1, "s": "no", "b": True}).output == "no"
