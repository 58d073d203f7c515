"""Wait, Choice, Pass and Succeed through the template."""

from __future__ import annotations

from datetime import UTC, datetime

from workflow.emulator import FakeClock, run

START = datetime(2026, 1, 1, tzinfo=UTC)


def _wait(**fields) -> dict:
    return {"StartAt": "W", "States": {"W": {"Type": "Wait", "End": True, **fields}}}


def test_wait_seconds_passes_on_the_clock():
    clock = FakeClock(START)
    execution = run(_wait(Seconds=30), {"a": 1}, clock=clock)
    assert execution.output == {"a": 1}
    assert clock.slept == [30]


def test_wait_timestamp_waits_until_the_instant():
    clock = FakeClock(START)
    run(_wait(Timestamp="2026-01-01T00:01:00Z"), {}, clock=clock)
    assert clock.slept == [60.0]


def test_wait_timestamp_in_the_past_does_not_wait():
    clock = FakeClock(START)
    run(_wait(TimestampPath="$.t"), {"t": "2020-01-01T00:00:00Z"}, clock=clock)
    assert clock.slept == []


def test_seconds_path_rejects_fractions_and_negatives_with_aws_causes():
    # Corpus base/test_wait::TestSfnWait::test_base_wait_seconds_path[1.5] and [-1].
    fraction = run(_wait(SecondsPath="$.input.waitSeconds"), {"input": {"waitSeconds": 1.5}})
    assert fraction.cause.endswith("The SecondsPath parameter cannot be parsed as a long value: "
                                   "$.input.waitSeconds == 1.5")
    negative = run(_wait(SecondsPath="$.input.waitSeconds"), {"input": {"waitSeconds": -1}})
    assert negative.cause.endswith("The SecondsPath parameter references a negative value: "
                                   "$.input.waitSeconds == -1")
    missing = run(_wait(SecondsPath="$.input.waitSeconds"), {})
    assert missing.cause.endswith("The SecondsPath parameter does not reference an input value: "
                                  "$.input.waitSeconds")


def test_timestamp_path_rejects_invalid_timestamps():
    # Corpus scenarios/...::test_wait_timestamp_path[NO_Z].
    execution = run(_wait(TimestampPath="$.TimestampValue"),
                    {"TimestampValue": "2016-12-05T21:29:29"})
    assert execution.cause.endswith(
        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
        "date-time format string: $.TimestampValue == 2016-12-05T21:29:29")


def test_choice_goes_to_the_matching_rule_and_keeps_its_input():
    definition = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"}], "Default": "Small"},
        "Big": {"Type": "Pass", "Result": "big", "End": True},
        "Small": {"Type": "Pass", "Result": "small", "End": True}}}
    assert run(definition, {"n": 2}).output == "big"
    assert run(definition, {"n": 0}).output == "small"


def test_choice_without_match_or_default_fails_with_no_choice_matched():
    definition = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"}]},
        "Big": {"Type": "Succeed"}}}
    assert run(definition, {"n": 0}).error == "States.NoChoiceMatched"


def test_pass_data_flow_order_is_input_path_parameters_result_path_output_path():
    definition = {"StartAt": "P", "States": {"P": {
        "Type": "Pass", "InputPath": "$.in", "Parameters": {"v.$": "$.x"},
        "ResultPath": "$.out", "OutputPath": "$.out", "End": True}}}
    assert run(definition, {"in": {"x": 7}}).output == {"v": 7}


def test_result_path_null_keeps_the_input():
    definition = {"StartAt": "P", "States": {"P": {
        "Type": "Pass", "Result": 1, "ResultPath": None, "End": True}}}
    assert run(definition, {"k": 1}).output == {"k": 1}


def test_succeed_applies_input_and_output_paths():
    definition = {"StartAt": "S", "States": {"S": {"Type": "Succeed", "InputPath": "$.a",
                                                   "OutputPath": "$.b"}}}
    assert run(definition, {"a": {"b": 2}}).output == 2
