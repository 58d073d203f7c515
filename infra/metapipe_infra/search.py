"""OpenSearch Serverless (collection and its three policies) and the indexer Lambda.

Order matters to AOSS: the encryption policy must exist before the collection (AWS-FACTS.md,
"OpenSearch Serverless"), so the collection depends on it explicitly (the policy is only
matched by name, CloudFormation cannot infer the dependency).
"""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_opensearchserverless as aoss
from constructs import Construct

from metapipe_infra.nag import acknowledge
from metapipe_infra.settings import Settings, policy_name

INDEX_NAME = "metadata"

# What the indexer may do inside the collection (data access policy, not IAM): write
# documents into `metadata*` indexes, create/update/describe them, and manage the index
# template, which needs the collection-level `*CollectionItems` permissions.
INDEXER_INDEX_PERMISSIONS = (
    "aoss:CreateIndex",
    "aoss:UpdateIndex",
    "aoss:DescribeIndex",
    "aoss:WriteDocument",
)
INDEXER_COLLECTION_PERMISSIONS = (
    "aoss:CreateCollectionItems",
    "aoss:UpdateCollectionItems",
    "aoss:DescribeCollectionItems",
)
READER_INDEX_PERMISSIONS = ("aoss:ReadDocument", "aoss:DescribeIndex")
READER_COLLECTION_PERMISSIONS = ("aoss:DescribeCollectionItems",)


def data_access_policy(
    collection: str, indexer_role_arn: str, readers: tuple[str, ...]
) -> list[dict]:
    """The data access policy: the indexer role writes, the configured readers read.

    Principals are exact IAM ARNs; an empty reader list leaves the reader rule out rather
    than widening anything.
    """
    index = f"index/{collection}/{INDEX_NAME}*"
    coll = f"collection/{collection}"
    rules = [
        {
            "Description": "The indexer Lambda writes metadata documents.",
            "Rules": [
                {
                    "ResourceType": "index",
                    "Resource": [index],
                    "Permission": list(INDEXER_INDEX_PERMISSIONS),
                },
                {
                    "ResourceType": "collection",
                    "Resource": [coll],
                    "Permission": list(INDEXER_COLLECTION_PERMISSIONS),
                },
            ],
            "Principal": [indexer_role_arn],
        }
    ]
    if readers:
        rules.append(
            {
                "Description": "Dashboard readers search metadata documents.",
                "Rules": [
                    {
                        "ResourceType": "index",
                        "Resource": [index],
                        "Permission": list(READER_INDEX_PERMISSIONS),
                    },
                    {
                        "ResourceType": "collection",
                        "Resource": [coll],
                        "Permission": list(READER_COLLECTION_PERMISSIONS),
                    },
                ],
                "Principal": list(readers),
            }
        )
    return rules


def network_policy(collection: str, settings: Settings) -> list[dict]:
    """The network policy: who may open a connection to the collection and its Dashboards.

    `public` lets anyone on the internet reach both endpoints; each request still needs
    IAM (`aoss:APIAccessAll` / `aoss:DashboardsAccessAll`) and a grant in the data access
    policy. `vpc` accepts connections only through the listed OpenSearch Serverless VPC
    endpoints (`SourceVPCEs`), for the collection and Dashboards alike.
    """
    rule: dict = {
        "Description": f"metapipe collection and Dashboards: {settings.network_access} access",
        "Rules": [
            {"ResourceType": "collection", "Resource": [f"collection/{collection}"]},
            {"ResourceType": "dashboard", "Resource": [f"collection/{collection}"]},
        ],
    }
    if settings.network_access == "vpc":
        rule["AllowFromPublic"] = False
        rule["SourceVPCEs"] = list(settings.vpc_endpoint_ids)
    else:
        rule["AllowFromPublic"] = True
    return [rule]


# What Lambda needs to attach a function to subnets (the actions of the AWS managed policy
# AWSLambdaVPCAccessExecutionRole); EC2 network-interface actions take Resource "*".
LAMBDA_VPC_ACTIONS = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)


class MetadataSearch(Construct):
    """The collection, its policies, and the indexer function with its own role."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        indexer_code: Path,
        log_retention: logs.RetentionDays,
        log_key: kms.IKey | None = None,
    ):
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        name = settings.collection_name

        encryption = aoss.CfnSecurityPolicy(
            self,
            "EncryptionPolicy",
            name=policy_name(name, "encryption"),
            type="encryption",
            policy=json.dumps(
                {
                    "Rules": [{"ResourceType": "collection", "Resource": [f"collection/{name}"]}],
                    "AWSOwnedKey": True,
                }
            ),
        )
        network = aoss.CfnSecurityPolicy(
            self,
            "NetworkPolicy",
            name=policy_name(name, "network"),
            type="network",
            policy=json.dumps(network_policy(name, settings)),
        )
        self.collection = aoss.CfnCollection(
            self,
            "Collection",
            name=name,
            type=settings.collection_type,
            standby_replicas=settings.standby_replicas,
            description="metapipe: one document per metadata.json object version",
        )
        self.collection.add_resource_dependency(encryption)
        self.collection.add_resource_dependency(network)

        self.log_group = logs.LogGroup(
            self,
            "IndexerLogs",
            retention=log_retention,
            removal_policy=RemovalPolicy.DESTROY,
            encryption_key=log_key,
        )
        self.role = iam.Role(
            self,
            "IndexerRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="The metapipe indexer: write its logs, call the collection's API.",
            inline_policies={
                "Indexer": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            sid="WriteOwnLogs",
                            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                            # A log group's Arn attribute already ends in ":*" (its streams).
                            resources=[self.log_group.log_group_arn],
                        ),
                        iam.PolicyStatement(
                            sid="CallCollectionApi",
                            actions=["aoss:APIAccessAll"],
                            resources=[self.collection.attr_arn],
                        ),
                        *self._vpc_statements(settings),
                    ]
                )
            },
        )
        if settings.network_access == "vpc":
            acknowledge(
                self.role,
                "AwsSolutions-IAM5[Resource::*]",
                "Lambda creates and deletes the network interfaces of a function in a VPC; "
                "EC2 documents Resource '*' for these actions (AWSLambdaVPCAccessExecutionRole).",
            )
        aoss.CfnAccessPolicy(
            self,
            "DataAccessPolicy",
            name=policy_name(name, "data"),
            type="data",
            policy=stack.to_json_string(
                data_access_policy(name, self.role.role_arn, settings.dashboard_reader_principals)
            ),
        )

        self.function = lambda_.Function(
            self,
            "Indexer",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="indexer.handler",
            code=lambda_.Code.from_asset(str(indexer_code), exclude=["__pycache__", "*.pyc"]),
            role=self.role,
            log_group=self.log_group,
            timeout=Duration.seconds(30),
            memory_size=256,
            description="metapipe: index one metadata.json body into OpenSearch Serverless",
            environment={
                "OPENSEARCH_ENDPOINT": self.collection.attr_collection_endpoint,
                "INDEX_NAME": INDEX_NAME,
                "COLLECTION_TYPE": settings.collection_type,
            },
        )
        if settings.network_access == "vpc":
            # Subnet and security group ids as plain properties: lambda_.Function wants an
            # IVpc, which from ids alone would need a context lookup in the target account.
            self.function.node.default_child.vpc_config = lambda_.CfnFunction.VpcConfigProperty(
                subnet_ids=list(settings.indexer_subnet_ids),
                security_group_ids=list(settings.indexer_security_group_ids),
            )
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            "Python 3.12 is the runtime the indexer is written and tested for; moving "
            "to a newer runtime is a deliberate, tested change.",
        )
        # A plain ARN string (no Fn::GetAtt) so workflow.iam can tell an unqualified
        # function ARN and grant its versions and aliases too.
        self.function_arn = stack.format_arn(
            service="lambda",
            resource="function",
            resource_name=self.function.function_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )

    @staticmethod
    def _vpc_statements(settings: Settings) -> list[iam.PolicyStatement]:
        """With networkAccess=vpc, what Lambda needs to place the indexer in its subnets."""
        if settings.network_access != "vpc":
            return []
        return [iam.PolicyStatement(sid="AttachToVpc", actions=list(LAMBDA_VPC_ACTIONS),
                                    resources=["*"])]
