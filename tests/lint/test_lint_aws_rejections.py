"""Rules taken from definitions AWS rejected: ASL019, ASL051 (needs the machine type), ASL052.

Each AWS-recorded rejection in invalid-definitions.jsonl of the aws-recorded corpus
(`corpora.AWS_RECORDED`) that these rules cover is replayed: the linter must name the same
location AWS named.
"""

from __future__ import annotations

import json
import re

import pytest
from corpora import AWS_RECORDED, require

from workflow.cli import main
from workflow.lint import lint_definition

RECORDED = AWS_RECORDED / "invalid-definitions.jsonl"


def found(definition: dict, machine_type: str = "STANDARD") -> set[tuple[str, str]]:
    return {(d.code, d.path.pointer)
            for d in lint_definition(definition, state_machine_type=machine_type)}


def task(resource: str, **fields) -> dict:
    return {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": resource,
                                             "End": True, **fields}}}


# ------------------------------------------------------------------ AWS-recorded replays

RECORDED_CODES = {
    "test_invalid_credentials_field[EMPTY_CREDENTIALS]": "ASL052",
    "test_invalid_credentials_field[INVALID_CREDENTIALS_FIELD]": "ASL052",
    "test_illegal_callbacks[SYNC]": "ASL051",
    "test_illegal_callbacks[WAIT_FOR_TASK_TOKEN]": "ASL051",
    "test_validate_state_machine_definition_type_express[ILLEGAL_WFTT]": "ASL051",
    "test_validate_state_machine_definition_type_express[INVALID_DOWNGRADE_QUERY_LANGUAGE]":
        "ASL019",
    "test_validate_state_machine_definition_type_standard[INVALID_DOWNGRADE_QUERY_LANGUAGE]":
        "ASL019",
}


def recorded_lines() -> list[dict]:
    return [json.loads(line) for line in require(RECORDED).read_text().splitlines()
            if line.strip()]


def aws_location(expected_error: dict) -> str:
    """The JSON Pointer AWS named: a diagnostic's location, or 'at /...' in the message."""
    if expected_error.get("diagnostics"):
        return expected_error["diagnostics"][0]["location"]
    return re.search(r" at (/\S*?)'?$", expected_error["message"].strip()).group(1)


def test_each_covered_aws_rejection_gets_its_code_at_the_location_aws_named() -> None:
    seen = 0
    for line in recorded_lines():
        code = next((c for key, c in RECORDED_CODES.items() if line["id"].endswith(key)), None)
        if code is None:
            continue
        seen += 1
        machine_type = line.get("type") or "STANDARD"
        assert (code, aws_location(line["expected_error"])) in \
            found(line["definition"], machine_type), line["id"]
    assert seen == len(RECORDED_CODES)


def test_aws_accepted_controls_get_no_error_from_the_new_rules() -> None:
    for line in recorded_lines():
        if line["expected_error"].get("result") != "OK":
            continue
        diagnostics = lint_definition(line["definition"],
                                      state_machine_type=line.get("type") or "STANDARD")
        assert [d for d in diagnostics if d.severity == "error"] == [], line["id"]


# ------------------------------------------------------------------ ASL019 QueryLanguage

def test_state_cannot_downgrade_a_jsonata_machine_even_inside_a_map() -> None:
    definition = {"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemProcessor": {"StartAt": "P", "States": {
            "P": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}}}}}}
    assert ("ASL019", "/States/M/ItemProcessor/States/P") in found(definition)


def test_distributed_map_child_workflow_is_not_checked_for_a_downgrade() -> None:
    """Unrecorded either way: child executions; asl-validator's valid-map-with-item-batcher-jsonata."""
    definition = {"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
            "StartAt": "P", "States": {
                "P": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}}}}}}
    assert "ASL019" not in {code for code, _ in found(definition)}


def test_jsonpath_machine_may_upgrade_a_map_and_return_to_jsonpath_inside_it() -> None:
    """AWS accepted this (aws-recorded ..._type_standard[VALID_QUERY_LANGUAGE_PASS])."""
    definition = {"QueryLanguage": "JSONPath", "StartAt": "M", "States": {"M": {
        "Type": "Map", "QueryLanguage": "JSONata", "End": True, "ItemProcessor": {
            "StartAt": "P", "States": {
                "P": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}}}}}}
    assert {code for code, _ in found(definition)} == set()


def test_repeating_jsonata_in_a_jsonata_machine_is_fine() -> None:
    definition = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Pass", "QueryLanguage": "JSONata", "End": True}}}
    assert found(definition) == set()


# ------------------------------------------------------------------ ASL051 EXPRESS patterns

PATTERN_RESOURCES = [
    "arn:aws:states:::states:startExecution.sync",
    "arn:aws:states:::states:startExecution.sync:2",
    "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "arn:aws:states:::aws-sdk:s3:getObject.waitForTaskToken",
]


@pytest.mark.parametrize("resource", PATTERN_RESOURCES)
def test_express_rejects_every_sync_and_callback_pattern_that_standard_accepts(resource):
    definition = task(resource)
    assert ("ASL051", "/States/A/Resource") in found(definition, "EXPRESS")
    assert "ASL051" not in {code for code, _ in found(definition, "STANDARD")}


def test_express_accepts_request_response_integrations() -> None:
    definition = task("arn:aws:states:::lambda:invoke",
                      Parameters={"FunctionName": "f", "Payload.$": "$"})
    assert found(definition, "EXPRESS") == set()


def test_express_pattern_is_found_inside_parallel_branches() -> None:
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True,
                                                   "Branches": [task("arn:aws:states:::sns:"
                                                                     "publish.waitForTaskToken")]}}}
    assert ("ASL051", "/States/P/Branches/0/States/A/Resource") in found(definition, "EXPRESS")


def test_machine_type_is_case_insensitive_and_an_unknown_type_is_refused() -> None:
    definition = task("arn:aws:states:::states:startExecution.sync")
    assert ("ASL051", "/States/A/Resource") in found(definition, "express")
    with pytest.raises(ValueError, match="STANDARD or EXPRESS"):
        lint_definition(definition, state_machine_type="SYNC")


def test_cli_type_express_reports_the_pattern_and_default_standard_does_not(tmp_path, capsys):
    path = tmp_path / "child.asl.json"
    path.write_text(json.dumps(task("arn:aws:states:::states:startExecution.sync:2",
                                    Parameters={"StateMachineArn": "arn:aws:states:us-east-1:"
                                                "123456789012:stateMachine:c"})))
    assert main(["lint", str(path)]) == 0
    assert main(["lint", "--type", "express", str(path)]) == 1
    assert "ASL051" in capsys.readouterr().out
    assert main(["lint", "--type", "EXPRESS", str(path)]) == 1


# ------------------------------------------------------------------ ASL052 Credentials

LAMBDA = {"FunctionName": "f", "Payload.$": "$"}


@pytest.mark.parametrize("credentials", [
    {"RoleArn": "arn:aws:iam::123456789012:role/r"},
    {"RoleArn.$": "$.roleArn"},
    {"RoleArn.$": "$roleArn"},
    {"RoleArn.$": "States.Format('arn:aws:iam::{}:role/r', $.account)"},
    {"RoleArn.$": "$$.Execution.Input.roleArn"},
], ids=["literal", "path", "variable", "intrinsic", "context"])
def test_jsonpath_credentials_accept_role_arn_or_its_dollar_form(credentials) -> None:
    definition = task("arn:aws:states:::lambda:invoke", Parameters=LAMBDA,
                      Credentials=credentials)
    assert "ASL052" not in {code for code, _ in found(definition)}


def test_jsonata_credentials_accept_an_expression_as_role_arn() -> None:
    definition = {"QueryLanguage": "JSONata", **task(
        "arn:aws:states:::lambda:invoke", Arguments="{% $states.input %}",
        Credentials={"RoleArn": "{% $states.input.roleArn %}"})}
    assert "ASL052" not in {code for code, _ in found(definition)}


def test_jsonata_credentials_do_not_take_the_dollar_form() -> None:
    definition = {"QueryLanguage": "JSONata", **task(
        "arn:aws:states:::lambda:invoke", Arguments="{% $states.input %}",
        Credentials={"RoleArn.$": "$.roleArn"})}
    messages = [d.message for d in lint_definition(definition) if d.code == "ASL052"]
    assert messages and "not \"RoleArn.$\"" in messages[0]


@pytest.mark.parametrize("credentials", [{}, {"InvalidField": "x"}, {"roleArn": "r"}],
                         ids=["empty", "other-field", "lower-case"])
def test_credentials_without_role_arn_are_rejected_at_the_credentials_object(credentials):
    definition = task("arn:aws:states:::lambda:invoke", Parameters=LAMBDA,
                      Credentials=credentials)
    assert ("ASL052", "/States/A/Credentials") in found(definition)


def test_credentials_as_a_jsonata_expression_is_left_to_run_time() -> None:
    definition = {"QueryLanguage": "JSONata", **task(
        "arn:aws:states:::lambda:invoke", Arguments="{% $states.input %}",
        Credentials="{% {'RoleArn': $states.input.roleArn} %}")}
    assert "ASL052" not in {code for code, _ in found(definition)}
