"""The indexer Lambda: one metadata.json body in, one OpenSearch document out.

Handler: `indexer.handler`. Input and output are the contract in docs/contract.md:
payload `{"body", "source", "size", "eventTime", "executionId"}`, result
`{"documentId", "index", "result": "created" | "updated"}`, errors `InvalidMetadata`,
`OpenSearchRejected`, `OpenSearchThrottled`, `OpenSearchUnavailable`.

Configuration comes from the environment (`IndexerConfig.from_environment`):
`OPENSEARCH_ENDPOINT` (required, e.g. `https://abc.us-east-1.aoss.amazonaws.com`),
`INDEX_NAME` (default `metadata`), `COLLECTION_TYPE` (`SEARCH`, default, or `TIMESERIES`),
`OPENSEARCH_SIGNING` (`aoss`, default, or `none` for a plain local OpenSearch),
`OPENSEARCH_TIMEOUT_SECONDS` (default 10, the most one request may take) and the
runtime's `AWS_REGION`.

Time budget: the handler never lets a request run into the Lambda timeout. Lambda ends
such an invocation as `Sandbox.Timedout`, which the workflow does not retry; a cold
invocation makes two requests (template, then document), each up to the request timeout.
So every request gets at most what `context.get_remaining_time_in_millis()` leaves after
`IndexerConfig.reserve_seconds`, and when less than `min_request_seconds` would be left the
invocation fails at once with `OpenSearchUnavailable`, which the workflow retries.

For `metapipe simulate`, build an `Indexer` yourself with another sender (an HTTP server
or a folder sink) and signer, and call `indexer.index(payload)` in-process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from aoss_client import OpenSearchClient, Sender, Signer, SigV4Signer, send_http, unsigned
from indexer_errors import (  # noqa: F401  (re-exported: the contract's error names)
    InvalidMetadata,
    InvalidPayload,
    OpenSearchRejected,
    OpenSearchThrottled,
    OpenSearchUnavailable,
)
from metadata_document import (
    build_document,
    document_id,
    event_time_from_payload,
    parse_metadata,
    source_from_payload,
)

COLLECTION_TYPES = frozenset({"SEARCH", "TIMESERIES"})


@dataclass(frozen=True)
class IndexerConfig:
    """Where and how to index; see the module docstring for the environment variables."""

    endpoint: str
    region: str = ""
    index: str = "metadata"
    collection_type: str = "SEARCH"
    signing: str = "aoss"
    timeout: float = 10.0
    # Kept back from the invocation's remaining time for raising the error and the runtime's
    # reply, so the workflow sees OpenSearchUnavailable rather than Sandbox.Timedout.
    reserve_seconds: float = 2.0
    # A request that would get less than this is not started: it could hardly succeed.
    min_request_seconds: float = 0.5

    @classmethod
    def from_environment(cls, env: Mapping[str, str] = os.environ) -> IndexerConfig:
        """Read the configuration; a missing endpoint or a bad value raises `ValueError`."""
        endpoint = env.get("OPENSEARCH_ENDPOINT", "").strip()
        if not endpoint.startswith(("https://", "http://")):
            raise ValueError("OPENSEARCH_ENDPOINT must be an http(s):// URL")
        collection_type = env.get("COLLECTION_TYPE", "SEARCH").upper()
        if collection_type not in COLLECTION_TYPES:
            raise ValueError(f"COLLECTION_TYPE must be one of {sorted(COLLECTION_TYPES)}")
        signing = env.get("OPENSEARCH_SIGNING", "aoss")
        if signing not in ("aoss", "none"):
            raise ValueError("OPENSEARCH_SIGNING must be 'aoss' or 'none'")
        return cls(
            endpoint=endpoint,
            region=env.get("AWS_REGION", ""),
            index=env.get("INDEX_NAME", "metadata"),
            collection_type=collection_type,
            signing=signing,
            timeout=float(env.get("OPENSEARCH_TIMEOUT_SECONDS", "10")),
        )


def index_template(index: str) -> dict[str, Any]:
    """The index template of every `<index>*` index: `@timestamp` is a date, nothing else is.

    User metadata is mapped dynamically. With OpenSearch's default `date_detection: true` a
    string that happens to look like a date (`"2024-01-02"`) makes its field a date, and a
    later file with another string there is rejected (OpenSearch docs, "Mappings", dynamic
    mapping). Both detections are switched off explicitly (`numeric_detection` is off by
    default), so metadata strings stay strings; only the pipeline's `@timestamp` is a date.
    """
    return {
        "index_patterns": [f"{index}*"],
        "template": {
            "mappings": {
                "date_detection": False,
                "numeric_detection": False,
                "properties": {"@timestamp": {"type": "date"}},
            }
        },
    }


class Indexer:
    """Indexes payloads into one OpenSearch index; creates its index template once."""

    def __init__(self, config: IndexerConfig, send: Sender = send_http,
                 sign: Signer | None = None):
        if sign is None:
            sign = SigV4Signer(config.region) if config.signing == "aoss" else unsigned
        self.config = config
        self.client = OpenSearchClient(config.endpoint, send, sign, config.timeout)
        self._template_ready = False

    def request_timeout(self, method: str, path: str,
                        time_left: Callable[[], float] | None) -> float:
        """The seconds one request may take: the configured timeout, cut to the budget.

        `time_left()` is what remains of the invocation (seconds); without it (a local run)
        the configured timeout applies. Raises `OpenSearchUnavailable` when the budget is
        spent, before anything is sent.
        """
        if time_left is None:
            return self.config.timeout
        remaining = time_left()
        budget = remaining - self.config.reserve_seconds
        if budget < self.config.min_request_seconds:
            raise OpenSearchUnavailable(
                f"{method} {path}: not started, {remaining:.3f} s of the invocation remain "
                f"and {self.config.reserve_seconds:g} s are kept back (time budget spent)"
            )
        return min(self.config.timeout, budget)

    def _request(self, method: str, path: str, body: Any,
                 time_left: Callable[[], float] | None) -> dict[str, Any]:
        timeout = self.request_timeout(method, path, time_left)
        return self.client.request(method, path, body, timeout=timeout)

    def ensure_index_template(self, time_left: Callable[[], float] | None = None) -> None:
        """PUT the index template (idempotent on the server) the first time it is needed."""
        if self._template_ready:
            return
        name = quote(f"{self.config.index}-template", safe="")
        self._request("PUT", f"/_index_template/{name}", index_template(self.config.index),
                      time_left)
        self._template_ready = True

    def index(self, payload: Any,
              time_left: Callable[[], float] | None = None) -> dict[str, Any]:
        """Validate the payload, index its document and return the contract's result.

        `time_left()` returns the seconds left in the invocation (see the module docstring);
        `None` (in-process use) means only the configured request timeout applies.
        """
        if not isinstance(payload, dict):
            raise InvalidPayload("payload must be a JSON object")
        source = source_from_payload(payload)
        event_time = event_time_from_payload(payload)
        metadata = parse_metadata(payload.get("body"))
        document = build_document(metadata, source, event_time)
        self.ensure_index_template(time_left)
        index = quote(self.config.index, safe="")
        if self.config.collection_type == "TIMESERIES":
            # TIMESERIES collections refuse custom ids (AWS-FACTS.md): the server picks one,
            # so a re-delivered event creates a duplicate document.
            reply = self._request("POST", f"/{index}/_doc", document, time_left)
            doc_id = str(reply.get("_id", ""))
        else:
            doc_id = document_id(source)
            reply = self._request("PUT", f"/{index}/_doc/{doc_id}", document, time_left)
        return {"documentId": doc_id, "index": self.config.index, "result": _result(reply)}


def _result(reply: dict[str, Any]) -> str:
    """`created` or `updated`, from OpenSearch's `result` field or else from the status."""
    result = reply.get("result")
    if result in ("created", "updated"):
        return result
    return "created" if reply.get("status") == 201 else "updated"


_indexer: Indexer | None = None


def handler(event: Any, context: Any) -> dict[str, Any]:
    """The Lambda entry point; the `Indexer` (and its template flag) lives per container.

    The invocation's remaining time (`context.get_remaining_time_in_millis()`) budgets
    every request; a context without it (None in a local call) leaves only the timeout.
    """
    global _indexer
    if _indexer is None:
        _indexer = Indexer(IndexerConfig.from_environment())
    return _indexer.index(event, time_left=_time_left(context))


def _time_left(context: Any) -> Callable[[], float] | None:
    remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
    if remaining_ms is None:
        return None
    return lambda: remaining_ms() / 1000.0
