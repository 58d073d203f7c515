"""Deployment settings from CDK context (no synthesis)."""

from __future__ import annotations

import json

import pytest
from cfn_render import INFRA
from metapipe_infra.settings import Settings, SettingsError, context_defaults


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
])
def test_unusable_context_values_name_their_key(key, value, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_context({key: value}.get)
