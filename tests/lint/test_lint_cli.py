"""`metapipe lint` end to end: exit codes, formats, YAML input, --select/--ignore, SARIF."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from workflow.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text())
CLEAN = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_clean_file_exits_zero(tmp_path, capsys) -> None:
    assert main(["lint", str(write(tmp_path, "ok.asl.json", json.dumps(CLEAN)))]) == 0


def test_errors_exit_one_and_warnings_alone_exit_zero(capsys) -> None:
    assert main(["lint", str(FIXTURES / "ASL003_unknown_next.json")]) == 1
    assert main(["lint", str(FIXTURES / "ASL014_choice_without_default.json")]) == 0


def test_invalid_json_exits_two_with_one_line_naming_file_and_position(tmp_path, capsys):
    path = write(tmp_path, "bad.json", '{"StartAt": "A",\n "States": }')
    assert main(["lint", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "bad.json" in err and "line 2" in err


def test_missing_file_and_invalid_yaml_exit_two(tmp_path, capsys) -> None:
    assert main(["lint", str(tmp_path / "nope.json")]) == 2
    assert main(["lint", str(write(tmp_path, "bad.yaml", "StartAt: [A\n"))]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_yaml_definition_is_linted_with_line_numbers(tmp_path, capsys) -> None:
    text = "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Next: Nowhere\n  B:\n    Type: Succeed\n"
    path = write(tmp_path, "machine.yaml", text)
    assert main(["lint", "--format", "json", str(path)]) == 1
    found = json.loads(capsys.readouterr().out)
    by_code = {f["code"]: f for f in found}
    assert by_code["ASL003"]["pointer"] == "/States/A/Next"
    assert by_code["ASL003"]["line"] == 5


def test_folder_is_searched_recursively(tmp_path, capsys) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "a.asl.json", json.dumps(CLEAN))
    write(tmp_path, "b.yml", "StartAt: A\nStates:\n  A:\n    Type: Pass\n")
    write(tmp_path, "notes.txt", "not a definition")
    assert main(["lint", str(tmp_path)]) == 1
    assert "2 file(s)" in capsys.readouterr().out


def test_select_and_ignore_filter_codes(capsys) -> None:
    path = str(FIXTURES / "ASL003_unknown_next.json")
    assert main(["lint", "--ignore", "ASL003,ASL011,ASL012", path]) == 0
    capsys.readouterr()
    assert main(["lint", "--select", "ASL003", "--format", "json", path]) == 1
    assert {f["code"] for f in json.loads(capsys.readouterr().out)} == {"ASL003"}


def test_unknown_code_in_select_is_a_usage_error(capsys) -> None:
    assert main(["lint", "--select", "XYZ1", str(FIXTURES / "ASL003_unknown_next.json")]) == 2


def test_explain_prints_the_rule_text(capsys) -> None:
    assert main(["lint", "--explain", "ASL012"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ASL012 unreachable-state") and "Why it matters" in out
    assert main(["lint", "--explain", "ASL999"]) == 2


@pytest.mark.parametrize("fixture", ["ASL003_unknown_next.json", "ASL047_unknown_parameter.json"])
def test_sarif_output_validates_against_the_sarif_2_1_0_schema(fixture, capsys) -> None:
    assert main(["lint", "--format", "sarif", str(FIXTURES / fixture)]) == 1
    log = json.loads(capsys.readouterr().out)
    jsonschema.validate(log, SCHEMA)
    result = log["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    assert log["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == \
        result["ruleId"]


def test_sarif_of_a_clean_run_validates_too(tmp_path, capsys) -> None:
    main(["lint", "--format", "sarif", str(write(tmp_path, "ok.json", json.dumps(CLEAN)))])
    jsonschema.validate(json.loads(capsys.readouterr().out), SCHEMA)


# ------------------------------------------------------------------ paths that lint nothing

@pytest.mark.parametrize("contents", [{}, {"notes.txt": "not a definition"}],
                         ids=["empty-folder", "folder-without-definitions"])
def test_folder_without_definitions_is_an_input_error_naming_the_path(tmp_path, capsys,
                                                                      contents) -> None:
    """A mistyped path in CI must not pass as '0 file(s): 0 error(s)'."""
    for name, text in contents.items():
        write(tmp_path, name, text)
    assert main(["lint", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"metapipe lint: {tmp_path}: $: no ASL definitions "
                            "(*.json, *.asl.json, *.yaml, *.yml) found\n")


def test_an_empty_folder_beside_a_good_one_is_still_an_input_error(tmp_path, capsys) -> None:
    (tmp_path / "good").mkdir()
    (tmp_path / "typo").mkdir()
    write(tmp_path / "good", "a.asl.json", json.dumps(CLEAN))
    assert main(["lint", str(tmp_path / "good"), str(tmp_path / "typo")]) == 2
    assert "typo" in capsys.readouterr().err


# ------------------------------------------------------------------ unreadable files in a folder

def mixed_folder(tmp_path: Path) -> Path:
    """a.json clean, b.json invalid JSON, c.json two errors, d.yaml invalid YAML, e.json not UTF-8."""
    write(tmp_path, "a.json", json.dumps(CLEAN))
    write(tmp_path, "b.json", '{"StartAt": "A",\n "States": }')
    write(tmp_path, "c.json", json.dumps({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "Nowhere"}}}))
    write(tmp_path, "d.yaml", "StartAt: [A\n")
    (tmp_path / "e.json").write_bytes(b'{"Comment": "\xff"}')
    return tmp_path


def test_every_readable_file_is_linted_after_an_unreadable_one_and_the_exit_is_two(
        tmp_path, capsys) -> None:
    folder = mixed_folder(tmp_path)
    assert main(["lint", str(folder)]) == 2
    captured = capsys.readouterr()
    assert "c.json" in captured.out and "ASL003" in captured.out
    assert captured.out.splitlines()[-1] == \
        "2 file(s): 2 error(s), 0 warning(s); 3 unreadable file(s)"
    err = captured.err.splitlines()
    assert [line.split(": ", 2)[1] for line in err] == \
        [str(folder / name) for name in ("b.json", "d.yaml", "e.json")]
    assert "line 2 column 12" in err[0] and "line 2" in err[1] and "not UTF-8" in err[2]
    assert "Traceback" not in captured.err


def test_unreadable_files_are_errors_of_their_own_in_json_output(tmp_path, capsys) -> None:
    folder = mixed_folder(tmp_path)
    assert main(["lint", "--format", "json", str(folder)]) == 2
    found = json.loads(capsys.readouterr().out)
    unreadable = {Path(f["file"]).name: f for f in found if f["code"] == "unreadable"}
    assert set(unreadable) == {"b.json", "d.yaml", "e.json"}
    assert all(f["severity"] == "error" and f["path"] == "$" for f in unreadable.values())
    assert (unreadable["b.json"]["line"], unreadable["b.json"]["column"]) == (2, 12)
    assert unreadable["e.json"]["line"] is None
    assert {f["code"] for f in found if Path(f["file"]).name == "c.json"} >= {"ASL003"}


def test_unreadable_files_are_sarif_tool_execution_notifications(tmp_path, capsys) -> None:
    folder = mixed_folder(tmp_path)
    assert main(["lint", "--format", "sarif", str(folder)]) == 2
    log = json.loads(capsys.readouterr().out)
    jsonschema.validate(log, SCHEMA)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    uris = [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes]
    assert [Path(u).name for u in uris] == ["b.json", "d.yaml", "e.json"]
    assert all(n["level"] == "error" for n in notes)
    assert notes[0]["locations"][0]["physicalLocation"]["region"] == \
        {"startLine": 2, "startColumn": 12}
    assert "ASL003" in {r["ruleId"] for r in log["runs"][0]["results"]}


def test_sarif_of_a_readable_run_says_the_execution_succeeded(tmp_path, capsys) -> None:
    main(["lint", "--format", "sarif", str(write(tmp_path, "ok.json", json.dumps(CLEAN)))])
    invocation = json.loads(capsys.readouterr().out)["runs"][0]["invocations"][0]
    assert invocation == {"executionSuccessful": True, "toolExecutionNotifications": []}
