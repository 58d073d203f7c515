"""`MetadataPipeline`: S3 "Object Created" event -> read the object -> index it -> or record why not.

The interface with the indexer Lambda and the failure table is docs/contract.md
(Payload `{body, source, size, eventTime, executionId}`; result `{documentId, index,
result}`; item `{executionId, timestamp, bucket, key, error, cause, event}`).

Data layout while the execution runs (each state only adds a key, so nothing the workflow
adds, in particular the object body, can leak into the stored `event`):

    $.event     the EventBridge event exactly as received
    $.request   the S3 GetObject request (Bucket, Key and, for versioned objects, VersionId)
    $.source    {bucket, key, versionId?, etag}, sent to the indexer and returned on success
    $.object    {body} from GetObject
    $.indexed   {documentId, index, result} from the indexer
    $.failure   {Error, Cause} of whatever went wrong

On the failure path `NormalizeFailure` keeps only `$.event` and `$.failure`, the latter with
both `Error` and `Cause` filled in: a caught error may come without a `Cause` (a mock `Throw`
may leave it out; whether AWS always sets one is unconfirmed), and a path to a missing field
in RecordFailure's Parameters or a Fail state's CausePath fails with `States.Runtime`, which no
catcher sees (AWS-FACTS), so the failure would go unrecorded and its error name be lost.
"""

from __future__ import annotations

import json

from workflow import model
from workflow.builder import (
    Chain,
    Choice,
    Condition,
    Errors,
    Fail,
    Pass,
    StateMachine,
    Succeed,
    Task,
)
from workflow.machines.failure_table import BACKOFF, PUT_TRANSIENT, failure_item

NAME = "MetadataPipeline"
VERSION = "1.1.0"

# Objects larger than this are not read: the body travels in the state data and the
# payload limit for any state input/output is 262,144 bytes (AWS-FACTS: limits-overview);
# the margin leaves room for the event and the other keys.
MAX_OBJECT_BYTES = 256000

EVENT = "$.event"
BUCKET = "$.event.detail.bucket.name"
KEY = "$.event.detail.object.key"
SIZE = "$.event.detail.object.size"
ETAG = "$.event.detail.object.etag"
# Bracket notation: the field name holds a hyphen.
VERSION_ID = "$.event.detail.object['version-id']"

# What the failure item says when the caught error carried no Cause (or, which no catcher is
# known to produce, no Error). These strings land in the failure table: see docs/contract.md.
DEFAULT_ERROR = "UnknownError"
DEFAULT_CAUSE = "The error was reported without a cause."

# Unmodeled S3 errors, throttling included, arrive as S3.S3Exception (AWS-FACTS, inferred);
# network-level failures as S3.SdkClientException.
S3_TRANSIENT = ("S3.S3Exception", "S3.SdkClientException")
INDEXER_TRANSIENT = (
    "OpenSearchThrottled",
    "OpenSearchUnavailable",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
)


def _source(versioned: bool) -> dict:
    source = {"bucket.$": BUCKET, "key.$": KEY}
    if versioned:
        source["versionId.$"] = VERSION_ID
    source["etag.$"] = ETAG
    return source


def _request(versioned: bool) -> dict:
    request = {"Bucket.$": BUCKET, "Key.$": KEY}
    if versioned:
        request["VersionId.$"] = VERSION_ID
    return request


def _intrinsic_string(text: str) -> str:
    """`text` as a single-quoted intrinsic string literal: the grammar reserves `\\`, `'`,
    `{` and `}`, which are escaped with a backslash (developer guide, intrinsic functions)."""
    return "'" + "".join("\\" + c if c in "\\'{}" else c for c in text) + "'"


def _with_defaults(failure: str) -> str:
    """An intrinsic call returning the object at `failure` with any missing `Error` or `Cause`
    taken from the defaults (the second object of a JsonMerge wins)."""
    defaults = json.dumps({"Error": DEFAULT_ERROR, "Cause": DEFAULT_CAUSE},
                          separators=(",", ":"))
    return f"States.JsonMerge(States.StringToJson({_intrinsic_string(defaults)}), {failure}, " \
           f"false)"


def build() -> model.StateMachine:
    """Return the `MetadataPipeline` definition as a model object."""
    failed = Fail("Failed", comment="The failure is recorded in the failure table.",
                  error_path="$.failure.Error", cause_path="$.failure.Cause")
    failed_unrecorded = Fail(
        "FailedUnrecorded",
        comment="RecordFailure itself failed (its error is under $.recordError): the failure "
                "was NOT written. The original error and cause are kept so that the "
                "ExecutionFailureRecorder backstop can still record them.",
        error_path="$.failure.Error", cause_path="$.failure.Cause")
    record_failure = Task(
        "RecordFailure",
        comment="One item per failed execution; timestamp is this state's entered time, "
                "so a retried put writes the same item.",
        resource="arn:aws:states:::dynamodb:putItem",
        parameters={
            "TableName": "${FailureTableName}",
            "Item": failure_item(
                execution_id="$$.Execution.Id", timestamp="$$.State.EnteredTime",
                bucket=BUCKET, key=KEY, error="$.failure.Error", cause="$.failure.Cause",
                event=f"States.JsonToString({EVENT})"),
        },
        result_path=None,
    )
    record_failure.add_retry(PUT_TRANSIENT, **BACKOFF)
    record_failure.add_catch(failed_unrecorded, [Errors.ALL], result_path="$.recordError")
    normalize_failure = Pass(
        "NormalizeFailure",
        comment="Every way to RecordFailure passes here: a caught error may have no Cause, and "
                "a path to it would fail RecordFailure and the Fail states with States.Runtime, "
                "which no catcher sees. The caught Error and Cause win over the defaults; only "
                "the event and the failure are kept (the object body is dropped).",
        parameters={"event.$": EVENT, "failure.$": _with_defaults("$.failure")},
    )
    failure_path = Chain.start(normalize_failure).next(record_failure).next(failed)

    reject_oversized = Pass(
        "RejectOversizedObject",
        comment=f"No S3 call: the body would not fit the 262,144-byte state payload limit "
                f"(AWS-FACTS); objects over {MAX_OBJECT_BYTES} bytes are refused.",
        parameters={
            "Error": "MetadataTooLarge",
            "Cause.$": f"States.Format('Object s3://{{}}/{{}} is {{}} bytes; the limit is "
                       f"{MAX_OBJECT_BYTES} bytes.', {BUCKET}, {KEY}, {SIZE})",
        },
        result_path="$.failure",
    )

    read_versioned = Pass(
        "PrepareVersionedRead",
        comment="Read exactly the version the event announced.",
        parameters={"event.$": EVENT, "request": _request(True), "source": _source(True)},
    )
    read_unversioned = Pass(
        "PrepareUnversionedRead",
        comment="Unversioned bucket: no version-id in the event, so none in the request.",
        parameters={"event.$": EVENT, "request": _request(False), "source": _source(False)},
    )
    get_object = Task(
        "GetMetadataObject",
        comment="The key is used as the event gives it: whether EventBridge URL-encodes it "
                "is unconfirmed (AWS-FACTS); an encoded key fails (S3.NoSuchKeyException, or "
                "S3.S3Exception for a versioned read: S3's NoSuchVersion is not in getObject's "
                "model) and is recorded, never silently read from the wrong key.",
        resource="arn:aws:states:::aws-sdk:s3:getObject",
        input_path="$.request",
        result_selector={"body.$": "$.Body"},
        result_path="$.object",
    )
    get_object.add_retry(S3_TRANSIENT, **BACKOFF)
    get_object.add_catch(failure_path, [Errors.ALL], result_path="$.failure")

    index_document = Task(
        "IndexDocument",
        comment="InvalidMetadata and OpenSearchRejected are final: retrying cannot help.",
        resource="arn:aws:states:::lambda:invoke",
        parameters={
            "FunctionName": "${IndexerFunctionArn}",
            "Payload": {
                "body.$": "$.object.body",
                "source.$": "$.source",
                "size.$": SIZE,
                "eventTime.$": "$.event.time",
                "executionId.$": "$$.Execution.Id",
            },
        },
        result_selector={
            "documentId.$": "$.Payload.documentId",
            "index.$": "$.Payload.index",
            "result.$": "$.Payload.result",
        },
        result_path="$.indexed",
    )
    index_document.add_retry(INDEXER_TRANSIENT, **BACKOFF)
    index_document.add_catch(failure_path, [Errors.ALL], result_path="$.failure")

    shape_output = Pass(
        "ShapeOutput",
        parameters={
            "documentId.$": "$.indexed.documentId",
            "index.$": "$.indexed.index",
            "result.$": "$.indexed.result",
            "source.$": "$.source",
        },
    )
    read_path = Chain.start(get_object).next(index_document).next(shape_output).next(
        Succeed("Indexed"))

    check_version = Choice(
        "CheckVersionId",
        comment="version-id is absent for unversioned buckets (AWS-FACTS); a Parameters "
                "path to a missing field fails with States.Runtime, which no catcher sees, "
                "so the request is built on two paths.",
    )
    check_version.when(Condition.is_present(VERSION_ID), read_versioned)
    check_version.otherwise(read_unversioned)
    check_size = Choice(
        "CheckObjectSize",
        comment="Refuse objects whose body cannot travel in the state data (limit 262,144 "
                "bytes per state input/output, AWS-FACTS).",
    )
    check_size.when(Condition.numeric_greater_than(SIZE, MAX_OBJECT_BYTES),
                    Chain.start(reject_oversized).next(normalize_failure))
    check_size.otherwise(Chain.start(check_version).next(read_path))

    keep_event = Pass(
        "KeepEvent",
        comment="Move the original event under $.event, where nothing else is written.",
        parameters={"event.$": "$"},
    )
    definition = Chain.start(keep_event).next(check_size)
    return StateMachine(
        definition,
        comment=f"{NAME} {VERSION}: index an S3 metadata.json object into OpenSearch "
                f"Serverless through the indexer Lambda; record every failure in DynamoDB.",
    ).build()
