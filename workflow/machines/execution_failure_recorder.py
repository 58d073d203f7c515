"""`ExecutionFailureRecorder`: the backstop that records failures the pipeline could not.

An EXPRESS workflow started by the EventBridge "Step Functions Execution Status Change"
event of a `MetadataPipeline` execution that FAILED, TIMED_OUT or was ABORTED (only
Standard workflows emit these events, AWS-FACTS). A timeout, an abort or a failed
RecordFailure leave no failure item; this machine writes one unless the execution
already has one.

Why a Query before the conditional put: the failure table's key is (executionId,
timestamp), and `attribute_not_exists(executionId)` is evaluated only against the item
with the *same full key*. The pipeline's own item has a different timestamp, so the
condition alone would never see it. The Query answers "does this execution have any
item?"; the conditional put (timestamp = the status-change event's `time`, identical in a
redelivered copy of the event) then makes a duplicate delivery write nothing.
"""

from __future__ import annotations

from workflow import model
from workflow.builder import Chain, Choice, Condition, Pass, StateMachine, Succeed, Task
from workflow.machines.failure_table import BACKOFF, PUT_TRANSIENT, failure_item

NAME = "ExecutionFailureRecorder"
VERSION = "1.0.1"

# aws-sdk:dynamodb:* names errors DynamoDb.<Exception>, optimized dynamodb:* DynamoDB.<...>
# (AWS-FACTS); unmodeled ones collapse to DynamoDb.DynamoDbException.
QUERY_TRANSIENT = (
    "DynamoDb.ProvisionedThroughputExceededException",
    "DynamoDb.ThrottlingException",
    "DynamoDb.RequestLimitExceededException",
    "DynamoDb.InternalServerErrorException",
    "DynamoDb.DynamoDbException",
)

PARSED = "$.execution.event"
NO_CAUSE = "States.Format('The execution ended with status {} and reported no cause.', " \
           "$.detail.status)"
NO_ERROR = "States.Format('The execution ended with status {} and reported no error.', " \
           "$.detail.status)"


def _describe(name: str, error: str, cause: str) -> Pass:
    return Pass(name, parameters={"Error.$": error, "Cause.$": cause}, result_path="$.failure")


def build() -> model.StateMachine:
    """Return the `ExecutionFailureRecorder` definition as a model object."""
    already = Succeed("AlreadyRecorded", comment="The execution already has a failure item.")
    recorded = Succeed("Recorded")

    put = Task(
        "RecordExecutionFailure",
        resource="arn:aws:states:::dynamodb:putItem",
        parameters={
            "TableName": "${FailureTableName}",
            "Item": failure_item(
                execution_id="$.detail.executionArn", timestamp="$.time",
                bucket="$.source.bucket", key="$.source.key", error="$.failure.Error",
                cause="$.failure.Cause", event="$.source.event"),
            "ConditionExpression": "attribute_not_exists(executionId)",
        },
        result_path=None,
    )
    put.add_retry(PUT_TRANSIENT, **BACKOFF)
    put.add_catch(already, ["DynamoDB.ConditionalCheckFailedException"],
                  result_path="$.conflict")

    check_existing = Choice(
        "CheckAlreadyRecorded",
        comment="The pipeline's own RecordFailure may have written the item already.",
    )
    check_existing.when(Condition.compare("$.existing.count", "NumericGreaterThan", 0), already)
    check_existing.otherwise(Chain.start(put).next(recorded))

    find = Task(
        "FindExistingRecord",
        resource="arn:aws:states:::aws-sdk:dynamodb:query",
        parameters={
            "TableName": "${FailureTableName}",
            "KeyConditionExpression": "executionId = :executionId",
            "ExpressionAttributeValues": {":executionId": {"S.$": "$.detail.executionArn"}},
            "ProjectionExpression": "executionId",
            "Limit": 1,
        },
        result_selector={"count.$": "$.Count"},
        result_path="$.existing",
    )
    find.add_retry(QUERY_TRANSIENT, **BACKOFF)
    find_then_record = Chain.start(find).next(check_existing)

    # error/cause are absent or null for TIMED_OUT and ABORTED executions. The rules are
    # evaluated in order and the first match wins, so IsString only runs on a present field.
    error_only = _describe("DescribeErrorOnly", "$.detail.error", NO_CAUSE)
    check_cause = Choice("CheckCauseReported",
                         comment="cause may be absent or null even when error is set.")
    check_cause.when(Condition.is_present("$.detail.cause", False), error_only)
    check_cause.when(Condition.is_string("$.detail.cause"),
                     _describe("DescribeErrorAndCause", "$.detail.error", "$.detail.cause"))
    check_cause.otherwise(error_only)

    status_only = _describe("DescribeStatusOnly", "$.detail.status", NO_ERROR)
    check_error = Choice(
        "CheckErrorReported",
        comment="error and cause are absent or null for TIMED_OUT and ABORTED executions; "
                "a path to a missing field would fail with States.Runtime (AWS-FACTS).",
    )
    check_error.when(Condition.is_present("$.detail.error", False), status_only)
    check_error.when(Condition.is_string("$.detail.error"), check_cause)
    check_error.otherwise(status_only)

    use_event = Pass("UseEventSource",
                     parameters={"bucket.$": f"{PARSED}.detail.bucket.name",
                                 "key.$": f"{PARSED}.detail.object.key",
                                 "event.$": "$.detail.input"},
                     result_path="$.source")
    use_input = Pass("UseInputWithoutSource",
                     comment="The input is not an S3 event: keep it, leave bucket and key empty.",
                     parameters={"bucket": "", "key": "", "event.$": "$.detail.input"},
                     result_path="$.source")
    use_nothing = Pass("UseUnknownSource",
                       comment="The event carries no input (too large to include).",
                       result={"bucket": "", "key": "", "event": ""},
                       result_path="$.source")
    check_shape = Choice("CheckInputIsObjectEvent")
    check_shape.when(Condition.all_of(Condition.is_present(f"{PARSED}.detail.bucket.name"),
                                      Condition.is_present(f"{PARSED}.detail.object.key")),
                     use_event)
    check_shape.otherwise(use_input)
    parse = Pass("ParseExecutionInput",
                 parameters={"event.$": "States.StringToJson($.detail.input)"},
                 result_path="$.execution")
    check_input = Choice(
        "CheckInputIncluded",
        comment="detail.input is left out (or null) when it is too large; bucket and key come "
                "from it. IsPresent is tested first: the rules run in order, so IsString only "
                "sees a present field.",
    )
    check_input.when(Condition.is_present("$.detail.input", False), use_nothing)
    check_input.when(Condition.is_string("$.detail.input"),
                     Chain.start(parse).next(check_shape))
    check_input.otherwise(use_nothing)
    definition = Chain.start(check_input).next(check_error).next(find_then_record)
    return StateMachine(
        definition,
        comment=f"{NAME} {VERSION}: write the failure item of a MetadataPipeline execution "
                f"that ended FAILED, TIMED_OUT or ABORTED, unless it already has one.",
    ).build()
