"""The EventBridge patterns of the deployment, as plain Python objects.

The CDK stack puts these patterns on its rules, and `metapipe simulate` can decide with
`matches` which local events would have started an execution, so both agree by
construction.

Which keys start the pipeline: exactly `metadata.json` at the top of the bucket, or any key
ending in `/metadata.json`. A bare `{"suffix": "metadata.json"}` would also match
`old-metadata.json` (AWS-FACTS.md, "EventBridge and S3"), so the pattern lists the exact
key and the suffix that includes the slash. Keys are matched as the event carries them;
whether EventBridge URL-encodes `detail.object.key` is unconfirmed, and no character of
`/metadata.json` would change under URL encoding, so the match is the same either way.
"""

from __future__ import annotations

from typing import Any

S3_SOURCE = "aws.s3"
OBJECT_CREATED = "Object Created"
METADATA_FILE_NAME = "metadata.json"

# The same set of keys as the pattern, written as IAM resource globs (S3 `*` spans `/`).
METADATA_KEY_GLOBS: tuple[str, ...] = (METADATA_FILE_NAME, f"*/{METADATA_FILE_NAME}")

STATES_SOURCE = "aws.states"
EXECUTION_STATUS_CHANGE = "Step Functions Execution Status Change"
# Terminal statuses whose execution may not have recorded its own failure (a States.Runtime
# error that no catcher sees, a timeout of the whole execution, an abort).
UNRECORDED_FAILURE_STATUSES: tuple[str, ...] = ("FAILED", "TIMED_OUT", "ABORTED")


def metadata_object_created_pattern(bucket_name: str) -> dict[str, Any]:
    """The pattern for "Object Created" events of a metadata file in `bucket_name`."""
    return {
        "source": [S3_SOURCE],
        "detail-type": [OBJECT_CREATED],
        "detail": {
            "bucket": {"name": [bucket_name]},
            "object": {"key": [METADATA_FILE_NAME, {"suffix": f"/{METADATA_FILE_NAME}"}]},
        },
    }


def execution_failed_pattern(state_machine_arn: str) -> dict[str, Any]:
    """The pattern for a terminal failure of an execution of `state_machine_arn`.

    Executions started through an alias or version may carry the qualified ARN; the prefix
    `<arn>:` covers those without matching another machine whose name merely starts alike.
    """
    return {
        "source": [STATES_SOURCE],
        "detail-type": [EXECUTION_STATUS_CHANGE],
        "detail": {
            "status": list(UNRECORDED_FAILURE_STATUSES),
            "stateMachineArn": [state_machine_arn, {"prefix": f"{state_machine_arn}:"}],
        },
    }


def is_metadata_key(key: str) -> bool:
    """True when an object key starts the pipeline (the rule's key filter, in Python)."""
    return key == METADATA_FILE_NAME or key.endswith(f"/{METADATA_FILE_NAME}")


_MISSING = object()


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """Evaluate the subset of EventBridge pattern syntax these patterns use.

    Supported: nested objects, lists of exact scalars, `prefix`, `suffix` and `exists`.
    Any other operator raises `ValueError` rather than guessing. The tests check this
    matcher against moto's EventBridge implementation on the same events.
    """
    for field, expected in pattern.items():
        value = event.get(field, _MISSING) if isinstance(event, dict) else _MISSING
        if isinstance(expected, dict):
            if not isinstance(value, dict) or not matches(expected, value):
                return False
        elif isinstance(expected, list):
            if not any(_matches_filter(f, value) for f in expected):
                return False
        else:
            raise ValueError(f"pattern field {field!r} must be an object or a list")
    return True


def _matches_filter(rule: Any, value: Any) -> bool:
    if isinstance(rule, dict):
        if len(rule) != 1:
            raise ValueError(f"a filter has exactly one operator: {rule!r}")
        (operator, operand), = rule.items()
        if operator == "exists":
            return (value is not _MISSING) == bool(operand)
        if operator == "prefix":
            return isinstance(value, str) and value.startswith(operand)
        if operator == "suffix":
            return isinstance(value, str) and value.endswith(operand)
        raise ValueError(f"unsupported pattern operator {operator!r}")
    if value is _MISSING:
        return False
    if isinstance(value, list):
        return rule in value
    return value == rule
