"""The two state machines, deployed from their `asl/` files as plain definition strings.

`CfnStateMachine` with `DefinitionString` (the file's text, unchanged) and
`DefinitionSubstitutions` keeps the definition readable for cfn-lint and reviewers; the
L2 construct would turn it into an `Fn::Join`. Each role holds exactly the statements
`workflow.iam` derives from the definition: CDK grants nothing for a file-based definition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from aws_cdk import Aws, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from workflow.iam import ArnContext, derive_role_statements
from workflow.jsonio import parse_json_text

_VERSION = re.compile(r"\b(\d+\.\d+\.\d+)\b")
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def workflow_version(definition: dict, source: str) -> str:
    """The semantic version the definition's `Comment` carries (e.g. `... 1.0.0: ...`)."""
    match = _VERSION.search(str(definition.get("Comment", "")))
    if match is None:
        raise ValueError(f"{source}: Comment carries no version such as 1.0.0")
    return match.group(1)


class FileStateMachine(Construct):
    """A state machine whose definition is an ASL file's text plus substitutions."""

    def __init__(self, scope: Construct, construct_id: str, *, name: str, kind: str,
                 definition_text: str, source: str, substitutions: Mapping[str, str],
                 bindings: Mapping[str, Sequence[str]] | None = None,
                 log_retention: logs.RetentionDays, log_level: str = "ERROR",
                 log_execution_data: bool = False, log_key: kms.IKey | None = None):
        super().__init__(scope, construct_id)
        self.definition = parse_json_text(definition_text, source)
        self.version = workflow_version(self.definition, source)
        missing = set(_PLACEHOLDER.findall(definition_text)) - set(substitutions)
        if missing:
            raise ValueError(f"{source}: no substitution for {sorted(missing)}")

        self.statements = derive_role_statements(
            self.definition, substitutions,
            arn=ArnContext(Aws.PARTITION, Aws.REGION, Aws.ACCOUNT_ID), bindings=bindings,
        )
        self.role = iam.Role(
            self, "Role",
            assumed_by=iam.ServicePrincipal(
                "states.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            ),
            description=f"{name}: exactly what workflow.iam derives from {source}",
            # Inline, so the permissions exist before the state machine is created (Step
            # Functions checks the logging permissions at creation).
            inline_policies={"Derived": iam.PolicyDocument(statements=[
                iam.PolicyStatement(sid=s.sid, actions=list(s.actions),
                                    resources=list(s.resources))
                for s in self.statements
            ])},
        )
        self.log_group = logs.LogGroup(
            self, "Logs", log_group_name=f"/aws/vendedlogs/states/{name}",
            retention=log_retention, removal_policy=RemovalPolicy.DESTROY,
            encryption_key=log_key,
        )
        self.resource = sfn.CfnStateMachine(
            self, "Resource",
            state_machine_name=name,
            state_machine_type=kind,
            role_arn=self.role.role_arn,
            definition_string=definition_text,
            definition_substitutions=dict(substitutions),
            logging_configuration=sfn.CfnStateMachine.LoggingConfigurationProperty(
                # IncludeExecutionData is one switch for every logged event (API reference,
                # LoggingConfiguration): at ERROR it adds the data of failure events only.
                level=log_level, include_execution_data=log_execution_data,
                destinations=[sfn.CfnStateMachine.LogDestinationProperty(
                    cloud_watch_logs_log_group=sfn.CfnStateMachine.CloudWatchLogsLogGroupProperty(
                        log_group_arn=self.log_group.log_group_arn))],
            ),
            tracing_configuration=sfn.CfnStateMachine.TracingConfigurationProperty(enabled=True),
        )
        self.arn = self.resource.attr_arn


class PublishedAlias(Construct):
    """A version of a state machine (described by its workflow version) and an alias to it.

    `StateMachineRevisionId` ties the version to the machine's current revision, so a
    changed definition publishes a new version on the next deployment.
    """

    def __init__(self, scope: Construct, construct_id: str, *, machine: FileStateMachine,
                 alias_name: str = "live"):
        super().__init__(scope, construct_id)
        self.name = alias_name
        self.machine_arn = machine.arn
        self.version = sfn.CfnStateMachineVersion(
            self, "Version",
            state_machine_arn=machine.arn,
            state_machine_revision_id=machine.resource.attr_state_machine_revision_id,
            description=machine.version,
        )
        self.alias = sfn.CfnStateMachineAlias(
            self, "Alias",
            name=alias_name,
            description=f"The version EventBridge starts ({alias_name}).",
            routing_configuration=[sfn.CfnStateMachineAlias.RoutingConfigurationVersionProperty(
                state_machine_version_arn=self.version.attr_arn, weight=100)],
        )
        self.arn = self.alias.attr_arn
