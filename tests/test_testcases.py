"""The cases file is strict, and the checker says exactly where an execution differs."""

from __future__ import annotations

import json

import pytest

from workflow.emulator.execution import Call, Execution
from workflow.errors import InputError
from workflow.testcases import Case, check_case, load_suite, subset_mismatches


def _write(tmp_path, doc) -> str:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return str(path)


GOOD_CASE = {"name": "A", "stateMachine": "M", "definition": "d.json", "input": "i.json",
             "expect": {"status": "SUCCEEDED"}}


def test_paths_in_the_cases_file_are_relative_to_it(tmp_path):
    suite = load_suite(_write(tmp_path, {"cases": [GOOD_CASE]}))
    assert suite.cases[0].definition_file == tmp_path / "d.json"
    assert suite.mock_config_file == tmp_path / "MockConfigFile.json"


@pytest.mark.parametrize(
    ("doc", "path", "words"),
    [
        ("{", "$", "invalid JSON"),
        ([], "$", "expected an object"),
        ({"cases": []}, "$.cases", "non-empty"),
        ({"cases": [GOOD_CASE], "extra": 1}, "$.extra", "unknown field"),
        ({"cases": [{**GOOD_CASE, "input": 3}]}, "$.cases[0].input", "non-empty string"),
        ({"cases": [{**GOOD_CASE, "expect": {"status": "DONE"}}]}, "$.cases[0].expect.status", "one of"),
        ({"cases": [{**GOOD_CASE, "expect": {"status": "FAILED", "eror": "x"}}]},
         "$.cases[0].expect.eror", "unknown expectation"),
        ({"cases": [GOOD_CASE, GOOD_CASE]}, "$.cases[1].name", "duplicate"),
        ({"cases": [{**GOOD_CASE, "expect": {"status": "FAILED", "calls": [{"arguments": {}}]}}]},
         "$.cases[0].expect.calls[0]", "state"),
    ],
    ids=["malformed-json", "not-object", "no-cases", "unknown-top-field", "bad-input-type",
         "bad-status", "misspelt-expectation", "duplicate-name", "call-without-state"],
)
def test_bad_cases_file_names_file_and_json_path(tmp_path, doc, path, words):
    file = _write(tmp_path, doc)
    with pytest.raises(InputError) as info:
        load_suite(file)
    assert info.value.file == file
    assert info.value.path == path
    assert words in info.value.message


def test_missing_cases_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_suite(tmp_path / "nope.json")


def test_subset_matching_checks_objects_by_subset_and_lists_exactly():
    actual = {"a": 1, "b": {"c": [1, {"d": 2, "e": 3}]}}
    assert subset_mismatches({"b": {"c": [1, {"d": 2}]}}, actual, "output") == []
    assert subset_mismatches({"b": {"c": [1]}}, actual, "output") != []
    assert subset_mismatches({"z": 1}, actual, "output") == ["output.z: missing"]
    assert subset_mismatches({"a": True}, {"a": 1}, "o") != []  # JSON true is not 1
    assert subset_mismatches({"a": 1.0}, {"a": 1}, "o") == []  # one JSON number type


def _case(expect):
    return Case("C", "M", None, None, expect)  # type: ignore[arg-type]


def test_check_case_reports_each_difference():
    ex = Execution(status="FAILED", error="E", cause="why",
                   events=[{"type": "PassStateEntered", "stateEnteredEventDetails": {"name": "P"}}],
                   calls=[Call("RecordFailure", "arn", {"Item": {"error": {"S": "E"}}})])
    ok = {"status": "FAILED", "error": "E", "cause": "why", "statesEntered": ["P"],
          "calls": [{"state": "RecordFailure", "arguments": {"Item": {"error": {"S": "E"}}}}]}
    assert check_case(_case(ok), ex) == []
    bad = {"status": "SUCCEEDED", "error": "X", "statesEntered": ["Q"],
           "calls": [{"state": "RecordFailure", "arguments": {"Item": {"error": {"S": "X"}}}}]}
    lines = check_case(_case(bad), ex)
    assert [line.split(":")[0] for line in lines] == [
        "status", "error", "statesEntered", "calls[0](RecordFailure).arguments.Item.error.S"]


def test_a_backend_on_wall_clock_time_still_has_its_instants_checked_for_form():
    # Step Functions Local stamps real time, so the fixed-clock values in cases.json
    # (e.g. RecordFailure's timestamp) cannot match it exactly; found by review.
    expected = {"timestamp": {"S": "2026-01-01T00:00:00.000Z"}, "key": {"S": "a"}}
    real = {"timestamp": {"S": "2031-07-04T12:34:56.789Z"}, "key": {"S": "a"}}
    assert subset_mismatches(expected, real, "args") != []
    assert subset_mismatches(expected, real, "args", clock_exact=False) == []
    not_a_time = {"timestamp": {"S": "yesterday"}, "key": {"S": "a"}}
    assert subset_mismatches(expected, not_a_time, "args", clock_exact=False) == [
        'args.timestamp.S: expected a timestamp, got "yesterday"']
    assert subset_mismatches(expected, {**real, "key": {"S": "b"}}, "args",
                             clock_exact=False) == ['args.key.S: expected "a", got "b"']
