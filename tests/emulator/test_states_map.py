"""Map (inline, legacy, Distributed, ItemReader) and Parallel states."""

from __future__ import annotations

import pytest

from workflow.emulator import DefinitionError, FakeClock, StatesError, run


def _types(execution) -> list[str]:
    return [e["type"] for e in execution.events]


def _map(inner: dict, **fields) -> dict:
    state = {"Type": "Map", "End": True, "ItemProcessor": inner, **fields}
    return {"StartAt": "M", "States": {"M": state, "Caught": {"Type": "Pass", "End": True}}}


PASS_INNER = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
FAIL_INNER = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "ItemError",
                                               "Cause": "bad item"}}}


def test_inline_map_events_follow_the_recorded_sequence():
    # Corpus assign/test_assign_base::TestAssignBase::test_base_cases[BASE_SCOPE_MAP].
    execution = run(_map(PASS_INNER), [1, 2])
    assert execution.output == [1, 2]
    assert _types(execution) == [
        "ExecutionStarted", "MapStateEntered", "MapStateStarted",
        "MapIterationStarted", "PassStateEntered", "PassStateExited", "MapIterationSucceeded",
        "MapIterationStarted", "PassStateEntered", "PassStateExited", "MapIterationSucceeded",
        "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    started = execution.events[2]
    assert started["mapStateStartedEventDetails"] == {"length": 2}
    assert execution.events[3]["mapIterationStartedEventDetails"] == {"index": 0, "name": "M"}


def test_item_selector_sees_map_item_index_and_value_and_the_map_input():
    # Corpus scenarios/...::test_map_state_config_inline_item_selector.
    execution = run(_map(PASS_INNER, ItemsPath="$.xs",
                         ItemSelector={"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value",
                                       "all.$": "$.tag"}),
                    {"xs": ["a", "b"], "tag": "t"})
    assert execution.output == [{"i": 0, "v": "a", "all": "t"}, {"i": 1, "v": "b", "all": "t"}]


def test_legacy_iterator_and_parameters_work_like_item_processor_and_item_selector():
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "Iterator": PASS_INNER,
        "Parameters": {"v.$": "$$.Map.Item.Value"}}}}
    assert run(definition, [5]).output == [{"v": 5}]


def test_items_path_to_a_non_array_is_states_runtime():
    execution = run(_map(PASS_INNER, ItemsPath="$.x"), {"x": 3})
    assert execution.error == "States.Runtime"


def test_a_failing_item_fails_the_map_with_the_items_error():
    # Corpus scenarios/...::test_map_state_break_condition.
    execution = run(_map(FAIL_INNER), [1, 2])
    assert (execution.error, execution.cause) == ("ItemError", "bad item")
    assert _types(execution)[-4:] == ["FailStateEntered", "MapIterationFailed",
                                      "MapStateFailed", "ExecutionFailed"]


def test_map_catch_emits_failed_then_exited():
    # Corpus scenarios/...::test_map_state_catch.
    execution = run(_map(FAIL_INNER, Catch=[{"ErrorEquals": ["States.ALL"],
                                             "Next": "Caught"}]), [1])
    assert execution.output == {"Error": "ItemError", "Cause": "bad item"}
    assert _types(execution)[-5:] == ["MapStateFailed", "MapStateExited", "PassStateEntered",
                                      "PassStateExited", "ExecutionSucceeded"]


def test_map_retry_starts_again_without_a_failed_event_between_attempts():
    # Corpus scenarios/...::test_map_state_retry_multiple_retriers.
    clock = FakeClock()
    execution = run(_map(FAIL_INNER, Retry=[{"ErrorEquals": ["ItemError"], "MaxAttempts": 1}]),
                    [1], clock=clock)
    assert _types(execution)[2:] == [
        "MapStateStarted", "MapIterationStarted", "FailStateEntered", "MapIterationFailed",
        "MapStateStarted", "MapIterationStarted", "FailStateEntered", "MapIterationFailed",
        "MapStateFailed", "ExecutionFailed"]
    assert clock.slept == [1.0]


def test_tolerated_failure_count_lets_some_items_fail():
    def answer(call):
        if call.arguments == 2:
            raise StatesError("ItemError", "two")
        return call.arguments * 10

    inner = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r", "End": True}}}
    execution = run(_map(inner, ToleratedFailureCount=1), [1, 2, 3], tasks={"T": answer})
    assert execution.status == "SUCCEEDED"
    # Unconfirmed on AWS: where a tolerated failure appears in the output.
    assert execution.output == [10, {"Error": "ItemError", "Cause": "two"}, 30]


def test_failures_beyond_tolerance_exceed_the_threshold():
    execution = run(_map(FAIL_INNER, ToleratedFailurePercentage=40), [1, 2, 3])
    assert execution.error == "States.ExceedToleratedFailureThreshold"


def test_tolerated_failure_count_path_must_be_a_non_negative_integer():
    # Corpus test_map_state_tolerated_failure_count_path[-1] and [NoNumber].
    definition = _map(PASS_INNER, ItemsPath="$.Items",
                      ToleratedFailureCountPath="$.ToleratedFailureCount")
    negative = run(definition, {"Items": [0], "ToleratedFailureCount": -1})
    assert negative.cause.endswith("ToleratedFailureCount cannot be negative.")
    word = run(definition, {"Items": [0], "ToleratedFailureCount": "NoNumber"})
    assert word.cause.endswith('The ToleratedFailureCountPath field refers to value "NoNumber" '
                               "which is not a valid integer: $.ToleratedFailureCount")
    assert _types(word) == ["ExecutionStarted", "MapStateEntered", "MapStateStarted",
                            "ExecutionFailed"]


def test_max_concurrency_path_is_checked_before_the_map_starts():
    # Corpus test_max_concurrency_path[NoNumber].
    execution = run(_map(PASS_INNER, MaxConcurrencyPath="$.c"), {"c": "NoNumber"})
    assert _types(execution) == ["ExecutionStarted", "MapStateEntered", "ExecutionFailed"]


def test_distributed_map_hides_child_events_and_records_a_map_run():
    # Corpus scenarios/...::test_map_state_label.
    inner = dict(PASS_INNER, ProcessorConfig={"Mode": "DISTRIBUTED",
                                              "ExecutionType": "STANDARD"})
    execution = run(_map(inner, Label="TestMap"), ["Hello", "World"], state_machine_name="SM")
    assert execution.output == ["Hello", "World"]
    assert _types(execution) == ["ExecutionStarted", "MapStateEntered", "MapStateStarted",
                                 "MapRunStarted", "MapRunSucceeded", "MapStateSucceeded",
                                 "MapStateExited", "ExecutionSucceeded"]
    arn = execution.events[3]["mapRunStartedEventDetails"]["mapRunArn"]
    assert arn.startswith("arn:aws:states:us-east-1:123456789012:mapRun:SM/TestMap:")


def test_distributed_map_reads_items_from_an_answered_item_reader():
    inner = dict(PASS_INNER, ProcessorConfig={"Mode": "DISTRIBUTED"})
    reader = {"Resource": "arn:aws:states:::s3:getObject",
              "ReaderConfig": {"InputType": "JSON"},
              "Parameters": {"Bucket": "b", "Key.$": "$.key"}}
    seen = []

    def answer(call):
        seen.append((call.state, call.resource, call.arguments))
        return {"Body": '[{"id": 1}, {"id": 2}]'}

    execution = run(_map(inner, ItemReader=reader), {"key": "items.json"}, tasks=answer)
    assert execution.output == [{"id": 1}, {"id": 2}]
    assert seen == [("M", "arn:aws:states:::s3:getObject", {"Bucket": "b", "Key": "items.json"})]


def test_item_reader_csv_uses_the_first_row_as_header():
    inner = dict(PASS_INNER, ProcessorConfig={"Mode": "DISTRIBUTED"})
    reader = {"Resource": "arn:aws:states:::s3:getObject",
              "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
              "Parameters": {"Bucket": "b", "Key": "k"}}
    execution = run(_map(inner, ItemReader=reader), {},
                    tasks=lambda call: {"Body": "a,b\n1,2\n"})
    assert execution.output == [{"a": "1", "b": "2"}]


def test_parallel_outputs_each_branch_result_in_order():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "a", "End": True}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": "b", "End": True}}}]}}}
    execution = run(definition, {})
    assert execution.output == ["a", "b"]
    assert _types(execution) == [
        "ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted", "PassStateEntered",
        "PassStateExited", "PassStateEntered", "PassStateExited", "ParallelStateSucceeded",
        "ParallelStateExited", "ExecutionSucceeded"]


def _parallel_failing(**fields) -> dict:
    return {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "FailureType",
                                              "Cause": "Cause description"}}}], **fields},
        "Caught": {"Type": "Pass", "End": True}}}


def test_parallel_fails_with_the_branch_error():
    # Corpus scenarios/...::test_parallel_state_fail.
    execution = run(_parallel_failing(), {})
    assert execution.error == "FailureType"
    assert _types(execution)[-3:] == ["FailStateEntered", "ParallelStateFailed",
                                      "ExecutionFailed"]


def test_parallel_catcher_on_the_branch_error_applies():
    # Corpus scenarios/...::test_parallel_state_catch.
    execution = run(_parallel_failing(Catch=[{"ErrorEquals": ["FailureType"],
                                              "Next": "Caught"}]), {})
    assert execution.output == {"Error": "FailureType", "Cause": "Cause description"}


def test_parallel_retrier_on_the_branch_error_applies():
    # Corpus scenarios/...::test_parallel_state_retry.
    execution = run(_parallel_failing(Retry=[{"ErrorEquals": ["FailureType"],
                                              "MaxAttempts": 2}]), {})
    assert _types(execution)[1:] == [
        "ParallelStateEntered", "ParallelStateStarted", "FailStateEntered",
        "ParallelStateStarted", "FailStateEntered", "ParallelStateStarted", "FailStateEntered",
        "ParallelStateFailed", "ExecutionFailed"]


# ------------------------------------------------------------------------ ResultWriter
# Facts from the AWS developer guide page "ResultWriter (Map)"
# (docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html); no AWS
# recording has a ResultWriter, so the event sequence is that of any Distributed Map.

DIST_INNER = dict(PASS_INNER, ProcessorConfig={"Mode": "DISTRIBUTED"})
EXPORT = {"Resource": "arn:aws:states:::s3:putObject",
          "Parameters": {"Bucket": "out-bucket", "Prefix.$": "$.prefix"}}


def _writer_map(writer: dict, inner: dict = DIST_INNER, **fields) -> dict:
    return _map(inner, ItemsPath="$.items", ResultWriter=writer, Label="L", **fields)


def test_result_writer_export_returns_the_map_run_arn_and_the_manifest_location():
    # Doc page input-output-resultwriter: {"MapRunArn", "ResultWriterDetails": {Bucket, Key}}.
    execution = run(_writer_map(EXPORT), {"items": [1, 2], "prefix": "runs"},
                    tasks=lambda call: {}, state_machine_name="SM")
    assert execution.status == "SUCCEEDED"
    arn = execution.events[3]["mapRunStartedEventDetails"]["mapRunArn"]
    run_id = arn.rpartition(":")[2]
    assert execution.output == {"MapRunArn": arn, "ResultWriterDetails": {
        "Bucket": "out-bucket", "Key": f"runs/{run_id}/manifest.json"}}
    assert _types(execution) == ["ExecutionStarted", "MapStateEntered", "MapStateStarted",
                                 "MapRunStarted", "MapRunSucceeded", "MapStateSucceeded",
                                 "MapStateExited", "ExecutionSucceeded"]


def test_result_writer_export_is_one_call_with_rendered_parameters_and_none_records():
    # Doc page input-output-resultwriter: NONE (the default when exporting without
    # WriterConfig) keeps each child's output with its execution metadata.
    seen = []

    def answer(call):
        seen.append(call)
        return {}

    run(_writer_map(EXPORT), {"items": [{"v": 1}], "prefix": "p"}, tasks=answer)
    assert [(c.state, c.resource) for c in seen] == [("M", "arn:aws:states:::s3:putObject")]
    arguments = seen[0].arguments
    assert (arguments["Bucket"], arguments["Prefix"]) == ("out-bucket", "p")
    (record,) = arguments["Results"]
    assert record["Status"] == "SUCCEEDED"
    assert (record["Input"], record["Output"]) == ('{"v":1}', '{"v":1}')
    assert record["ExecutionArn"].split(":")[5] == "execution"


def test_writer_config_alone_makes_no_call_and_returns_the_transformed_results():
    # Doc page input-output-resultwriter, "Only WriterConfig": results go to the next state.
    def answer(call):
        raise AssertionError("no export call expected")

    writer = {"WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSON"}}
    execution = run(_writer_map(writer), {"items": ["a", "b"]}, tasks=answer)
    assert execution.output == ["a", "b"]


def test_flatten_splices_array_outputs_into_the_results():
    # Doc page input-output-resultwriter: FLATTEN flattens a child output that is an array.
    inner = {"StartAt": "P", "ProcessorConfig": {"Mode": "DISTRIBUTED"},
             "States": {"P": {"Type": "Pass", "End": True}}}
    writer = {"WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSON"}}
    execution = run(_writer_map(writer, inner), {"items": [[1, 2], 3, [[4]]]})
    assert execution.output == [1, 2, 3, [4]]


def test_a_tolerated_failed_child_is_given_unchanged_even_under_compact():
    # Doc page input-output-resultwriter: a failed child execution's result is given as
    # Transformation NONE would give it.
    inner = {"StartAt": "C", "ProcessorConfig": {"Mode": "DISTRIBUTED"}, "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2,
                                             "Next": "F"}], "Default": "P"},
        "F": {"Type": "Fail", "Error": "Two", "Cause": "no twos"},
        "P": {"Type": "Pass", "End": True}}}
    writer = {"WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSON"}}
    execution = run(_writer_map(writer, inner, ToleratedFailureCount=1), {"items": [1, 2]})
    first, second = execution.output
    assert first == 1
    assert (second["Status"], second["Error"], second["Cause"]) == ("FAILED", "Two", "no twos")
    assert "Output" not in second


def test_an_answer_naming_result_writer_details_replaces_the_computed_location():
    details = {"Bucket": "mocked", "Key": "mocked/manifest.json"}
    mock = {"StateMachines": {"SM": {"TestCases": {"Happy": {"M": "Written"}}}},
            "MockedResponses": {"Written": {"0": {"Return": {"ResultWriterDetails": details}}}}}
    execution = run(_writer_map(EXPORT), {"items": [1], "prefix": "p"}, mock_config=mock,
                    test_case="Happy", state_machine_name="SM")
    assert execution.output["ResultWriterDetails"] == details


def test_a_thrown_export_fails_the_map_with_result_writer_failed_after_map_run_failed():
    # Doc page input-output-resultwriter names States.ResultWriterFailed for an export the
    # execution cannot write (e.g. a bucket in another account or Region).
    mock = {"StateMachines": {"SM": {"TestCases": {"Denied": {"M": "NoWrite"}}}},
            "MockedResponses": {"NoWrite": {"0": {"Throw": {"Error": "S3.AccessDenied",
                                                            "Cause": "denied"}}}}}
    execution = run(_writer_map(EXPORT), {"items": [1], "prefix": "p"}, mock_config=mock,
                    test_case="Denied", state_machine_name="SM")
    assert (execution.error, execution.cause) == ("States.ResultWriterFailed",
                                                  "S3.AccessDenied: denied")
    assert _types(execution)[3:6] == ["MapRunStarted", "MapRunFailed", "MapStateFailed"]


def test_a_result_writer_failure_is_caught_like_any_map_error():
    definition = _writer_map(EXPORT, Catch=[{"ErrorEquals": ["States.ResultWriterFailed"],
                                             "Next": "Caught"}])
    definition["States"]["M"].pop("End")
    definition["States"]["M"]["Next"] = "Caught"

    def answer(call):
        raise StatesError("S3.NoSuchBucket", "gone")

    execution = run(definition, {"items": [1], "prefix": "p"}, tasks=answer)
    assert execution.status == "SUCCEEDED"
    assert execution.output["Error"] == "States.ResultWriterFailed"


@pytest.mark.parametrize(("writer", "where"), [
    ({}, "$.States.M.ResultWriter"),
    ({"WriterConfig": {"Transformation": "SQUASH"}},
     "$.States.M.ResultWriter.WriterConfig.Transformation"),
    ({"WriterConfig": {"OutputType": "CSV"}}, "$.States.M.ResultWriter.WriterConfig.OutputType"),
    ({"Parameters": {"Bucket": "b"}}, "$.States.M.ResultWriter"),
    ({"Resource": "arn:aws:states:::s3:putObject", "Bucket": "b"},
     "$.States.M.ResultWriter.Bucket"),
])
def test_a_malformed_result_writer_is_a_definition_error_naming_its_path(writer, where):
    with pytest.raises(DefinitionError) as err:
        run(_writer_map(writer), {"items": []})
    assert err.value.path == where


def test_a_result_writer_on_an_inline_map_is_a_definition_error():
    with pytest.raises(DefinitionError) as err:
        run(_writer_map(EXPORT, PASS_INNER), {"items": []})
    assert err.value.path == "$.States.M.ResultWriter"
