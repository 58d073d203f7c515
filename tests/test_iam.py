"""`workflow.iam`: least-privilege statements derived from a definition's Task states."""

from __future__ import annotations

import pytest

from workflow.eventpattern import METADATA_KEY_GLOBS
from workflow.iam import (
    INTEGRATIONS,
    S3_MISSING_KEY_IS_404,
    ArnContext,
    IamDerivationError,
    Statement,
    derive_role_statements,
    derive_task_statements,
    policy_document,
)

CTX = ArnContext("aws", "eu-west-1", "111122223333")
FN = "arn:aws:lambda:eu-west-1:111122223333:function:indexer"
SUBS = {"IndexerFunctionArn": FN, "FailureTableName": "failures"}

PIPELINE = {
    "Comment": "hand-made stand-in for asl/metadata-pipeline.asl.json v0.0.1",
    "StartAt": "ReadObject",
    "States": {
        "ReadObject": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
            "Parameters": {"Bucket.$": "$.detail.bucket.name", "Key.$": "$.detail.object.key",
                           "VersionId.$": "$.detail.object.version-id"},
            "Next": "IndexDocument",
        },
        "IndexDocument": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${IndexerFunctionArn}", "Payload.$": "$"},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "RecordFailure"}],
            "End": True,
        },
        "RecordFailure": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "${FailureTableName}", "Item": {}},
            "Next": "Failed",
        },
        "Failed": {"Type": "Fail"},
    },
}


def derive(definition=PIPELINE, bindings=None, **kwargs):
    bindings = {"Bucket": ["docs-bucket"]} if bindings is None else bindings
    return derive_task_statements(definition, SUBS, arn=CTX, bindings=bindings, **kwargs)


LIST_DOCS_BUCKET = Statement("S3ListBucket", ("s3:ListBucket",), ("arn:aws:s3:::docs-bucket",))


def test_pipeline_gets_exactly_get_object_list_bucket_invoke_and_put_item():
    assert derive() == [
        Statement("S3GetObjectGetObjectVersion", ("s3:GetObject", "s3:GetObjectVersion"),
                  ("arn:aws:s3:::docs-bucket/*",)),
        LIST_DOCS_BUCKET,
        Statement("LambdaInvokeFunction", ("lambda:InvokeFunction",), (FN, f"{FN}:*")),
        Statement("DynamodbPutItem", ("dynamodb:PutItem",),
                  ("arn:aws:dynamodb:eu-west-1:111122223333:table/failures",)),
    ]


def test_object_keys_narrow_to_the_event_patterns_globs_when_bound():
    statements = derive(bindings={"Bucket": ["b"], "Key": METADATA_KEY_GLOBS})
    assert statements[0].resources == (
        "arn:aws:s3:::b/metadata.json", "arn:aws:s3:::b/*/metadata.json",
    )


def test_s3_reads_list_their_bucket_so_a_missing_key_is_no_such_key_not_access_denied():
    # S3 API reference, GetObject/HeadObject "Permissions": without s3:ListBucket a missing
    # key is 403 AccessDenied (S3.S3Exception in Step Functions), with it 404 NoSuchKey
    # (S3.NoSuchKeyException, as the S3Miss mock case expects).
    for op in ("getObject", "headObject"):
        definition = {"StartAt": "R", "States": {"R": {
            "Type": "Task", "Resource": f"arn:aws:states:::aws-sdk:s3:{op}",
            "Parameters": {"Bucket": "docs-bucket", "Key": "a/metadata.json"}, "End": True}}}
        statements = derive(definition)
        assert statements == [
            Statement("S3GetObject", ("s3:GetObject",),
                      ("arn:aws:s3:::docs-bucket/a/metadata.json",)),
            LIST_DOCS_BUCKET,
        ], op


def test_list_bucket_is_on_the_bucket_arn_without_a_prefix_condition_even_for_narrow_keys():
    statements = derive(bindings={"Bucket": ["b", "c"], "Key": METADATA_KEY_GLOBS})
    listing = next(s for s in statements if s.actions == ("s3:ListBucket",))
    assert listing.resources == ("arn:aws:s3:::b", "arn:aws:s3:::c")
    assert "Condition" not in listing.to_json()


def test_s3_writes_do_not_get_list_bucket():
    for op, action in (("putObject", "s3:PutObject"), ("deleteObject", "s3:DeleteObject")):
        assert INTEGRATIONS[f"aws-sdk:s3:{op}"].also == ()
        definition = {"StartAt": "W", "States": {"W": {
            "Type": "Task", "Resource": f"arn:aws:states:::aws-sdk:s3:{op}",
            "Parameters": {"Bucket": "b", "Key": "k", "Body.$": "$"}, "End": True}}}
        assert [s.actions for s in derive(definition)] == [(action,)]


def test_two_reads_of_one_bucket_share_one_list_bucket_statement():
    read = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:headObject",
            "Parameters": {"Bucket": "b", "Key": "k"}}
    definition = {"StartAt": "A", "States": {
        "A": {**read, "Next": "B"},
        "B": {**read, "Resource": "arn:aws:states:::aws-sdk:s3:getObject", "End": True}}}
    statements = derive(definition)
    assert [s.sid for s in statements] == ["S3GetObject", "S3ListBucket"]
    assert statements[1].resources == ("arn:aws:s3:::b",)
    assert INTEGRATIONS["aws-sdk:s3:getObject"].also == (S3_MISSING_KEY_IS_404,)


def test_get_object_version_is_granted_only_when_a_version_is_read():
    definition = _replace_params("ReadObject", {"Bucket": "b", "Key.$": "$.k"})
    assert derive(definition)[0].actions == ("s3:GetObject",)


def test_a_dynamic_bucket_without_binding_names_the_state_and_field():
    with pytest.raises(IamDerivationError) as caught:
        derive(bindings={})
    assert caught.value.path == "$.States.ReadObject.Parameters"
    assert "Bucket.$" in caught.value.message and "bindings" in caught.value.message


def test_unknown_integration_is_an_error_not_a_wildcard():
    definition = {"StartAt": "X", "States": {"X": {
        "Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun", "End": True}}}
    with pytest.raises(IamDerivationError, match="no IAM rule for integration 'glue:startJobRun'"):
        derive(definition)


def test_sync_integrations_are_refused_because_they_need_more_than_the_request():
    definition = {"StartAt": "X", "States": {"X": {
        "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
        "Parameters": {"StateMachineArn": "arn:aws:states:eu-west-1:1:stateMachine:m"},
        "End": True}}}
    with pytest.raises(IamDerivationError, match="startExecution.sync"):
        derive(definition)


def test_missing_substitution_is_an_error():
    with pytest.raises(IamDerivationError, match=r"\$\{FailureTableName\}"):
        derive_task_statements(PIPELINE, {"IndexerFunctionArn": FN}, arn=CTX,
                               bindings={"Bucket": ["b"]})


def test_qualified_function_arn_is_granted_exactly():
    definition = _replace_params("IndexDocument", {"FunctionName": f"{FN}:live"})
    assert _invoke(derive(definition)).resources == (f"{FN}:live",)


def test_function_name_is_turned_into_an_arn_in_context():
    definition = _replace_params("IndexDocument", {"FunctionName": "indexer"})
    assert _invoke(derive(definition)).resources == (FN, f"{FN}:*")


def test_direct_lambda_resource_is_invoke_function():
    definition = {"StartAt": "X", "States": {"X": {
        "Type": "Task", "Resource": "${IndexerFunctionArn}", "End": True}}}
    assert derive(definition) == [
        Statement("LambdaInvokeFunction", ("lambda:InvokeFunction",), (FN, f"{FN}:*"))
    ]


def test_tasks_inside_parallel_and_map_are_found_and_merged():
    inner = {"StartAt": "P", "States": {"P": {
        "Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
        "Parameters": {"TableName": "other"}, "End": True}}}
    definition = {"StartAt": "Par", "States": {
        "Par": {"Type": "Parallel", "Branches": [inner], "Next": "M"},
        "M": {"Type": "Map", "ItemProcessor": PIPELINE, "End": True}}}
    statements = derive(definition)
    put = next(s for s in statements if s.actions == ("dynamodb:PutItem",))
    assert put.resources == (
        "arn:aws:dynamodb:eu-west-1:111122223333:table/other",
        "arn:aws:dynamodb:eu-west-1:111122223333:table/failures",
    )


def test_jsonata_arguments_are_read_and_expressions_need_bindings():
    definition = {"QueryLanguage": "JSONata", "StartAt": "R", "States": {"R": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
        "Arguments": {"Bucket": "{% $states.input.detail.bucket.name %}", "Key": "k"},
        "End": True}}}
    assert derive(definition, bindings={"Bucket": ["b"]})[0].resources == ("arn:aws:s3:::b/k",)
    with pytest.raises(IamDerivationError, match="only known at run time"):
        derive(definition, bindings={})


def test_sqs_queue_url_becomes_a_queue_arn():
    definition = {"StartAt": "Q", "States": {"Q": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/111122223333/q",
                       "MessageBody.$": "$"}, "End": True}}}
    assert derive(definition)[0].resources == ("arn:aws:sqs:eu-west-1:111122223333:q",)


def test_only_logging_and_tracing_statements_have_a_wildcard_resource():
    statements = derive_role_statements(PIPELINE, SUBS, arn=CTX, bindings={"Bucket": ["b"]})
    wildcard = {s.sid for s in statements if "*" in s.resources}
    assert wildcard == {"CloudWatchLogsDelivery", "XRayTracing"}
    no_extras = derive_role_statements(PIPELINE, SUBS, arn=CTX, bindings={"Bucket": ["b"]},
                                       logging=False, tracing=False)
    assert all("*" not in s.resources for s in no_extras)


def test_every_action_in_the_table_is_service_colon_action():
    for name, integration in INTEGRATIONS.items():
        also = tuple(a for grant in integration.also for a in grant.actions)
        for action in integration.actions + tuple(a for _, a in integration.when_present) + also:
            service, _, verb = action.partition(":")
            assert service and verb[:1].isupper(), (name, action)


def test_policy_document_renders_single_values_as_strings():
    document = policy_document([Statement("A", ("s3:GetObject",), ("arn:aws:s3:::b/k",))])
    assert document == {"Version": "2012-10-17", "Statement": [{
        "Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/k",
    }]}


def _invoke(statements: list[Statement]) -> Statement:
    return next(s for s in statements if s.actions == ("lambda:InvokeFunction",))


def _replace_params(state: str, params: dict) -> dict:
    states = {**PIPELINE["States"], state: {**PIPELINE["States"][state], "Parameters": params}}
    return {**PIPELINE, "States": states}


# --- the committed definitions (asl/) -----------------------------------------------------

def _load(name: str) -> dict:
    from pathlib import Path

    from workflow.jsonio import load_json

    return load_json(Path(__file__).resolve().parents[1] / "asl" / name)


def test_committed_pipeline_needs_versioned_reads_of_metadata_keys_listing_invoke_and_put():
    statements = derive_task_statements(
        _load("metadata-pipeline.asl.json"), SUBS, arn=CTX,
        bindings={"Bucket": ["b"], "Key": METADATA_KEY_GLOBS},
    )
    assert statements == [
        Statement("DynamodbPutItem", ("dynamodb:PutItem",),
                  ("arn:aws:dynamodb:eu-west-1:111122223333:table/failures",)),
        Statement("S3GetObjectGetObjectVersion", ("s3:GetObject", "s3:GetObjectVersion"),
                  ("arn:aws:s3:::b/metadata.json", "arn:aws:s3:::b/*/metadata.json")),
        Statement("S3ListBucket", ("s3:ListBucket",), ("arn:aws:s3:::b",)),
        Statement("LambdaInvokeFunction", ("lambda:InvokeFunction",), (FN, f"{FN}:*")),
    ]


def test_committed_pipeline_reads_its_request_from_input_so_the_bucket_must_be_bound():
    with pytest.raises(IamDerivationError, match="comes from the state's input"):
        derive_task_statements(_load("metadata-pipeline.asl.json"), SUBS, arn=CTX)


def test_committed_recorder_needs_only_query_and_put_on_the_table():
    statements = derive_task_statements(_load("execution-failure-recorder.asl.json"), SUBS,
                                        arn=CTX)
    table = ("arn:aws:dynamodb:eu-west-1:111122223333:table/failures",)
    assert statements == [
        Statement("DynamodbQuery", ("dynamodb:Query",), table),
        Statement("DynamodbPutItem", ("dynamodb:PutItem",), table),
    ]
