"""The container backend's parts that need no Docker engine, and the engine check itself.

Recorded AWS histories (../shared/corpora/aws-recorded/recorded-histories.jsonl) are the
fixtures for the GetExecutionHistory converter: what AWS itself returned must convert to an
Execution whose status, output, error and cause are those the corpus recorded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpora import AWS_RECORDED, require

from workflow.backends import container as cb
from workflow.emulator.execution import Call, Execution
from workflow.testcases import load_suite

REPO = Path(__file__).resolve().parent.parent
CORPUS = AWS_RECORDED


def test_mock_file_is_mounted_read_only_where_sfn_mock_config_points(tmp_path):
    mock = tmp_path / "MockConfigFile.json"
    mock.write_text("{}")
    settings = cb.container_settings(mock)
    host, inside, mode = settings.volume
    assert host == str(mock.resolve()) and mode == "ro"
    assert settings.environment["SFN_MOCK_CONFIG"] == inside
    assert settings.environment["AWS_ACCOUNT_ID"] == "123456789012"
    assert settings.environment["AWS_DEFAULT_REGION"] == "us-east-1"
    assert settings.image.startswith("amazon/aws-stepfunctions-local")
    assert settings.port == 8083


def test_arns_select_the_test_case_with_a_hash_suffix():
    arn = cb.state_machine_arn("MetadataPipeline")
    assert arn == "arn:aws:states:us-east-1:123456789012:stateMachine:MetadataPipeline"
    assert cb.test_case_arn(arn, "HappyPath") == arn + "#HappyPath"
    assert cb.execution_arn("MetadataPipeline", "HappyPath") == (
        "arn:aws:states:us-east-1:123456789012:execution:MetadataPipeline:HappyPath")


def test_definition_sent_to_the_container_has_every_placeholder_replaced(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"States": {"T": {"Resource": "${Fn}", "Parameters": {"T": "${Table}"}}}}))
    text = cb.definition_text(path, {"Fn": "arn:aws:lambda:us-east-1:1:function:f", "Table": "t"})
    assert "${" not in text
    assert json.loads(text)["States"]["T"]["Parameters"]["T"] == "t"
    with pytest.raises(KeyError):
        cb.definition_text(path, {"Fn": "x"})


def _recorded():
    require(CORPUS)
    expected = {}
    with open(CORPUS / "cases.jsonl", encoding="utf-8") as fh:
        for line in fh:
            case = json.loads(line)
            expected[case["id"]] = case["expected"]
    with open(CORPUS / "recorded-histories.jsonl", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            yield record["id"], record["events"], expected[record["id"]]


def test_recorded_aws_histories_convert_without_loss():
    count = 0
    for case_id, events, expected in _recorded():
        ex = cb.history_to_execution(events)
        assert ex.status == expected["status"], case_id
        if expected["status"] == "SUCCEEDED":
            assert ex.output == expected["output"], case_id
        else:
            assert (ex.error, ex.cause) == (expected.get("error"), expected.get("cause")), case_id
        assert ex.events == events, case_id  # every event kept, untouched
        if expected.get("events") is not None:
            entered = [name for kind, name in expected["events"] if kind.endswith("StateEntered")]
            assert ex.states_entered == entered, case_id
        count += 1
    assert count > 400


def test_history_as_the_api_returns_it_decodes_json_text_and_numbers_task_attempts():
    events = [
        {"type": "ExecutionStarted", "id": 1, "previousEventId": 0,
         "executionStartedEventDetails": {"input": "{}"}},
        {"type": "TaskStateEntered", "id": 2, "previousEventId": 1,
         "stateEnteredEventDetails": {"name": "IndexDocument", "input": "{}"}},
        {"type": "TaskScheduled", "id": 3, "previousEventId": 2,
         "taskScheduledEventDetails": {"resourceType": "lambda", "resource": "invoke",
                                       "region": "us-east-1", "parameters": '{"FunctionName":"f"}'}},
        {"type": "TaskScheduled", "id": 4, "previousEventId": 3,
         "taskScheduledEventDetails": {"resourceType": "lambda", "resource": "invoke",
                                       "region": "us-east-1", "parameters": '{"FunctionName":"f"}'}},
        {"type": "ExecutionFailed", "id": 5, "previousEventId": 4,
         "executionFailedEventDetails": {"error": "OpenSearchRejected", "cause": "no"}},
    ]
    ex = cb.history_to_execution(events, {"status": "FAILED", "executionArn": "arn:x"})
    assert ex.status == "FAILED" and ex.error == "OpenSearchRejected" and ex.cause == "no"
    assert ex.calls == [
        Call("IndexDocument", "arn:aws:states:::lambda:invoke", {"FunctionName": "f"}, attempt=0),
        Call("IndexDocument", "arn:aws:states:::lambda:invoke", {"FunctionName": "f"}, attempt=1),
    ]
    assert ex.execution_arn == "arn:x"


def test_comparison_report_names_each_difference():
    a = Execution("SUCCEEDED", output={"x": 1},
                  events=[{"type": "PassStateEntered", "stateEnteredEventDetails": {"name": "A"}}])
    b = Execution("FAILED", error="E", cause="c", events=[])
    lines = cb.compare_executions(a, b)
    assert [line.split(":")[0] for line in lines] == ["status", "output", "error", "cause", "states entered"]
    assert cb.compare_executions(a, a) == []


def test_docker_engine_check_pings_and_explains_how_to_get_one(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    ok, reason = cb.docker_engine_status(timeout=1)
    assert not ok
    assert reason.startswith("no Docker engine found")
    assert "install Docker" in reason


def test_emulator_history_read_back_through_the_converter_gives_the_same_execution():
    """For every pipeline case: our events, written out as a GetExecutionHistory response
    (JSON text payloads, as the API sends them), convert back to the same Execution."""
    from workflow.backends.local import LocalBackend

    suite = load_suite(REPO / "mocks" / "cases.json")
    backend = LocalBackend(suite)
    for case in suite.cases:
        ours = backend(case)
        wire = json.loads(json.dumps(ours.events, default=str))
        back = cb.history_to_execution(wire)
        assert cb.compare_executions(ours, back) == [], case.name
        assert [(c.state, c.resource, c.arguments, c.attempt) for c in back.calls] == [
            (c.state, c.resource, c.arguments, c.attempt) for c in ours.calls], case.name


@pytest.mark.docker
def test_container_backend_runs_a_case_in_step_functions_local():
    ok, reason = cb.docker_engine_status()
    if not ok:
        pytest.skip(reason)
    suite = load_suite(REPO / "mocks" / "cases.json")
    with cb.ContainerBackend(suite) as backend:
        ex = backend(suite.case("HappyPath"))
    assert ex.status == "SUCCEEDED"


def test_a_definition_step_functions_local_refuses_is_reported_with_its_file_and_words():
    from botocore.exceptions import ClientError

    class RefusingClient:
        def create_state_machine(self, **kwargs):
            raise ClientError({"Error": {"Code": "InvalidDefinition", "Message":
                                         "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED:\n"
                                         " Field JitterStrategy not allowed'"}},
                              "CreateStateMachine")

    suite = load_suite(REPO / "mocks" / "cases.json")
    backend = cb.ContainerBackend(suite)
    backend._client = RefusingClient()  # the part after the container has started
    case = suite.case("HappyPath")
    with pytest.raises(cb.DefinitionRejected) as info:
        backend(case)
    message = str(info.value)
    assert str(case.definition_file) in message and "MetadataPipeline" in message
    assert "JitterStrategy not allowed" in message and "\n" not in message


def test_other_create_errors_are_not_disguised_as_rejections():
    from botocore.exceptions import ClientError

    class BrokenClient:
        def create_state_machine(self, **kwargs):
            raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}},
                              "CreateStateMachine")

    suite = load_suite(REPO / "mocks" / "cases.json")
    backend = cb.ContainerBackend(suite)
    backend._client = BrokenClient()
    with pytest.raises(ClientError):
        backend(suite.case("HappyPath"))
