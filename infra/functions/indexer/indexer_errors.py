"""The exceptions the indexer raises, named exactly as the workflow retries and catches them.

Lambda reports a function error under the exception's bare class name, and the
`lambda:invoke` integration surfaces that name as the Step Functions error (AWS-FACTS.md,
"A Lambda function error surfaces in lambda:invoke as the exception's bare class name").
So the class names below are the interface in docs/contract.md: do not rename them.
"""

from __future__ import annotations


class InvalidMetadata(Exception):
    """The object's body is not a usable metadata document: never retried."""


class OpenSearchRejected(Exception):
    """OpenSearch refused the request (a 4xx other than 429): never retried."""


class OpenSearchThrottled(Exception):
    """OpenSearch answered 429 Too Many Requests: the workflow retries it."""


class OpenSearchUnavailable(Exception):
    """OpenSearch answered 5xx, timed out or could not be reached: the workflow retries it."""


class InvalidPayload(Exception):
    """The workflow sent a payload that breaks the contract (a bug, not bad user data)."""
