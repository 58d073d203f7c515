"""`MetadataPipelineStack`: bucket -> EventBridge rule -> `live` alias of MetadataPipeline.

Parts: the metadata bucket (with an access-log bucket), the failure table, OpenSearch
Serverless and the indexer (`search.py`), the two state machines (`machines.py`), the
rules with a shared encrypted dead-letter queue, alarms on an encrypted topic, outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Aws, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from metapipe_infra.machines import FileStateMachine, PublishedAlias
from metapipe_infra.nag import acknowledge
from metapipe_infra.search import MetadataSearch
from metapipe_infra.settings import RETENTION_NAMES, Settings
from workflow.eventpattern import (
    METADATA_KEY_GLOBS,
    execution_failed_pattern,
    metadata_object_created_pattern,
)


@dataclass(frozen=True)
class Sources:
    """The files the stack deploys: the two ASL definitions and the indexer's folder."""

    pipeline_asl: Path
    recorder_asl: Path
    indexer_code: Path

    @classmethod
    def in_repository(cls, root: Path) -> Sources:
        """The committed files of the repository at `root`."""
        return cls(
            root / "asl" / "metadata-pipeline.asl.json",
            root / "asl" / "execution-failure-recorder.asl.json",
            root / "infra" / "functions" / "indexer",
        )


def _pattern(raw: dict) -> events.EventPattern:
    return events.EventPattern(
        source=raw["source"], detail_type=raw["detail-type"], detail=raw["detail"]
    )


class MetadataPipelineStack(Stack):
    """Everything the pipeline needs in one account and region."""

    def __init__(
        self, scope: Construct, construct_id: str, *, settings: Settings, sources: Sources, **kwargs
    ):
        super().__init__(scope, construct_id, **kwargs)
        retention = getattr(logs.RetentionDays, RETENTION_NAMES[settings.log_retention_days])
        self.key = self._encryption_key()

        # --- storage --------------------------------------------------------------------
        access_logs = s3.Bucket(
            self,
            "AccessLogsBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,  # log delivery requires SSE-S3
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            access_logs,
            "AwsSolutions-S1",
            "This is the access-log bucket itself; logging it into itself would loop.",
        )
        self.bucket = s3.Bucket(
            self,
            "MetadataBucket",
            bucket_name=settings.bucket_name,
            versioned=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="metadata-bucket/",
            removal_policy=RemovalPolicy.RETAIN,
        )
        # EventBridge delivery as a plain CloudFormation property: the L2 flag
        # `event_bridge_enabled` deploys a custom-resource Lambda to do the same.
        self.bucket.node.default_child.notification_configuration = (
            s3.CfnBucket.NotificationConfigurationProperty(
                event_bridge_configuration=s3.CfnBucket.EventBridgeConfigurationProperty(
                    event_bridge_enabled=True
                )
            )
        )

        self.table = dynamodb.Table(
            self,
            "FailureTable",
            partition_key=dynamodb.Attribute(
                name="executionId", type=dynamodb.AttributeType.STRING
            ),
            sort_key=dynamodb.Attribute(name="timestamp", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            # Nothing in the stack writes expiresAt (JSONPath ASL cannot compute an epoch):
            # items expire only once an operator or a retention job sets it (docs/deploy.md).
            time_to_live_attribute="expiresAt",
            removal_policy=RemovalPolicy.RETAIN,
        )

        # --- search and indexer ---------------------------------------------------------
        self.search = MetadataSearch(
            self,
            "Search",
            settings=settings,
            indexer_code=sources.indexer_code,
            log_retention=retention,
            log_key=self.key,
        )

        # --- state machines -------------------------------------------------------------
        substitutions = {
            "IndexerFunctionArn": self.search.function_arn,
            "FailureTableName": self.table.table_name,
        }
        logging = {
            "log_retention": retention,
            "log_level": settings.log_level,
            "log_execution_data": settings.log_execution_data,
            "log_key": self.key,
        }
        self.pipeline = FileStateMachine(
            self,
            "Pipeline",
            name=settings.state_machine_name,
            kind="STANDARD",
            definition_text=sources.pipeline_asl.read_text(encoding="utf-8"),
            source=str(sources.pipeline_asl.name),
            substitutions=substitutions,
            bindings={"Bucket": [self.bucket.bucket_name], "Key": list(METADATA_KEY_GLOBS)},
            **logging,
        )
        self.live = PublishedAlias(self, "Published", machine=self.pipeline)
        self.recorder = FileStateMachine(
            self,
            "Recorder",
            name=settings.recorder_name,
            kind="EXPRESS",
            definition_text=sources.recorder_asl.read_text(encoding="utf-8"),
            source=str(sources.recorder_asl.name),
            substitutions={"FailureTableName": self.table.table_name},
            **logging,
        )
        for machine in (self.pipeline, self.recorder):
            acknowledge(
                machine.role,
                "AwsSolutions-IAM5[Resource::*]",
                "CloudWatch Logs vended log delivery and X-Ray do not support "
                "resource-level permissions; AWS documents Resource '*' for both.",
            )
            if settings.log_level != "ALL":
                acknowledge(
                    machine.resource,
                    "AwsSolutions-SF1",
                    f"Logging at {settings.log_level} on purpose: ALL would copy every "
                    "state's input and output into CloudWatch Logs (logLevel, docs/deploy.md).",
                )
        acknowledge(
            self.pipeline.role,
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<{self._id(self.bucket)}>/*/metadata.json]",
            "Object keys are known only at run time; the grant is limited to keys "
            "the rule can deliver (metadata.json at any depth) in this bucket.",
        )
        acknowledge(
            self.pipeline.role,
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:<{self._id(self.search.function)}>:*]",
            "Invoking a version or alias of the indexer must stay possible; the "
            "wildcard only covers qualifiers of this one function.",
        )

        # --- rules ----------------------------------------------------------------------
        self.dead_letters = sqs.Queue(
            self,
            "EventsDeadLetterQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        acknowledge(
            self.dead_letters,
            "AwsSolutions-SQS3",
            "This queue is the dead-letter queue of the EventBridge targets.",
        )
        target_options = {
            "dead_letter_queue": self.dead_letters,
            "retry_attempts": 185,
            "max_event_age": Duration.hours(24),
        }
        events.Rule(
            self,
            "MetadataCreatedRule",
            description="metadata.json created in the metadata bucket -> MetadataPipeline:live",
            event_pattern=_pattern(metadata_object_created_pattern(self.bucket.bucket_name)),
            targets=[
                targets.SfnStateMachine(
                    sfn.StateMachine.from_state_machine_arn(self, "LiveAliasTarget", self.live.arn),
                    role=self._start_execution_role(
                        "LiveAliasStartRole", self.live.machine_arn, qualifier=self.live.name
                    ),
                    **target_options,
                )
            ],
        )
        events.Rule(
            self,
            "ExecutionFailedRule",
            description="MetadataPipeline execution FAILED/TIMED_OUT/ABORTED -> recorder",
            event_pattern=_pattern(execution_failed_pattern(self.pipeline.arn)),
            targets=[
                targets.SfnStateMachine(
                    sfn.StateMachine.from_state_machine_arn(
                        self, "RecorderTarget", self.recorder.arn
                    ),
                    role=self._start_execution_role("RecorderStartRole", self.recorder.arn),
                    **target_options,
                )
            ],
        )

        self._alarms(settings)
        self._outputs(settings)

    def _start_execution_role(
        self, construct_id: str, machine_arn: str, *, qualifier: str | None = None
    ) -> iam.IRole:
        """The role an EventBridge target assumes to start one state machine, and nothing else.

        Step Functions authorizes StartExecution on a version or alias against the
        *unqualified* state machine ARN, with the version number or alias name in the
        condition key `states:StateMachineQualifier` (Step Functions developer guide,
        "Authorization for versions and aliases"). A grant on the alias ARN itself, which
        CDK's target adds by default, is never matched, so EventBridge could not start the
        alias (aws/serverless-application-model#3720, aws/aws-cdk#30265). The alias ARN is
        therefore not listed: it would grant nothing.

        The role is returned without policy updates, so the target cannot append CDK's
        default (alias-ARN) grant: the inline policy below is the whole of it.
        """
        statement = iam.PolicyStatement(
            sid="StartExecution",
            actions=["states:StartExecution"],
            resources=[machine_arn],
            conditions=(
                {"StringEquals": {"states:StateMachineQualifier": qualifier}}
                if qualifier is not None
                else None
            ),
        )
        what = f"the {qualifier} alias of " if qualifier else ""
        role = iam.Role(
            self,
            construct_id,
            assumed_by=iam.ServicePrincipal("events.amazonaws.com"),
            description=f"EventBridge starts {what}one state machine, nothing else.",
            inline_policies={"StartExecution": iam.PolicyDocument(statements=[statement])},
        )
        return role.without_policy_updates()

    def _id(self, construct: Construct) -> str:
        return self.get_logical_id(construct.node.default_child)

    def _encryption_key(self) -> kms.Key:
        """The stack's one customer managed key: the three log groups and the alarm topic.

        CloudWatch Logs encrypts with it only if the key policy lets the regional Logs service
        use it for this account's log groups (CloudWatch Logs docs, "Encrypt log data in
        CloudWatch Logs using AWS KMS"); CDK does not add that statement by itself.
        """
        key = kms.Key(
            self,
            "EncryptionKey",
            enable_key_rotation=True,
            description="metapipe: log groups and alarm topic encryption",
            removal_policy=RemovalPolicy.DESTROY,
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchLogsEncryptThisAccountsLogGroups",
                principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*",
                         "kms:GenerateDataKey*", "kms:Describe*"],
                resources=["*"],  # in a key policy, "*" is this key
                conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": (
                    f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:*")}},
            )
        )
        # CloudWatch alarms must be able to publish to the encrypted topic: an AWS service
        # publishing to a KMS-encrypted topic needs kms:Decrypt and kms:GenerateDataKey* on
        # its key (SNS developer guide, "Key management", compatibility with AWS services).
        # Only on behalf of this account's alarms (confused-deputy condition).
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublishToEncryptedTopic",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy, "*" is this key
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )
        return key

    def _alarms(self, settings: Settings) -> None:
        topic = sns.Topic(
            self, "AlarmTopic", master_key=self.key, enforce_ssl=True,
            display_name="metapipe alarms",
        )
        # With enforce_ssl the topic policy holds only the Deny for plain HTTP; nothing lets
        # CloudWatch publish, and alarm actions then fail with "not authorized to perform:
        # SNS:Publish ... no resource-based policy allows" (AWS re:Post knowledge center,
        # "cloudwatch-receive-sns-for-alarm-trigger"; aws-solutions/
        # automated-security-response-on-aws#43). Allow it for this account's alarms only.
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {"aws:SourceArn": (
                        f"arn:{Aws.PARTITION}:cloudwatch:{Aws.REGION}:{Aws.ACCOUNT_ID}:alarm:*")},
                },
            )
        )
        if settings.alarm_email:
            topic.add_subscription(subscriptions.EmailSubscription(settings.alarm_email))
        action = cw_actions.SnsAction(topic)

        def execution_metric(machine: FileStateMachine, name: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/States",
                metric_name=name,
                dimensions_map={"StateMachineArn": machine.arn},
                statistic="Sum",
                period=Duration.minutes(1),
            )

        alarms = {
            "PipelineExecutionsFailed": execution_metric(self.pipeline, "ExecutionsFailed"),
            "PipelineExecutionsTimedOut": execution_metric(self.pipeline, "ExecutionsTimedOut"),
            "RecorderExecutionsFailed": execution_metric(self.recorder, "ExecutionsFailed"),
            "DeadLetterQueueNotEmpty": self.dead_letters.metric_approximate_number_of_messages_visible(
                statistic="Maximum", period=Duration.minutes(1)
            ),
        }
        for alarm_id, metric in alarms.items():
            alarm = cloudwatch.Alarm(
                self,
                alarm_id,
                metric=metric,
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(action)

    def _outputs(self, settings: Settings) -> None:
        collection = self.search.collection
        CfnOutput(self, "BucketName", value=self.bucket.bucket_name)
        CfnOutput(self, "CollectionName", value=settings.collection_name)
        CfnOutput(self, "CollectionEndpoint", value=collection.attr_collection_endpoint)
        CfnOutput(self, "DashboardUrl", value=f"{collection.attr_dashboard_endpoint}/_dashboards")
        CfnOutput(self, "FailureTableName", value=self.table.table_name)
        CfnOutput(self, "StateMachineArn", value=self.pipeline.arn)
        CfnOutput(self, "LiveAliasArn", value=self.live.arn)
        CfnOutput(self, "RecorderStateMachineArn", value=self.recorder.arn)
