"""`AwsIntegrations` against moto: results shaped and errors named as Step Functions does."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from workflow.emulator import Call, StatesError
from workflow.emulator import run as run_definition
from workflow.integrations import AwsIntegrations, LambdaFunction, sfn_error_name

REGION = "us-east-1"
BUCKET = "metapipe-integrations-test"
TABLE = "failures"
FN_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:echo"


@pytest.fixture
def aws():
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        s3 = session.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="a/metadata.json", Body=b'{"title": "x"}')
        session.client("dynamodb").create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "executionId", "KeyType": "HASH"},
                       {"AttributeName": "timestamp", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "executionId", "AttributeType": "S"},
                                  {"AttributeName": "timestamp", "AttributeType": "S"}])
        yield session


def answer(integrations: AwsIntegrations, resource: str, arguments) -> object:
    return integrations(Call("T", f"arn:aws:states:::{resource}", arguments))


def error_of(integrations: AwsIntegrations, resource: str, arguments) -> StatesError:
    with pytest.raises(StatesError) as caught:
        answer(integrations, resource, arguments)
    return caught.value


def test_get_object_returns_body_as_a_string_without_response_metadata(aws):
    result = answer(AwsIntegrations(aws), "aws-sdk:s3:getObject",
                    {"Bucket": BUCKET, "Key": "a/metadata.json"})
    assert result["Body"] == '{"title": "x"}'
    assert result["ContentLength"] == 14
    assert "ResponseMetadata" not in result
    assert result["LastModified"].endswith("Z")


def test_get_object_body_with_invalid_utf8_is_decoded_with_replacement_characters(aws):
    aws.client("s3").put_object(Bucket=BUCKET, Key="latin1", Body=b'{"t": "caf\xe9"}')
    result = answer(AwsIntegrations(aws), "aws-sdk:s3:getObject", {"Bucket": BUCKET,
                                                                    "Key": "latin1"})
    assert result["Body"] == '{"t": "caf\ufffd"}'


def test_missing_key_is_s3_no_such_key_exception(aws):
    # AWS-FACTS.md: a missing key fails getObject with S3.NoSuchKeyException (recorded 2025-01).
    err = error_of(AwsIntegrations(aws), "aws-sdk:s3:getObject", {"Bucket": BUCKET, "Key": "nope"})
    assert err.error == "S3.NoSuchKeyException"
    assert err.cause.startswith("The specified key does not exist.")
    assert "(Service: S3, Status Code: 404, Request ID: " in err.cause


def test_missing_bucket_is_no_such_bucket_exception_although_get_object_does_not_declare_it(aws):
    # NoSuchBucket is a service-level error shape of S3, not one of GetObject's errors.
    err = error_of(AwsIntegrations(aws), "aws-sdk:s3:getObject",
                   {"Bucket": "no-such-bucket-here", "Key": "k"})
    assert err.error == "S3.NoSuchBucketException"


def test_missing_version_of_a_versioned_object_is_unmodeled_so_s3_exception(aws):
    # S3's NoSuchVersion code is not in the S3 service model: it collapses to S3.S3Exception.
    s3 = aws.client("s3")
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=BUCKET, Key="v", Body=b"{}")["VersionId"]
    s3.delete_object(Bucket=BUCKET, Key="v", VersionId=version)
    err = error_of(AwsIntegrations(aws), "aws-sdk:s3:getObject",
                   {"Bucket": BUCKET, "Key": "v", "VersionId": version})
    assert err.error == "S3.S3Exception"
    assert "version does not exist" in err.cause


def test_unknown_parameter_is_the_services_unmodeled_exception(aws):
    err = error_of(AwsIntegrations(aws), "aws-sdk:s3:getObject",
                   {"Bucket": BUCKET, "Key": "k", "NoSuchParameter": 1})
    assert err.error == "S3.S3Exception"


def test_optimized_put_item_condition_failure_is_dynamodb_conditional_check_failed(aws):
    item = {"executionId": {"S": "e"}, "timestamp": {"S": "t"}}
    integrations = AwsIntegrations(aws)
    assert answer(integrations, "dynamodb:putItem", {"TableName": TABLE, "Item": item}) == {}
    err = error_of(integrations, "dynamodb:putItem", {
        "TableName": TABLE, "Item": item,
        "ConditionExpression": "attribute_not_exists(executionId)"})
    assert err.error == "DynamoDB.ConditionalCheckFailedException"
    assert "Error Code: ConditionalCheckFailedException" in err.cause


def test_optimized_put_item_into_a_missing_table_is_dynamodb_resource_not_found(aws):
    # AWS-FACTS.md: optimized dynamodb:* names errors DynamoDB.<Exception>.
    err = error_of(AwsIntegrations(aws), "dynamodb:putItem",
                   {"TableName": "missing", "Item": {"executionId": {"S": "e"}}})
    assert err.error == "DynamoDB.ResourceNotFoundException"


def test_aws_sdk_dynamodb_errors_are_named_dynamodb_with_lowercase_b(aws):
    # AWS-FACTS.md: aws-sdk:dynamodb:* names errors DynamoDb.<Exception> (note the case).
    err = error_of(AwsIntegrations(aws), "aws-sdk:dynamodb:query", {
        "TableName": "missing", "KeyConditionExpression": "executionId = :e",
        "ExpressionAttributeValues": {":e": {"S": "x"}}})
    assert err.error == "DynamoDb.ResourceNotFoundException"


def test_aws_sdk_dynamodb_query_returns_items_without_response_metadata(aws):
    aws.client("dynamodb").put_item(TableName=TABLE, Item={"executionId": {"S": "e"},
                                                          "timestamp": {"S": "t"}})
    result = answer(AwsIntegrations(aws), "aws-sdk:dynamodb:query", {
        "TableName": TABLE, "KeyConditionExpression": "executionId = :e",
        "ExpressionAttributeValues": {":e": {"S": "e"}}, "Limit": 1})
    assert result["Items"] == [{"executionId": {"S": "e"}, "timestamp": {"S": "t"}}]
    assert "ResponseMetadata" not in result


def test_unknown_action_is_a_runtime_error(aws):
    assert error_of(AwsIntegrations(aws), "aws-sdk:s3:fetchEverything", {}).error == \
        "States.Runtime"


def test_error_names_append_exception_once_and_collapse_unmodeled_codes():
    assert sfn_error_name("S3", "NoSuchKey", True) == "S3.NoSuchKeyException"
    assert sfn_error_name("DynamoDb", "ConditionalCheckFailedException", True) == \
        "DynamoDb.ConditionalCheckFailedException"
    assert sfn_error_name("S3", "SlowDown", False) == "S3.S3Exception"


# --- lambda:invoke ----------------------------------------------------------------------------

class InvalidMetadata(Exception):
    """Named as the indexer's error, to check the error name is the bare class name."""


def handler(event, context):
    if event.get("fail"):
        raise InvalidMetadata("body is empty")
    if event.get("unserialisable"):
        return {"when": object()}
    return {"echo": event, "function": context.function_name}


def integrations_with_function() -> AwsIntegrations:
    return AwsIntegrations(object(), functions={"echo": LambdaFunction(FN_ARN, handler)})


def test_lambda_invoke_wraps_the_result_under_payload():
    result = answer(integrations_with_function(), "lambda:invoke",
                    {"FunctionName": FN_ARN, "Payload": {"a": 1}})
    assert result["Payload"] == {"echo": {"a": 1}, "function": "echo"}
    assert result["StatusCode"] == 200


def test_lambda_invoke_finds_the_function_by_name_or_qualified_arn():
    integrations = integrations_with_function()
    for name in ("echo", "echo:live", f"{FN_ARN}:live"):
        result = answer(integrations, "lambda:invoke", {"FunctionName": name, "Payload": {}})
        assert result["Payload"]["function"] == "echo"


def test_lambda_function_error_is_the_bare_class_name_with_a_compact_json_cause():
    # AWS-FACTS.md (AWS-recorded 2024-11): error "InvalidMetadata", cause compact JSON.
    err = error_of(integrations_with_function(), "lambda:invoke",
                   {"FunctionName": FN_ARN, "Payload": {"fail": True}})
    assert err.error == "InvalidMetadata"
    cause = json.loads(err.cause)
    assert list(cause) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert cause["errorMessage"] == "body is empty"
    assert cause["errorType"] == "InvalidMetadata"
    assert ", " not in err.cause.split('"stackTrace"')[0]  # compact separators
    assert "in handler" in cause["stackTrace"][0]  # starts at the handler's own frame


def test_lambda_result_that_is_not_json_is_a_runtime_marshal_error():
    err = error_of(integrations_with_function(), "lambda:invoke",
                   {"FunctionName": FN_ARN, "Payload": {"unserialisable": True}})
    assert err.error == "Runtime.MarshalError"


def test_unknown_function_is_lambda_resource_not_found():
    err = error_of(integrations_with_function(), "lambda:invoke",
                   {"FunctionName": "other", "Payload": {}})
    assert err.error == "Lambda.ResourceNotFoundException"


def test_function_arn_as_resource_returns_the_bare_result():
    result = integrations_with_function()(Call("T", FN_ARN, {"a": 1}))
    assert result == {"echo": {"a": 1}, "function": "echo"}


def test_catcher_in_a_definition_sees_the_integrations_error_name(aws):
    definition = {"StartAt": "Get", "States": {
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket": BUCKET, "Key": "missing"},
                "Catch": [{"ErrorEquals": ["S3.NoSuchKeyException"], "Next": "Caught"}],
                "End": True},
        "Caught": {"Type": "Pass", "End": True}}}
    execution = run_definition(definition, {}, tasks=AwsIntegrations(aws))
    assert execution.status == "SUCCEEDED"
    assert execution.output["Error"] == "S3.NoSuchKeyException"
