"""The rule patterns, evaluated by moto's EventBridge matcher and by `workflow.eventpattern`."""

from __future__ import annotations

import json

import pytest
from moto.events.models import EventPattern

from workflow.eventpattern import (
    execution_failed_pattern,
    is_metadata_key,
    matches,
    metadata_object_created_pattern,
)

BUCKET = "docs-bucket"
SM = "arn:aws:states:eu-west-1:111122223333:stateMachine:MetadataPipeline"


def s3_event(key: str, bucket: str = BUCKET, detail_type: str = "Object Created") -> dict:
    return {
        "version": "0", "id": "e-1", "detail-type": detail_type, "source": "aws.s3",
        "account": "111122223333", "time": "2026-01-01T00:00:00Z", "region": "eu-west-1",
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {"version": "0", "bucket": {"name": bucket},
                   "object": {"key": key, "size": 10, "etag": "e", "sequencer": "01"},
                   "request-id": "r", "requester": "111122223333", "reason": "PutObject"},
    }


def moto_matches(pattern: dict, event: dict) -> bool:
    return EventPattern(json.dumps(pattern), pattern).matches_event(event)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("metadata.json", True),
        ("a/metadata.json", True),
        ("a/b/metadata.json", True),
        ("with space/metadata.json", True),
        ("a/old-metadata.json", False),
        ("old-metadata.json", False),
        ("a/metadata.json.bak", False),
        ("a/metadata.jsonx", False),
        ("a/Metadata.json", False),
        ("metadata.json/", False),
    ],
)
def test_object_created_pattern_accepts_only_metadata_files(key, expected):
    pattern = metadata_object_created_pattern(BUCKET)
    event = s3_event(key)
    assert moto_matches(pattern, event) is expected
    assert matches(pattern, event) is expected
    assert is_metadata_key(key) is expected


def test_object_created_pattern_ignores_other_buckets_and_other_event_types():
    pattern = metadata_object_created_pattern(BUCKET)
    for event in (s3_event("metadata.json", bucket="other"),
                  s3_event("metadata.json", detail_type="Object Deleted")):
        assert moto_matches(pattern, event) is False
        assert matches(pattern, event) is False


def status_event(status: str, arn: str) -> dict:
    return {"source": "aws.states", "detail-type": "Step Functions Execution Status Change",
            "detail": {"status": status, "stateMachineArn": arn,
                       "executionArn": f"{arn}:exec"}}


@pytest.mark.parametrize(
    ("status", "arn", "expected"),
    [
        ("FAILED", SM, True),
        ("TIMED_OUT", SM, True),
        ("ABORTED", SM, True),
        ("FAILED", f"{SM}:live", True),
        ("SUCCEEDED", SM, False),
        ("RUNNING", SM, False),
        ("FAILED", f"{SM}2", False),
    ],
)
def test_execution_failed_pattern_matches_terminal_failures_of_this_machine_only(
    status, arn, expected
):
    pattern = execution_failed_pattern(SM)
    event = status_event(status, arn)
    assert moto_matches(pattern, event) is expected
    assert matches(pattern, event) is expected


def test_unsupported_operator_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="wildcard"):
        matches({"k": [{"wildcard": "*"}]}, {"k": "x"})
