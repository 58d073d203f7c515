"""A minimal OpenSearch HTTP client: an injectable sender and signer, and error mapping.

Only the standard library and the Lambda runtime's botocore are used (no bundling).

- A *sender* is `send(request, timeout) -> HttpResponse`; a transport failure (refused,
  reset, timed out, TLS) raises `OSError` or `http.client.HTTPException`. `timeout` bounds
  the whole exchange, not each socket operation. `send_http` is the real one;
  `metapipe simulate` can pass one that writes into a folder instead.
- A *signer* is `sign(request) -> request` returning the request with auth headers.
  `SigV4Signer` signs for service `aoss` with credentials resolved once per container;
  `unsigned` is for a plain local OpenSearch.
- `OpenSearchClient.request` maps HTTP outcomes to the contract's error names with the
  table `STATUS_ERRORS` (429 throttled, 5xx unavailable, other 4xx rejected).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from indexer_errors import OpenSearchRejected, OpenSearchThrottled, OpenSearchUnavailable


@dataclass(frozen=True)
class HttpRequest:
    """One HTTP request; `url` is absolute, `headers` keep their given case."""

    method: str
    url: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HttpResponse:
    """The status and raw body of an HTTP response."""

    status: int
    body: bytes = b""


Sender = Callable[[HttpRequest, float], HttpResponse]
Signer = Callable[[HttpRequest], HttpRequest]


def send_http(request: HttpRequest, timeout: float) -> HttpResponse:
    """Send `request` with `http.client` (HTTPS or HTTP by scheme) and read the whole reply.

    `timeout` is the time allowed for the whole exchange. A socket timeout alone applies to
    each operation (connect, send, every read), so a server trickling its reply could hold
    the caller for many times the timeout; here every read gets only what is left of it,
    and running out raises `TimeoutError`.
    """
    deadline = time.monotonic() + timeout

    def time_left() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no complete reply within {timeout:g} s")
        return left

    parts = urlsplit(request.url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(request.method, path or "/", body=request.body, headers=request.headers)
        sock = connection.sock  # kept: getresponse() drops it when the server closes
        sock.settimeout(time_left())
        response = connection.getresponse()
        chunks = []
        while not response.isclosed():  # the response closes its socket after the last byte
            sock.settimeout(time_left())
            chunk = response.read(65536)
            if not chunk:
                break
            chunks.append(chunk)
        return HttpResponse(response.status, b"".join(chunks))
    finally:
        connection.close()


def unsigned(request: HttpRequest) -> HttpRequest:
    """The signer for an OpenSearch that needs no authentication (local development)."""
    return request


def host_header(url: str) -> str:
    """The Host header value for `url`: the host, and the port only when it is not default."""
    parts = urlsplit(url)
    default_port = 443 if parts.scheme == "https" else 80
    if parts.port is None or parts.port == default_port:
        return parts.hostname or ""
    return f"{parts.hostname}:{parts.port}"


class SigV4Signer:
    """Signs requests with SigV4 for OpenSearch Serverless (service name `aoss`).

    `x-amz-content-sha256` (the SHA-256 of the body) is set before signing, because AOSS
    requires it and botocore's `SigV4Auth` only adds it for S3 (AWS-FACTS.md, "OpenSearch
    Serverless"). Credentials come from `credentials()`; the default resolves botocore's
    chain (the Lambda's environment) once per signer and freezes it per request, so a
    refreshable source is still refreshed while no request pays for a new session.
    """

    def __init__(self, region: str, credentials: Callable[[], Any] | None = None,
                 service: str = "aoss"):
        self.region = region
        self.service = service
        self._credentials = credentials or BotocoreCredentials()

    def __call__(self, request: HttpRequest) -> HttpRequest:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        headers = dict(request.headers)
        headers["Host"] = host_header(request.url)
        headers["x-amz-content-sha256"] = hashlib.sha256(request.body).hexdigest()
        aws_request = AWSRequest(
            method=request.method, url=request.url, data=request.body, headers=headers
        )
        SigV4Auth(self._credentials(), self.service, self.region).add_auth(aws_request)
        return replace(request, headers=dict(aws_request.headers.items()))


class BotocoreCredentials:
    """botocore's default credential chain, resolved on first use and then kept.

    Creating a botocore session and walking the chain cost a reviewer 6 ms per request; the
    resolved `Credentials` object is kept instead, and `get_frozen_credentials()` on it
    returns a consistent key, secret and token (refreshing them first if they expire).
    """

    def __init__(self) -> None:
        self._credentials: Any = None

    def __call__(self) -> Any:
        if self._credentials is None:
            import botocore.session

            credentials = botocore.session.get_session().get_credentials()
            if credentials is None:
                raise OpenSearchRejected("no AWS credentials available to sign the request")
            self._credentials = credentials
        return self._credentials.get_frozen_credentials()


def error_for_status(status: int) -> type[Exception] | None:
    """The contract error class for an HTTP status, or None for success (2xx)."""
    if 200 <= status < 300:
        return None
    if status == 429:
        return OpenSearchThrottled
    if status >= 500:
        return OpenSearchUnavailable
    # Other 4xx, and statuses OpenSearch never sends (1xx, 3xx): retrying will not help.
    return OpenSearchRejected


def error_reason(body: bytes) -> str:
    """Extract OpenSearch's reason from an error body, falling back to its first 300 chars.

    OpenSearch answers `{"error": {"type": ..., "reason": ...}, "status": ...}` (AOSS's 403
    has the same shape with type `Forbidden`); gateways answer `{"message": ...}`.
    """
    text = body.decode("utf-8", errors="replace").strip()
    try:
        parsed = json.loads(text)
    except ValueError:
        return text[:300] or "no reason given"
    if isinstance(parsed, dict):
        error = parsed.get("error")
        if isinstance(error, dict):
            kind, reason = error.get("type"), error.get("reason")
            if kind and reason:
                return f"{kind}: {reason}"
            if reason or kind:
                return str(reason or kind)
        if isinstance(error, str) and error:
            return error
        for key in ("message", "Message"):
            if isinstance(parsed.get(key), str):
                return parsed[key]
    return text[:300] or "no reason given"


class OpenSearchClient:
    """Sends JSON requests to one OpenSearch endpoint and maps failures to contract errors."""

    def __init__(self, endpoint: str, send: Sender = send_http, sign: Signer = unsigned,
                 timeout: float = 10.0):
        self.endpoint = endpoint.rstrip("/")
        self.send = send
        self.sign = sign
        self.timeout = timeout

    def request(self, method: str, path: str, body: Any,
                timeout: float | None = None) -> dict[str, Any]:
        """Send `body` as JSON to `path`; return the parsed reply or raise a contract error.

        `timeout` (seconds for the whole exchange) defaults to the client's own.
        """
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        request = HttpRequest(
            method, f"{self.endpoint}{path}", payload, {"Content-Type": "application/json"}
        )
        request = self.sign(request)
        try:
            response = self.send(request, self.timeout if timeout is None else timeout)
        except TimeoutError as exc:
            raise OpenSearchUnavailable(f"{method} {path}: timed out ({exc})") from None
        except (OSError, http.client.HTTPException) as exc:
            raise OpenSearchUnavailable(
                f"{method} {path}: connection failed ({type(exc).__name__}: {exc})"
            ) from None
        error_class = error_for_status(response.status)
        if error_class is not None:
            raise error_class(f"{method} {path}: HTTP {response.status}: "
                              f"{error_reason(response.body)}")
        try:
            parsed = json.loads(response.body) if response.body.strip() else {}
        except ValueError:
            parsed = {}
        return {"status": response.status, **(parsed if isinstance(parsed, dict) else {})}
