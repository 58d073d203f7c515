"""The conformance runner: normalisation, wildcard matching, scoring, and the whole corpus."""

from __future__ import annotations

import json

import pytest
from corpora import AWS_RECORDED, available

from workflow import cli
from workflow.conformance import (
    EVENTS_TARGET,
    RESULT_TARGET,
    compare_execution,
    event_sequence,
    judge_case,
    load_jsonl,
    matches,
    normalise,
    run_corpus,
)
from workflow.emulator.errors import DefinitionError
from workflow.emulator.execution import Execution
from workflow.errors import InputError

CORPUS = AWS_RECORDED
ARN = "arn:aws:states:us-east-1:111111111111:execution:<ArnPart_0idx>:<ExecArnPart_0idx>"


def _case(expected, features=("state:Pass",)):
    return {"id": "t::case", "definition": {}, "input": {}, "expected": expected,
            "features": list(features)}


def _events(*pairs):
    out = []
    for kind, name in pairs:
        event = {"type": kind}
        if name is not None:
            event["stateEnteredEventDetails" if kind.endswith("Entered")
                  else "stateExitedEventDetails"] = {"name": name}
        out.append(event)
    return out


def test_normalise_rewrites_partition_region_dates_and_timestamp_keys():
    value = {"arn": ARN, "when": "at 2024-01-02T03:04:05.678Z", "myTimestamp": 1700000000,
             "list": ["us-east-1"]}
    assert normalise(value) == {
        "arn": "arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:"
               "<ExecArnPart_0idx>",
        "when": "at date",
        "myTimestamp": "timestamp",
        "list": ["<region>"],
    }


def test_whole_value_wildcards_match_anything_and_bound_tokens_must_agree():
    assert matches({"n": "RandomNumberGenerated"}, {"n": 42})
    assert matches({"a": "<uuid:1>", "b": "<uuid:1>"}, {"a": "x-1", "b": "x-1"})
    assert not matches({"a": "<uuid:1>", "b": "<uuid:1>"}, {"a": "x-1", "b": "x-2"})
    cause = "The JSONPath '$.x' could not be found in the input '<json-input:1>'"
    assert matches(cause, "The JSONPath '$.x' could not be found in the input '{\"a\":1}'")
    assert not matches(cause, "The JSONPath '$.y' could not be found in the input '{}'")


def test_matching_keeps_booleans_apart_from_numbers_and_accepts_both_role_spellings():
    assert not matches({"v": 1}, {"v": True})
    assert matches({"v": 1}, {"v": 1.0})
    assert matches("sfn_role_arn", "snf_role_arn")


def test_event_sequence_takes_names_from_state_and_map_iteration_details():
    events = [{"type": "ExecutionStarted"},
              {"type": "MapIterationStarted", "mapIterationStartedEventDetails": {"name": "M"}},
              {"type": "EvaluationFailed", "evaluationFailedEventDetails": {"state": "S"}}]
    assert event_sequence(events) == [["ExecutionStarted", None], ["MapIterationStarted", "M"],
                                      ["EvaluationFailed", "S"]]


def test_matching_execution_scores_on_status_result_and_events():
    case = _case({"status": "SUCCEEDED", "output": {"a": 1},
                  "events": [["ExecutionStarted", None], ["PassStateEntered", "P"],
                             ["PassStateExited", "P"], ["ExecutionSucceeded", None]]})
    execution = Execution("SUCCEEDED", output={"a": 1}, events=_events(
        ("ExecutionStarted", None), ("PassStateEntered", "P"), ("PassStateExited", "P"),
        ("ExecutionSucceeded", None)))
    result = compare_execution(case, execution)
    assert (result.status_ok, result.result_ok, result.events_ok) == (True, True, True)


def test_wrong_output_or_cause_is_a_result_mismatch_with_a_reason():
    case = _case({"status": "SUCCEEDED", "output": {"a": 1}, "events": None})
    result = compare_execution(case, Execution("SUCCEEDED", output={"a": 2}))
    assert result.status_ok and not result.result_ok and result.events_ok is None
    assert "output" in result.detail
    failed = _case({"status": "FAILED", "error": "E", "cause": None, "events": None})
    assert compare_execution(failed, Execution("FAILED", error="E")).result_ok
    assert not compare_execution(failed, Execution("FAILED", error="E", cause="x")).result_ok


def test_a_definition_error_or_crash_counts_as_a_mismatch_not_an_abort():
    case = _case({"status": "SUCCEEDED", "output": {}, "events": [["ExecutionStarted", None]]})

    def reject(_):
        raise DefinitionError("$.States", "bad")

    def crash(_):
        raise KeyError("boom")

    for runner in (reject, crash):
        result = judge_case(case, runner)
        assert not result.result_ok and result.events_ok is False


def test_jsonata_cases_are_skipped_and_reported():
    cases = [dict(_case({"status": "SUCCEEDED", "output": 1, "events": None}), id="a"),
             dict(_case({"status": "SUCCEEDED", "output": 1, "events": None}, ("jsonata",)),
                  id="b")]
    report = run_corpus(cases, runner=lambda c: Execution("SUCCEEDED", output=1))
    assert report.skipped == ["b"]
    assert report.overall.cases == report.overall.result == 1


def test_bad_corpus_line_is_an_input_error(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text('{"id": "x"}\n{not json\n')
    with pytest.raises(InputError) as info:
        load_jsonl(path)
    assert "cases.jsonl:2" in str(info.value)


def test_cli_reports_unreadable_file_with_exit_2(tmp_path, capsys):
    assert cli.main(["conformance", str(tmp_path / "missing.jsonl")]) == 2
    assert "missing.jsonl" in capsys.readouterr().err


@pytest.mark.skipif(not available(CORPUS / "cases.jsonl"), reason=f"corpus not found at {CORPUS}")
def test_whole_recorded_corpus_meets_the_fidelity_targets():
    cases = load_jsonl(CORPUS / "cases.jsonl")
    definitions = load_jsonl(CORPUS / "invalid-definitions.jsonl")
    report = run_corpus(cases, definitions)
    overall = report.overall
    details = "\n".join(f"{r.id}: {r.detail}" for r in report.mismatches())
    assert overall.cases >= 800
    assert overall.result_rate >= RESULT_TARGET, details
    assert overall.events_rate >= EVENTS_TARGET, details
    controls = [d for d in report.definitions if not d.should_reject]
    assert controls and all(d.ok for d in controls), "an accepted control was rejected"


@pytest.mark.skipif(not available(CORPUS / "cases.jsonl"), reason=f"corpus not found at {CORPUS}")
def test_cli_json_format_and_only_filter(capsys):
    code = cli.main(["conformance", str(CORPUS / "cases.jsonl"), "--format", "json",
                     "--only", "test_invalid_jsonpath"])
    report = json.loads(capsys.readouterr().out)
    assert report["overall"]["cases"] == 6
    assert code == (0 if report["overall"]["meets_targets"] else 1)
