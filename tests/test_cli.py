"""Bad input never reaches the user as a traceback: one line naming file and JSON path, exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from workflow.cli import main

REPO = Path(__file__).resolve().parent.parent
PIPELINE = REPO / "asl" / "metadata-pipeline.asl.json"
MOCKS = REPO / "mocks" / "MockConfigFile.json"
EVENT = REPO / "mocks" / "events"


def _event() -> Path:
    return EVENT / "object-created-versioned.json"


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_missing_definition_file(capsys, tmp_path):
    missing = tmp_path / "nope.asl.json"
    assert main(["execute", str(missing), "--input", str(_event())]) == 2
    line = _one_line_error(capsys)
    assert str(missing) in line and "$" in line and "not found" in line


def test_malformed_input_json(capsys, tmp_path):
    bad = tmp_path / "input.json"
    bad.write_text('{"detail": ')
    assert main(["execute", str(PIPELINE), "--input", str(bad)]) == 2
    line = _one_line_error(capsys)
    assert str(bad) in line and "invalid JSON" in line and "line 1" in line


def test_unknown_test_case(capsys):
    assert main(["execute", str(PIPELINE), "--input", str(_event()), "--mock-config", str(MOCKS),
                 "--test-case", "NoSuchCase"]) == 2
    line = _one_line_error(capsys)
    assert str(MOCKS) in line and "NoSuchCase" in line


def test_malformed_mock_file_names_the_json_path(capsys, tmp_path):
    mock = json.loads(MOCKS.read_text())
    response = next(iter(mock["MockedResponses"]))
    mock["MockedResponses"][response] = {"0": {"Return": {}, "Throw": {"Error": "E"}}}
    bad = tmp_path / "MockConfigFile.json"
    bad.write_text(json.dumps(mock))
    assert main(["execute", str(PIPELINE), "--input", str(_event()), "--mock-config", str(bad),
                 "--test-case", "HappyPath"]) == 2
    line = _one_line_error(capsys)
    assert str(bad) in line and f"MockedResponses.{response}" in line


def test_definition_that_cannot_run_names_the_json_path(capsys, tmp_path):
    broken = tmp_path / "broken.asl.json"
    broken.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}))
    assert main(["execute", str(broken), "--input", str(_event())]) == 2
    line = _one_line_error(capsys)
    assert str(broken) in line and "$.States.A" in line


def test_execute_json_output_and_exit_code_follow_the_status(capsys):
    code = main(["execute", str(PIPELINE), "--input", str(_event()), "--mock-config", str(MOCKS),
                 "--test-case", "IndexFailure", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert doc["status"] == "FAILED" and doc["error"] == "OpenSearchRejected"
    assert "output" not in doc and doc["events"][0]["type"] == "ExecutionStarted"


def test_metapipe_test_passes_every_case(capsys):
    assert main(["test", "--cases", str(REPO / "mocks" / "cases.json")]) == 0
    assert "failed" in capsys.readouterr().out


def test_unknown_case_name_for_metapipe_test(capsys):
    assert main(["test", "--cases", str(REPO / "mocks" / "cases.json"), "--case", "Nope"]) == 2
    assert "Nope" in _one_line_error(capsys)


def test_container_backend_without_engine_exits_2_with_one_line(capsys, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert main(["test", "--cases", str(REPO / "mocks" / "cases.json"), "--backend", "container"]) == 2
    assert _one_line_error(capsys).startswith("metapipe test: no Docker engine found")


def test_python_dash_m_workflow_is_the_same_cli():
    proc = subprocess.run([sys.executable, "-m", "workflow", "--version"], capture_output=True,
                          text=True, cwd=REPO, check=False)
    assert proc.returncode == 0 and proc.stdout.startswith("metapipe ")


@pytest.mark.parametrize("argv", [["execute"], ["nosuchcommand"], ["test", "--backend", "moon"]])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2


def test_a_definition_that_is_not_an_object_is_named_as_such(capsys, tmp_path):
    odd = tmp_path / "odd.asl.json"
    odd.write_text('"str"')
    assert main(["execute", str(odd), "--input", str(_event())]) == 2
    line = _one_line_error(capsys)
    assert str(odd) in line and "must be a JSON object" in line


def test_a_test_case_without_its_mock_file_names_the_flag_given(capsys):
    assert main(["execute", str(PIPELINE), "--input", str(_event()), "--test-case", "HappyPath"]) == 2
    assert _one_line_error(capsys).startswith("metapipe execute: --test-case: ")
