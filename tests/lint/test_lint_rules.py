"""Each rule reports its code at the path its fixture names, and has an explanation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workflow.lint import REGISTRY, lint_definition, lint_file

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_FILES = sorted(FIXTURES.glob("ASL*.json"))


def expected(path: Path) -> tuple[str, str]:
    """A fixture's Comment reads 'expect ASLxxx at <dotted path>' (optionally ' in EXPRESS')."""
    comment = json.loads(path.read_text())["Comment"]
    code, where = comment.removeprefix("expect ").split(" at ", 1)
    return code, where.split(" in ", 1)[0]


def machine_type(path: Path) -> str:
    """The state machine type a fixture is linted as: ' in EXPRESS' in its Comment, else STANDARD."""
    comment = json.loads(path.read_text())["Comment"]
    return comment.split(" in ", 1)[1] if " in " in comment else "STANDARD"


def lint_fixture(path: Path):
    return lint_file(path, state_machine_type=machine_type(path))


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_fixture_reports_its_rule_at_its_path(fixture: Path) -> None:
    code, where = expected(fixture)
    assert fixture.name.startswith(code)
    found = [(d.code, d.path.dotted) for d in lint_fixture(fixture)]
    assert (code, where) in found, found


def test_every_rule_has_a_fixture() -> None:
    assert {p.name[:6] for p in FIXTURE_FILES} == set(REGISTRY)


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_every_rule_explains_what_why_and_example(code: str) -> None:
    text = REGISTRY[code].explanation
    for part in ("What it checks", "Why it matters", "Example"):
        assert part in text, f"{code} explanation lacks {part!r}"


# Errors that follow from a fixture's own defect (a missing Next leaves no terminal...).
CONSEQUENCES = {"ASL001": {"ASL011"}, "ASL002": {"ASL011"}, "ASL003": {"ASL011", "ASL012"},
                "ASL013": {"ASL012"}, "ASL047": {"ASL048"}}


def test_fixtures_have_no_unexpected_errors_from_other_rules() -> None:
    """Fixtures isolate one defect: errors of other codes would hide rule interactions."""
    for fixture in FIXTURE_FILES:
        code, _ = expected(fixture)
        others = {d.code for d in lint_fixture(fixture) if d.severity == "error"} - {code}
        assert others <= CONSEQUENCES.get(code, set()), (fixture.name, others)


WEIRD_VALUES = [None, 1, "x", [], [1], {"a": 1}, True]


@pytest.mark.parametrize("value", WEIRD_VALUES, ids=repr)
def test_wrong_types_anywhere_never_crash(value) -> None:
    base = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "x", "End": True}}}
    definitions = [value, {"StartAt": value, "States": value},
                   {"StartAt": "A", "States": {"A": value}}]
    for key in ("Type", "Resource", "Retry", "Catch", "Parameters", "Next", "End",
                "TimeoutSeconds", "ResultPath", "Branches", "Choices", "ItemProcessor",
                "ItemReader", "QueryLanguage", "Arguments", "Assign", "Items"):
        for state_type in ("Task", "Map", "Parallel", "Choice", "Pass", "Fail", "Wait"):
            node = {**base["States"]["A"], "Type": state_type, key: value}
            definitions.append({"StartAt": "A", "States": {"A": node}})
    definitions.append({"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "x", "End": True,
        "Retry": [value], "Catch": [{"ErrorEquals": value, "Next": value}]}}})
    definitions.append({"StartAt": "A", "States": {"A": {
        "Type": "Choice", "Choices": [{"And": value, "Not": value, "Next": "A"}, value]}}})
    for definition in definitions:
        assert isinstance(lint_definition(definition), list)


def test_a_broken_file_still_gets_semantic_findings() -> None:
    definition = {"StartAt": "A", "Bogus": 1, "States": {
        "A": {"Type": "Pass", "Next": "Missing", "Extra": 1},
        "B": {"Type": "Pass", "Parameters": {"x.$": "States.Timestamp()"}, "End": True}}}
    codes = {d.code for d in lint_definition(definition)}
    assert {"ASL004", "ASL003", "ASL012", "ASL032"} <= codes


def test_parallel_branch_cannot_jump_to_the_machine_scope() -> None:
    definition = {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "Final", "Branches": [
            {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "Next": "Final"}}}]},
        "Final": {"Type": "Succeed"}}}
    found = {(d.code, d.path.dotted) for d in lint_definition(definition)}
    assert ("ASL003", "States.P.Branches[0].States.B1.Next") in found


def test_sdk_parameter_hint_suggests_the_closest_member() -> None:
    definition = {"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
        "Parameters": {"BucketName": "b", "Key": "k"}, "End": True}}}
    messages = [d.message for d in lint_definition(definition) if d.code == "ASL047"]
    assert messages and "did you mean 'Bucket'" in messages[0]


def test_sdk_service_alias_sfn_maps_to_botocore_stepfunctions() -> None:
    definition = {"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:startExecution",
        "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:x"},
        "End": True}}}
    assert lint_definition(definition) == []


def test_optimized_lambda_and_sqs_parameters_are_checked() -> None:
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"Function": "f"}, "Next": "B"},
        "B": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
              "Parameters": {"QueueUrl": "q", "Body": "x"}, "End": True}}}
    found = {(d.code, d.path.dotted) for d in lint_definition(definition)}
    assert ("ASL047", "States.A.Parameters.Function") in found
    assert ("ASL048", "States.A.Parameters") in found
    assert ("ASL047", "States.B.Parameters.Body") in found


def test_well_formed_placeholders_are_accepted_as_resources() -> None:
    definition = {"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "${IndexerFunctionArn}", "End": True}}}
    assert lint_definition(definition) == []


def test_jsonata_numeric_field_may_be_an_expression() -> None:
    definition = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": "f", "Payload": "{% $states.input %}"},
        "TimeoutSeconds": "{% $states.input.timeout %}", "End": True}}}
    assert lint_definition(definition) == []


VALID_FIXTURES = sorted((FIXTURES / "valid").glob("*.json"))


@pytest.mark.parametrize("fixture", VALID_FIXTURES, ids=lambda p: p.stem)
def test_real_world_pattern_lints_clean(fixture: Path) -> None:
    """Patterns found in deployed definitions (docs/lint.md, Real-world check) stay clean."""
    findings = [(d.code, d.path.dotted, d.message) for d in lint_file(fixture)]
    assert findings == []


def test_bare_placeholder_keeps_its_type_unknown_but_a_quoted_one_is_a_string() -> None:
    """Only a placeholder standing outside quotes escapes the type check."""
    quoted = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": "${S}", "End": True}}}
    assert [d.code for d in lint_definition(quoted)] == ["ASL005"]


def test_states_prefixed_name_not_thrown_by_any_fail_state_still_warns() -> None:
    """A Fail state's own States.* name is accepted; a different States.* name is not."""
    definition = {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "End": True,
              "Branches": [{"StartAt": "F", "States": {
                  "F": {"Type": "Fail", "Error": "States.DeadlinePassed"}}}],
              "Catch": [{"ErrorEquals": ["States.DeadlinePassed", "States.DeadlinePased"],
                         "Next": "Done"}]},
        "Done": {"Type": "Succeed"}}}
    found = [(d.code, d.path.dotted) for d in lint_definition(definition)]
    assert found == [("ASL021", "States.P.Catch[0].ErrorEquals[1]")]


def test_java_sdk_base_exception_of_another_service_still_warns() -> None:
    """Only the integration's own service base class is generic: Amazon<Service>Exception."""
    definition = {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
        "Parameters": {"TableName": "t", "Key": {"id": {"S": "1"}}},
        "Catch": [{"ErrorEquals": ["DynamoDB.AmazonS3Exception"], "Next": "Done"}],
        "Next": "Done"}, "Done": {"Type": "Succeed"}}}
    assert [d.code for d in lint_definition(definition)] == ["ASL050"]


# ASL050 and the Exception suffix: Step Functions always names an SDK error with it
# (developer guide, supported-services-awssdk, "API naming conventions"), so the bare
# model name never matches (asl/CHANGELOG.md, MetadataPipeline 1.0.1).

def _catching(resource: str, parameters: dict, *names: str) -> dict:
    return {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": resource, "Parameters": parameters,
        "Catch": [{"ErrorEquals": list(names), "Next": "Done"}],
        "Next": "Done"}, "Done": {"Type": "Succeed"}}}


S3_GET = ("arn:aws:states:::aws-sdk:s3:getObject", {"Bucket": "b", "Key": "k"})
DDB_PUT = ("arn:aws:states:::dynamodb:putItem", {"TableName": "t", "Item": {}})


def test_s3_no_such_key_without_suffix_warns_and_suggests_the_suffixed_name() -> None:
    found = [d for d in lint_definition(_catching(*S3_GET, "S3.NoSuchKey"))]
    assert [(d.code, d.severity, d.path.dotted) for d in found] == [
        ("ASL050", "warning", "States.T.Catch[0].ErrorEquals[0]")]
    assert "'S3.NoSuchKeyException'" in found[0].message


@pytest.mark.parametrize("name", ["S3.AccessDenied", "S3.NoSuchBucket"])
def test_other_bare_s3_model_names_warn_too(name: str) -> None:
    found = [d for d in lint_definition(_catching(*S3_GET, name))]
    assert [d.code for d in found] == ["ASL050"]
    assert f"'{name}Exception'" in found[0].message


def test_dynamodb_request_limit_exceeded_without_suffix_warns_in_both_integrations() -> None:
    """The optimized integration says DynamoDB., the aws-sdk one DynamoDb. (AWS-FACTS.md)."""
    optimized = lint_definition(_catching(*DDB_PUT, "DynamoDB.RequestLimitExceeded"))
    assert [d.code for d in optimized] == ["ASL050"]
    assert "'DynamoDB.RequestLimitExceededException'" in optimized[0].message
    sdk_call = _catching("arn:aws:states:::aws-sdk:dynamodb:putItem",
                         {"TableName": "t", "Item": {}}, "DynamoDb.RequestLimitExceeded")
    assert [d.code for d in lint_definition(sdk_call)] == ["ASL050"]


ACCEPTED = [(*S3_GET, "S3.NoSuchKeyException"), (*S3_GET, "S3.AccessDeniedException"),
            (*S3_GET, "S3.S3Exception"), (*S3_GET, "S3.AmazonS3Exception"),
            (*DDB_PUT, "DynamoDB.RequestLimitExceededException"),
            (*DDB_PUT, "DynamoDB.InternalServerErrorException"),
            (*DDB_PUT, "DynamoDB.ConditionalCheckFailedException"),
            (*DDB_PUT, "DynamoDB.AmazonDynamoDBException")]


@pytest.mark.parametrize("resource, parameters, name", ACCEPTED, ids=[a[2] for a in ACCEPTED])
def test_suffixed_model_names_and_base_classes_are_accepted(resource, parameters, name) -> None:
    assert lint_definition(_catching(resource, parameters, name)) == []


def test_misspelt_suffixed_name_suggests_the_closest_full_name() -> None:
    found = lint_definition(_catching(*S3_GET, "S3.NoSuchKeyExeption"))
    assert [d.code for d in found] == ["ASL050"]
    assert "did you mean 'S3.NoSuchKeyException'" in found[0].message


# ASL043/ASL044 and the optimized-integration table, checked against the developer guide
# (docs/lint.md, Real-world check). Each resource below is written as a page shows it.

def _task(resource: str) -> dict:
    """A one-Task machine whose Resource is `resource` and whose parameters are not modelled."""
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource,
                                             "Parameters": {"Id.$": "$.id"}, "End": True}}}


def _integration_codes(resource: str) -> list[str]:
    return [d.code for d in lint_definition(_task(resource)) if d.code in ("ASL043", "ASL044")]


# Resource ARNs (service:action[.pattern]) the guide documents, page by page.
DOCUMENTED = {
    "connect-lambda": ["lambda:invoke", "lambda:invoke.waitForTaskToken"],
    "connect-sqs": ["sqs:sendMessage", "sqs:sendMessage.waitForTaskToken"],
    "connect-sns": ["sns:publish", "sns:publish.waitForTaskToken"],
    "connect-ddb": ["dynamodb:getItem", "dynamodb:putItem", "dynamodb:updateItem",
                    "dynamodb:deleteItem"],
    "connect-stepfunctions": ["states:startExecution", "states:startExecution.sync",
                              "states:startExecution.sync:2",
                              "states:startExecution.waitForTaskToken"],
    "connect-eventbridge": ["events:putEvents", "events:putEvents.waitForTaskToken"],
    "connect-api-gateway": ["apigateway:invoke", "apigateway:invoke.waitForTaskToken"],
    "connect-third-party-apis": ["http:invoke"],
    "connect-ecs": ["ecs:runTask", "ecs:runTask.sync", "ecs:runTask.waitForTaskToken"],
    "connect-batch": ["batch:submitJob", "batch:submitJob.sync"],
    "connect-glue": ["glue:startJobRun", "glue:startJobRun.sync"],
    "connect-glue-databrew": ["databrew:startJobRun", "databrew:startJobRun.sync"],
    "connect-athena": ["athena:startQueryExecution", "athena:startQueryExecution.sync",
                       "athena:stopQueryExecution", "athena:getQueryExecution",
                       "athena:getQueryResults"],
    "connect-codebuild": ["codebuild:startBuild", "codebuild:startBuild.sync",
                          "codebuild:stopBuild", "codebuild:batchDeleteBuilds",
                          "codebuild:batchGetReports", "codebuild:startBuildBatch",
                          "codebuild:startBuildBatch.sync", "codebuild:stopBuildBatch",
                          "codebuild:retryBuildBatch", "codebuild:retryBuildBatch.sync",
                          "codebuild:deleteBuildBatch"],
    "connect-eks": [f"eks:{a}{p}" for a in ("createCluster", "deleteCluster",
                                            "createFargateProfile", "deleteFargateProfile",
                                            "createNodegroup", "deleteNodegroup", "runJob")
                    for p in ("", ".sync")] + ["eks:call"],
    "connect-emr": ["elasticmapreduce:createCluster", "elasticmapreduce:createCluster.sync",
                    "elasticmapreduce:terminateCluster",
                    "elasticmapreduce:terminateCluster.sync", "elasticmapreduce:addStep",
                    "elasticmapreduce:addStep.sync", "elasticmapreduce:cancelStep",
                    "elasticmapreduce:setClusterTerminationProtection",
                    "elasticmapreduce:modifyInstanceFleetByName",
                    "elasticmapreduce:modifyInstanceGroupByName"],
    "connect-emr-eks": ["emr-containers:createVirtualCluster",
                        "emr-containers:deleteVirtualCluster",
                        "emr-containers:deleteVirtualCluster.sync",
                        "emr-containers:startJobRun", "emr-containers:startJobRun.sync"],
    "connect-emr-serverless": [f"emr-serverless:{a}{p}" for a in (
        "createApplication", "startApplication", "stopApplication", "deleteApplication",
        "startJobRun", "cancelJobRun") for p in ("", ".sync")],
    "connect-sagemaker": [f"sagemaker:{a}{p}" for a in (
        "createTrainingJob", "createTransformJob", "createProcessingJob",
        "createHyperParameterTuningJob", "createLabelingJob") for p in ("", ".sync")] + [
        "sagemaker:createModel", "sagemaker:createEndpoint", "sagemaker:createEndpointConfig",
        "sagemaker:updateEndpoint"],
    "connect-mediaconvert": ["mediaconvert:createJob", "mediaconvert:createJob.sync"],
    "connect-bedrock": ["bedrock:invokeModel", "bedrock:createModelCustomizationJob",
                        "bedrock:createModelCustomizationJob.sync"],
    "connect-bedrockagentcore": ["bedrockagentcore:invokeHarness"],
}
DOCUMENTED_CASES = [(page, arn) for page, arns in DOCUMENTED.items() for arn in arns]


@pytest.mark.parametrize("page, integration", DOCUMENTED_CASES,
                         ids=[arn for _, arn in DOCUMENTED_CASES])
def test_every_documented_optimized_integration_is_accepted(page: str, integration: str) -> None:
    assert _integration_codes(f"arn:aws:states:::{integration}") == [], page


def test_codebuild_build_batch_apis_are_optimized_integrations() -> None:
    """connect-codebuild: Stop/Retry/DeleteBuildBatch exist; they were false ASL043 errors."""
    for action in ("stopBuildBatch", "retryBuildBatch", "retryBuildBatch.sync",
                   "deleteBuildBatch"):
        assert _integration_codes(f"arn:aws:states:::codebuild:{action}") == [], action


def test_codebuild_stop_and_delete_build_batch_have_no_run_a_job_pattern() -> None:
    """connect-codebuild marks .sync "Not supported" for StopBuildBatch and DeleteBuildBatch."""
    for action in ("stopBuildBatch.sync", "deleteBuildBatch.sync"):
        assert _integration_codes(f"arn:aws:states:::codebuild:{action}") == ["ASL044"]


def test_batch_and_athena_do_not_support_wait_for_callback() -> None:
    """integrate-optimized: AWS Batch and Amazon Athena rows say "Not supported" for it."""
    for resource in ("batch:submitJob.waitForTaskToken",
                     "athena:startQueryExecution.waitForTaskToken"):
        assert _integration_codes(f"arn:aws:states:::{resource}") == ["ASL044"], resource


def test_unknown_optimized_action_is_still_an_error() -> None:
    """The AWS-recorded rejection of dynamodb:query (invalid-definitions.jsonl) still holds."""
    assert _integration_codes("arn:aws:states:::dynamodb:query") == ["ASL043"]
    assert _integration_codes("arn:aws:states:::codebuild:retryBuild") == ["ASL043"]
