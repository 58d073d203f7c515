"""The indexer against a real HTTP server on 127.0.0.1: outcomes, error names and signing."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time

import pytest
from aoss_client import SigV4Signer
from botocore.credentials import ReadOnlyCredentials
from indexer import Indexer, IndexerConfig, handler
from indexer_errors import (
    InvalidMetadata,
    OpenSearchRejected,
    OpenSearchThrottled,
    OpenSearchUnavailable,
)
from metadata_document import Source, document_id
from opensearch_stub import (
    authorization_fields,
    base_url,
    expected_signature,
    lower_headers,
    received,
)
from werkzeug import Response

PAYLOAD = {
    "body": '{"title": "Report", "tags": ["a"]}',
    "source": {"bucket": "bkt", "key": "x/metadata.json", "versionId": "v7", "etag": "e1"},
    "size": 34,
    "eventTime": "2026-01-01T00:00:00Z",
    "executionId": "arn:aws:states:us-east-1:123456789012:execution:MetadataPipeline:abc",
}
DOC_ID = document_id(Source("bkt", "x/metadata.json", "e1", "v7"))
DOC_PATH = f"/metadata/_doc/{DOC_ID}"
TEMPLATE_PATH = "/_index_template/metadata-template"


def reply_once(server, method: str, path: str, status: int, body: object) -> None:
    """Script the next request to `method path` to get `status` with `body` (JSON or bytes)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    server.expect_oneshot_request(path, method=method).respond_with_data(
        raw, status=status, content_type="application/json")


def make_indexer(url: str, **kwargs) -> Indexer:
    config = IndexerConfig(endpoint=url, region="us-east-1", signing="none", timeout=0.5,
                           **kwargs)
    return Indexer(config)


def test_created_document_is_put_under_its_deterministic_id(opensearch):
    result = make_indexer(base_url(opensearch)).index(PAYLOAD)
    assert result == {"documentId": DOC_ID, "index": "metadata", "result": "created"}
    put = received(opensearch)[-1]
    assert (put.method, put.path) == ("PUT", DOC_PATH)
    assert json.loads(put.get_data()) == {
        "@timestamp": "2026-01-01T00:00:00Z",
        "source": PAYLOAD["source"],
        "metadata": {"title": "Report", "tags": ["a"]},
    }


def test_status_200_means_updated(opensearch):
    reply_once(opensearch, "PUT", DOC_PATH, 200, {"_id": DOC_ID, "result": "updated"})
    assert make_indexer(base_url(opensearch)).index(PAYLOAD)["result"] == "updated"


def test_status_without_result_field_still_decides_created_or_updated(opensearch):
    reply_once(opensearch, "PUT", DOC_PATH, 200, b"")
    assert make_indexer(base_url(opensearch)).index(PAYLOAD)["result"] == "updated"


def test_index_template_maps_only_timestamp_as_date_and_is_put_once_per_container(opensearch):
    """Date and numeric detection off: a date-like metadata string stays a string, so a
    later file with another value there is not rejected (OpenSearch "Mappings" docs)."""
    indexer = make_indexer(base_url(opensearch))
    indexer.index(PAYLOAD)
    indexer.index(PAYLOAD)
    templates = [r for r in received(opensearch) if r.path.startswith("/_index_template/")]
    assert len(templates) == 1
    assert templates[0].path == TEMPLATE_PATH
    assert json.loads(templates[0].get_data()) == {
        "index_patterns": ["metadata*"],
        "template": {"mappings": {
            "date_detection": False,
            "numeric_detection": False,
            "properties": {"@timestamp": {"type": "date"}},
        }},
    }


def test_failed_template_is_retried_by_the_next_invocation(opensearch):
    reply_once(opensearch, "PUT", TEMPLATE_PATH, 503, {"message": "busy"})
    indexer = make_indexer(base_url(opensearch))
    with pytest.raises(OpenSearchUnavailable):
        indexer.index(PAYLOAD)
    assert [r.path for r in received(opensearch)] == [TEMPLATE_PATH]
    assert indexer.index(PAYLOAD)["result"] == "created"
    assert [r.path for r in received(opensearch)] == [TEMPLATE_PATH, TEMPLATE_PATH, DOC_PATH]


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (400, {"error": {"type": "mapper_parsing_exception", "reason": "failed to parse"},
               "status": 400}, OpenSearchRejected, "mapper_parsing_exception: failed to parse"),
        (403, {"status": 403, "error": {"reason": "403 Forbidden", "type": "Forbidden"}},
         OpenSearchRejected, "HTTP 403: Forbidden: 403 Forbidden"),
        (429, {"message": "Too Many Requests"}, OpenSearchThrottled, "HTTP 429"),
        (500, b"internal", OpenSearchUnavailable, "HTTP 500: internal"),
        (503, {"message": "Service Unavailable"}, OpenSearchUnavailable, "Service Unavailable"),
    ],
)
def test_http_status_maps_to_contract_error(opensearch, status, body, error, message):
    reply_once(opensearch, "PUT", DOC_PATH, status, body)
    with pytest.raises(error, match=message):
        make_indexer(base_url(opensearch)).index(PAYLOAD)


def test_timeout_is_unavailable(opensearch):
    # The server reads the request, then holds its reply until the client (timeout 0.5 s)
    # has given up; the wait is bounded so a broken client cannot hang the test run.
    client_gave_up = threading.Event()

    def late_reply(request):
        client_gave_up.wait(timeout=5)
        return Response(b"{}", status=201, content_type="application/json")

    opensearch.expect_oneshot_request(TEMPLATE_PATH, method="PUT").respond_with_handler(
        late_reply)
    try:
        with pytest.raises(OpenSearchUnavailable, match="timed out"):
            make_indexer(base_url(opensearch)).index(PAYLOAD)
    finally:
        client_gave_up.set()
        # The server logs the request once the held reply is written; wait for that (bounded)
        # so the entry cannot land in the next test's log of the shared server.
        for _ in range(500):
            if opensearch.log:
                break
            time.sleep(0.01)
    assert [r.path for r in received(opensearch)] == [TEMPLATE_PATH]


def test_connection_refused_is_unavailable():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(OpenSearchUnavailable, match="connection failed"):
        make_indexer(f"http://127.0.0.1:{port}").index(PAYLOAD)


def test_invalid_metadata_fails_before_any_request(opensearch):
    with pytest.raises(InvalidMetadata):
        make_indexer(base_url(opensearch)).index({**PAYLOAD, "body": "[]"})
    assert received(opensearch) == []


def test_timeseries_collection_posts_without_an_id_and_returns_the_server_id(opensearch):
    reply_once(opensearch, "POST", "/metadata/_doc", 201, {"_id": "srv-1", "result": "created"})
    result = make_indexer(base_url(opensearch), collection_type="TIMESERIES").index(PAYLOAD)
    assert result == {"documentId": "srv-1", "index": "metadata", "result": "created"}
    assert received(opensearch)[-1].path == "/metadata/_doc"


def test_handler_reads_its_configuration_from_the_environment(opensearch, monkeypatch):
    import indexer as module

    monkeypatch.setattr(module, "_indexer", None)
    monkeypatch.setenv("OPENSEARCH_ENDPOINT", base_url(opensearch))
    monkeypatch.setenv("OPENSEARCH_SIGNING", "none")
    monkeypatch.setenv("INDEX_NAME", "metadata-v2")
    assert handler(PAYLOAD, None)["index"] == "metadata-v2"
    assert received(opensearch)[-1].path == f"/metadata-v2/_doc/{DOC_ID}"


# --- SigV4, recomputed independently of botocore from what reached the server -------------

KEY, SECRET, TOKEN = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token"


def test_requests_are_sigv4_signed_for_aoss_with_the_body_hash(opensearch):
    signer = SigV4Signer("eu-west-1", credentials=lambda: ReadOnlyCredentials(KEY, SECRET, TOKEN))
    config = IndexerConfig(endpoint=base_url(opensearch), region="eu-west-1", timeout=2)
    Indexer(config, sign=signer).index(PAYLOAD)
    assert len(received(opensearch)) == 2
    for request in received(opensearch):
        headers = lower_headers(request)
        assert headers["x-amz-content-sha256"] == hashlib.sha256(request.get_data()).hexdigest()
        assert headers["x-amz-security-token"] == TOKEN
        algorithm, parts = authorization_fields(headers["authorization"])
        assert algorithm == "AWS4-HMAC-SHA256"
        signed = parts["SignedHeaders"].split(";")
        assert {"host", "x-amz-content-sha256", "x-amz-date"} <= set(signed)
        assert parts["Credential"] == f"{KEY}/{headers['x-amz-date'][:8]}/eu-west-1/aoss/aws4_request"
        assert parts["Signature"] == expected_signature(
            request.method, request.path, headers, signed, SECRET, "eu-west-1", "aoss"
        )


def test_a_tampered_body_no_longer_matches_the_signature(opensearch):
    signer = SigV4Signer("eu-west-1", credentials=lambda: ReadOnlyCredentials(KEY, SECRET, None))
    config = IndexerConfig(endpoint=base_url(opensearch), region="eu-west-1")
    Indexer(config, sign=signer).index(PAYLOAD)
    request = received(opensearch)[-1]
    headers = lower_headers(request)
    _, parts = authorization_fields(headers["authorization"])
    signed = parts["SignedHeaders"].split(";")
    assert parts["Signature"] == expected_signature(
        request.method, request.path, headers, signed, SECRET, "eu-west-1", "aoss"
    )
    headers["x-amz-content-sha256"] = hashlib.sha256(request.get_data() + b" ").hexdigest()
    assert parts["Signature"] != expected_signature(
        request.method, request.path, headers, signed, SECRET, "eu-west-1", "aoss"
    )
