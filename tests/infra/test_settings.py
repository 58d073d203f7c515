"""Deployment settings from CDK context (no synthesis)."""

from __future__ import annotations

import json

import pytest
from cfn_render import INFRA
from metapipe_infra.settings import (
    AOSS_NAME,
    POLICY_NAME_SUFFIXES,
    Settings,
    SettingsError,
    context_defaults,
    policy_name,
)


def test_cdk_json_documents_exactly_the_code_defaults():
    context = json.loads((INFRA / "cdk.json").read_text())["context"]
    assert {k: v for k, v in context.items() if not k.startswith("@")} == context_defaults()


def test_no_context_gives_the_defaults():
    assert Settings.from_context(lambda key: None) == Settings()


def test_reader_principals_accept_a_json_list_or_commas():
    role = "arn:aws:iam::111122223333:role/Reader"
    user = "arn:aws:iam::111122223333:user/alice"
    for raw in (json.dumps([role, user]), f"{role}, {user}", [role, user]):
        settings = Settings.from_context({"dashboardReaderPrincipals": raw}.get)
        assert settings.dashboard_reader_principals == (role, user)


@pytest.mark.parametrize(("key", "value", "message"), [
    ("dashboardReaderPrincipals", '["*"]', "wildcards are never accepted"),
    ("dashboardReaderPrincipals", "arn:aws:iam::111122223333:role/*", "not an IAM role"),
    ("collectionName", "Metapipe", "collectionName"),
    ("collectionName", "a-name-that-is-far-too-long-for-aoss", "collectionName"),
    ("collectionType", "VECTORSEARCH", "SEARCH or TIMESERIES"),
    ("standbyReplicas", "yes", "ENABLED or DISABLED"),
    ("alarmEmail", "not-an-address", "alarmEmail"),
    ("logRetentionDays", "13", "logRetentionDays"),
    ("bucketName", "Bad_Bucket", "bucketName"),
    ("logLevel", "DEBUG", "logLevel must be one of ALL, ERROR, FATAL"),
    ("logLevel", "OFF", "logLevel"),
    ("logExecutionData", "yes", "logExecutionData must be true or false"),
    ("networkAccess", "private", "networkAccess must be public or vpc"),
    ("vpcEndpointIds", "vpce-0123456789abcdef0", "vpcEndpointIds is only used with networkAccess=vpc"),
])
def test_unusable_context_values_name_their_key(key, value, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_context({key: value}.get)


VPC = {"networkAccess": "vpc", "vpcEndpointIds": "vpce-0123456789abcdef0",
       "indexerSubnetIds": "subnet-0123456789abcdef0",
       "indexerSecurityGroupIds": "sg-0123456789abcdef0"}


def test_log_execution_data_reads_json_booleans_and_cli_text():
    for raw, expected in ((True, True), (False, False), ("true", True), ("False", False)):
        assert Settings.from_context({"logExecutionData": raw}.get).log_execution_data is expected


def test_vpc_access_reads_its_lists_from_json_or_commas():
    settings = Settings.from_context({**VPC, "vpcEndpointIds": '["vpce-0123456789abcdef0", '
                                                               '"vpce-0123456789abcdef1"]',
                                      "indexerSubnetIds": "subnet-0123456789abcdef0, "
                                                          "subnet-0123456789abcdef1"}.get)
    assert settings.vpc_endpoint_ids == ("vpce-0123456789abcdef0", "vpce-0123456789abcdef1")
    assert settings.indexer_subnet_ids == ("subnet-0123456789abcdef0", "subnet-0123456789abcdef1")


@pytest.mark.parametrize("missing", ["vpcEndpointIds", "indexerSubnetIds",
                                     "indexerSecurityGroupIds"])
def test_vpc_access_without_a_required_list_names_the_missing_context_key(missing):
    with pytest.raises(SettingsError, match=f"networkAccess=vpc needs {missing}"):
        Settings.from_context({**VPC, missing: None}.get)
    with pytest.raises(SettingsError, match=f"networkAccess=vpc needs {missing}"):
        Settings.from_context({**VPC, missing: "[]"}.get)


def test_a_malformed_vpc_endpoint_id_is_named():
    with pytest.raises(SettingsError, match="vpcEndpointIds: 'vpc-123' is not a valid id"):
        Settings.from_context({**VPC, "vpcEndpointIds": "vpc-123"}.get)


def test_a_non_list_names_what_the_list_holds():
    with pytest.raises(SettingsError, match="vpcEndpointIds must be a list of OpenSearch"):
        Settings.from_context({**VPC, "vpcEndpointIds": {"a": 1}}.get)


def test_a_28_character_collection_name_is_refused_because_its_data_policy_would_not_fit():
    name = "a" * 28
    assert not AOSS_NAME.match(policy_name(name, "data"))  # 33 characters
    with pytest.raises(SettingsError, match=r"collectionName 'a{28}' must be 3-27 .*-data"):
        Settings.from_context({"collectionName": name}.get)


@pytest.mark.parametrize("name", ["abc", "a" * 27, "metapipe-prod-eu-west-1-abc"])
def test_every_accepted_collection_name_gives_valid_names_for_all_its_policies(name):
    settings = Settings.from_context({"collectionName": name}.get)
    assert AOSS_NAME.match(settings.collection_name)
    for kind in POLICY_NAME_SUFFIXES:
        assert AOSS_NAME.match(policy_name(name, kind)), kind
