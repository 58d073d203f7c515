"""The indexer against a real HTTP server on 127.0.0.1: outcomes, error names and signing."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket

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

PAYLOAD = {
    "body": '{"title": "Report", "tags": ["a"]}',
    "source": {"bucket": "bkt", "key": "x/metadata.json", "versionId": "v7", "etag": "e1"},
    "size": 34,
    "eventTime": "2026-01-01T00:00:00Z",
    "executionId": "arn:aws:states:us-east-1:123456789012:execution:MetadataPipeline:abc",
}
DOC_ID = document_id(Source("bkt", "x/metadata.json", "e1", "v7"))


def make_indexer(url: str, **kwargs) -> Indexer:
    config = IndexerConfig(endpoint=url, region="us-east-1", signing="none", timeout=0.5,
                           **kwargs)
    return Indexer(config)


def test_created_document_is_put_under_its_deterministic_id(opensearch):
    result = make_indexer(opensearch.url).index(PAYLOAD)
    assert result == {"documentId": DOC_ID, "index": "metadata", "result": "created"}
    put = opensearch.requests[-1]
    assert (put.method, put.path) == ("PUT", f"/metadata/_doc/{DOC_ID}")
    assert json.loads(put.body) == {
        "@timestamp": "2026-01-01T00:00:00Z",
        "source": PAYLOAD["source"],
        "metadata": {"title": "Report", "tags": ["a"]},
    }


def test_status_200_means_updated(opensearch):
    opensearch.reply("PUT", "/metadata/_doc/", 200, {"_id": DOC_ID, "result": "updated"})
    assert make_indexer(opensearch.url).index(PAYLOAD)["result"] == "updated"


def test_status_without_result_field_still_decides_created_or_updated(opensearch):
    opensearch.reply("PUT", "/metadata/_doc/", 200, b"")
    assert make_indexer(opensearch.url).index(PAYLOAD)["result"] == "updated"


def test_index_template_maps_timestamp_as_date_and_is_put_once_per_container(opensearch):
    indexer = make_indexer(opensearch.url)
    indexer.index(PAYLOAD)
    indexer.index(PAYLOAD)
    templates = [r for r in opensearch.requests if r.path.startswith("/_index_template/")]
    assert len(templates) == 1
    assert templates[0].path == "/_index_template/metadata-template"
    assert json.loads(templates[0].body) == {
        "index_patterns": ["metadata*"],
        "template": {"mappings": {"properties": {"@timestamp": {"type": "date"}}}},
    }


def test_failed_template_is_retried_by_the_next_invocation(opensearch):
    opensearch.reply("PUT", "/_index_template/", 503, {"message": "busy"})
    indexer = make_indexer(opensearch.url)
    with pytest.raises(OpenSearchUnavailable):
        indexer.index(PAYLOAD)
    opensearch.replies.clear()
    assert indexer.index(PAYLOAD)["result"] == "created"


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
    opensearch.reply("PUT", "/metadata/_doc/", status, body)
    with pytest.raises(error, match=message):
        make_indexer(opensearch.url).index(PAYLOAD)


def test_timeout_is_unavailable():
    # A listening socket that never accepts: the connection opens, no reply ever comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(OpenSearchUnavailable, match="timed out"):
            make_indexer(url).index(PAYLOAD)


def test_connection_refused_is_unavailable():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(OpenSearchUnavailable, match="connection failed"):
        make_indexer(f"http://127.0.0.1:{port}").index(PAYLOAD)


def test_invalid_metadata_fails_before_any_request(opensearch):
    with pytest.raises(InvalidMetadata):
        make_indexer(opensearch.url).index({**PAYLOAD, "body": "[]"})
    assert opensearch.requests == []


def test_timeseries_collection_posts_without_an_id_and_returns_the_server_id(opensearch):
    opensearch.reply("POST", "/metadata/_doc", 201, {"_id": "srv-1", "result": "created"})
    result = make_indexer(opensearch.url, collection_type="TIMESERIES").index(PAYLOAD)
    assert result == {"documentId": "srv-1", "index": "metadata", "result": "created"}
    assert opensearch.requests[-1].path == "/metadata/_doc"


def test_handler_reads_its_configuration_from_the_environment(opensearch, monkeypatch):
    import indexer as module

    monkeypatch.setattr(module, "_indexer", None)
    monkeypatch.setenv("OPENSEARCH_ENDPOINT", opensearch.url)
    monkeypatch.setenv("OPENSEARCH_SIGNING", "none")
    monkeypatch.setenv("INDEX_NAME", "metadata-v2")
    assert handler(PAYLOAD, None)["index"] == "metadata-v2"
    assert opensearch.requests[-1].path == f"/metadata-v2/_doc/{DOC_ID}"


# --- SigV4, recomputed independently of botocore from what reached the server -------------

KEY, SECRET, TOKEN = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def expected_signature(method: str, path: str, headers: dict[str, str], signed: list[str],
                       region: str, service: str) -> str:
    """The SigV4 signature per the AWS spec (canonical request -> string to sign -> HMAC)."""
    amz_date = headers["x-amz-date"]
    canonical_headers = "".join(f"{h}:{' '.join(headers[h].split())}\n" for h in signed)
    canonical_request = "\n".join([
        method, path, "", canonical_headers, ";".join(signed), headers["x-amz-content-sha256"],
    ])
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join([
        "AWS4-HMAC-SHA256", amz_date, scope,
        hashlib.sha256(canonical_request.encode()).hexdigest(),
    ])
    key = ("AWS4" + SECRET).encode()
    for part in (amz_date[:8], region, service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def test_requests_are_sigv4_signed_for_aoss_with_the_body_hash(opensearch):
    signer = SigV4Signer("eu-west-1", credentials=lambda: ReadOnlyCredentials(KEY, SECRET, TOKEN))
    config = IndexerConfig(endpoint=opensearch.url, region="eu-west-1", timeout=2)
    Indexer(config, sign=signer).index(PAYLOAD)
    assert len(opensearch.requests) == 2
    for request in opensearch.requests:
        headers = {k.lower(): v for k, v in request.headers.items()}
        assert headers["x-amz-content-sha256"] == hashlib.sha256(request.body).hexdigest()
        assert headers["x-amz-security-token"] == TOKEN
        algorithm, _, fields = headers["authorization"].partition(" ")
        assert algorithm == "AWS4-HMAC-SHA256"
        parts = dict(item.strip().split("=", 1) for item in fields.split(","))
        signed = parts["SignedHeaders"].split(";")
        assert {"host", "x-amz-content-sha256", "x-amz-date"} <= set(signed)
        assert parts["Credential"] == f"{KEY}/{headers['x-amz-date'][:8]}/eu-west-1/aoss/aws4_request"
        assert parts["Signature"] == expected_signature(
            request.method, request.path, headers, signed, "eu-west-1", "aoss"
        )


def test_a_tampered_body_no_longer_matches_the_signature(opensearch):
    signer = SigV4Signer("eu-west-1", credentials=lambda: ReadOnlyCredentials(KEY, SECRET, None))
    Indexer(IndexerConfig(endpoint=opensearch.url, region="eu-west-1"), sign=signer).index(PAYLOAD)
    request = opensearch.requests[-1]
    headers = {k.lower(): v for k, v in request.headers.items()}
    signed = headers["authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    headers["x-amz-content-sha256"] = hashlib.sha256(request.body + b" ").hexdigest()
    signature = headers["authorization"].rsplit("Signature=", 1)[1]
    assert signature != expected_signature(
        request.method, request.path, headers, signed, "eu-west-1", "aoss"
    )
