"""The stack with every non-default security option: full logging, private collection.

One more synthesis (cdk-nag enabled) than the shared default one, for this module only.
"""

from __future__ import annotations

import json

import pytest
from cfn_render import one, render
from cfnlint.api import lint
from metapipe_infra.search import LAMBDA_VPC_ACTIONS, network_policy
from metapipe_infra.settings import Settings

ENDPOINTS = ["vpce-0123456789abcdef0", "vpce-0123456789abcdef1"]
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
GROUPS = ["sg-0123456789abcdef0"]
# The longest collection name accepted (27 characters): every derived policy name must fit.
LONGEST_COLLECTION_NAME = "a" + "-b" * 13
CONTEXT = {
    "collectionName": LONGEST_COLLECTION_NAME,
    "logLevel": "ALL",
    "logExecutionData": "true",  # as `-c logExecutionData=true` passes it
    "networkAccess": "vpc",
    "vpcEndpointIds": ENDPOINTS,
    "indexerSubnetIds": ",".join(SUBNETS),
    "indexerSecurityGroupIds": json.dumps(GROUPS),
}


@pytest.fixture(scope="module")
def synthesized_options(tmp_path_factory):
    from metapipe_infra.application import STACK_NAME, build_app

    outdir = tmp_path_factory.mktemp("cdk.out.options")
    app, _ = build_app(context=CONTEXT, outdir=str(outdir))
    app.synth()  # cdk-nag fails this on any unacknowledged finding
    return {
        "template": json.loads((outdir / f"{STACK_NAME}.template.json").read_text()),
        "report": json.loads((outdir / "validation-report.json").read_text()),
    }


@pytest.fixture(scope="module")
def template(synthesized_options):
    return synthesized_options["template"]


def test_network_policy_function_lists_endpoints_and_closes_public_access_for_vpc():
    settings = Settings.from_context(CONTEXT.get)
    (rule,) = network_policy("metapipe", settings)
    assert rule["AllowFromPublic"] is False
    assert rule["SourceVPCEs"] == ENDPOINTS
    assert rule["Rules"] == [
        {"ResourceType": "collection", "Resource": ["collection/metapipe"]},
        {"ResourceType": "dashboard", "Resource": ["collection/metapipe"]},
    ]


@pytest.mark.parametrize("name", ["MetadataPipeline", "ExecutionFailureRecorder"])
def test_log_level_and_execution_data_come_from_context(template, name):
    _, resource = one(template, "AWS::StepFunctions::StateMachine", StateMachineName=name)
    logging = resource["Properties"]["LoggingConfiguration"]
    assert (logging["Level"], logging["IncludeExecutionData"]) == ("ALL", True)
    rules = resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    assert "AwsSolutions-SF1" not in {r["id"] for r in rules}


def test_vpc_access_deploys_a_private_network_policy(template):
    _, policy = one(template, "AWS::OpenSearchServerless::SecurityPolicy", Type="network")
    (rule,) = json.loads(policy["Properties"]["Policy"])
    assert rule["AllowFromPublic"] is False
    assert rule["SourceVPCEs"] == ENDPOINTS


def test_vpc_access_places_the_indexer_in_the_given_subnets_with_what_lambda_needs(template):
    _, function = one(template, "AWS::Lambda::Function")
    assert function["Properties"]["VpcConfig"] == {"SubnetIds": SUBNETS,
                                                   "SecurityGroupIds": GROUPS}
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = render(template["Resources"][role_id]["Properties"]["Policies"][0]
                        ["PolicyDocument"]["Statement"])
    (attach,) = [s for s in statements if s.get("Sid") == "AttachToVpc"]
    assert attach["Action"] == list(LAMBDA_VPC_ACTIONS) and attach["Resource"] == "*"


def test_options_pass_cdk_nag_and_cfn_lint(synthesized_options, template):
    assert all(not report.get("violations")
               for report in synthesized_options["report"]["pluginReports"])
    errors = [f"{m.rule.id} {m.path}: {m.message}"
              for m in lint(json.dumps(template), regions=["us-east-1"])
              if m.rule.id.startswith("E")]
    assert errors == []


def test_the_longest_collection_name_still_gives_valid_policy_names(synthesized_options):
    """AOSS names are 3-32 characters `[a-z][a-z0-9-]+` (API reference, CreateAccessPolicy,
    CreateSecurityPolicy); `<name>-data` is the longest derived one."""
    from metapipe_infra.settings import AOSS_NAME

    template = synthesized_options["template"]
    assert len(LONGEST_COLLECTION_NAME) == 27
    names = {r["Properties"]["Type"]: r["Properties"]["Name"]
             for r in template["Resources"].values()
             if r["Type"] in ("AWS::OpenSearchServerless::SecurityPolicy",
                              "AWS::OpenSearchServerless::AccessPolicy")}
    assert names == {"encryption": f"{LONGEST_COLLECTION_NAME}-enc",
                     "network": f"{LONGEST_COLLECTION_NAME}-net",
                     "data": f"{LONGEST_COLLECTION_NAME}-data"}
    assert all(AOSS_NAME.match(name) for name in names.values())
    _, collection = one(template, "AWS::OpenSearchServerless::Collection")
    assert collection["Properties"]["Name"] == LONGEST_COLLECTION_NAME
