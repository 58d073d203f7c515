"""The indexer's time budget and signing credentials, against a real HTTP server on 127.0.0.1.

Lambda ends an invocation that reaches its timeout as `Sandbox.Timedout`, which the
workflow does not retry; the indexer must give up first with `OpenSearchUnavailable`, which
it does retry (docs/contract.md). Remaining time comes from a fake Lambda context, so no
test depends on how fast this machine is.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import pytest
from aoss_client import BotocoreCredentials, HttpRequest, SigV4Signer, send_http
from indexer import Indexer, IndexerConfig, handler
from indexer_errors import OpenSearchUnavailable
from metadata_document import Source, document_id
from opensearch_stub import base_url, received
from werkzeug import Response

PAYLOAD = {
    "body": '{"title": "Report"}',
    "source": {"bucket": "bkt", "key": "x/metadata.json", "versionId": "v7", "etag": "e1"},
    "size": 19,
    "eventTime": "2026-01-01T00:00:00Z",
    "executionId": "arn:aws:states:us-east-1:123456789012:execution:MetadataPipeline:abc",
}
DOC_PATH = f"/metadata/_doc/{document_id(Source('bkt', 'x/metadata.json', 'e1', 'v7'))}"
TEMPLATE_PATH = "/_index_template/metadata-template"


@dataclass
class FakeContext:
    """A Lambda context whose remaining time is read from a script, one value per call."""

    remaining_ms: list[int]
    calls: int = field(default=0)

    def get_remaining_time_in_millis(self) -> int:
        value = self.remaining_ms[min(self.calls, len(self.remaining_ms) - 1)]
        self.calls += 1
        return value


class RecordingSender:
    """`send_http`, remembering the timeout each request was given."""

    def __init__(self):
        self.timeouts: list[float] = []

    def __call__(self, request: HttpRequest, timeout: float):
        self.timeouts.append(timeout)
        return send_http(request, timeout)


def make_indexer(url: str, send=send_http, timeout: float = 10.0) -> Indexer:
    config = IndexerConfig(endpoint=url, region="us-east-1", signing="none", timeout=timeout)
    return Indexer(config, send=send)


def seconds_left(context: FakeContext):
    return lambda: context.get_remaining_time_in_millis() / 1000


def test_each_request_gets_the_configured_timeout_when_time_is_plentiful(opensearch):
    sender = RecordingSender()
    context = FakeContext([30_000])
    make_indexer(base_url(opensearch), sender).index(PAYLOAD, time_left=seconds_left(context))
    assert sender.timeouts == [10.0, 10.0]


def test_a_request_is_cut_to_what_the_invocation_has_left_minus_the_reserve(opensearch):
    sender = RecordingSender()
    context = FakeContext([5_000, 3_500])  # template, then document
    make_indexer(base_url(opensearch), sender).index(PAYLOAD, time_left=seconds_left(context))
    assert sender.timeouts == [pytest.approx(3.0), pytest.approx(1.5)]


def test_nothing_is_sent_when_the_budget_is_already_spent(opensearch):
    context = FakeContext([2_400])  # 2 s reserve leaves 0.4 s, under the 0.5 s minimum
    with pytest.raises(OpenSearchUnavailable, match="time budget spent"):
        make_indexer(base_url(opensearch)).index(PAYLOAD, time_left=seconds_left(context))
    assert received(opensearch) == []


def test_a_slow_template_leaves_no_time_for_the_document_which_is_unavailable(opensearch):
    """The cold-start case: the template took most of the invocation."""
    context = FakeContext([29_000, 2_100])
    indexer = make_indexer(base_url(opensearch))
    with pytest.raises(OpenSearchUnavailable, match=f"PUT {DOC_PATH}: not started"):
        indexer.index(PAYLOAD, time_left=seconds_left(context))
    assert [r.path for r in received(opensearch)] == [TEMPLATE_PATH]
    # The template is in place: the retried invocation only sends the document.
    assert indexer.index(PAYLOAD, time_left=seconds_left(FakeContext([30_000])))
    assert [r.path for r in received(opensearch)] == [TEMPLATE_PATH, DOC_PATH]


def test_handler_budgets_from_the_lambda_context(opensearch, monkeypatch):
    import indexer as module

    monkeypatch.setattr(module, "_indexer", None)
    monkeypatch.setenv("OPENSEARCH_ENDPOINT", base_url(opensearch))
    monkeypatch.setenv("OPENSEARCH_SIGNING", "none")
    with pytest.raises(OpenSearchUnavailable, match="time budget spent"):
        handler(PAYLOAD, FakeContext([1_500]))
    assert received(opensearch) == []
    assert handler(PAYLOAD, FakeContext([30_000]))["result"] == "created"


def test_the_timeout_bounds_the_whole_reply_not_each_read(opensearch):
    """A reply trickling in a byte at a time never trips a per-read timeout; the total does."""
    client_gave_up = threading.Event()

    def trickle():
        yield b'{"acknowledged":'
        for _ in range(50):  # at most 5 s, ended as soon as the client has given up
            if client_gave_up.wait(timeout=0.1):
                return
            yield b" "
        yield b"true}"

    opensearch.expect_oneshot_request(TEMPLATE_PATH, method="PUT").respond_with_handler(
        lambda request: Response(trickle(), status=200, content_type="application/json"))
    try:
        with pytest.raises(OpenSearchUnavailable, match="timed out"):
            make_indexer(base_url(opensearch), timeout=0.5).index(PAYLOAD)
    finally:
        client_gave_up.set()
        for _ in range(500):  # bounded wait for the server's log entry (see test_indexer_http)
            if opensearch.log:
                break
            time.sleep(0.01)
    assert [r.path for r in received(opensearch)] == [TEMPLATE_PATH]


# --- credentials ----------------------------------------------------------------------------

class CountingSession:
    """Stands in for botocore's session: counts how often the chain is resolved."""

    resolved = 0

    def get_credentials(self):
        from botocore.credentials import Credentials

        CountingSession.resolved += 1
        return Credentials("AKIDEXAMPLE", "secret", "token")


def test_default_credentials_are_resolved_once_per_signer_not_per_request(opensearch,
                                                                          monkeypatch):
    import botocore.session

    CountingSession.resolved = 0
    monkeypatch.setattr(botocore.session, "get_session", CountingSession)
    config = IndexerConfig(endpoint=base_url(opensearch), region="eu-west-1")
    indexer = Indexer(config, sign=SigV4Signer("eu-west-1"))
    indexer.index(PAYLOAD)
    indexer.index(PAYLOAD)
    assert len(received(opensearch)) == 3  # template once, the document twice
    assert CountingSession.resolved == 1
    assert all(r.headers["x-amz-security-token"] == "token" for r in received(opensearch))


def test_no_credentials_at_all_is_rejected_not_retried(monkeypatch):
    import botocore.session
    from indexer_errors import OpenSearchRejected

    class Empty:
        def get_credentials(self):
            return None

    monkeypatch.setattr(botocore.session, "get_session", Empty)
    with pytest.raises(OpenSearchRejected, match="no AWS credentials"):
        BotocoreCredentials()()
