"""The synthesized `MetadataPipelineStack` (one synthesis per session, cdk-nag enabled)."""

from __future__ import annotations

import json
import re

import pytest
from cfn_render import ROOT, one, render, resources_of
from cfnlint.api import lint
from moto.events.models import EventPattern

from workflow.eventpattern import (
    METADATA_KEY_GLOBS,
    execution_failed_pattern,
    metadata_object_created_pattern,
)
from workflow.iam import ArnContext, derive_role_statements

PIPELINE_FILE = ROOT / "asl" / "metadata-pipeline.asl.json"
RECORDER_FILE = ROOT / "asl" / "execution-failure-recorder.asl.json"
SYMBOLS = ArnContext("{AWS.Partition}", "{AWS.Region}", "{AWS.AccountId}")


def machine(template, name):
    return one(template, "AWS::StepFunctions::StateMachine", StateMachineName=name)


def substitute(text: str, mapping: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda m: mapping[m.group(1)], text)


def normalized(statements):
    """Statements with Action/Resource always as lists (IAM accepts both forms)."""
    def as_list(v):
        return v if isinstance(v, list) else [v]
    return [{**s, "Action": as_list(s["Action"]), "Resource": as_list(s["Resource"])}
            for s in statements]


# --- the state machines -------------------------------------------------------------------

@pytest.mark.parametrize(("name", "path"), [("MetadataPipeline", PIPELINE_FILE),
                                            ("ExecutionFailureRecorder", RECORDER_FILE)])
def test_deployed_definition_is_the_asl_file_after_substitution(template, name, path):
    _, resource = machine(template, name)
    props = resource["Properties"]
    text = path.read_text(encoding="utf-8")
    assert props["DefinitionString"] == text  # one plain string, not an Fn::Join
    substitutions = render(props["DefinitionSubstitutions"])
    assert set(substitutions) == set(re.findall(r"\$\{(\w+)\}", text))
    deployed = json.loads(substitute(props["DefinitionString"], substitutions))
    assert deployed == json.loads(substitute(text, substitutions))


def test_substitutions_name_the_indexer_function_and_the_failure_table(template):
    function_id, _ = one(template, "AWS::Lambda::Function")
    table_id, _ = one(template, "AWS::DynamoDB::Table")
    _, resource = machine(template, "MetadataPipeline")
    assert render(resource["Properties"]["DefinitionSubstitutions"]) == {
        "IndexerFunctionArn":
            f"arn:{{AWS.Partition}}:lambda:{{AWS.Region}}:{{AWS.AccountId}}:function:"
            f"{{{function_id}}}",
        "FailureTableName": f"{{{table_id}}}",
    }


@pytest.mark.parametrize(("name", "path", "with_bucket"), [
    ("MetadataPipeline", PIPELINE_FILE, True),
    ("ExecutionFailureRecorder", RECORDER_FILE, False),
])
def test_role_statements_are_exactly_what_workflow_iam_derives(template, name, path,
                                                                 with_bucket):
    _, resource = machine(template, name)
    props = resource["Properties"]
    role_id = props["RoleArn"]["Fn::GetAtt"][0]
    role = template["Resources"][role_id]["Properties"]
    assert len(role["Policies"]) == 1
    deployed = render(role["Policies"][0]["PolicyDocument"]["Statement"])
    bucket_id, _ = one(template, "AWS::S3::Bucket", VersioningConfiguration={"Status": "Enabled"})
    bindings = {"Bucket": [f"{{{bucket_id}}}"], "Key": list(METADATA_KEY_GLOBS)}
    expected = derive_role_statements(
        json.loads(path.read_text()), render(props["DefinitionSubstitutions"]), arn=SYMBOLS,
        bindings=bindings if with_bucket else None,
    )
    assert normalized(deployed) == normalized([s.to_json() for s in expected])
    # No other policy is attached to the role anywhere in the template.
    for policy in resources_of(template, "AWS::IAM::Policy").values():
        assert {"Ref": role_id} not in policy["Properties"].get("Roles", [])
    assert "ManagedPolicyArns" not in role


def test_pipeline_is_standard_with_tracing_and_the_recorder_express(template):
    _, resource = machine(template, "MetadataPipeline")
    props = resource["Properties"]
    assert props["StateMachineType"] == "STANDARD"
    assert props["TracingConfiguration"] == {"Enabled": True}
    _, recorder = machine(template, "ExecutionFailureRecorder")
    assert recorder["Properties"]["StateMachineType"] == "EXPRESS"


@pytest.mark.parametrize("name", ["MetadataPipeline", "ExecutionFailureRecorder"])
def test_machines_log_only_errors_and_no_execution_data_by_default(template, name):
    """No metadata body or event reaches CloudWatch Logs unless a deployment asks for it."""
    _, resource = machine(template, name)
    logging = resource["Properties"]["LoggingConfiguration"]
    assert logging["Level"] == "ERROR"
    assert logging["IncludeExecutionData"] is False
    (destination,) = logging["Destinations"]
    group_id = destination["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0]
    assert template["Resources"][group_id]["Type"] == "AWS::Logs::LogGroup"


def test_every_log_group_is_encrypted_with_the_stacks_key(template):
    key_id, _ = one(template, "AWS::KMS::Key")
    groups = resources_of(template, "AWS::Logs::LogGroup")
    assert len(groups) == 3
    for group in groups.values():
        assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    _, topic = one(template, "AWS::SNS::Topic")
    assert render(topic["Properties"]["KmsMasterKeyId"]) in (f"{{{key_id}}}", f"{{{key_id}.Arn}}")


def test_key_lets_cloudwatch_logs_use_it_only_for_this_accounts_log_groups(template):
    _, key = one(template, "AWS::KMS::Key")
    statements = render(key["Properties"]["KeyPolicy"]["Statement"])
    (logs,) = [s for s in statements
               if s.get("Principal") == {"Service": "logs.{AWS.Region}.amazonaws.com"}]
    assert logs["Condition"] == {"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
        "arn:{AWS.Partition}:logs:{AWS.Region}:{AWS.AccountId}:log-group:*"}}
    assert key["Properties"]["EnableKeyRotation"] is True


def test_logging_below_all_is_acknowledged_to_cdk_nag_with_its_reason(template):
    for name in ("MetadataPipeline", "ExecutionFailureRecorder"):
        _, resource = machine(template, name)
        rules = resource["Metadata"]["cdk_nag"]["rules_to_suppress"]
        (sf1,) = [r for r in rules if r["id"] == "AwsSolutions-SF1"]
        assert "ERROR" in sf1["reason"]


def test_pipeline_role_may_list_the_metadata_bucket_so_a_missing_key_is_no_such_key(template):
    """S3 API reference, GetObject "Permissions": no s3:ListBucket means 403, not 404."""
    bucket_id, _ = one(template, "AWS::S3::Bucket", VersioningConfiguration={"Status": "Enabled"})
    _, resource = machine(template, "MetadataPipeline")
    role_id = resource["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    statements = render(template["Resources"][role_id]["Properties"]["Policies"][0]
                        ["PolicyDocument"]["Statement"])
    (listing,) = [s for s in statements if s["Action"] == "s3:ListBucket"]
    assert listing["Resource"] == f"arn:{{AWS.Partition}}:s3:::{{{bucket_id}}}"
    assert "Condition" not in listing


def test_live_alias_points_at_a_version_described_by_the_workflow_version(template):
    pipeline_id, _ = machine(template, "MetadataPipeline")
    version_id, version = one(template, "AWS::StepFunctions::StateMachineVersion")
    comment = json.loads(PIPELINE_FILE.read_text())["Comment"]
    assert version["Properties"]["Description"] in comment
    assert re.fullmatch(r"\d+\.\d+\.\d+", version["Properties"]["Description"])
    assert render(version["Properties"]["StateMachineArn"]) == f"{{{pipeline_id}.Arn}}"
    assert render(version["Properties"]["StateMachineRevisionId"]) == (
        f"{{{pipeline_id}.StateMachineRevisionId}}"
    )
    _, alias = one(template, "AWS::StepFunctions::StateMachineAlias", Name="live")
    assert render(alias["Properties"]["RoutingConfiguration"]) == [
        {"StateMachineVersionArn": f"{{{version_id}.Arn}}", "Weight": 100}
    ]


# --- the rules ----------------------------------------------------------------------------

def _rule(template, source):
    rules = [r for r in resources_of(template, "AWS::Events::Rule").values()
             if r["Properties"]["EventPattern"]["source"] == [source]]
    assert len(rules) == 1
    return rules[0]["Properties"]


def _s3_event(key):
    return {"source": "aws.s3", "detail-type": "Object Created",
            "detail": {"bucket": {"name": "docs-bucket"},
                       "object": {"key": key, "size": 1, "etag": "e"}}}


@pytest.mark.parametrize(("key", "accepted"), [
    ("a/b/metadata.json", True), ("metadata.json", True),
    ("a/old-metadata.json", False), ("a/metadata.json.bak", False),
])
def test_deployed_rule_pattern_accepts_only_metadata_keys(template, key, accepted):
    bucket_id, _ = one(template, "AWS::S3::Bucket", VersioningConfiguration={"Status": "Enabled"})
    rendered = render(_rule(template, "aws.s3")["EventPattern"])
    assert rendered == metadata_object_created_pattern(f"{{{bucket_id}}}")
    concrete = json.loads(json.dumps(rendered).replace(f"{{{bucket_id}}}", "docs-bucket"))
    assert EventPattern(json.dumps(concrete), concrete).matches_event(_s3_event(key)) is accepted


def test_object_rule_targets_the_live_alias_with_retries_and_a_dead_letter_queue(template):
    alias_id, _ = one(template, "AWS::StepFunctions::StateMachineAlias")
    queue_id, queue = one(template, "AWS::SQS::Queue")
    (target,) = _rule(template, "aws.s3")["Targets"]
    assert render(target["Arn"]) in (f"{{{alias_id}}}", f"{{{alias_id}.Arn}}")
    assert render(target["DeadLetterConfig"]["Arn"]) == f"{{{queue_id}.Arn}}"
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400,
                                     "MaximumRetryAttempts": 185}
    assert queue["Properties"]["SqsManagedSseEnabled"] is True


def test_failure_rule_sends_this_machines_failures_to_the_recorder(template):
    pipeline_id, _ = machine(template, "MetadataPipeline")
    recorder_id, _ = machine(template, "ExecutionFailureRecorder")
    props = _rule(template, "aws.states")
    assert render(props["EventPattern"]) == execution_failed_pattern(f"{{{pipeline_id}.Arn}}")
    assert render(props["Targets"][0]["Arn"]) == f"{{{recorder_id}.Arn}}"


def _target_role(template, source):
    """The role of the one target of the rule for `source`, and its logical id."""
    (target,) = _rule(template, source)["Targets"]
    role_id = target["RoleArn"]["Fn::GetAtt"][0]
    return role_id, template["Resources"][role_id]["Properties"]


def _only_policy_of(template, role_id, role):
    """The role's statements, after checking nothing else grants it anything."""
    for policy in resources_of(template, "AWS::IAM::Policy").values():
        assert {"Ref": role_id} not in policy["Properties"].get("Roles", [])
    assert "ManagedPolicyArns" not in role
    assert render(role["AssumeRolePolicyDocument"]["Statement"]) == [
        {"Action": "sts:AssumeRole", "Effect": "Allow",
         "Principal": {"Service": "events.amazonaws.com"}}]
    (policy,) = role["Policies"]
    return render(policy["PolicyDocument"]["Statement"])


def test_object_rule_role_starts_the_live_alias_through_the_unqualified_arn_and_qualifier(
        template):
    """Step Functions docs, "Authorization for versions and aliases": StartExecution on an
    alias is authorized on the unqualified ARN with `states:StateMachineQualifier`; a grant
    on the alias ARN never matches (aws/serverless-application-model#3720)."""
    pipeline_id, _ = machine(template, "MetadataPipeline")
    role_id, role = _target_role(template, "aws.s3")
    assert _only_policy_of(template, role_id, role) == [{
        "Sid": "StartExecution", "Effect": "Allow", "Action": "states:StartExecution",
        "Resource": f"{{{pipeline_id}.Arn}}",
        "Condition": {"StringEquals": {"states:StateMachineQualifier": "live"}},
    }]


def test_failure_rule_role_starts_only_the_unversioned_recorder(template):
    recorder_id, _ = machine(template, "ExecutionFailureRecorder")
    role_id, role = _target_role(template, "aws.states")
    assert _only_policy_of(template, role_id, role) == [{
        "Sid": "StartExecution", "Effect": "Allow", "Action": "states:StartExecution",
        "Resource": f"{{{recorder_id}.Arn}}",
    }]


def test_no_statement_anywhere_grants_on_the_alias_arn(template):
    """A grant on the alias ARN is dead weight at best and hides the real one at worst."""
    alias_id, _ = one(template, "AWS::StepFunctions::StateMachineAlias")
    for resource in template["Resources"].values():
        for policy in resource.get("Properties", {}).get("Policies", []) or []:
            assert alias_id not in json.dumps(policy["PolicyDocument"])
    for policy in resources_of(template, "AWS::IAM::Policy").values():
        assert alias_id not in json.dumps(policy["Properties"]["PolicyDocument"])


# --- alarms reach their topic ---------------------------------------------------------------

def test_topic_policy_lets_this_accounts_cloudwatch_alarms_publish(template):
    """Without it the enforce-SSL topic policy allows nobody and alarm actions fail with
    "no resource-based policy allows SNS:Publish" (re:Post cloudwatch-receive-sns-for-alarm-
    trigger; aws-solutions/automated-security-response-on-aws#43)."""
    topic_id, _ = one(template, "AWS::SNS::Topic")
    _, policy = one(template, "AWS::SNS::TopicPolicy")
    statements = render(policy["Properties"]["PolicyDocument"]["Statement"])
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert allows == [{
        "Sid": "CloudWatchAlarmsPublish", "Effect": "Allow", "Action": "sns:Publish",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Resource": f"{{{topic_id}}}",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": "{AWS.AccountId}"},
            "ArnLike": {"aws:SourceArn":
                        "arn:{AWS.Partition}:cloudwatch:{AWS.Region}:{AWS.AccountId}:alarm:*"},
        },
    }]
    assert render(policy["Properties"]["Topics"]) == [f"{{{topic_id}}}"]


def test_every_alarm_acts_on_the_topic_cloudwatch_may_publish_to(template):
    topic_id, _ = one(template, "AWS::SNS::Topic")
    for alarm in resources_of(template, "AWS::CloudWatch::Alarm").values():
        assert render(alarm["Properties"]["AlarmActions"]) == [f"{{{topic_id}}}"]


def test_key_lets_cloudwatch_encrypt_for_the_topic_only_for_this_account(template):
    _, key = one(template, "AWS::KMS::Key")
    statements = render(key["Properties"]["KeyPolicy"]["Statement"])
    (cloudwatch,) = [s for s in statements
                     if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}]
    assert cloudwatch == {
        "Sid": "CloudWatchAlarmsPublishToEncryptedTopic", "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": "{AWS.AccountId}"}},
    }


# --- storage, search, security --------------------------------------------------------------

def test_bucket_is_versioned_private_encrypted_logged_retained_and_sends_events(template):
    _, bucket = one(template, "AWS::S3::Bucket", VersioningConfiguration={"Status": "Enabled"})
    props = bucket["Properties"]
    assert props["NotificationConfiguration"] == {
        "EventBridgeConfiguration": {"EventBridgeEnabled": True}}
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True,
        "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert "BucketEncryption" in props and "LoggingConfiguration" in props
    assert bucket["DeletionPolicy"] == "Retain"
    assert not resources_of(template, "Custom::S3BucketNotifications")


def test_failure_table_has_the_contract_keys_and_is_protected(template):
    _, table = one(template, "AWS::DynamoDB::Table")
    props = table["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "executionId", "KeyType": "HASH"},
                                  {"AttributeName": "timestamp", "KeyType": "RANGE"}]
    assert {a["AttributeType"] for a in props["AttributeDefinitions"]} == {"S"}
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
    assert table["DeletionPolicy"] == "Retain"


def test_no_state_machine_writes_the_ttl_attribute_as_the_docs_say(template):
    """docs/deploy.md and docs/contract.md say failure items never expire unless someone
    sets `expiresAt`; if a workflow starts writing it, those pages must change too."""
    for path in (PIPELINE_FILE, RECORDER_FILE):
        assert "expiresAt" not in path.read_text()
    for name in ("MetadataPipeline", "ExecutionFailureRecorder"):
        _, resource = machine(template, name)
        assert "expiresAt" not in json.dumps(resource["Properties"])


def test_collection_is_search_without_standby_and_created_after_its_encryption_policy(template):
    collection_id, collection = one(template, "AWS::OpenSearchServerless::Collection")
    assert collection["Properties"]["Type"] == "SEARCH"
    assert collection["Properties"]["StandbyReplicas"] == "DISABLED"
    encryption_id, _ = one(template, "AWS::OpenSearchServerless::SecurityPolicy",
                           Type="encryption")
    assert encryption_id in collection["DependsOn"]


def test_network_policy_is_public_by_default_for_the_collection_and_dashboards(template):
    _, policy = one(template, "AWS::OpenSearchServerless::SecurityPolicy", Type="network")
    (rule,) = json.loads(policy["Properties"]["Policy"])
    assert rule["AllowFromPublic"] is True and "SourceVPCEs" not in rule
    assert {r["ResourceType"] for r in rule["Rules"]} == {"collection", "dashboard"}
    _, function = one(template, "AWS::Lambda::Function")
    assert "VpcConfig" not in function["Properties"]


def test_data_access_policy_grants_only_the_indexer_role_on_metadata_indexes(template):
    _, policy = one(template, "AWS::OpenSearchServerless::AccessPolicy", Type="data")
    document = json.loads(render(policy["Properties"]["Policy"]))
    role_id = next(k for k, r in resources_of(template, "AWS::IAM::Role").items()
                   if "Indexer" in k)
    assert [entry["Principal"] for entry in document] == [[f"{{{role_id}.Arn}}"]]
    resources = {res for rule in document[0]["Rules"] for res in rule["Resource"]}
    assert resources == {"index/metapipe/metadata*", "collection/metapipe"}
    assert "*" not in json.dumps(document).replace("metadata*", "")


def test_no_principal_is_a_wildcard_except_in_deny_insecure_transport(template):
    """`enforce_ssl` adds Deny statements for everyone on non-TLS requests; that is the only
    place `*` may appear as a principal (it narrows, never grants)."""
    for resource in template["Resources"].values():
        for doc_key in ("PolicyDocument", "KeyPolicy", "AssumeRolePolicyDocument"):
            document = resource["Properties"].get(doc_key) if "Properties" in resource else None
            for statement in (document or {}).get("Statement", []):
                principal = statement.get("Principal")
                if principal in ("*", {"AWS": "*"}):
                    assert statement["Effect"] == "Deny", statement
                    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_indexer_runs_python_312_with_its_endpoint_from_the_collection(template):
    collection_id, _ = one(template, "AWS::OpenSearchServerless::Collection")
    _, function = one(template, "AWS::Lambda::Function")
    props = function["Properties"]
    assert props["Runtime"] == "python3.12" and props["Handler"] == "indexer.handler"
    assert render(props["Environment"]["Variables"]) == {
        "OPENSEARCH_ENDPOINT": f"{{{collection_id}.CollectionEndpoint}}",
        "INDEX_NAME": "metadata", "COLLECTION_TYPE": "SEARCH",
    }


def test_alarms_fire_on_one_failed_or_timed_out_execution_and_on_dead_letters(template):
    alarms = list(resources_of(template, "AWS::CloudWatch::Alarm").values())
    by_metric = {a["Properties"].get("MetricName"): a["Properties"] for a in alarms}
    for metric in ("ExecutionsFailed", "ExecutionsTimedOut",
                   "ApproximateNumberOfMessagesVisible"):
        props = by_metric[metric]
        assert props["Threshold"] == 1 and props["Period"] == 60
        assert props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert props["AlarmActions"]
    _, topic = one(template, "AWS::SNS::Topic")
    assert "KmsMasterKeyId" in topic["Properties"]


def test_outputs_name_everything_an_operator_needs(template):
    assert {"BucketName", "CollectionName", "DashboardUrl", "FailureTableName",
            "StateMachineArn", "LiveAliasArn"} <= set(template["Outputs"])


# --- checkers -----------------------------------------------------------------------------

def test_cdk_nag_reports_nothing_unacknowledged_and_every_acknowledgement_has_a_reason(
        synthesized):
    assert all(not report.get("violations") for report in
               synthesized["report"]["pluginReports"])
    acknowledged = [rule for resource in synthesized["template"]["Resources"].values()
                    for rule in resource.get("Metadata", {}).get("cdk_nag", {})
                    .get("rules_to_suppress", [])]
    assert acknowledged, "acknowledgements are expected in the template metadata"
    for rule in acknowledged:
        assert len(rule["reason"].split()) >= 8, rule


def test_cfn_lint_reports_no_error(template):
    matches = lint(json.dumps(template), regions=["us-east-1"])
    errors = [f"{m.rule.id} {m.path}: {m.message}" for m in matches
              if m.rule.id.startswith("E")]
    assert errors == []
