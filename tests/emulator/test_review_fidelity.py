"""Behaviour a review found unchecked by the AWS recordings, each pinned to an AWS doc page.

Doc pages are named by their developer-guide slug (e.g. `limits-overview`) or API reference
page (`API_HistoryEvent`, `API_StartExecution`).
"""

from __future__ import annotations

from workflow.emulator import run

LAMBDA = "arn:aws:states:::lambda:invoke"
LIMIT = 262_144


def _task(**fields) -> dict:
    state = {"Type": "Task", "Resource": LAMBDA, "End": True, **fields}
    return {"StartAt": "T", "States": {"T": state, "Caught": {"Type": "Pass", "End": True}}}


def _types(execution) -> list[str]:
    return [event["type"] for event in execution.events]


# ---- 1. limits-overview: the 256 KiB limit covers "input data when scheduling a task"


def test_task_input_over_256_kib_fails_with_data_limit_exceeded_before_scheduling():
    half = "y" * 140_000
    calls = []
    definition = _task(Parameters={"a.$": "$.a", "b.$": "$.a"})
    execution = run(definition, {"a": half}, tasks=lambda call: calls.append(call))
    assert execution.error == "States.DataLimitExceeded"
    assert "'T' has an input" in execution.cause
    assert calls == []
    assert "TaskScheduled" not in _types(execution)


def test_task_input_of_exactly_256_kib_is_sent_limits_overview():
    text = "z" * (LIMIT - 8)  # {"s":"..."} is then exactly LIMIT bytes
    definition = _task(Parameters={"s.$": "$.s"})
    execution = run(definition, {"s": text}, tasks=lambda call: 1)
    assert execution.status == "SUCCEEDED"


def test_item_reader_parameters_over_256_kib_fail_with_data_limit_exceeded():
    big = "k" * (LIMIT + 10)
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "Parameters": {"Bucket": "b", "Key.$": "$.key"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                              "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}
    execution = run(definition, {"key": big}, tasks=lambda call: [1])
    assert execution.error == "States.DataLimitExceeded"
