"""What the OpenSearch stand-in answers by default, and checks on what reached it.

The server is pytest-httpserver's (`httpserver`, bound to 127.0.0.1 in `tests/conftest.py`);
this module only declares its default handlers and reads its request log. The SigV4 check
recomputes a signature from the received request per the AWS specification (canonical
request, string to sign, derived key), independently of botocore, so a signer bug cannot hide
behind the library that produced it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

TEMPLATE_PATH = re.compile(r"^/_index_template/[^/]+$")
DOCUMENT_PATH = re.compile(r"^/[^/_][^/]*/_doc/[^/]+$")


def _created(request: Request) -> Response:
    """Answer a document PUT as OpenSearch does for a new id: 201 with `_id` and `result`."""
    reply = {"_id": request.path.rsplit("/", 1)[-1], "result": "created"}
    return Response(json.dumps(reply), status=201, content_type="application/json")


def answer_as_opensearch(server: HTTPServer) -> None:
    """Register the default replies: a template PUT is acknowledged, a document PUT created.

    A test scripts another reply with `server.expect_oneshot_request(...)`; one-shot handlers
    are consulted before these permanent ones, and each serves exactly one request.
    """
    server.expect_request(TEMPLATE_PATH, method="PUT").respond_with_json({"acknowledged": True})
    server.expect_request(DOCUMENT_PATH, method="PUT").respond_with_handler(_created)


def base_url(server: HTTPServer) -> str:
    """The server's URL without a trailing slash, as an OpenSearch endpoint is written."""
    return server.url_for("/").rstrip("/")


def received(server: HTTPServer) -> list[Request]:
    """Every request the server has answered so far, oldest first, from its own log."""
    return [request for request, _ in server.log]


def lower_headers(request: Request) -> dict[str, str]:
    """The request's headers keyed by lower-case name, as SigV4 canonicalises them."""
    return {name.lower(): value for name, value in request.headers.items()}


def authorization_fields(authorization: str) -> tuple[str, dict[str, str]]:
    """Split a SigV4 Authorization header into its algorithm and its named fields."""
    algorithm, _, fields = authorization.partition(" ")
    return algorithm, dict(item.strip().split("=", 1) for item in fields.split(","))


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def expected_signature(method: str, path: str, headers: dict[str, str], signed: list[str],
                       secret: str, region: str, service: str) -> str:
    """The SigV4 signature per the AWS spec (canonical request -> string to sign -> HMAC).

    `headers` are keyed by lower-case name; the request has no query string.
    """
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
    key = ("AWS4" + secret).encode()
    for part in (amz_date[:8], region, service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
