"""Choice rules: every recorded operator case, boolean combinators, matching and failures."""

from __future__ import annotations

import json

import pytest
from corpora import AWS_RECORDED, available, require

from workflow.emulator.choice import choose_next, evaluate_rule
from workflow.emulator.errors import StatesError

CORPUS = AWS_RECORDED / "cases.jsonl"


def _choice_operator_cases() -> list:
    if not available(CORPUS):
        return []
    cases = []
    for line in CORPUS.read_text().splitlines():
        case = json.loads(line)
        if case["id"].startswith("choice_operators/"):
            cases.append(pytest.param(case, id=case["id"].split("::")[-1]))
    return cases


@pytest.mark.skipif(not available(CORPUS), reason=f"corpus not found at {CORPUS}")
@pytest.mark.parametrize("case", _choice_operator_cases())
def test_choice_operator_gives_the_branch_aws_recorded(case):
    state = case["definition"]["States"]["CheckValues"]
    expected = case["expected"]["output"]["TestResult.$"]
    assert choose_next(state, case["input"], {}) == expected


def test_all_491_choice_operator_cases_are_replayed():
    require(CORPUS)
    assert len(_choice_operator_cases()) == 491


@pytest.mark.parametrize(
    ("operator", "operand", "value", "expected"),
    [
        ("NumericEquals", 1, True, False),  # booleans are not numbers
        ("NumericLessThan", 2, "1", False),  # strings are not numbers
        ("StringEquals", "1", 1, False),
        ("BooleanEquals", False, 0, False),
        ("TimestampEquals", "2012-10-09T19:00:55Z", "2012-10-09T20:00:55+01:00", True),
        ("TimestampLessThan", "2012-10-09T19:00:55Z", "not a timestamp", False),
        ("StringLessThan", "b", "a", True),
        ("StringGreaterThanEquals", "a", "a", True),
    ],
)
def test_comparison_with_mismatched_types_is_false_not_an_error(operator, operand, value, expected):
    rule = {"Variable": "$.v", operator: operand, "Next": "X"}
    assert evaluate_rule(rule, {"v": value}, {}) is expected


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("log-*.txt", "log-2024.txt", True),
        ("log-*.txt", "log-.txt", True),
        ("log-*.txt", "log-2024.csv", False),
        ("*", "", True),
        ("a\\*b", "a*b", True),
        ("a\\*b", "axxb", False),
        ("a\\\\*", "a\\anything", True),
        ("exact", "exact", True),
        ("exact", "exactly", False),
        ("multi*line", "multi\nline", True),
    ],
)
def test_string_matches_wildcards_and_escapes(pattern, value, expected):
    rule = {"Variable": "$.v", "StringMatches": pattern, "Next": "X"}
    assert evaluate_rule(rule, {"v": value}, {}) is expected


def test_and_or_not_combine_nested_rules():
    rule = {
        "And": [
            {"Variable": "$.n", "NumericGreaterThan": 1},
            {"Or": [
                {"Variable": "$.s", "StringEquals": "x"},
                {"Not": {"Variable": "$.b", "BooleanEquals": True}},
            ]},
        ],
        "Next": "X",
    }
    assert evaluate_rule(rule, {"n": 2, "s": "y", "b": False}, {}) is True
    assert evaluate_rule(rule, {"n": 2, "s": "y", "b": True}, {}) is False
    assert evaluate_rule(rule, {"n": 0, "s": "x", "b": False}, {}) is False


def test_is_present_distinguishes_absent_from_null():
    present = {"Variable": "$.v", "IsPresent": True, "Next": "X"}
    assert evaluate_rule(present, {"v": None}, {}) is True
    assert evaluate_rule(present, {}, {}) is False
    absent = {"Variable": "$.v", "IsPresent": False, "Next": "X"}
    assert evaluate_rule(absent, {}, {}) is True


def test_is_timestamp_accepts_rfc3339_with_zone_only():
    rule = {"Variable": "$.v", "IsTimestamp": True, "Next": "X"}
    assert evaluate_rule(rule, {"v": "2016-03-14T01:59:00Z"}, {}) is True
    assert evaluate_rule(rule, {"v": "2016-03-14T01:59:00.123+02:00"}, {}) is True
    assert evaluate_rule(rule, {"v": "2016-03-14T01:59:00"}, {}) is False
    assert evaluate_rule(rule, {"v": "2016-03-14"}, {}) is False
    assert evaluate_rule(rule, {"v": 5}, {}) is False


def test_path_operator_reads_its_operand_from_the_input():
    rule = {"Variable": "$.a", "NumericLessThanPath": "$.b", "Next": "X"}
    assert evaluate_rule(rule, {"a": 1, "b": 2}, {}) is True
    assert evaluate_rule(rule, {"a": 3, "b": 2}, {}) is False


def test_variable_can_read_the_context_object():
    # corpus: context_object/test_context_object::TestSnfBase::test_variable
    rule = {"Variable": "$$.Execution.Input.input-value", "NumericLessThanEquals": 0,
            "Next": "X"}
    assert evaluate_rule(rule, {}, {"Execution": {"Input": {"input-value": 0}}}) is True


def test_missing_variable_fails_with_states_runtime():
    rule = {"Variable": "$.nope", "StringEquals": "x", "Next": "X"}
    with pytest.raises(StatesError) as info:
        evaluate_rule(rule, {}, {})
    assert info.value.error == "States.Runtime"
    assert "$.nope" in info.value.cause


def test_missing_path_operand_fails_with_states_runtime():
    rule = {"Variable": "$.a", "StringEqualsPath": "$.nope", "Next": "X"}
    with pytest.raises(StatesError) as info:
        evaluate_rule(rule, {"a": "x"}, {})
    assert info.value.error == "States.Runtime"


def test_first_matching_rule_wins_then_default():
    state = {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.n", "NumericGreaterThan": 0, "Next": "Positive"},
            {"Variable": "$.n", "NumericGreaterThan": -10, "Next": "Small"},
        ],
        "Default": "Other",
    }
    assert choose_next(state, {"n": 5}, {}) == "Positive"
    assert choose_next(state, {"n": -5}, {}) == "Small"
    assert choose_next(state, {"n": -50}, {}) == "Other"


def test_no_match_without_default_fails_with_no_choice_matched():
    state = {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "A"}]}
    with pytest.raises(StatesError) as info:
        choose_next(state, {"n": 2}, {})
    assert info.value.error == "States.NoChoiceMatched"
