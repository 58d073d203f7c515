"""Key properties of the generated definitions, read from the committed `asl/` files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from workflow.emulator import run
from workflow.machines import execution_failure_recorder, metadata_pipeline

REPO = Path(__file__).resolve().parent.parent
PIPELINE = json.loads((REPO / "asl" / "metadata-pipeline.asl.json").read_text(encoding="utf-8"))
RECORDER = json.loads((REPO / "asl" / "execution-failure-recorder.asl.json").read_text("utf-8"))
STATES = PIPELINE["States"]
BACKOFF = {"IntervalSeconds": 1, "BackoffRate": 2, "MaxAttempts": 3, "JitterStrategy": "FULL"}


def _edges(state: dict) -> list[tuple[str, dict | None]]:
    """(target, choice rule or None) for every way out of `state`."""
    out = [(rule["Next"], rule) for rule in state.get("Choices", [])]
    out += [(state[k], None) for k in ("Next", "Default") if k in state]
    out += [(c["Next"], None) for c in state.get("Catch", [])]
    return out


def _reachable(states: dict, start: str, skip=lambda rule: False) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += [t for t, rule in _edges(states[name]) if rule is None or not skip(rule)]
    return seen


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_the_contract_task_states_exist_with_their_resources():
    assert STATES["GetMetadataObject"]["Resource"] == "arn:aws:states:::aws-sdk:s3:getObject"
    assert STATES["IndexDocument"]["Resource"] == "arn:aws:states:::lambda:invoke"
    assert STATES["IndexDocument"]["Parameters"]["FunctionName"] == "${IndexerFunctionArn}"
    assert STATES["RecordFailure"]["Resource"] == "arn:aws:states:::dynamodb:putItem"
    assert STATES["RecordFailure"]["Parameters"]["TableName"] == "${FailureTableName}"


def test_every_state_is_reachable_from_start():
    assert _reachable(STATES, PIPELINE["StartAt"]) == set(STATES)


def test_the_version_is_semantic_and_in_the_comment():
    assert re.fullmatch(r"\d+\.\d+\.\d+", metadata_pipeline.VERSION)
    assert f"MetadataPipeline {metadata_pipeline.VERSION}" in PIPELINE["Comment"]
    assert f"ExecutionFailureRecorder {execution_failure_recorder.VERSION}" in RECORDER["Comment"]


def test_get_object_retries_transient_s3_errors_and_catches_everything():
    state = STATES["GetMetadataObject"]
    assert state["Retry"] == [{"ErrorEquals": ["S3.S3Exception", "S3.SdkClientException"],
                               **{k: BACKOFF[k] for k in BACKOFF}}]
    assert state["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure",
                               "Next": "NormalizeFailure"}]
    assert "Parameters" not in state
    assert state["InputPath"] == "$.request"
    assert state["ResultSelector"] == {"body.$": "$.Body"}


def test_index_document_retries_only_transient_errors():
    (retrier,) = STATES["IndexDocument"]["Retry"]
    assert retrier["ErrorEquals"] == [
        "OpenSearchThrottled", "OpenSearchUnavailable", "Lambda.ServiceException",
        "Lambda.AWSLambdaException", "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException"]
    assert {k: retrier[k] for k in BACKOFF} == BACKOFF
    assert "InvalidMetadata" not in retrier["ErrorEquals"]
    assert "OpenSearchRejected" not in retrier["ErrorEquals"]
    assert STATES["IndexDocument"]["Catch"][-1]["ErrorEquals"] == ["States.ALL"]
    assert STATES["IndexDocument"]["Catch"][-1]["Next"] == "NormalizeFailure"


def test_indexer_payload_matches_the_contract():
    payload = STATES["IndexDocument"]["Parameters"]["Payload"]
    assert set(payload) == {"body.$", "source.$", "size.$", "eventTime.$", "executionId.$"}
    assert payload["executionId.$"] == "$$.Execution.Id"


def test_no_parameters_path_to_version_id_unless_guarded_by_is_present():
    def guarded(rule):
        return rule.get("IsPresent") is True and "version-id" in rule.get("Variable", "")

    unguarded = _reachable(STATES, PIPELINE["StartAt"], skip=guarded)
    assert "PrepareVersionedRead" not in unguarded
    for name in unguarded:
        fields = {k: v for k, v in STATES[name].items() if k != "Choices" and k != "Comment"}
        assert not [s for s in _strings(fields) if "version-id" in s], name
    assert "VersionId.$" not in STATES["PrepareUnversionedRead"]["Parameters"]["request"]
    assert "VersionId.$" in STATES["PrepareVersionedRead"]["Parameters"]["request"]


def test_nothing_writes_into_the_kept_event():
    assert STATES["KeepEvent"]["Parameters"] == {"event.$": "$"}
    for name, state in STATES.items():
        paths = [state.get("ResultPath")] + [c.get("ResultPath") for c in state.get("Catch", [])]
        assert not [p for p in paths if isinstance(p, str) and p.startswith("$.event")], name
        # A Pass that replaces the whole data on a path that can still fail keeps the event.
        params = state.get("Parameters")
        may_fail_later = "RecordFailure" in _reachable(STATES, name)
        if state["Type"] == "Pass" and "ResultPath" not in state and name != "KeepEvent" \
                and may_fail_later:
            assert params.get("event.$") == "$.event", name


def test_oversized_objects_never_reach_s3():
    (rule,) = STATES["CheckObjectSize"]["Choices"]
    assert rule == {"Variable": "$.event.detail.object.size", "NumericGreaterThan": 256000,
                    "Next": "RejectOversizedObject"}
    reject = STATES["RejectOversizedObject"]
    assert reject["Parameters"]["Error"] == "MetadataTooLarge"
    assert reject["Parameters"]["Cause.$"].startswith("States.Format(")
    assert "GetMetadataObject" not in _reachable(STATES, "RejectOversizedObject")


def test_record_failure_writes_the_contract_item_and_discards_its_result():
    state = STATES["RecordFailure"]
    item = state["Parameters"]["Item"]
    assert set(item) == {"executionId", "timestamp", "bucket", "key", "error", "cause", "event"}
    assert item["executionId"] == {"S.$": "$$.Execution.Id"}
    assert item["timestamp"] == {"S.$": "$$.State.EnteredTime"}
    assert item["event"] == {"S.$": "States.JsonToString($.event)"}
    assert state["ResultPath"] is None
    assert state["Retry"][0]["ErrorEquals"] == [
        "DynamoDB.ProvisionedThroughputExceededException", "DynamoDB.ThrottlingException",
        "DynamoDB.RequestLimitExceededException", "DynamoDB.InternalServerErrorException"]
    assert state["Next"] == "Failed"
    assert state["Catch"][-1]["Next"] == "FailedUnrecorded"


@pytest.mark.parametrize("name", ["Failed", "FailedUnrecorded"])
def test_both_fail_states_carry_the_original_error_and_cause(name):
    assert STATES[name]["Type"] == "Fail"
    assert STATES[name]["ErrorPath"] == "$.failure.Error"
    assert STATES[name]["CausePath"] == "$.failure.Cause"


def test_record_failure_is_entered_only_through_normalize_failure():
    into_record = [name for name, state in STATES.items()
                   if "RecordFailure" in [target for target, _ in _edges(state)]]
    assert into_record == ["NormalizeFailure"]
    into_normalize = {name for name, state in STATES.items()
                      if "NormalizeFailure" in [target for target, _ in _edges(state)]}
    assert into_normalize == {"GetMetadataObject", "IndexDocument", "RejectOversizedObject"}


def _normalize(data: dict) -> dict:
    """Run the committed NormalizeFailure state alone in the emulator on `data`."""
    state = {**STATES["NormalizeFailure"], "End": True}
    del state["Next"]
    execution = run({"StartAt": "NormalizeFailure", "States": {"NormalizeFailure": state}}, data)
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    return execution.output


EVENT = {"id": "e-1", "detail": {"bucket": {"name": "b"}, "object": {"key": "k"}}}


@pytest.mark.parametrize("caught, expected", [
    ({"Error": "S3.NoSuchKeyException"},
     {"Error": "S3.NoSuchKeyException", "Cause": metadata_pipeline.DEFAULT_CAUSE}),
    ({"Error": "OpenSearchRejected", "Cause": "{\"errorMessage\":\"no\"}"},
     {"Error": "OpenSearchRejected", "Cause": "{\"errorMessage\":\"no\"}"}),
    ({"Cause": "only a cause"}, {"Error": metadata_pipeline.DEFAULT_ERROR, "Cause": "only a cause"}),
    ({}, {"Error": metadata_pipeline.DEFAULT_ERROR, "Cause": metadata_pipeline.DEFAULT_CAUSE}),
], ids=["error-only", "error-and-cause", "cause-only", "neither"])
def test_normalize_failure_fills_only_what_the_caught_error_lacks(caught, expected):
    output = _normalize({"event": EVENT, "failure": caught, "object": {"body": "x" * 100}})
    assert output == {"event": EVENT, "failure": expected}


def test_the_default_cause_is_written_down_in_the_contract():
    contract = (REPO / "docs" / "contract.md").read_text(encoding="utf-8")
    assert metadata_pipeline.DEFAULT_CAUSE in contract
    assert metadata_pipeline.DEFAULT_ERROR in contract


def test_recorder_paths_to_the_put_all_describe_error_and_cause():
    # The recorder builds $.failure itself, and only after IsPresent/IsString checks on the
    # status-change event's error and cause; every way to FindExistingRecord passes one of
    # the three Describe* states, each of which sets both fields.
    states = RECORDER["States"]
    describers = {name for name in states if name.startswith("Describe")}
    assert describers == {"DescribeErrorOnly", "DescribeErrorAndCause", "DescribeStatusOnly"}
    for name in describers:
        assert set(states[name]["Parameters"]) == {"Error.$", "Cause.$"}
        assert states[name]["ResultPath"] == "$.failure"
    blocked = {name: {"Type": "Pass"} if name in describers else state
               for name, state in states.items()}
    assert "FindExistingRecord" not in _reachable(blocked, RECORDER["StartAt"])
    assert "FindExistingRecord" in _reachable(states, RECORDER["StartAt"])


def test_success_output_is_shaped_by_a_pass_then_succeeds():
    shape = STATES["ShapeOutput"]
    assert set(shape["Parameters"]) == {"documentId.$", "index.$", "result.$", "source.$"}
    assert STATES[shape["Next"]]["Type"] == "Succeed"


def test_recorder_writes_only_if_absent_and_treats_a_conflict_as_recorded():
    states = RECORDER["States"]
    put = states["RecordExecutionFailure"]
    assert put["Parameters"]["ConditionExpression"] == "attribute_not_exists(executionId)"
    assert put["Parameters"]["TableName"] == "${FailureTableName}"
    (catcher,) = put["Catch"]
    assert catcher["ErrorEquals"] == ["DynamoDB.ConditionalCheckFailedException"]
    assert states[catcher["Next"]]["Type"] == "Succeed"
    assert catcher["Next"] == "AlreadyRecorded"


@pytest.mark.parametrize("definition", [PIPELINE, RECORDER], ids=["pipeline", "recorder"])
def test_type_tests_on_optional_fields_come_after_an_is_present_rule(definition):
    # Rules run in order; a type test on a missing path fails with States.Runtime in our
    # emulator, so every Is<Type> rule on a field must follow an IsPresent rule on it.
    for name, state in definition["States"].items():
        present_checked: set[str] = set()
        for rule in state.get("Choices", []):
            if "IsPresent" in rule:
                present_checked.add(rule["Variable"])
            for op in ("IsString", "IsNull", "IsNumeric", "IsBoolean", "IsTimestamp"):
                if op in rule:
                    assert rule["Variable"] in present_checked, (name, rule)


def test_every_case_has_mocks_for_its_machine():
    config = json.loads((REPO / "mocks" / "MockConfigFile.json").read_text(encoding="utf-8"))
    cases = json.loads((REPO / "mocks" / "cases.json").read_text(encoding="utf-8"))["cases"]
    for case in cases:
        tests = config["StateMachines"][case["stateMachine"]]["TestCases"]
        assert case["name"] in tests, case["name"]
        for response in tests[case["name"]].values():
            assert response in config["MockedResponses"], (case["name"], response)
