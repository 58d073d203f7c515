"""What both machines share about the failure table: its item, and how a put is retried.

The item is the contract between the workflows, the stack's table and whoever reads the
records (contract: `executionId` partition key, `timestamp` sort key, then `bucket`, `key`,
`error`, `cause`, `event`, all strings). Writing it in one place keeps the pipeline's own
records and the backstop's records the same shape.
"""

from __future__ import annotations

# Every retrier of both machines: 1 s, doubled, three retries, full jitter (issue 2).
BACKOFF = {"interval_seconds": 1, "backoff_rate": 2, "max_attempts": 3, "jitter_strategy": "FULL"}

# Transient errors of the optimized `dynamodb:putItem` integration, which names errors
# `DynamoDB.<Exception>` (AWS-FACTS).
PUT_TRANSIENT = (
    "DynamoDB.ProvisionedThroughputExceededException",
    "DynamoDB.ThrottlingException",
    # DynamoDB's code is RequestLimitExceeded; Step Functions always appends the Exception
    # suffix to error names (AWS docs: supported-services-awssdk, "API naming conventions").
    "DynamoDB.RequestLimitExceededException",
    "DynamoDB.InternalServerErrorException",
)


def failure_item(*, execution_id: str, timestamp: str, bucket: str, key: str, error: str,
                 cause: str, event: str) -> dict:
    """The failure item as a `dynamodb:putItem` `Item` template: each argument is the path
    (or intrinsic call) that yields that attribute's string value."""
    values = {"executionId": execution_id, "timestamp": timestamp, "bucket": bucket,
              "key": key, "error": error, "cause": cause, "event": event}
    return {name: {"S.$": value} for name, value in values.items()}
