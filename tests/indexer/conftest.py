"""Make the indexer Lambda's modules importable and serve scripted HTTP replies locally."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

INDEXER_DIR = Path(__file__).resolve().parents[2] / "infra" / "functions" / "indexer"
if str(INDEXER_DIR) not in sys.path:
    sys.path.insert(0, str(INDEXER_DIR))


@dataclass
class Recorded:
    """One request the fake OpenSearch received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeOpenSearch:
    """A real HTTP server on 127.0.0.1 that answers from a script, recording every request.

    `replies` maps a method and path prefix to `(status, body)`; the first match wins, and
    the default answers the index template PUT with 200 and documents with 201.
    """

    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    replies: list[tuple[str, str, int, bytes]] = field(default_factory=list)

    def reply(self, method: str, path_prefix: str, status: int, body: object = None) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
        self.replies.insert(0, (method, path_prefix, status, raw))

    def answer(self, method: str, path: str) -> tuple[int, bytes]:
        for want_method, prefix, status, body in self.replies:
            if method == want_method and path.startswith(prefix):
                return status, body
        if path.startswith("/_index_template/"):
            return 200, b'{"acknowledged":true}'
        return 201, json.dumps({"_id": path.rsplit("/", 1)[-1], "result": "created"}).encode()


@pytest.fixture
def opensearch() -> Iterator[FakeOpenSearch]:
    fake = FakeOpenSearch()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            fake.requests.append(
                Recorded(self.command, self.path, {k: v for k, v in self.headers.items()}, body)
            )
            status, reply = fake.answer(self.command, self.path)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        do_PUT = do_POST = do_GET = _serve

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
